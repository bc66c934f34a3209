import assert from "node:assert/strict";
import { LogBuffer } from "../log/mod.ts";
import { EventBus } from "./event_bus.ts";
import { forwardLogs } from "./log_forwarder.ts";

Deno.test("forwardLogs() publishes writes whole even when a character is split", async () => {
  const buffer = new LogBuffer();
  const bus = new EventBus();
  using subscription = bus.subscribe();
  const stop = forwardLogs(buffer, "upstream", bus);
  const bytes = new TextEncoder().encode("é\n");

  buffer.write(bytes.subarray(0, 1));
  buffer.write(bytes.subarray(1));
  stop();
  buffer.write("after stop");

  const first = await subscription.next();
  assert.deepEqual(first.value, {
    type: "logData",
    data: { source: "upstream", data: "é\n" },
  });
  subscription.close();
  assert.equal((await subscription.next()).done, true);
});

Deno.test("forwardLogs() skips writes while nobody listens and forwards once someone does", async () => {
  const buffer = new LogBuffer();
  const bus = new EventBus();
  const stop = forwardLogs(buffer, "proxy", bus);
  const bytes = new TextEncoder().encode("é");

  buffer.write("unheard\n");
  buffer.write(bytes.subarray(0, 1)); // half a character nobody hears
  using subscription = bus.subscribe();
  buffer.write("heard\n");
  stop();

  const first = await subscription.next();
  assert.deepEqual(first.value, {
    type: "logData",
    data: { source: "proxy", data: "heard\n" },
  });
  assert.equal(
    buffer.text().startsWith("unheard\n"),
    true,
    "history keeps all",
  );
});

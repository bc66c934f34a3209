import assert from "node:assert/strict";
import { LogHub } from "./log_hub.ts";

Deno.test("LogHub forwards model output into the upstream buffer", () => {
  const hub = new LogHub();

  hub.model("qwen").write("loading weights\n");

  assert.equal(hub.model("qwen").text(), "loading weights\n");
  assert.equal(hub.upstream.text(), "loading weights\n");
});

Deno.test("LogHub with logToStdout proxy combines only proxy lines", () => {
  const printed: string[] = [];
  const hub = new LogHub({
    logToStdout: "proxy",
    terminal: (chunk) => printed.push(new TextDecoder().decode(chunk)),
  });

  hub.proxy.write("[INFO] swap\n");
  hub.model("qwen").write("child output\n");

  assert.equal(hub.combined.text(), "[INFO] swap\n");
  assert.deepEqual(printed, ["[INFO] swap\n"]);
});

Deno.test("LogHub with logToStdout both combines proxy and upstream", () => {
  const hub = new LogHub({ logToStdout: "both" });

  hub.proxy.write("a\n");
  hub.model("m").write("b\n");

  assert.equal(hub.combined.text(), "a\nb\n");
});

Deno.test("LogHub with logToStdout none keeps the combined log empty", () => {
  const hub = new LogHub({ logToStdout: "none" });

  hub.proxy.write("a\n");
  hub.upstream.write("b\n");

  assert.equal(hub.combined.text(), "");
  assert.equal(hub.proxy.text(), "a\n");
});

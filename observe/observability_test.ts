import assert from "node:assert/strict";
import { join } from "node:path";
import { Logger, LogHub } from "../log/mod.ts";
import { testConfig } from "../tests/proxy_fakes.ts";
import { unknownTokenMetrics } from "./token_metrics.ts";
import { activityStorePath, Observability } from "./observability.ts";

function observability(
  config = testConfig([]),
  dataDir: string | null = null,
) {
  const logs = new LogHub();
  return {
    logs,
    observability: new Observability({
      logs,
      logger: new Logger(logs.proxy),
      config,
      dataDir,
    }),
  };
}

const REQUEST = {
  model: "m1",
  reqPath: "/v1/chat/completions",
  respContentType: "application/json",
  respStatusCode: 200,
  tokens: { ...unknownTokenMetrics(), inputTokens: 3, outputTokens: 5 },
  durationMs: 12,
};

Deno.test("activityStorePath() prefers storePath, then the data directory, then memory", () => {
  const withPath = testConfig([], { storePath: "/var/lib/ls/custom.db" });

  assert.equal(activityStorePath(withPath, "/data"), "/var/lib/ls/custom.db");
  assert.equal(activityStorePath(testConfig([]), "/data"), "/data/activity.db");
  assert.equal(activityStorePath(testConfig([]), null), ":memory:");
});

Deno.test("Observability keeps 1000 entries when metricsMaxInMemory is 0 or less", () => {
  const { observability: zero } = observability(
    testConfig([], { metricsMaxInMemory: 0 }),
  );
  const { observability: five } = observability(
    testConfig([], { metricsMaxInMemory: 5 }),
  );

  assert.equal(zero.activity.retainedRows, 1000);
  assert.equal(five.activity.retainedRows, 5);
  zero.close();
  five.close();
});

Deno.test("Observability keeps activity across a restart on the same data directory", async () => {
  const dataDir = await Deno.makeTempDir();
  try {
    const first = observability(testConfig([]), dataDir).observability;
    first.activity.record(REQUEST);
    first.close();

    const second = observability(testConfig([]), dataDir).observability;
    const page = second.activity.query(new URLSearchParams());
    second.close();

    assert.equal(second.activity.path, join(dataDir, "activity.db"));
    assert.equal(page.total, 1);
    assert.equal(page.data[0]?.tokens.output_tokens, 5);
  } finally {
    await Deno.remove(dataDir, { recursive: true });
  }
});

Deno.test("Observability keeps activity in memory and warns when the store cannot open", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const blocker = join(dir, "a-file");
    await Deno.writeTextFile(blocker, "");
    const config = testConfig([], { storePath: join(blocker, "activity.db") });

    const { logs, observability: opened } = observability(config);
    opened.close();

    assert.equal(opened.activity.path, ":memory:");
    assert.match(
      logs.proxy.text(),
      /\[WARN\] observe: cannot open the activity store/,
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("Observability.close() ends streams, stops forwarding logs and is idempotent", () => {
  const { logs, observability: closing } = observability();
  const subscription = closing.subscribeEvents();

  closing.close();
  closing.close();

  assert.equal(subscription.closed, true);
  assert.equal(logs.proxy.subscriberCount, 1); // the hub's own
  assert.throws(() => closing.activity.query(new URLSearchParams()));
});

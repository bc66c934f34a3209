import assert from "node:assert/strict";
import { join } from "node:path";
import { FakeClock } from "../tests/fake_clock.ts";
import type { NewActivity } from "./activity_entry.ts";
import { ActivityQueryError } from "./activity_query.ts";
import { ActivityStore, MAX_PENDING_ROWS } from "./activity_store.ts";
import { type TokenMetrics, unknownTokenMetrics } from "./token_metrics.ts";

function chat(
  model: string,
  tokens: Partial<TokenMetrics> = {},
  extra: Partial<NewActivity> = {},
): NewActivity {
  return {
    model,
    reqPath: "/v1/chat/completions",
    respContentType: "application/json",
    respStatusCode: 200,
    tokens: { ...unknownTokenMetrics(), ...tokens },
    durationMs: 100,
    ...extra,
  };
}

function ids(store: ActivityStore, query: string): number[] {
  return store.query(new URLSearchParams(query)).data.map((entry) => entry.id);
}

/** Four entries one second apart: m1, m2, m1, m3. */
function fourEntries(clock: FakeClock) {
  const store = new ActivityStore({ path: ":memory:", maxRows: 100, clock });
  const times: string[] = [];
  for (const model of ["m1", "m2", "m1", "m3"]) {
    times.push(store.record(chat(model)).timestamp);
    clock.tick(1_000);
  }
  return { store, times };
}

Deno.test("ActivityStore.record() numbers entries from 1 and returns the API shape", () => {
  using store = new ActivityStore({
    path: ":memory:",
    maxRows: 10,
    clock: new FakeClock(Date.UTC(2026, 0, 2, 3, 4, 5, 678)),
  });

  const entry = store.record(chat("m1", { inputTokens: 3, outputTokens: 5 }, {
    ttftMs: 42,
    metadata: { selector: "public" },
  }));

  assert.deepEqual(entry, {
    id: 1,
    timestamp: "2026-01-02T03:04:05.678Z",
    model: "m1",
    req_path: "/v1/chat/completions",
    resp_content_type: "application/json",
    resp_status_code: 200,
    tokens: {
      cache_tokens: -1,
      input_tokens: 3,
      output_tokens: 5,
      prompt_per_second: -1,
      tokens_per_second: -1,
      draft_tokens: -1,
      draft_acc_tokens: -1,
    },
    duration_ms: 100,
    ttft_ms: 42,
    has_capture: false,
    metadata: { selector: "public" },
  });
  assert.equal(store.record(chat("m1")).id, 2);
});

Deno.test("ActivityStore.record() keeps the error message and the longer duration", () => {
  using store = new ActivityStore({ path: ":memory:", maxRows: 10 });

  const failed = store.record(chat("m1", {}, {
    respStatusCode: 502,
    errorMsg: "model unavailable",
  }));
  const timed = store.record(chat("m1", { durationMs: 1450 }));

  assert.equal(failed.error_msg, "model unavailable");
  assert.equal(failed.resp_status_code, 502);
  assert.equal("metadata" in failed, false);
  assert.equal("error_msg" in timed, false);
  assert.equal(timed.duration_ms, 1450);
  assert.deepEqual(store.get(1), failed);
});

Deno.test("ActivityStore in memory keeps only the newest maxRows entries", () => {
  using store = new ActivityStore({ path: ":memory:", maxRows: 3 });

  for (let i = 0; i < 5; i++) store.record(chat(`m${i}`));

  assert.deepEqual(ids(store, ""), [5, 4, 3]);
  assert.equal(store.get(2), null);
});

Deno.test("ActivityStore on a file keeps ten times maxRows entries", async () => {
  const dir = await Deno.makeTempDir();
  try {
    using store = new ActivityStore({ path: join(dir, "a.db"), maxRows: 2 });

    for (let i = 0; i < 25; i++) store.record(chat("m1"));

    const page = store.query(new URLSearchParams("limit=999&order=asc"));
    assert.equal(store.retainedRows, 20);
    assert.equal(page.total, 20);
    assert.equal(page.data[0]?.id, 6);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("ActivityStore on a file survives reopening", async () => {
  const dir = await Deno.makeTempDir();
  const path = join(dir, "nested", "activity.db");
  try {
    const first = new ActivityStore({ path, maxRows: 10 });
    first.record(chat("m1", { inputTokens: 7 }));
    first.close();
    first.close();

    using second = new ActivityStore({ path, maxRows: 10 });
    const next = second.record(chat("m2"));

    assert.equal(second.get(1)?.tokens.input_tokens, 7);
    assert.equal(next.id, 2);
    const mode = new TextDecoder().decode(
      (await Deno.readFile(path)).subarray(18, 20),
    );
    assert.equal(mode, "\x02\x02"); // WAL read and write versions
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("ActivityStore refuses a database from a newer schema", async () => {
  const dir = await Deno.makeTempDir();
  const path = join(dir, "future.db");
  try {
    const { DatabaseSync } = await import("node:sqlite");
    const db = new DatabaseSync(path);
    db.exec("PRAGMA user_version = 99");
    db.close();

    assert.throws(
      () => new ActivityStore({ path, maxRows: 10 }),
      /Cannot open activity store ".*future\.db": schema version "99"/,
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("ActivityStore.query() answers an empty store with zero pages", () => {
  using store = new ActivityStore({ path: ":memory:", maxRows: 10 });

  const page = store.query(new URLSearchParams());

  assert.deepEqual(page, {
    data: [],
    page: 1,
    limit: 25,
    total: 0,
    total_pages: 0,
  });
});

Deno.test("ActivityStore.query() filters by model and reports held captures", () => {
  using store = new ActivityStore({
    path: ":memory:",
    maxRows: 10,
    hasCapture: (id) => id === 1,
  });
  store.record(chat("m1"));
  store.record(chat("m2"));

  const page = store.query(new URLSearchParams("model=m1&limit=10&page=1"));

  assert.equal(page.total, 1);
  assert.equal(page.data[0]?.model, "m1");
  assert.equal(page.data[0]?.has_capture, true);
});

Deno.test("ActivityStore.query() combines model, id and time filters", () => {
  const clock = new FakeClock();
  const { store, times } = fourEntries(clock);
  const [t0, t1, t2, t3] = times;
  using _ = store;

  assert.deepEqual(ids(store, "model=m1&model=m3"), [4, 3, 1]);
  assert.deepEqual(ids(store, "model=m2"), [2]);
  assert.deepEqual(ids(store, "min_id=2&max_id=3"), [3, 2]);
  assert.deepEqual(ids(store, "min_id=4"), [4]);
  assert.deepEqual(ids(store, "max_id=2"), [2, 1]);
  assert.deepEqual(ids(store, "model=m1&min_id=2"), [3]);
  assert.deepEqual(ids(store, `start=${t2}`), [4, 3]);
  assert.deepEqual(ids(store, `end=${t1}`), [2, 1]);
  assert.deepEqual(ids(store, `start=${t1}&end=${t2}`), [3, 2]);
  assert.deepEqual(ids(store, `start=${t0}&end=${t3}&model=m1`), [3, 1]);
  assert.deepEqual(ids(store, `start=${t0}&min_id=3`), [4, 3]);
  assert.deepEqual(ids(store, ""), [4, 3, 2, 1]);
});

Deno.test("ActivityStore.query() pages through sorted entries", () => {
  using store = new ActivityStore({ path: ":memory:", maxRows: 10 });
  for (const input of [30, 10, 20, 10, 40]) {
    store.record(chat("m1", { inputTokens: input }));
  }

  const first = store.query(
    new URLSearchParams("sort=prompt&order=asc&limit=2"),
  );
  const last = store.query(
    new URLSearchParams("sort=prompt&order=asc&limit=2&page=3"),
  );
  const beyond = store.query(new URLSearchParams("limit=2&page=9"));

  assert.deepEqual(first.data.map((entry) => entry.id), [2, 4]);
  assert.equal(first.total_pages, 3);
  assert.deepEqual(last.data.map((entry) => entry.id), [5]);
  assert.deepEqual(beyond.data, []);
  assert.equal(beyond.total, 5);
});

Deno.test("ActivityStore.query() throws ActivityQueryError for bad input", () => {
  using store = new ActivityStore({ path: ":memory:", maxRows: 10 });

  for (
    const query of [
      "min_id=abc",
      "max_id=0",
      "min_id=-1",
      "min_id=9&max_id=2",
      "start=nonsense",
      "end=2026-01-01",
      "start=2026-02-01T00:00:00Z&end=2026-01-01T00:00:00Z",
      "sort=id;DROP TABLE activity",
    ]
  ) {
    assert.throws(
      () => store.query(new URLSearchParams(query)),
      ActivityQueryError,
    );
  }
  assert.equal(store.query(new URLSearchParams()).total, 0);
});

Deno.test("ActivityStore.stats() totals one model and builds both histograms", () => {
  using store = new ActivityStore({ path: ":memory:", maxRows: 10 });
  store.record(chat("m1", {
    inputTokens: 1,
    outputTokens: 2,
    cachedTokens: 1,
    promptPerSecond: 10,
    tokensPerSecond: 20,
  }));
  store.record(chat("m1", {
    inputTokens: 3,
    outputTokens: 4,
    promptPerSecond: 30,
    tokensPerSecond: 40,
  }));
  store.record(chat("m2", { inputTokens: 100, outputTokens: 100 }));

  const stats = store.stats("m1");

  assert.equal(stats.total_requests, 2);
  assert.equal(stats.total_input_tokens, 4);
  assert.equal(stats.total_output_tokens, 6);
  assert.equal(stats.total_cache_tokens, 1);
  assert.equal(stats.prompt_histogram?.min, 10);
  assert.equal(stats.gen_histogram?.max, 40);
  assert.equal(store.stats().total_requests, 3);
});

Deno.test("ActivityStore.stats() has null histograms without known rates", () => {
  using store = new ActivityStore({ path: ":memory:", maxRows: 10 });
  store.record(chat("m1"));

  const stats = store.stats();

  assert.equal(stats.total_requests, 1);
  assert.equal(stats.total_input_tokens, 0);
  assert.equal(stats.prompt_histogram, null);
  assert.equal(stats.gen_histogram, null);
});

Deno.test("ActivityStore rejects a maxRows below one", () => {
  assert.throws(
    () => new ActivityStore({ path: ":memory:", maxRows: 0 }),
    RangeError,
  );
});

/** A scheduler the test runs by hand: `run()` flushes what is queued. */
function manualFlush() {
  const scheduled: (() => void)[] = [];
  return {
    scheduled,
    schedule: (flush: () => void) => {
      scheduled.push(flush);
      return () => {
        const at = scheduled.indexOf(flush);
        if (at >= 0) scheduled.splice(at, 1);
      };
    },
    run: () => scheduled.splice(0).forEach((flush) => flush()),
  };
}

function recorder() {
  const ids: number[] = [];
  const errors: string[] = [];
  return {
    ids,
    errors,
    outcome: {
      recorded: (id: number) => ids.push(id),
      failed: (error: unknown) => errors.push(String(error)),
    },
  };
}

Deno.test("ActivityStore.recordLater() writes queued entries together in one scheduled flush", () => {
  const flushes = manualFlush();
  using store = new ActivityStore({
    path: ":memory:",
    maxRows: 10,
    scheduleFlush: flushes.schedule,
  });
  const told = recorder();

  store.recordLater(chat("m1"), told.outcome);
  store.recordLater(chat("m2"), told.outcome);
  assert.equal(flushes.scheduled.length, 1);
  assert.deepEqual(told.ids, []);

  flushes.run();

  assert.deepEqual(told.ids, [1, 2]);
  assert.deepEqual(ids(store, ""), [2, 1]);
  assert.deepEqual(told.errors, []);
});

Deno.test("ActivityStore.recordLater() writes at once when MAX_PENDING_ROWS are queued", () => {
  const flushes = manualFlush();
  using store = new ActivityStore({
    path: ":memory:",
    maxRows: MAX_PENDING_ROWS,
    scheduleFlush: flushes.schedule,
  });
  const told = recorder();

  for (let i = 1; i < MAX_PENDING_ROWS; i++) {
    store.recordLater(chat("m"), told.outcome);
  }
  assert.equal(told.ids.length, 0);
  store.recordLater(chat("m"), told.outcome);

  assert.equal(told.ids.length, MAX_PENDING_ROWS);
  assert.equal(flushes.scheduled.length, 1);
  flushes.run();
  assert.equal(told.ids.length, MAX_PENDING_ROWS);
});

Deno.test("ActivityStore reads see entries queued by recordLater() before the flush runs", () => {
  const flushes = manualFlush();
  using store = new ActivityStore({
    path: ":memory:",
    maxRows: 10,
    scheduleFlush: flushes.schedule,
  });
  const told = recorder();

  store.recordLater(chat("m1", { inputTokens: 4 }), told.outcome);
  const page = store.query(new URLSearchParams());
  const stats = store.stats();

  assert.equal(page.total, 1);
  assert.deepEqual(told.ids, [1]);
  assert.equal(stats.total_input_tokens, 4);
  assert.equal(store.get(1)?.model, "m1");
  flushes.run();
  assert.equal(store.query(new URLSearchParams()).total, 1);
});

Deno.test("ActivityStore.recordLater() keeps only the newest maxRows entries after a batch", () => {
  const flushes = manualFlush();
  using store = new ActivityStore({
    path: ":memory:",
    maxRows: 3,
    scheduleFlush: flushes.schedule,
  });
  const told = recorder();

  for (let i = 0; i < 5; i++) store.recordLater(chat(`m${i}`), told.outcome);
  flushes.run();
  store.record(chat("m5"));

  assert.deepEqual(ids(store, ""), [6, 5, 4]);
});

Deno.test("ActivityStore.close() writes queued entries and cancels the scheduled flush", async () => {
  const dir = await Deno.makeTempDir();
  const path = join(dir, "a.db");
  try {
    const flushes = manualFlush();
    const told = recorder();
    const first = new ActivityStore({
      path,
      maxRows: 10,
      scheduleFlush: flushes.schedule,
    });
    first.recordLater(chat("m1"), told.outcome);

    first.close();
    first.recordLater(chat("m2"), told.outcome);

    using second = new ActivityStore({ path, maxRows: 10 });
    assert.deepEqual(told.ids, [1]);
    assert.deepEqual(told.errors, [
      "Error: Cannot record activity: the store is closed",
    ]);
    assert.equal(flushes.scheduled.length, 0);
    assert.deepEqual(ids(second, ""), [1]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("ActivityStore.recordLater() flushes on a short timer by default", async () => {
  using store = new ActivityStore({ path: ":memory:", maxRows: 10 });
  const written = Promise.withResolvers<number>();

  store.recordLater(chat("m1"), {
    recorded: written.resolve,
    failed: written.reject,
  });

  assert.equal(await written.promise, 1);
});

Deno.test("ActivityStore.recordLater() fails only the entry whose insert fails", () => {
  const flushes = manualFlush();
  using store = new ActivityStore({
    path: ":memory:",
    maxRows: 10,
    scheduleFlush: flushes.schedule,
  });
  const told = recorder();
  const broken = { ...chat("m2"), model: null as unknown as string };

  store.recordLater(chat("m1"), told.outcome);
  store.recordLater(broken, told.outcome);
  store.recordLater(chat("m3"), told.outcome);
  flushes.run();

  assert.deepEqual(told.ids, [1, 2]);
  assert.equal(told.errors.length, 1);
  assert.match(told.errors[0]!, /NOT NULL/);
  assert.deepEqual(ids(store, ""), [2, 1]);
});

Deno.test("ActivityStore.recordLater() hands each entry of a large batch the ID of its own row", () => {
  const flushes = manualFlush();
  using store = new ActivityStore({
    path: ":memory:",
    maxRows: 500,
    scheduleFlush: flushes.schedule,
  });
  const models: string[] = [];
  const told: [number, string][] = [];

  for (let i = 0; i < 120; i++) {
    const model = `m${i}`;
    models.push(model);
    store.recordLater(chat(model), {
      recorded: (id) => told.push([id, model]),
      failed: (error) => assert.fail(String(error)),
    });
  }
  flushes.run();

  assert.deepEqual(told.map(([id]) => id), models.map((_, i) => i + 1));
  for (const [id, model] of told) assert.equal(store.get(id)?.model, model);
});

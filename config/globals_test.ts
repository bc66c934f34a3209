import assert from "node:assert/strict";
import { assertOneError, lines, loadOk, warningsOf } from "./test_helpers.ts";

Deno.test("loadConfig() loads an empty file with every default", () => {
  const config = loadOk("");

  assert.deepEqual(config, {
    healthCheckTimeout: 120,
    logLevel: "info",
    logTimeFormat: "",
    logToStdout: "proxy",
    metricsMaxInMemory: 1000,
    captureBuffer: 5,
    globalTTL: 0,
    unloadTimeout: 10,
    sendLoadingState: false,
    loadingStateFormat: "reasoning",
    loadingRemarks: null,
    includeAliasesInList: false,
    requestBodyLimit: 64 * 1024 * 1024,
    performance: { disabled: false, every: 5 },
    upstreamIgnorePaths: [
      "(?<![^\\n])[^\\n]*\\.(js|json|css|png|gif|jpg|jpeg|ico|txt)$",
    ],
    storePath: null,
    sessionIdHeaders: ["X-Session-ID", "X-Litellm-Session-Id"],
    startPort: 5800,
    macros: [],
    apiKeys: [],
    models: {},
    aliases: {},
    routing: {
      router: {
        use: "group",
        groups: {
          "(default)": {
            swap: true,
            exclusive: true,
            persistent: false,
            members: [],
          },
        },
      },
      scheduler: { use: "fifo", priority: {}, maxWait: 60 },
    },
    preload: [],
    peers: {},
    selectors: {},
    profiles: {},
  });
  assert.deepEqual(loadOk("# only a comment\n").models, {});
});

Deno.test("loadConfig() raises healthCheckTimeout to 15 with a warning", () => {
  const text = lines("healthCheckTimeout: 5");

  assert.equal(loadOk(text).healthCheckTimeout, 15);
  assert.deepEqual(warningsOf(text), [
    "config.yaml:1:21: healthCheckTimeout: raised to the minimum of 15 seconds",
  ]);
});

Deno.test("loadConfig() refuses an unknown logToStdout", () => {
  const error = assertOneError(lines("logToStdout: stdout"), "logToStdout", "");

  assert.equal(
    error.message,
    'must be one of "proxy", "upstream", "both" or "none", got "stdout"',
  );
});

Deno.test("loadConfig() reads log level and time format loosely, warning about unknown ones", () => {
  const text = lines("logLevel: ' WARN '", "logTimeFormat: RFC3339Nano");
  const unknown = lines("logLevel: loud", "logTimeFormat: someday");

  assert.equal(loadOk(text).logLevel, "warn");
  assert.equal(loadOk(text).logTimeFormat, "rfc3339nano");
  assert.equal(loadOk(unknown).logLevel, "info");
  assert.equal(loadOk(unknown).logTimeFormat, "");
  assert.equal(warningsOf(unknown).length, 2);
});

Deno.test("loadConfig() refuses a negative globalTTL", () => {
  assertOneError(
    lines("globalTTL: -1"),
    "globalTTL",
    "must be a number of seconds >= 0, got -1",
  );
});

Deno.test("loadConfig() reads performance.every as a Go duration", () => {
  const every = (value: string) =>
    loadOk(lines("performance:", `  every: ${value}`)).performance.every;

  assert.equal(every("30s"), 30);
  assert.equal(every("10s"), 10);
  assert.equal(every("1m30s"), 90);
  assert.equal(every("0s"), 5);
  assert.deepEqual(loadOk(lines("performance: {disabled: true}")).performance, {
    disabled: true,
    every: 5,
  });
  assertOneError(
    lines("performance: {every: 4s}"),
    "performance.every",
    'must be at least "5s", got "4s"',
  );
  assertOneError(
    lines("performance: {every: 30}"),
    "performance.every",
    "must be a duration",
  );
});

Deno.test("loadConfig() warns about keys llama-swap ignores", () => {
  const text = lines(
    "logRequests: true",
    "performance: {enable: true, every: 30s}",
  );

  const warnings = warningsOf(text);

  assert.equal(loadOk(text).performance.every, 30);
  assert.equal(warnings.length, 2);
  assert.match(warnings[0] ?? "", /logRequests: logRequests has no effect/);
  assert.match(
    warnings[1] ?? "",
    /performance\.enable: performance\.enable has no effect/,
  );
});

Deno.test("loadConfig() clamps metricsMaxInMemory and captureBuffer", () => {
  const config = loadOk(lines("metricsMaxInMemory: 0", "captureBuffer: 10"));

  assert.equal(config.metricsMaxInMemory, 1000);
  assert.equal(config.captureBuffer, 10);
  assert.equal(loadOk(lines("captureBuffer: -3")).captureBuffer, 0);
});

Deno.test("loadConfig() validates upstream.ignorePaths as regular expressions", () => {
  const defaults = [
    "(?<![^\\n])[^\\n]*\\.(js|json|css|png|gif|jpg|jpeg|ico|txt)$",
  ];

  const [pattern = ""] = loadOk(lines("upstream: {}")).upstreamIgnorePaths;
  const ignored = [
    "/foo.js",
    "/bar/baz.json",
    "/static/img.png",
    "/notes.txt",
    "/favicon.ico",
  ];
  const served = ["/v1/chat/completions", "/v1/models", "/health"];
  assert.ok(ignored.every((path) => new RegExp(pattern).test(path)));
  assert.ok(served.every((path) => !new RegExp(pattern).test(path)));
  assert.deepEqual(loadOk(lines("upstream: {}")).upstreamIgnorePaths, defaults);
  assert.deepEqual(
    loadOk(lines("upstream: {ignorePaths: []}")).upstreamIgnorePaths,
    defaults,
  );
  assert.deepEqual(
    loadOk(lines("upstream:", "  ignorePaths: ['^/a$', '\\.map$']"))
      .upstreamIgnorePaths,
    ["^\\/a$", "\\.map$"],
  );
  assertOneError(
    lines("upstream:", "  ignorePaths: ['[invalid(']"),
    "upstream.ignorePaths[0]",
    'invalid regular expression "[invalid("',
  );
});

Deno.test("loadConfig() reads upstream.ignorePaths as RE2, translated for JavaScript", () => {
  const patterns = (...items: string[]) =>
    loadOk(
      lines("upstream:", "  ignorePaths:", ...items.map((i) => `    - '${i}'`)),
    )
      .upstreamIgnorePaths.map((source) => new RegExp(source));

  const [caseless, named, posix] = patterns(
    "(?i)^/STATIC/",
    "^/(?P<kind>img|css)/",
    "^/[[:alpha:]]+\\.map\\z",
  );
  assert.ok(caseless?.test("/static/app.js"));
  assert.ok(named?.test("/img/a.png"));
  assert.ok(posix?.test("/app.map"));
  assert.ok(!posix?.test("/app1.map"));
});

Deno.test("loadConfig() refuses ignorePaths that RE2 refuses though JavaScript would take them", () => {
  for (
    const [pattern, reason] of [
      ["^/(?!api)", 'lookahead "(?!" is not supported'],
      ["(?<=/)x", 'lookbehind "(?<=" is not supported'],
      ["(a)\\1", 'backreference "\\1" is not supported'],
    ]
  ) {
    assertOneError(
      lines("upstream:", "  ignorePaths:", `    - '${pattern}'`),
      "upstream.ignorePaths[0]",
      `invalid regular expression ${JSON.stringify(pattern)}: ${reason}`,
    );
  }
});

Deno.test("loadConfig() requires store.path when store is present", () => {
  const dir = Deno.makeTempDirSync();
  try {
    assert.equal(
      loadOk(lines("store:", `  path: ' ${dir}/activity.db '`)).storePath,
      `${dir}/activity.db`,
    );
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
  assertOneError(
    lines("store:", '  path: ""'),
    "store.path",
    "must name the SQLite file",
  );
  assertOneError(lines("store: {}"), "store.path", "must name the SQLite file");
  assert.equal(loadOk(lines("store:")).storePath, null);
});

Deno.test("loadConfig() normalises ui.activity.session_id", () => {
  const headers = (value: string) =>
    loadOk(lines("ui:", "  activity:", `    session_id: ${value}`))
      .sessionIdHeaders;

  assert.deepEqual(headers("[' X-Trace-ID ', '', x-trace-id, X-Session-ID]"), [
    "X-Trace-ID",
    "X-Session-ID",
  ]);
  assert.deepEqual(headers("[]"), []);
});

Deno.test("loadConfig() reads our own top-level additions", () => {
  const config = loadOk(lines(
    "requestBodyLimitMB: 1.5",
    "loadingRemarks: [Warming up, Fetching weights]",
  ));

  assert.equal(config.requestBodyLimit, 1572864);
  assert.deepEqual(config.loadingRemarks, ["Warming up", "Fetching weights"]);
  assertOneError(
    lines("requestBodyLimitMB: 0"),
    "requestBodyLimitMB",
    "must be a number of MiB > 0",
  );
  assertOneError(
    lines("loadingRemarks: ['ok', ' ']"),
    "loadingRemarks[1]",
    "cannot be empty",
  );
  assertOneError(
    lines("loadingRemarks: []"),
    "loadingRemarks",
    "at least one remark",
  );
});

Deno.test("loadConfig() drops unknown preload names with a warning and resolves aliases", () => {
  const text = lines(
    "models:",
    "  m:",
    "    cmd: s --port ${PORT}",
    "    aliases: [nick]",
    "peers:",
    "  p: {proxy: http://p, models: [remote]}",
    "hooks:",
    "  on_startup:",
    "    preload: [' nick ', '', remote, m]",
  );

  assert.deepEqual(loadOk(text).preload, ["m", "m"]);
  assert.equal(warningsOf(text).length, 1);
});

Deno.test("loadConfig() accepts YAML 1.1 words for booleans", () => {
  const config = loadOk(
    lines("sendLoadingState: yes", "includeAliasesInList: on"),
  );

  assert.equal(config.sendLoadingState, true);
  assert.equal(config.includeAliasesInList, true);
  assertOneError(
    lines('sendLoadingState: "yes"'),
    "sendLoadingState",
    'must be true or false, got "yes"',
  );
});

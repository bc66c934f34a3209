import assert from "node:assert/strict";
import { FlagConflictError, parseCliArgs, UsageError } from "./flags.ts";

Deno.test("parseCliArgs() reads one-dash, two-dash and = spellings alike", () => {
  for (
    const args of [
      ["-config", "a.yaml", "-listen", ":9000"],
      ["--config", "a.yaml", "--listen", ":9000"],
      ["-config=a.yaml", "--listen=:9000"],
    ]
  ) {
    const options = parseCliArgs(args);

    assert.equal(options.config, "a.yaml", args.join(" "));
    assert.equal(options.listen, ":9000", args.join(" "));
  }
});

Deno.test("parseCliArgs() defaults to config.yaml with every switch off", () => {
  const options = parseCliArgs([]);

  assert.equal(options.config, "config.yaml");
  assert.equal(options.watchConfig, false);
  assert.equal(options.checkConfig, false);
  assert.equal(options.demo, false);
  assert.equal(options.listen, null);
});

Deno.test("parseCliArgs() takes Go's boolean words after = for switches", () => {
  for (const word of ["1", "t", "T", "true", "TRUE", "True"]) {
    const options = parseCliArgs([
      `-watch-config=${word}`,
      `--check-config=${word}`,
      `-demo=${word}`,
    ]);
    assert.equal(options.watchConfig, true, word);
    assert.equal(options.checkConfig, true, word);
    assert.equal(options.demo, true, word);
  }
  for (const word of ["0", "f", "F", "false", "FALSE", "False"]) {
    const options = parseCliArgs([
      "-watch-config",
      `-watch-config=${word}`,
      `--check-config=${word}`,
    ]);
    assert.equal(options.watchConfig, false, word);
    assert.equal(options.checkConfig, false, word);
  }
});

Deno.test("parseCliArgs() lets the last of repeated flags win", () => {
  const options = parseCliArgs([
    "--watch-config=false",
    "-watch-config",
    "-config",
    "a.yaml",
    "--config=b.yaml",
  ]);

  assert.equal(options.watchConfig, true);
  assert.equal(options.config, "b.yaml");
});

Deno.test("parseCliArgs() gives a string flag the next argument even when it starts with a dash", () => {
  const options = parseCliArgs(["-config", "-odd.yaml", "-version"]);

  assert.equal(options.config, "-odd.yaml");
  assert.equal(options.version, true);
});

Deno.test("parseCliArgs() refuses what Go's flag package refuses", () => {
  const cases: [string[], RegExp][] = [
    [
      ["-watch-config=maybe"],
      /invalid boolean value "maybe" for -watch-config/,
    ],
    [["--no-such-flag"], /flag provided but not defined: -no-such-flag/],
    [["-config"], /flag needs an argument: -config/],
    [["---config", "a"], /bad flag syntax: ---config/],
    [["-=x"], /bad flag syntax: -=x/],
    [["config.yaml"], /unexpected argument "config.yaml"/],
    [["-demo", "--", "extra"], /unexpected argument "extra"/],
  ];
  for (const [args, message] of cases) {
    assert.throws(
      () => parseCliArgs(args),
      (error) => error instanceof UsageError && message.test(error.message),
      args.join(" "),
    );
  }
});

Deno.test("parseCliArgs() accepts -v, -h and a closing --", () => {
  const options = parseCliArgs(["-v", "-h", "--"]);

  assert.equal(options.version, true);
  assert.equal(options.help, true);
});

Deno.test("parseCliArgs() refuses a TLS certificate without its key, and the reverse, as a conflict", () => {
  for (const flag of ["--tls-cert-file", "-tls-key-file"]) {
    assert.throws(
      () => parseCliArgs([flag, "server.pem"]),
      (error) =>
        error instanceof FlagConflictError &&
        /give both --tls-cert-file and --tls-key-file/.test(error.message),
      flag,
    );
  }

  const options = parseCliArgs([
    "-tls-cert-file=server.crt",
    "-tls-key-file=server.key",
  ]);
  assert.equal(options.tlsCertFile, "server.crt");
  assert.equal(options.tlsKeyFile, "server.key");
});

Deno.test("parseCliArgs() takes --config-dir alone, with --config, or not at all", () => {
  const alone = parseCliArgs(["-config-dir", "/etc/llama-swap/conf.d"]);
  const both = parseCliArgs(["--config=main.yaml", "--config-dir=conf.d"]);
  const neither = parseCliArgs([]);

  assert.deepEqual([alone.config, alone.configDir], [
    null,
    "/etc/llama-swap/conf.d",
  ]);
  assert.deepEqual([both.config, both.configDir], ["main.yaml", "conf.d"]);
  assert.deepEqual([neither.config, neither.configDir], ["config.yaml", null]);
});

/**
 * Helpers for the loader's tests (imported only by `*_test.ts` files).
 * YAML is written as a list of lines so `${PORT}` needs no escaping.
 */
import assert from "node:assert/strict";
import { type ConfigError, formatConfigError } from "./errors.ts";
import { loadConfig, type LoadResult } from "./load.ts";
import type { Config, ModelConfig } from "./types.ts";

/** Joins lines into a YAML text ending with a newline. */
export function lines(...rows: string[]): string {
  return rows.join("\n") + "\n";
}

/** An env lookup reading only from `values`. */
export function envOf(values: Record<string, string> = {}) {
  return (name: string): string | undefined => values[name];
}

export function load(
  text: string,
  env: Record<string, string> = {},
): LoadResult {
  return loadConfig(text, { env: envOf(env) });
}

/** Loads `text`, failing the test with every error when it does not load. */
export function loadOk(text: string, env: Record<string, string> = {}): Config {
  const result = load(text, env);
  if (!result.ok) {
    assert.fail(
      `expected the config to load:\n${
        result.errors.map(formatConfigError).join("\n")
      }`,
    );
  }
  return result.config;
}

/** The warnings of a config that must load. */
export function warningsOf(
  text: string,
  env: Record<string, string> = {},
): string[] {
  const result = load(text, env);
  if (!result.ok) {
    assert.fail(
      `expected the config to load:\n${
        result.errors.map(formatConfigError).join("\n")
      }`,
    );
  }
  return result.warnings;
}

/** The errors of a config that must not load. */
export function errorsOf(
  text: string,
  env: Record<string, string> = {},
): ConfigError[] {
  const result = load(text, env);
  if (result.ok) assert.fail("expected the config to be refused");
  return result.errors;
}

/** The formatted errors of a config that must not load. */
export function errorTexts(
  text: string,
  env: Record<string, string> = {},
): string[] {
  return errorsOf(text, env).map(formatConfigError);
}

/** Asserts exactly one error, with this path and a message containing `part`. */
export function assertOneError(
  text: string,
  path: string,
  part: string,
  env: Record<string, string> = {},
): ConfigError {
  const errors = errorsOf(text, env);
  assert.equal(errors.length, 1, errors.map(formatConfigError).join("\n"));
  const [error] = errors as [ConfigError];
  assert.equal(error.path, path, formatConfigError(error));
  assert.ok(error.message.includes(part), formatConfigError(error));
  return error;
}

/** The text of `testdata/<name>.yaml`. */
export function example(name: string): string {
  return Deno.readTextFileSync(
    new URL(`./testdata/${name}.yaml`, import.meta.url),
  );
}

/** The model `id` of `config`, failing the test when it is missing. */
export function model(config: Config, id: string): ModelConfig {
  const found = config.models[id];
  assert.ok(found, `model ${id} is missing`);
  return found;
}

/** Upstream timeouts of a model whose config sets none. */
export const DEFAULT_TIMEOUTS = {
  connect: 30,
  keepalive: 30,
  responseHeader: 0,
  tlsHandshake: 10,
  expectContinue: 1,
  idleConn: 90,
};

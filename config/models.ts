import { readCapabilities } from "./capabilities.ts";
import { type ListItem, MapFields } from "./fields.ts";
import { type ByIdKey, readFilters } from "./filters.ts";
import type { Globals } from "./globals.ts";
import type { Issues } from "./issues.ts";
import { readLoadingStateFormat } from "./loading_state_format.ts";
import { childPath } from "./paths.ts";
import { MODEL_TIMEOUTS, readTimeouts } from "./timeouts.ts";
import type { MacroDeclaration, ModelConfig } from "./types.ts";
import type { YEntry } from "./yaml_tree.ts";

/** The model served under `/comfyui/`; it gets a higher concurrency floor. */
export const COMFYUI_MODEL_ID = "comfyui_auto";

const DEFAULT_CONCURRENCY_LIMIT = 10;
const COMFYUI_CONCURRENCY_FLOOR = 50;
const SECONDS = { expect: "a number of seconds >= 0", min: 0 };

/** A model read from the file, before aliases are settled across models. */
export interface ModelDraft {
  /** Everything but `aliases`, which `registerAliases()` completes. */
  readonly config: Omit<ModelConfig, "aliases">;
  readonly path: string;
  readonly entry: YEntry;
  /** The explicit `aliases` as written, with positions. */
  readonly aliases: readonly ListItem<string>[];
  readonly byIdKeys: readonly ByIdKey[];
}

/** What a model inherits from the rest of the file. */
export interface ModelContext {
  readonly globals: Globals;
  readonly port: number | null;
  readonly macros: readonly MacroDeclaration[];
}

/**
 * Reads one expanded `models.<id>` entry into a draft with every default
 * and inherited value settled: ttl from `globalTTL`, unload timeout from
 * the global one, the global `healthCheckTimeout`, loading state settings,
 * the effective concurrency limit and the `comfyui_auto` overrides.
 */
export function readModel(
  issues: Issues,
  entry: YEntry,
  context: ModelContext,
): ModelDraft {
  const id = entry.key;
  const path = childPath("models", id);
  const value = entry.value.kind === "scalar" && entry.value.value === null
    ? undefined
    : entry.value;
  const fields = new MapFields(issues, value, path, entry.keySpan.start);
  const { globals } = context;
  fields.known("macros");
  fields.deprecated(
    "healthCheckTimeout",
    "a model's healthCheckTimeout is ignored; the top-level healthCheckTimeout applies to every model",
  );

  const ttl = fields.number("ttl", -1, {
    expect: "a number of seconds >= 0",
    min: -1,
  });
  const unloadTimeout = fields.number("unloadTimeout", 0, SECONDS);
  const { filters, byIdKeys } = readFilters(fields.child("filters"), true);
  const compat = fields.child("compat");
  let ignoreWebsockets = compat.bool("ignoreWebsockets", false);
  compat.finish();
  let concurrencyLimit = fields.number("concurrencyLimit", 0, {
    expect: "a whole number >= 0",
    min: 0,
  }) || DEFAULT_CONCURRENCY_LIMIT;
  if (id === COMFYUI_MODEL_ID) {
    concurrencyLimit = Math.max(concurrencyLimit, COMFYUI_CONCURRENCY_FLOOR);
    ignoreWebsockets = true;
  }

  const config: Omit<ModelConfig, "aliases"> = {
    id,
    cmd: fields.string("cmd", ""),
    cmdStop: fields.string("cmdStop", ""),
    proxy: readProxy(fields),
    checkEndpoint: readCheckEndpoint(fields),
    ttl: ttl < 0 ? globals.globalTTL : ttl,
    unloadTimeout: unloadTimeout === 0 ? globals.unloadTimeout : unloadTimeout,
    healthCheckTimeout: globals.healthCheckTimeout,
    env: (fields.stringList("env") ?? []).map((item) => item.value),
    name: fields.string("name", ""),
    description: fields.string("description", ""),
    metadata: fields.plainMapping("metadata"),
    unlisted: fields.bool("unlisted", false),
    useModelName: fields.string("useModelName", ""),
    concurrencyLimit,
    sendLoadingState: fields.bool("sendLoadingState", globals.sendLoadingState),
    loadingStateFormat: readLoadingStateFormat(fields) ??
      globals.loadingStateFormat,
    filters,
    timeouts: readTimeouts(fields.child("timeouts"), MODEL_TIMEOUTS),
    capabilities: readCapabilities(fields.child("capabilities")),
    compat: { ignoreWebsockets },
    macros: context.macros,
    port: context.port,
  };
  const aliases = fields.stringList("aliases") ?? [];
  fields.finish();
  return { config, path, entry, aliases, byIdKeys };
}

/** The expanded proxy URL; "" is allowed (the model then cannot start). */
function readProxy(fields: MapFields): string {
  const proxy = fields.string("proxy", "");
  if (proxy !== "" && !isHttpUrl(proxy)) {
    fields.issues.error(
      fields.node("proxy")?.span.start ?? fields.at,
      fields.pathOf("proxy"),
      `must be an http:// or https:// URL, got ${JSON.stringify(proxy)}`,
    );
  }
  return proxy;
}

function isHttpUrl(text: string): boolean {
  if (!URL.canParse(text)) return false;
  const protocol = new URL(text).protocol;
  return protocol === "http:" || protocol === "https:";
}

/** `/health` by default; `none` (in any spacing) turns health checks off. */
function readCheckEndpoint(fields: MapFields): string {
  const endpoint = fields.string("checkEndpoint", "/health");
  return endpoint.trim() === "none" ? "none" : endpoint;
}

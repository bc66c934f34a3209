import type {
  ApiKey,
  Capabilities,
  Config,
  ModelConfig,
  ProfileConfig,
} from "../config/types.ts";
import type { ModelProcessHandle } from "../process/types.ts";
import { keyAllowsModel } from "./auth.ts";
import { peerRoutes } from "./peers.ts";
import { pinRecords, selectorRecords } from "./virtual_model_records.ts";

/** One entry of `GET /v1/models`. */
export type ModelRecord = Record<string, unknown> & { readonly id: string };

/** Metadata keys that configured capabilities replace. */
const CAPABILITY_KEYS = [
  "architecture",
  "capabilities",
  "supported_parameters",
  "context_length",
];

export interface ListOptions {
  readonly config: Config;
  readonly processes: ReadonlyMap<string, ModelProcessHandle>;
  /** Unix seconds, the same for every record. */
  readonly created: number;
  /** A scoped key sees only its models; null sees everything. */
  readonly apiKey: ApiKey | null;
  /** The active profile, whose pins are listed too; null or absent: none. */
  readonly profile?: ProfileConfig | null;
}

/**
 * The records of `GET /v1/models`, sorted by ID: every listed local model
 * (with `status.value` loaded or unloaded and `meta.llamaswap`), its
 * aliases when `includeAliasesInList` is on, every peer model by FQN,
 * every listed selector and the active profile's new names (see
 * `selectorRecords()` and `pinRecords()`). Unlisted models are left out
 * but stay usable.
 */
export function listModels(options: ListOptions): ModelRecord[] {
  const { config, processes, created, apiKey } = options;
  const records: ModelRecord[] = [];
  const base = { object: "model", created, owned_by: "llama-swap" };

  for (const model of Object.values(config.models)) {
    if (model.unlisted || !keyAllowsModel(apiKey, model.id)) continue;
    const state = processes.get(model.id)?.state ?? "stopped";
    const loaded = state !== "stopped" && state !== "shutdown";
    const common = { ...base, ...naming(model), status: statusOf(loaded) };
    const aliases = model.aliases.filter((alias) => alias.trim() !== "");

    records.push({
      id: model.id,
      ...common,
      ...capabilityFields(model.capabilities),
      meta: meta(model, {
        type: "model",
        ...(aliases.length > 0 ? { aliases } : {}),
      }),
    });
    if (!config.includeAliasesInList) continue;
    for (const alias of aliases) {
      records.push({
        id: alias,
        ...common,
        ...capabilityFields(model.capabilities),
        meta: meta(model, { type: "alias", modelID: model.id }),
      });
    }
  }

  for (const [name, route] of peerRoutes(config)) {
    if (name !== route.fqn || !keyAllowsModel(apiKey, route.fqn)) continue;
    records.push({
      id: route.fqn,
      ...base,
      name: `${route.peer.id}: ${route.model}`,
      status: statusOf(false),
      meta: { llamaswap: { type: "peer", peerID: route.peer.id } },
    });
  }

  const listing = { config, processes, base, apiKey };
  records.push(...selectorRecords(listing));
  records.push(...pinRecords(listing, options.profile ?? null));
  return records.sort((a, b) => a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
}

function statusOf(loaded: boolean) {
  return { value: loaded ? "loaded" : "unloaded" };
}

function naming(model: ModelConfig): Record<string, string> {
  const out: Record<string, string> = {};
  if (model.name.trim()) out["name"] = model.name.trim();
  if (model.description.trim()) out["description"] = model.description.trim();
  return out;
}

/** User metadata merged with our own keys, which win. */
function meta(
  model: ModelConfig,
  internal: Record<string, unknown>,
): Record<string, unknown> {
  const user = { ...model.metadata };
  if (model.capabilities) {
    for (const key of CAPABILITY_KEYS) delete user[key];
  }
  const out: Record<string, unknown> = { llamaswap: { ...user, ...internal } };
  const context = model.capabilities?.context ?? 0;
  if (context > 0) out["n_ctx"] = context;
  return out;
}

/**
 * OpenAI- and OpenRouter-style fields derived from `capabilities`; empty
 * when none are configured.
 */
export function capabilityFields(
  caps: Capabilities | null,
): Record<string, unknown> {
  if (!caps) return {};
  const out: Record<string, unknown> = {};

  const architecture: Record<string, unknown> = {};
  if (caps.in.length > 0) architecture["input_modalities"] = [...caps.in];
  if (caps.out.length > 0) architecture["output_modalities"] = [...caps.out];
  if (caps.in.length > 0 && caps.out.length > 0) {
    architecture["modality"] = `${caps.in.join("+")}->${caps.out.join("+")}`;
  }
  if (Object.keys(architecture).length > 0) {
    out["architecture"] = architecture;
  }

  const has = (list: readonly string[], m: string) => list.includes(m);
  const flags: Record<string, boolean> = {
    vision: has(caps.in, "image"),
    audio_transcriptions: has(caps.in, "audio") && has(caps.out, "text"),
    audio_speech: has(caps.in, "text") && has(caps.out, "audio"),
    image_generation: has(caps.in, "text") && has(caps.out, "image"),
    image_to_image: has(caps.in, "image") && has(caps.out, "image"),
    function_calling: caps.tools,
    reranker: caps.reranker,
  };
  const set = Object.entries(flags).filter(([, on]) => on);
  if (set.length > 0) out["capabilities"] = Object.fromEntries(set);

  if (caps.tools) out["supported_parameters"] = ["tools", "tool_choice"];
  if (caps.context > 0) out["context_length"] = caps.context;
  return out;
}

import type {
  ApiKey,
  Config,
  ProfileConfig,
  SelectorConfig,
} from "../config/types.ts";
import type { ModelProcessHandle } from "../process/types.ts";
import { keyAllowsModel } from "./auth.ts";
import type { ModelRecord } from "./models_list.ts";
import { peerRoutes } from "./peers.ts";
import { resolveModel } from "./resolve_model.ts";

/** What the listing of names that are not models needs. */
export interface VirtualListing {
  readonly config: Config;
  readonly processes: ReadonlyMap<string, ModelProcessHandle>;
  /** `object`, `created` and `owned_by`, shared by every record. */
  readonly base: Record<string, unknown>;
  /** Only names that reach a model this key may use are listed. */
  readonly apiKey: ApiKey | null;
}

/**
 * One record per selector that is not unlisted: its name, description and
 * metadata, `status` loaded while a local target is starting or ready
 * (for `pin`, only its first target counts), and `meta.llamaswap` with
 * `type: "selector"`, the strategy, the targets as configured and, for
 * `spillover`, its setting.
 */
export function selectorRecords(listing: VirtualListing): ModelRecord[] {
  const { config, base } = listing;
  const records: ModelRecord[] = [];
  for (const selector of Object.values(config.selectors)) {
    if (selector.unlisted || !allowed(listing, selector.id)) continue;
    const name = selector.name.trim();
    const description = selector.description.trim();
    records.push({
      id: selector.id,
      ...base,
      ...(name ? { name } : {}),
      ...(description ? { description } : {}),
      status: {
        value: selectorLoaded(listing, selector) ? "loaded" : "unloaded",
      },
      meta: {
        llamaswap: {
          ...selector.metadata,
          type: "selector",
          strategy: selector.strategy,
          targets: [...selector.targets],
          ...(selector.strategy === "spillover"
            ? { spillover: selector.spillover }
            : {}),
        },
      },
    });
  }
  return records;
}

/**
 * One record per pin of the active profile whose target is not empty and
 * whose name nothing else answers to (a model, an alias, a peer model or
 * a selector): no name or description, `unloaded`, `type: "profile"`.
 */
export function pinRecords(
  listing: VirtualListing,
  profile: ProfileConfig | null,
): ModelRecord[] {
  if (!profile) return [];
  const { config, base } = listing;
  const records: ModelRecord[] = [];
  for (const [pin, target] of Object.entries(profile.pins)) {
    const taken = Object.hasOwn(config.models, pin) ||
      Object.hasOwn(config.aliases, pin) ||
      Object.hasOwn(config.selectors, pin) ||
      peerRoutes(config).has(pin);
    if (target === "" || taken || !allowed(listing, target)) continue;
    records.push({
      id: pin,
      ...base,
      status: { value: "unloaded" },
      meta: { llamaswap: { type: "profile" } },
    });
  }
  return records;
}

/** True when the key may use a model the name (or selector) reaches. */
function allowed(listing: VirtualListing, name: string): boolean {
  const { config, apiKey } = listing;
  const names = Object.hasOwn(config.selectors, name)
    ? config.selectors[name]!.targets
    : [name];
  return names.some((each) => {
    const target = resolveModel(config, each);
    return target !== null && keyAllowsModel(apiKey, target.id);
  });
}

function selectorLoaded(
  listing: VirtualListing,
  selector: SelectorConfig,
): boolean {
  const counted = selector.strategy === "pin"
    ? selector.targets.slice(0, 1)
    : selector.targets;
  return counted.some((name) => {
    const target = resolveModel(listing.config, name);
    if (target?.kind !== "local") return false;
    const state = listing.processes.get(target.id)?.state;
    return state === "ready" || state === "starting";
  });
}

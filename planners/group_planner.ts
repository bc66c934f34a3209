import type { GroupConfig } from "../config/types.ts";
import type { Planner } from "./types.ts";

/** The group that holds every model not listed in another group. */
export const DEFAULT_GROUP = "(default)";

/** How `(default)` behaves when the config does not spell it out. */
const DEFAULT_GROUP_CONFIG: GroupConfig = {
  swap: true,
  exclusive: true,
  persistent: false,
  members: [],
};

/**
 * Plans swaps from `groups`: for target T in group G, a running model M
 * stops when
 *
 * 1. M is in G and G swaps (`swap: true`), or
 * 2. M is in another group H, G is exclusive and H is not persistent.
 *
 * Exclusivity is judged from the target's side only, as llama-swap does:
 * starting a member of a non-exclusive group never stops a running member
 * of an exclusive group, so the two can end up running together. A model
 * listed in no group counts as a member of `(default)`.
 *
 * `onSwapCommitted()` logs nothing: the router's own swap line already
 * names the model and what it evicts.
 */
export class GroupPlanner implements Planner {
  readonly #groups = new Map<string, GroupConfig>();
  readonly #groupOf = new Map<string, string>();

  /**
   * @param groups Every group, normally including `(default)`.
   * @param modelIds When given, every member must be one of these.
   * @throws {Error} when a model is a member of two groups, or a member is
   * not in `modelIds`.
   */
  constructor(
    groups: Readonly<Record<string, GroupConfig>>,
    modelIds?: ReadonlySet<string>,
  ) {
    for (const [name, group] of Object.entries(groups)) {
      this.#groups.set(name, group);
      for (const model of group.members) this.#addMember(name, model, modelIds);
    }
  }

  evictionFor(target: string, running: readonly string[]): string[] {
    const unique = [...new Set(running)];
    if (unique.includes(target)) return [];

    const own = this.#groupNameOf(target);
    const ownGroup = this.#config(own);
    return unique.filter((model) => {
      const other = this.#groupNameOf(model);
      if (other === own) return ownGroup.swap; // 1.
      return ownGroup.exclusive && !this.#config(other).persistent; // 2.
    });
  }

  /** Logs nothing; see the class comment. */
  onSwapCommitted(): void {}

  /** The name of the group `model` belongs to. */
  groupOf(model: string): string {
    return this.#groupNameOf(model);
  }

  #addMember(
    group: string,
    model: string,
    modelIds: ReadonlySet<string> | undefined,
  ): void {
    const quoted = JSON.stringify(model);
    if (modelIds && !modelIds.has(model)) {
      throw new Error(
        `Cannot build the group planner: group ${
          JSON.stringify(group)
        } lists unknown model ${quoted}`,
      );
    }
    const earlier = this.#groupOf.get(model);
    if (earlier !== undefined && earlier !== group) {
      throw new Error(
        `Cannot build the group planner: model ${quoted} is in groups ${
          JSON.stringify(earlier)
        } and ${JSON.stringify(group)}`,
      );
    }
    this.#groupOf.set(model, group);
  }

  #groupNameOf(model: string): string {
    return this.#groupOf.get(model) ?? DEFAULT_GROUP;
  }

  #config(group: string): GroupConfig {
    return this.#groups.get(group) ?? DEFAULT_GROUP_CONFIG;
  }
}

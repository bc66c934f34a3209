import { MapFields } from "./fields.ts";
import type { Issues } from "./issues.ts";
import { childPath } from "./paths.ts";
import { compareBytes } from "./ports.ts";
import type { GroupConfig } from "./types.ts";
import type { YEntry } from "./yaml_tree.ts";

/** The implicit group of every model no group lists. */
export const DEFAULT_GROUP_NAME = "(default)";

/**
 * Reads group definitions (from `groups` or `routing.router.settings.groups`
 * at `path`) and adds `(default)` with every model no group lists, sorted
 * byte-wise, swapping and exclusive. Members must be real model IDs: an
 * unknown name or an alias is an error here (llama-swap only fails when the
 * server is built), as is a member listed twice or in two groups.
 */
export function readGroups(
  issues: Issues,
  entries: readonly YEntry[],
  path: string,
  modelIds: readonly string[],
  aliases: ReadonlyMap<string, string>,
): Record<string, GroupConfig> {
  const known = new Set(modelIds);
  const groupOf = new Map<string, string>();
  const groups: Record<string, GroupConfig> = {};

  for (const entry of entries) {
    const groupPath = childPath(path, entry.key);
    if (entry.key === DEFAULT_GROUP_NAME) {
      issues.error(
        entry.keySpan.start,
        groupPath,
        `the group name ${
          JSON.stringify(DEFAULT_GROUP_NAME)
        } is reserved for models no group lists`,
      );
      continue;
    }
    const { settings, members: items } = decodeGroup(issues, entry, groupPath);
    const members: string[] = [];
    for (const item of items) {
      const member = item.value;
      const problem = memberProblem(member, entry.key, known, aliases, groupOf);
      if (problem !== null) {
        issues.error(item.node.span.start, item.path, problem);
        continue;
      }
      groupOf.set(member, entry.key);
      members.push(member);
    }
    groups[entry.key] = { ...settings, members };
  }

  groups[DEFAULT_GROUP_NAME] = {
    swap: true,
    exclusive: true,
    persistent: false,
    members: modelIds.filter((id) => !groupOf.has(id)).sort(compareBytes),
  };
  return groups;
}

/**
 * Reads group definitions for their shape alone (a mapping each, booleans,
 * a list of strings, no unknown keys), as for groups the router does not
 * use: members are not compared with the models.
 */
export function decodeGroups(
  issues: Issues,
  entries: readonly YEntry[],
  path: string,
): void {
  for (const entry of entries) {
    decodeGroup(issues, entry, childPath(path, entry.key));
  }
}

function decodeGroup(issues: Issues, entry: YEntry, path: string) {
  const fields = new MapFields(issues, entry.value, path, entry.keySpan.start);
  const members = fields.stringList("members") ?? [];
  const settings = {
    swap: fields.bool("swap", true),
    exclusive: fields.bool("exclusive", true),
    persistent: fields.bool("persistent", false),
  };
  fields.finish();
  return { settings, members };
}

function memberProblem(
  member: string,
  group: string,
  known: ReadonlySet<string>,
  aliases: ReadonlyMap<string, string>,
  groupOf: ReadonlyMap<string, string>,
): string | null {
  const quoted = JSON.stringify(member);
  const alias = aliases.get(member);
  if (!known.has(member) && alias !== undefined) {
    return `${quoted} is an alias of model ${
      JSON.stringify(alias)
    }; list the model ID instead`;
  }
  if (!known.has(member)) return `unknown model ${quoted}`;
  const other = groupOf.get(member);
  if (other === group) return `model ${quoted} is listed twice`;
  if (other !== undefined) {
    return `model ${quoted} is already a member of group ${
      JSON.stringify(other)
    }`;
  }
  return null;
}

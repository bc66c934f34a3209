import { MapFields } from "./fields.ts";
import { type NameIndex, unresolvedMessage } from "./names.ts";
import { childPath } from "./paths.ts";
import type { ProfileConfig } from "./types.ts";
import { readString } from "./values.ts";

/**
 * Reads `profiles`: named sets of pins that rewrite a requested ID to a
 * target while the profile is active. A target may be a model, an alias, a
 * peer model or a selector, and is kept as written; "" or null disables the
 * requested ID. Pins do not chain. The old list form is refused.
 */
export function readProfiles(
  root: MapFields,
  names: NameIndex,
  selectorIds: ReadonlySet<string>,
): Record<string, ProfileConfig> {
  const profiles: Record<string, ProfileConfig> = {};
  for (const entry of root.dictionary("profiles")) {
    const path = childPath("profiles", entry.key);
    if (entry.key.trim() === "") {
      root.issues.error(
        entry.keySpan.start,
        path,
        "a profile name cannot be empty",
      );
      continue;
    }
    if (entry.value.kind === "seq") {
      root.issues.error(
        entry.value.span.start,
        path,
        "a profile is a mapping with description and pins; the list form is no longer supported",
      );
      continue;
    }
    const fields = new MapFields(
      root.issues,
      entry.value,
      path,
      entry.keySpan.start,
    );
    const description = fields.string("description", "");
    const pins = readPins(fields, names, selectorIds);
    fields.finish();
    profiles[entry.key] = { name: entry.key, description, pins };
  }
  return profiles;
}

function readPins(
  fields: MapFields,
  names: NameIndex,
  selectorIds: ReadonlySet<string>,
): Record<string, string> {
  const issues = fields.issues;
  const entries = fields.dictionary("pins");
  if (entries.length === 0) {
    issues.error(
      fields.node("pins")?.span.start ?? fields.at,
      fields.pathOf("pins"),
      "must contain at least one pin",
    );
  }

  const pins: Record<string, string> = {};
  for (const pin of entries) {
    const path = childPath(fields.pathOf("pins"), pin.key);
    if (pin.key.trim() === "") {
      issues.error(pin.keySpan.start, path, "a pin name cannot be empty");
      continue;
    }
    const peer = names.fqns.get(pin.key);
    if (peer !== undefined) {
      issues.error(
        pin.keySpan.start,
        path,
        `pin ${JSON.stringify(pin.key)} is the full name of a model of peer ${
          JSON.stringify(peer.peer)
        }`,
      );
      continue;
    }
    const value = pin.value;
    const target = value.kind === "scalar" && value.value === null
      ? ""
      : readString(issues, value, path, 'a model name, "" or ~');
    if (target === undefined) continue;
    if (
      target !== "" && !selectorIds.has(target) &&
      names.canonical(target) === null
    ) {
      issues.error(value.span.start, path, unresolvedMessage(names, target));
      continue;
    }
    pins[pin.key] = target;
  }
  return pins;
}

import type { MapFields } from "./fields.ts";

/**
 * Reads `hooks.on_startup.preload`: entries trimmed, blanks dropped,
 * aliases replaced by model IDs. Names that are not local models (peer
 * models included) are dropped with a warning, as llama-swap drops them.
 */
export function readPreload(
  root: MapFields,
  modelIds: ReadonlySet<string>,
  aliases: ReadonlyMap<string, string>,
): string[] {
  const hooks = root.child("hooks");
  const onStartup = hooks.child("on_startup");
  const items = onStartup.stringList("preload") ?? [];
  onStartup.finish();
  hooks.finish();

  const preload: string[] = [];
  for (const item of items) {
    const name = item.value.trim();
    if (name === "") continue;
    const id = modelIds.has(name) ? name : aliases.get(name);
    if (id === undefined) {
      root.issues.warn(
        item.node.span.start,
        item.path,
        `${JSON.stringify(name)} is not a local model, so it is not preloaded`,
      );
      continue;
    }
    preload.push(id);
  }
  return preload;
}

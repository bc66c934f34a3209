import type { MapFields } from "./fields.ts";
import type { Capabilities, Modality } from "./types.ts";

const MODALITIES: ReadonlySet<string> = new Set(["text", "audio", "image"]);

/**
 * Reads a model's `capabilities` block. A block whose fields are all empty
 * or false (only `tools: false`, say) counts as none: null.
 */
export function readCapabilities(fields: MapFields): Capabilities | null {
  const capabilities: Capabilities = {
    in: readModalities(fields, "in"),
    out: readModalities(fields, "out"),
    tools: fields.bool("tools", false),
    reranker: fields.bool("reranker", false),
    context: fields.number("context", 0, {
      expect: "a number of tokens >= 0",
      min: 0,
    }),
  };
  fields.finish();

  const empty = capabilities.in.length === 0 &&
    capabilities.out.length === 0 && !capabilities.tools &&
    !capabilities.reranker && capabilities.context === 0;
  return empty ? null : capabilities;
}

function readModalities(fields: MapFields, key: string): Modality[] {
  const modalities: Modality[] = [];
  for (const item of fields.stringList(key) ?? []) {
    if (MODALITIES.has(item.value)) {
      modalities.push(item.value as Modality);
    } else {
      fields.issues.error(
        item.node.span.start,
        item.path,
        `unknown modality ${
          JSON.stringify(item.value)
        }, expected "text", "audio" or "image"`,
      );
    }
  }
  return modalities;
}

import type { Issues } from "./issues.ts";
import type { EnvLookup } from "./env_macros.ts";
import { type LeftoverContext, reportLeftovers } from "./leftovers.ts";
import {
  type Macro,
  type MacroBlock,
  readMacroBlock,
} from "./macro_declarations.ts";
import {
  applicationOrder,
  substituteNode,
  substituteText,
} from "./macro_substitution.ts";
import { childPath } from "./paths.ts";
import { PortAllocator } from "./ports.ts";
import { stripCommentLines } from "./strip_comments.ts";
import {
  entryOf,
  isNull,
  type Span,
  type YEntry,
  type YMap,
  type YNode,
} from "./yaml_tree.ts";

const DEFAULT_PROXY = "http://localhost:${PORT}";
const PORT_REFERENCE = "${PORT}";

export interface ModelExpanderOptions {
  /** The global `macros` block. */
  readonly globals: MacroBlock;
  /** The first `${PORT}` number. */
  readonly startPort: number;
  /** Tells a leftover `${env.NAME}` of a set variable from an unset one. */
  readonly env: EnvLookup;
}

/**
 * Expands models one at a time. `expandMacros()` must call `expand()` in
 * byte-wise model-ID order, because each call that finds `${PORT}` in the
 * model's `cmd` takes the next port number.
 */
export class ModelExpander {
  readonly ports = new Map<string, number>();
  readonly macros = new Map<string, MacroBlock>();
  readonly #issues: Issues;
  readonly #globals: MacroBlock;
  readonly #allocator: PortAllocator;
  readonly #env: EnvLookup;

  constructor(issues: Issues, options: ModelExpanderOptions) {
    this.#issues = issues;
    this.#globals = options.globals;
    this.#allocator = new PortAllocator(options.startPort);
    this.#env = options.env;
  }

  /**
   * The model entry with its values expanded; problems go to the issues.
   * An entry whose value is not a mapping comes back unchanged (decoding
   * reports it).
   */
  expand(model: YEntry): YEntry {
    const id = model.key;
    const path = childPath("models", id);
    const node = isNull(model.value)
      ? { kind: "map" as const, entries: [], span: model.value.span }
      : model.value;
    if (node.kind !== "map") return model;

    const block = readMacroBlock(
      this.#issues,
      entryOf(node, "macros")?.value,
      childPath(path, "macros"),
    );
    this.macros.set(id, block);

    const prepared = prepare(node, model.keySpan);
    const steps = applicationOrder(this.#globals.macros, block.macros, id);
    let expanded = substituteModel(prepared, steps);

    const cmd = entryOf(expanded, "cmd")?.value;
    const usesPort = cmd?.kind === "scalar" && typeof cmd.value === "string" &&
      cmd.value.includes(PORT_REFERENCE);
    if (usesPort) {
      const port = this.#allocator.take();
      this.ports.set(id, port);
      const portMacro: Macro = {
        name: "PORT",
        value: { type: "int", value: port },
      };
      expanded = substituteModel(expanded, [portMacro]);
    } else {
      const written = entryOf(node, "proxy");
      const defaulted = written === undefined || isNull(written.value);
      this.#checkProxy(expanded, path, defaulted);
    }

    this.#checkSetParamsKeys(prepared, expanded, path);
    this.#reportLeftovers(expanded, path, block);
    return { ...model, value: expanded };
  }

  /** Placeholders still in the model's values or `setParamsByID` keys. */
  #reportLeftovers(model: YMap, path: string, block: MacroBlock): void {
    const broken = new Set([...this.#globals.broken, ...block.broken]);
    for (const entry of model.entries) {
      if (entry.key === "macros") continue;
      reportLeftovers(this.#issues, entry.value, childPath(path, entry.key), {
        scope: "model",
        broken,
        allowPid: entry.key === "cmdStop",
        env: this.#env,
      });
    }
    reportKeyLeftovers(this.#issues, model, path, {
      scope: "model",
      broken,
      inKey: true,
      env: this.#env,
    });
  }

  /** `proxy` may only use `${PORT}` when `cmd` does. */
  #checkProxy(model: YMap, path: string, defaulted: boolean): void {
    const proxy = entryOf(model, "proxy");
    if (
      proxy === undefined || proxy.value.kind !== "scalar" ||
      typeof proxy.value.value !== "string" ||
      !proxy.value.value.includes(PORT_REFERENCE)
    ) return;

    const message = defaulted
      ? `cmd does not use "${PORT_REFERENCE}", so the default proxy "${DEFAULT_PROXY}" has no port: set proxy to the address cmd listens on`
      : `proxy uses "${PORT_REFERENCE}" but cmd does not; "${PORT_REFERENCE}" only gets a number when cmd uses it`;
    this.#issues.error(
      proxy.value.span.start,
      childPath(path, "proxy"),
      message,
    );
  }

  /** Two `setParamsByID` keys may not become the same key. */
  #checkSetParamsKeys(before: YMap, after: YMap, path: string): void {
    const originals = setParamsByIdEntries(before);
    const resolved = setParamsByIdEntries(after);
    const seen = new Map<string, string>();
    resolved.forEach((entry, index) => {
      const original = originals[index]?.key ?? entry.key;
      const earlier = seen.get(entry.key);
      if (earlier === undefined) {
        seen.set(entry.key, original);
        return;
      }
      this.#issues.error(
        entry.keySpan.start,
        `${path}.filters.setParamsByID`,
        `keys ${JSON.stringify(earlier)} and ${
          JSON.stringify(original)
        } both become ${JSON.stringify(entry.key)}`,
      );
    });
  }
}

/**
 * Removes comment lines from `cmd` and `cmdStop` and adds the default
 * `proxy` when it is absent or null (an explicit "" is kept).
 */
function prepare(model: YMap, keySpan: Span): YMap {
  const entries: YEntry[] = [];
  for (const entry of model.entries) {
    const value = entry.value;
    if (
      (entry.key === "cmd" || entry.key === "cmdStop") &&
      value.kind === "scalar" && typeof value.value === "string"
    ) {
      const text = stripCommentLines(value.value);
      const { verbatimAt: _, ...rest } = value;
      const stripped = text === value.value
        ? value
        : { ...rest, value: text, text };
      entries.push({ ...entry, value: stripped });
    } else if (entry.key === "proxy" && isNull(value)) {
      continue;
    } else {
      entries.push(entry);
    }
  }
  if (!entries.some((entry) => entry.key === "proxy")) {
    entries.push({
      key: "proxy",
      keySpan,
      definesAnchor: false,
      value: {
        kind: "scalar",
        value: DEFAULT_PROXY,
        float: false,
        text: DEFAULT_PROXY,
        plain: false,
        span: keySpan,
      },
    });
  }
  return { ...model, entries };
}

/** Applies `steps` to a model's values and `setParamsByID` keys. */
function substituteModel(model: YMap, steps: readonly Macro[]): YMap {
  const entries = model.entries.map((entry): YEntry => {
    if (entry.key === "macros") return entry;
    let value = substituteNode(entry.value, steps);
    if (entry.key === "filters" && value.kind === "map") {
      value = substituteSetParamsKeys(value, steps);
    }
    return { ...entry, value };
  });
  return { ...model, entries };
}

function substituteSetParamsKeys(filters: YMap, steps: readonly Macro[]): YMap {
  const entries = filters.entries.map((entry): YEntry => {
    if (entry.key !== "setParamsByID" || entry.value.kind !== "map") {
      return entry;
    }
    const byId: YMap = {
      ...entry.value,
      entries: entry.value.entries.map((item) => ({
        ...item,
        key: substituteText(item.key, steps),
      })),
    };
    return { ...entry, value: byId };
  });
  return { ...filters, entries };
}

function setParamsByIdEntries(model: YMap): readonly YEntry[] {
  const filters = entryOf(model, "filters")?.value;
  if (filters?.kind !== "map") return [];
  const byId = entryOf(filters, "setParamsByID")?.value;
  return byId?.kind === "map" ? byId.entries : [];
}

function reportKeyLeftovers(
  issues: Issues,
  model: YMap,
  path: string,
  context: LeftoverContext,
): void {
  for (const entry of setParamsByIdEntries(model)) {
    const keyNode: YNode = {
      kind: "scalar",
      value: entry.key,
      float: false,
      text: entry.key,
      plain: false,
      span: entry.keySpan,
    };
    reportLeftovers(issues, keyNode, `${path}.filters.setParamsByID`, context);
  }
}

import { LABEL_NAME_REGEXP, METRIC_NAME_REGEXP } from "./prometheus_format.ts";

/** One sample line of an exposition. */
export interface PrometheusSample {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly value: number;
}

/** A parsed exposition: samples in order, `# TYPE` and `# HELP` by name. */
export interface PrometheusExposition {
  readonly samples: PrometheusSample[];
  readonly types: Map<string, string>;
  readonly help: Map<string, string>;
}

const TYPES = new Set(["counter", "gauge", "histogram", "summary", "untyped"]);
const VALUE_REGEXP = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;
const SUFFIXES = ["_bucket", "_sum", "_count"];

/**
 * Parses text exposition format 0.0.4 strictly, so tests can prove that
 * `render()` output is valid. Throws a `SyntaxError` naming the line for:
 * text not ending in a newline, a malformed `# HELP`/`# TYPE` line, an
 * unknown type, a second `# TYPE` or `# HELP` for a name, a `# TYPE` after
 * that family's samples, a bad metric or label name, a repeated label, an
 * unknown escape, an unquoted or unterminated label value, a bad number,
 * a repeated series, and a histogram bucket without `le`.
 */
export function parsePrometheusText(text: string): PrometheusExposition {
  const exposition: PrometheusExposition = {
    samples: [],
    types: new Map(),
    help: new Map(),
  };
  if (text === "") return exposition;
  if (!text.endsWith("\n")) {
    throw new SyntaxError(
      "Cannot parse metrics: the text must end in a newline",
    );
  }

  const seenFamilies = new Set<string>();
  const seenSeries = new Set<string>();
  const lines = text.slice(0, -1).split("\n");
  lines.forEach((line, index) => {
    const fail = (detail: string): never => {
      throw new SyntaxError(
        `Cannot parse metrics line ${index + 1}: ${detail}`,
      );
    };
    if (line.trim() === "") return;
    if (line.startsWith("#")) {
      readComment(line, exposition, seenFamilies, fail);
      return;
    }

    const sample = readSample(line, fail);
    const family = familyOf(sample.name, exposition.types);
    seenFamilies.add(family);
    const series = JSON.stringify([
      sample.name,
      Object.entries(sample.labels).sort(),
    ]);
    if (seenSeries.has(series)) fail(`series "${sample.name}" repeats`);
    seenSeries.add(series);
    const isBucket = exposition.types.get(family) === "histogram" &&
      sample.name === `${family}_bucket`;
    if (isBucket && !("le" in sample.labels)) {
      fail(`bucket of "${family}" has no "le" label`);
    }
    exposition.samples.push(sample);
  });
  return exposition;
}

type Fail = (detail: string) => never;

function readComment(
  line: string,
  exposition: PrometheusExposition,
  seenFamilies: Set<string>,
  fail: Fail,
): void {
  const match = /^# (HELP|TYPE) (\S+)(?: (.*))?$/.exec(line);
  if (!match) return; // any other comment is allowed and ignored
  const [, keyword, name, rest = ""] = match;
  if (!METRIC_NAME_REGEXP.test(name!)) fail(`invalid metric name "${name}"`);

  if (keyword === "HELP") {
    if (exposition.help.has(name!)) fail(`second HELP for "${name}"`);
    exposition.help.set(name!, unescape(rest, false, fail));
    return;
  }
  if (!TYPES.has(rest)) fail(`unknown type "${rest}"`);
  if (exposition.types.has(name!)) fail(`second TYPE for "${name}"`);
  if (seenFamilies.has(name!)) fail(`TYPE for "${name}" after its samples`);
  exposition.types.set(name!, rest);
}

function readSample(line: string, fail: Fail): PrometheusSample {
  const nameMatch = /^[a-zA-Z_:][a-zA-Z0-9_:]*/.exec(line);
  if (!nameMatch) fail("a sample must start with a metric name");
  const name = nameMatch![0];
  let at = name.length;
  const labels: Record<string, string> = {};

  if (line[at] === "{") {
    at++;
    while (line[at] !== "}") {
      const labelMatch = /^([^=,}\s]*)="/.exec(line.slice(at));
      if (!labelMatch) fail(`expected label="value" at column ${at + 1}`);
      const label = labelMatch![1]!;
      if (!LABEL_NAME_REGEXP.test(label)) fail(`invalid label name "${label}"`);
      if (Object.hasOwn(labels, label)) fail(`label "${label}" repeats`);
      at += labelMatch![0].length;
      const end = closingQuote(line, at, fail);
      labels[label] = unescape(line.slice(at, end), true, fail);
      at = end + 1;
      if (line[at] === ",") at++;
      else if (line[at] !== "}") {
        fail(`expected "," or "}" at column ${at + 1}`);
      }
    }
    at++;
  }

  if (line[at] !== " ") fail(`expected a space before the value`);
  const fields = line.slice(at + 1).split(" ");
  if (fields.length > 2 || fields.some((field) => field === "")) {
    fail("expected a value and at most a timestamp");
  }
  const value = parseValue(fields[0]!, fail);
  if (fields[1] !== undefined && !/^-?\d+$/.test(fields[1])) {
    fail(`invalid timestamp "${fields[1]}"`);
  }
  return { name, labels, value };
}

function closingQuote(line: string, from: number, fail: Fail): number {
  for (let i = from; i < line.length; i++) {
    if (line[i] === "\\") i++;
    else if (line[i] === '"') return i;
  }
  return fail("unterminated label value");
}

/** Reverses the escaping; label values also allow `\"`. */
function unescape(text: string, quotes: boolean, fail: Fail): string {
  return text.replace(/\\(.?)/g, (_, next: string) => {
    if (next === "\\") return "\\";
    if (next === "n") return "\n";
    if (next === '"' && quotes) return '"';
    return fail(`unknown escape "\\${next}"`);
  });
}

function parseValue(text: string, fail: Fail): number {
  if (text === "+Inf" || text === "Inf") return Infinity;
  if (text === "-Inf") return -Infinity;
  if (text === "NaN") return NaN;
  if (!VALUE_REGEXP.test(text)) fail(`invalid value "${text}"`);
  return Number(text);
}

/** The declared family a sample belongs to (`x_bucket` -> `x`). */
function familyOf(name: string, types: Map<string, string>): string {
  if (types.has(name)) return name;
  for (const suffix of SUFFIXES) {
    const base = name.slice(0, -suffix.length);
    if (name.endsWith(suffix) && types.has(base)) return base;
  }
  return name;
}

/**
 * Text exposition format 0.0.4 details shared by the registry: name
 * rules, escaping and number formatting.
 */

export const METRIC_NAME_REGEXP = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
export const LABEL_NAME_REGEXP = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

/** Throws a `RangeError` for an invalid metric or label name. */
export function checkNames(name: string, labelNames: readonly string[]): void {
  if (!METRIC_NAME_REGEXP.test(name)) {
    throw new RangeError(`Cannot register metric "${name}": invalid name`);
  }
  const seen = new Set<string>();
  for (const label of labelNames) {
    if (
      !LABEL_NAME_REGEXP.test(label) || label.startsWith("__") ||
      seen.has(label)
    ) {
      throw new RangeError(
        `Cannot register metric "${name}": invalid label name "${label}"`,
      );
    }
    seen.add(label);
  }
}

/** Throws a `RangeError` for empty, repeated or infinite buckets. */
export function checkBuckets(
  name: string,
  labelNames: readonly string[],
  buckets: readonly number[],
): void {
  if (labelNames.includes("le")) {
    throw new RangeError(
      `Cannot register histogram "${name}": the label "le" is reserved`,
    );
  }
  const finite = buckets.every((bound) => Number.isFinite(bound));
  if (
    buckets.length === 0 || !finite || new Set(buckets).size !== buckets.length
  ) {
    throw new RangeError(
      `Cannot register histogram "${name}": buckets must be distinct finite numbers`,
    );
  }
}

/** One sample line; `le` is the histogram bucket bound, already formatted. */
export function sampleLine(
  name: string,
  labels: Readonly<Record<string, string>>,
  value: number,
  le?: string,
): string {
  const pairs = Object.entries(labels).map(([key, text]) =>
    `${key}="${escapeLabelValue(text)}"`
  );
  if (le !== undefined) pairs.push(`le="${le}"`);
  const set = pairs.length > 0 ? `{${pairs.join(",")}}` : "";
  return `${name}${set} ${formatValue(value)}\n`;
}

/** Escapes `\`, `"` and newline, as label values require. */
export function escapeLabelValue(text: string): string {
  return text.replaceAll("\\", "\\\\").replaceAll('"', '\\"')
    .replaceAll("\n", "\\n");
}

/** Escapes `\` and newline, as `# HELP` text requires. */
export function escapeHelp(text: string): string {
  return text.replaceAll("\\", "\\\\").replaceAll("\n", "\\n");
}

/** Numbers as the format writes them: `+Inf`, `-Inf`, `NaN` or decimal. */
export function formatValue(value: number): string {
  if (Number.isNaN(value)) return "NaN";
  if (value === Infinity) return "+Inf";
  if (value === -Infinity) return "-Inf";
  return String(value);
}

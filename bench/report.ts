/** The shape every benchmark reports in, and its Markdown rendering. */

/** One figure of the results table. */
export interface ResultRow {
  /** What was measured, e.g. "small requests: throughput vs direct". */
  readonly measure: string;
  /** The figure as shown, with its unit, e.g. "0.62x" or "0.4 ms". */
  readonly value: string;
  /** The target from the issue, e.g. ">= 0.5x"; "" when there is none. */
  readonly target: string;
  /** Whether the target is met; null when there is no target. */
  readonly met: boolean | null;
}

/** One benchmark's section of the results file. */
export interface ResultSection {
  readonly title: string;
  /** How the figures were obtained, as Markdown paragraphs. */
  readonly method: string;
  readonly rows: readonly ResultRow[];
  /** Extra detail after the table (raw samples, notes), as Markdown. */
  readonly detail?: string;
  /** Measures without a target that still belong in the summary. */
  readonly headline?: readonly string[];
}

/** A row without a target. */
export function figure(measure: string, value: string): ResultRow {
  return { measure, value, target: "", met: null };
}

/** A row checked against a target. */
export function checked(
  measure: string,
  value: string,
  target: string,
  met: boolean,
): ResultRow {
  return { measure, value, target, met };
}

/** Milliseconds with one decimal, e.g. `0.4 ms`. */
export function ms(value: number): string {
  return Number.isFinite(value) ? `${value.toFixed(1)} ms` : "n/a";
}

/** A ratio with two decimals, e.g. `0.62x`. */
export function ratio(value: number): string {
  return Number.isFinite(value) ? `${value.toFixed(2)}x` : "n/a";
}

/** KiB as MiB with one decimal, e.g. `48.2 MiB`. */
export function mib(kib: number): string {
  return `${(kib / 1024).toFixed(1)} MiB`;
}

/** A rate with no decimals and a thousands separator, e.g. `12,345/s`. */
export function perSecond(value: number): string {
  return `${Math.round(value).toLocaleString("en-US")}/s`;
}

/** "yes", "NO" or "" for a row's target column. */
export function verdict(row: ResultRow): string {
  if (row.met === null) return "";
  return row.met ? "yes" : "NO";
}

/** The section as Markdown: heading, method, table, detail. */
export function formatSection(section: ResultSection): string {
  const lines = [`### ${section.title}`, "", section.method.trim(), ""];
  lines.push(...formatTable(section.rows));
  if (section.detail) lines.push("", section.detail.trim());
  return lines.join("\n") + "\n";
}

/** Rows as a Markdown table with measure, value, target and met columns. */
export function formatTable(rows: readonly ResultRow[]): string[] {
  const lines = [
    "| measure | value | target | met |",
    "| --- | --- | --- | --- |",
  ];
  for (const row of rows) {
    lines.push(
      `| ${row.measure} | ${row.value} | ${row.target} | ${verdict(row)} |`,
    );
  }
  return lines;
}

/**
 * `bench/RESULTS.md`: written whole by `deno task bench`, except the soak
 * section between its markers, which only `deno task soak` replaces.
 */
import { formatMachine, type Machine } from "./machine.ts";
import {
  formatSection,
  type ResultRow,
  type ResultSection,
  verdict,
} from "./report.ts";

/** Where the results file lives. */
export const RESULTS_PATH = new URL("./RESULTS.md", import.meta.url).pathname;

const SOAK_BEGIN = "<!-- soak:begin -->";
const SOAK_END = "<!-- soak:end -->";
const NO_SOAK = `${SOAK_BEGIN}
## Soak

Not run yet: \`deno task soak\` writes this section.
${SOAK_END}`;

/** One section's rows that go in the summary table. */
export function summaryRows(
  section: ResultSection,
): { section: string; row: ResultRow }[] {
  const headline = new Set(section.headline ?? []);
  return section.rows
    .filter((row) => row.met !== null || headline.has(row.measure))
    .map((row) => ({ section: section.title, row }));
}

/** The summary table over every section, as Markdown lines. */
export function summaryTable(sections: readonly ResultSection[]): string {
  const lines = [
    "| benchmark | measure | value | target | met |",
    "| --- | --- | --- | --- | --- |",
  ];
  for (const { section, row } of sections.flatMap(summaryRows)) {
    lines.push(
      `| ${section} | ${row.measure} | ${row.value} | ${row.target} | ${
        verdict(row)
      } |`,
    );
  }
  return lines.join("\n");
}

/**
 * The whole results document for `sections`, keeping the soak block of
 * `previous` (the file's old text) when it has one.
 */
export function resultsDocument(options: {
  readonly machine: Machine;
  readonly sections: readonly ResultSection[];
  readonly command: string;
  readonly elapsedMs: number;
  readonly previous: string;
}): string {
  const parts = [
    "# Benchmark results",
    "",
    `Written by \`${options.command}\` (took ${
      Math.round(options.elapsedMs / 1000)
    } s); the soak section by \`deno task soak\`. Figures are from one run on this machine:`,
    "",
    formatMachine(options.machine),
    "",
    "## Summary",
    "",
    summaryTable(options.sections),
    "",
    "## Details",
    "",
    ...options.sections.map(formatSection),
    soakBlock(options.previous) ?? NO_SOAK,
    "",
  ];
  return parts.join("\n");
}

/** `previous` with its soak block replaced by `markdown` (or appended). */
export function withSoakSection(previous: string, markdown: string): string {
  const block = `${SOAK_BEGIN}\n${markdown.trim()}\n${SOAK_END}`;
  const old = soakBlock(previous);
  if (old !== null) return previous.replace(old, block);
  const base = previous.trim() === "" ? "# Benchmark results\n" : previous;
  return `${base.trimEnd()}\n\n${block}\n`;
}

function soakBlock(text: string): string | null {
  const begin = text.indexOf(SOAK_BEGIN);
  const end = text.indexOf(SOAK_END);
  if (begin < 0 || end < begin) return null;
  return text.slice(begin, end + SOAK_END.length);
}

/**
 * Writes `text` to the results file and formats it with `deno fmt`, so
 * the repository's format check stays clean.
 */
export async function writeResults(
  text: string,
  path = RESULTS_PATH,
): Promise<void> {
  await Deno.writeTextFile(path, text);
  const formatted = await new Deno.Command(Deno.execPath(), {
    args: ["fmt", "--quiet", path],
    stdout: "null",
    stderr: "piped",
  }).output();
  if (!formatted.success) {
    const detail = new TextDecoder().decode(formatted.stderr).trim();
    throw new Error(`Cannot format "${path}": ${detail}`);
  }
}

/** The file's text, or "" when it does not exist yet. */
export async function readResults(path = RESULTS_PATH): Promise<string> {
  try {
    return await Deno.readTextFile(path);
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return "";
    throw error;
  }
}

const UNIT_SECONDS: Readonly<Record<string, number>> = {
  ns: 1e-9,
  us: 1e-6,
  "\u00b5s": 1e-6,
  "\u03bcs": 1e-6,
  ms: 1e-3,
  s: 1,
  m: 60,
  h: 3600,
};

const PART_REGEXP = /^(\d*\.?\d*)(ns|us|\u00b5s|\u03bcs|ms|s|m|h)/;

/**
 * Parses a Go duration string (`5s`, `1m30s`, `1.5h`, `300ms`, `-2s`, `0`)
 * into seconds. Returns null for anything Go's `time.ParseDuration` would
 * refuse, including a bare number other than 0.
 */
export function parseGoDuration(text: string): number | null {
  let rest = text;
  let sign = 1;
  if (rest.startsWith("-") || rest.startsWith("+")) {
    sign = rest.startsWith("-") ? -1 : 1;
    rest = rest.slice(1);
  }
  if (rest === "0") return 0;
  if (rest === "") return null;

  let seconds = 0;
  while (rest !== "") {
    const match = PART_REGEXP.exec(rest);
    const number = match?.[1] ?? "";
    if (match === null || number === "" || number === ".") return null;
    seconds += Number(number) * (UNIT_SECONDS[match[2] ?? ""] ?? 0);
    rest = rest.slice(match[0].length);
  }
  return sign * seconds;
}

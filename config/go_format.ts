/**
 * Formats a float the way Go's `%v` verb does, which is how llama-swap turns
 * a float macro into text inside a longer string: the shortest digits that
 * read back to the same number, in exponent form when the decimal exponent
 * is below -4 or at least 6 (`1e+06`, `1.234567e+06`, `1e-05`), otherwise
 * plain (`0.7`, `3`).
 */
export function formatGoFloat(value: number): string {
  if (Number.isNaN(value)) return "NaN";
  if (value === Infinity) return "+Inf";
  if (value === -Infinity) return "-Inf";
  if (value === 0) return Object.is(value, -0) ? "-0" : "0";

  const [mantissa = "", exponentText = "0"] = value.toExponential().split("e");
  const exponent = Number(exponentText);
  if (exponent < -4 || exponent >= 6) {
    const sign = exponent < 0 ? "-" : "+";
    const digits = String(Math.abs(exponent)).padStart(2, "0");
    return `${mantissa}e${sign}${digits}`;
  }
  // String() prints plain decimals for exponents -6..20, a superset of -4..5.
  return String(value);
}

/** Formats an integer as Go's `%v` does: plain decimal digits. */
export function formatGoInt(value: number): string {
  return Number.isSafeInteger(value)
    ? String(value)
    : BigInt(Math.trunc(value)).toString();
}

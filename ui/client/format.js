// @ts-check
/**
 * How numbers and times read in the UI. Pure. Unknown values (llama-swap
 * sends -1 for "the upstream did not say") show as an en dash.
 *
 * @module
 */

/** Shown for a value that is not known. */
export const UNKNOWN = "–";

/**
 * @param {number | null | undefined} ms
 * @returns {string} "850 ms", "1.25 s", "2m 05s"
 */
export function formatDuration(ms) {
  if (typeof ms !== "number" || !Number.isFinite(ms) || ms < 0) return UNKNOWN;
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(2)} s`;
  const seconds = Math.round(ms / 1000);
  const minutes = Math.floor(seconds / 60);
  return `${minutes}m ${String(seconds % 60).padStart(2, "0")}s`;
}

/**
 * @param {number | null | undefined} perSecond
 * @returns {string} "42.7", or the dash when unknown or zero
 */
export function formatRate(perSecond) {
  if (typeof perSecond !== "number" || !(perSecond > 0)) return UNKNOWN;
  return perSecond >= 100 ? perSecond.toFixed(0) : perSecond.toFixed(1);
}

/**
 * @param {number | null | undefined} count
 * @returns {string} "12,345", or the dash when unknown
 */
export function formatCount(count) {
  if (typeof count !== "number" || !Number.isFinite(count) || count < 0) {
    return UNKNOWN;
  }
  return Math.round(count).toLocaleString("en-US");
}

/**
 * A wall-clock time of day, "14:03:27", in the viewer's time zone.
 *
 * @param {string | number} time RFC 3339 text or epoch milliseconds
 * @returns {string}
 */
export function formatClock(time) {
  const date = new Date(time);
  if (Number.isNaN(date.getTime())) return String(time);
  return [date.getHours(), date.getMinutes(), date.getSeconds()]
    .map((part) => String(part).padStart(2, "0"))
    .join(":");
}

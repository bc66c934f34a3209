/** The highest percentage shown while a model is still loading. */
const MAX_LOADING_PERCENT = 99;

/**
 * The progress figure shown in a loading stream, such as
 * `Loading ~45% (usually takes 12.3s)`.
 *
 * `expectedMs` is the median of the model's previous load times and must be
 * above zero. The figure is an estimate from elapsed time only: it grows
 * linearly and stops at 99% however long the load takes, because only the
 * hand-over proves the model is ready.
 */
export function progressText(elapsedMs: number, expectedMs: number): string {
  const fraction = Math.max(0, elapsedMs) / expectedMs;
  const percent = Math.min(MAX_LOADING_PERCENT, Math.floor(fraction * 100));
  const usual = (expectedMs / 1000).toFixed(1);
  return `Loading ~${percent}% (usually takes ${usual}s)`;
}

/** The speed distribution drawn on the activity page. */
export interface SpeedHistogram {
  /** Count per equal-width bin, lowest first; the last bin is closed. */
  bins: number[];
  min: number;
  max: number;
  /** Width of a bin; 0 when every value is equal (then one bin). */
  binSize: number;
  p50: number;
  p95: number;
  p99: number;
}

/** `GET /api/metrics/stats` as llama-swap names it. */
export interface ActivityStats {
  total_requests: number;
  total_input_tokens: number;
  total_output_tokens: number;
  /** Sum of positive cached-token counts only. */
  total_cache_tokens: number;
  prompt_histogram: SpeedHistogram | null;
  gen_histogram: SpeedHistogram | null;
}

const MIN_BINS = 5;
const MAX_BINS = 20;

/**
 * A histogram of `values`, or null when there are none. The bin count is
 * `ceil(log2 n) + 1` kept between 5 and 20 (Sturges' rule); percentiles
 * interpolate linearly between the two nearest ranks. Pure.
 */
export function buildHistogram(
  values: readonly number[],
): SpeedHistogram | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const min = sorted[0]!;
  const max = sorted.at(-1)!;
  const percentiles = {
    p50: percentile(sorted, 50),
    p95: percentile(sorted, 95),
    p99: percentile(sorted, 99),
  };
  if (min === max) {
    return { bins: [sorted.length], min, max, binSize: 0, ...percentiles };
  }

  const count = Math.min(
    MAX_BINS,
    Math.max(MIN_BINS, Math.ceil(Math.log2(sorted.length)) + 1),
  );
  const binSize = (max - min) / count;
  const bins = new Array<number>(count).fill(0);
  for (const value of sorted) {
    const index = Math.min(Math.floor((value - min) / binSize), count - 1);
    bins[index]!++;
  }
  return { bins, min, max, binSize, ...percentiles };
}

/** The `p`th percentile of ascending `sorted`, interpolated between ranks. */
export function percentile(sorted: readonly number[], p: number): number {
  const rank = (p / 100) * (sorted.length - 1);
  const below = Math.floor(rank);
  const above = Math.ceil(rank);
  const low = sorted[below]!;
  const high = sorted[above]!;
  return low + (high - low) * (rank - below);
}

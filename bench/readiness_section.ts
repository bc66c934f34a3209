/**
 * The readiness figures (`runReadinessBench()` from readiness.ts, and the
 * first-byte measurement) as a results section.
 */
import type { FirstByteFigures } from "./first_byte.ts";
import type { ReadinessFigures } from "./readiness.ts";
import { checked, figure, ms, ratio, type ResultSection } from "./report.ts";

/** Target from SPEC.md: served within tens of milliseconds. */
const FIRST_BYTE_TARGET_MS = 100;

export function readinessSection(
  readiness: ReadinessFigures,
  firstByte: FirstByteFigures,
): ResultSection {
  const ours = readiness.afterHealthy;
  const llamaSwap = readiness.baseline;
  return {
    title: "Readiness",
    method: `
\`runReadinessBench()\` (bench/readiness.ts): a \`ModelProcess\` whose child
is a \`sleep\` and whose health endpoint is served by the benchmark, which
knows the instant it starts answering 200 (${readiness.loadMs} ms plus up
to 100 ms of jitter after the start); ${readiness.runs} starts. The delay is
from that instant to the \`ready\` state event. The llama-swap column
applies its probe schedule (first probe after 250 ms, then one a second)
to the same load times.

First byte: the same kind of model behind an in-process \`ProxyServer\`;
one request waits for each of ${firstByte.runs} loads, and the delay runs
from the instant the health endpoint could answer 200 to the first byte
of the response at the client.
`,
    rows: [
      figure("health 200 to ready, median", ms(ours.median)),
      figure("health 200 to ready, p95", ms(ours.p95)),
      figure(
        "first 200 sent to ready, median",
        ms(readiness.afterFirst200.median),
      ),
      figure("llama-swap's schedule, median", ms(llamaSwap.median)),
      figure(
        "llama-swap median / ours",
        ratio(llamaSwap.median / Math.max(ours.median, 0.1)),
      ),
      checked(
        "health 200 to first byte served, median",
        ms(firstByte.delay.median),
        `< ${FIRST_BYTE_TARGET_MS} ms`,
        firstByte.delay.median < FIRST_BYTE_TARGET_MS,
      ),
      figure("health 200 to first byte served, p95", ms(firstByte.delay.p95)),
    ],
    headline: ["health 200 to ready, median", "llama-swap's schedule, median"],
  };
}

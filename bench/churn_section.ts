/** The churn benchmark's figures as a results section. */
import type { ChurnFigures } from "./churn.ts";
import { figure, ms, ratio, type ResultSection } from "./report.ts";

/** The figures as a results section. */
export function churnSection(f: ChurnFigures): ResultSection {
  const arrivalOrderMs = (requests: number) =>
    requests * (f.loadMs + f.stopMs + f.serveMs);
  const rows = [
    figure(
      "median load / stop / request time",
      `${ms(f.loadMs)} / ${ms(f.stopMs)} / ${ms(f.serveMs)}`,
    ),
  ];
  for (
    const [label, run] of [["all at once", f.burst], [
      "staggered",
      f.staggered,
    ]] as const
  ) {
    const estimate = arrivalOrderMs(run.requests);
    rows.push(
      figure(`${label}: loads (optimum 3)`, String(run.loads)),
      figure(`${label}: total time`, ms(run.totalMs)),
      figure(`${label}: arrival-order estimate`, ms(estimate)),
      figure(`${label}: total / arrival order`, ratio(run.totalMs / estimate)),
    );
  }
  for (const run of f.starvation) {
    const label = run.maxWait > 0 ? `maxWait ${run.maxWait} s` : "maxWait off";
    rows.push(
      figure(`${label}: wait of the request for b`, ms(run.waitMs)),
      figure(
        `${label}: slowest request of the stream to a`,
        ms(run.slowestStreamMs),
      ),
    );
  }
  return {
    title: "Swap churn",
    method: `
Three simulated models (\`simulate --load-ms ${f.simulatedLoadMs}\`, real child
processes, so a load also includes the simulator's own start-up) in one
swapping group behind an in-process \`ProxyServer\`; requests are small
non-streaming chat completions (8 tokens, 5 ms apart).

- Interleaved: ${f.burst.requests} requests for a, b, c, a, b, c, ...; "all
  at once" sends them without waiting, "staggered" sends one every
  ${f.staggered.gapMs} ms. Loads are counted from the router's
  \`swapStarted\` notices. The arrival-order estimate is what serving them strictly in
  arrival order would cost, one load and one stop per request: requests x
  (median load + median stop + median request time), from times measured in
  the same run.
- Starvation: four clients keep model a busy for ${
      (f.starvation[0]?.streamMs ?? 0) / 1000
    } s (each
  request about 200 ms, started 50 ms apart, so a is never idle), and one
  request for b arrives 300 ms in. With \`maxWait\` off it waits for the
  stream to end; with \`maxWait: 1\` a stops taking new requests after 1 s,
  so b loads as soon as a's requests in flight finish.
`,
    rows,
    headline: [
      "all at once: loads (optimum 3)",
      "all at once: total / arrival order",
      "staggered: loads (optimum 3)",
      "maxWait off: wait of the request for b",
      "maxWait 1 s: wait of the request for b",
    ],
    detail:
      `Failed requests: all at once ${f.burst.failed}, staggered ${f.staggered.failed}, starvation ${
        f.starvation.map((r) => r.failed).join(" / ")
      }.`,
  };
}

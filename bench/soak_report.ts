/** The soak's verdict and its section of RESULTS.md. */
import { describeMachine, formatMachine } from "./machine.ts";
import { mib, ms, perSecond } from "./report.ts";
import type { SoakFigures } from "./soak.ts";

/** Samples averaged (by median) at each end of the RSS comparison. */
export const RSS_WINDOW = 5;

/** True when the soak met every check. */
export function soakPassed(f: SoakFigures): boolean {
  const rssStable = f.rss === null || Math.abs(f.rss.drift) <= 0.1;
  return f.counts.lost === 0 && f.counts.hung === 0 &&
    f.leftover.inFlight === 0 && f.leftover.queued === 0 && rssStable;
}

/** The soak section of RESULTS.md. */
export function soakMarkdown(f: SoakFigures): string {
  const c = f.counts;
  const statuses = Object.entries(c.statuses)
    .map(([status, n]) => `${status}: ${n}`).join(", ") || "none";
  const yes = (ok: boolean) => ok ? "yes" : "NO";
  const rows = [
    ["requests", String(f.requests), "", ""],
    ["answered 200, whole", String(c.ok), "", ""],
    ["refused with an error status", `${c.refused} (${statuses})`, "", ""],
    ["aborted by the client", String(c.aborted), "", ""],
    ["cut when their upstream crashed", String(c.cut), "", ""],
    ["lost", String(c.lost), "0", yes(c.lost === 0)],
    ["hung", String(c.hung), "0", yes(c.hung === 0)],
    ["model restarts after crashes", String(f.restarts), "", ""],
    [
      "in flight / queued afterwards",
      `${f.leftover.inFlight} / ${f.leftover.queued}`,
      "0 / 0",
      yes(f.leftover.inFlight === 0 && f.leftover.queued === 0),
    ],
    ["throughput", perSecond(f.requests / (f.elapsedMs / 1000)), "", ""],
    ["duration", ms(f.elapsedMs), "", ""],
  ];
  if (f.rss) {
    rows.push(
      ["proxy RSS after warm-up", mib(f.rss.afterWarmUpKiB), "", ""],
      ["proxy RSS at the end", mib(f.rss.finalKiB), "", ""],
      [
        "RSS drift after warm-up",
        `${(f.rss.drift * 100).toFixed(1)}% (range ${mib(f.rss.minKiB)} to ${
          mib(f.rss.maxKiB)
        })`,
        "within 10%",
        yes(Math.abs(f.rss.drift) <= 0.1),
      ],
    );
  }
  const table = [
    "| measure | value | target | met |",
    "| --- | --- | --- | --- |",
    ...rows.map((r) => `| ${r.join(" | ")} |`),
  ].join("\n");
  const examples = Object.entries(c.refusalExamples)
    .map(([status, message]) => `${status} "${message}"`).join("; ");
  const refusals = examples === ""
    ? ""
    : `\n\nFirst error message for each refusal status: ${examples}.`;
  const lost = c.lostExamples.length > 0
    ? `\n\nLost requests, first examples: ${c.lostExamples.join("; ")}`
    : "";
  return `## Soak

Last run of \`deno task soak\`: ${f.requests.toLocaleString("en-US")} requests,
${f.concurrency} at a time, through the proxy as a child process
(\`main.ts --config <temp>\`, default settings). Three simulated models run
side by side (\`--token-ms 1 --tokens 16\`), each exiting after every
${f.crashAfter} answers (\`--crash-after\`), so the proxy restarts them on
the next request. Half the requests stream. 10% are aborted by the client
0-40 ms after sending. A request counts as hung when it has not settled
after 30 s. "Cut" requests had their 200 answer begun when their upstream
crashed (the crash ends every request that upstream was serving). In-flight
and queue counts are read from \`/metrics\` once every request has settled;
RSS (VmRSS) is sampled every second, warm-up is the first 25% of requests,
and drift compares the median of the first ${RSS_WINDOW} samples after
warm-up with the median of the last ${RSS_WINDOW}.

${formatMachine(describeMachine())}

${table}${refusals}${lost}

All checks passed: ${yes(soakPassed(f))}.
`;
}

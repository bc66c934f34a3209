/**
 * `deno task bench`: runs every benchmark on this machine, prints the
 * results and writes them to `bench/RESULTS.md` (keeping its soak section).
 *
 *     deno task bench [--quick] [--only proxy,readiness,churn,scheduler,startup]
 *
 * `--quick` shortens every run for a smoke test; its figures are noisier.
 */
import { parseArgs } from "node:util";
import { runChurnBench } from "./churn.ts";
import { churnSection } from "./churn_section.ts";
import { runFirstByteBench } from "./first_byte.ts";
import { describeMachine } from "./machine.ts";
import { runProxyBench } from "./proxy.ts";
import { proxySection } from "./proxy_section.ts";
import { runReadinessBench } from "./readiness.ts";
import { readinessSection } from "./readiness_section.ts";
import { formatSection, type ResultSection } from "./report.ts";
import {
  readResults,
  RESULTS_PATH,
  resultsDocument,
  summaryTable,
  writeResults,
} from "./results_file.ts";
import { runSchedulerBench, schedulerSection } from "./scheduler.ts";
import { runStartupBench, startupSection } from "./startup.ts";

type BenchName = "proxy" | "readiness" | "churn" | "scheduler" | "startup";

const BENCHES: Record<BenchName, (quick: boolean) => Promise<ResultSection>> = {
  proxy: async (quick) => proxySection(await runProxyBench({ quick })),
  readiness: async (quick) =>
    readinessSection(
      await runReadinessBench({ runs: quick ? 5 : 20, loadMs: 300 }),
      await runFirstByteBench({ runs: quick ? 5 : 20 }),
    ),
  churn: async (quick) => churnSection(await runChurnBench({ quick })),
  scheduler: (quick) =>
    Promise.resolve(
      schedulerSection(runSchedulerBench(quick ? { requests: 2000 } : {})),
    ),
  startup: async (quick) => startupSection(await runStartupBench({ quick })),
};

/** Runs the selected benchmarks; resolves to the exit code. */
export async function benchMain(args: readonly string[]): Promise<number> {
  const { values } = parseArgs({
    args: [...args],
    options: {
      quick: { type: "boolean", default: false },
      only: { type: "string" },
    },
  });
  const names = selected(values.only);
  const started = performance.now();
  const sections: ResultSection[] = [];
  for (const name of names) {
    progress(`running ${name}...`);
    const section = await BENCHES[name](values.quick);
    sections.push(section);
    write(formatSection(section) + "\n");
  }

  const command = ["deno task bench", ...args].join(" ");
  const document = resultsDocument({
    machine: describeMachine(),
    sections,
    command,
    elapsedMs: performance.now() - started,
    previous: await readResults(),
  });
  await writeResults(document);
  write(
    `## Summary\n\n${summaryTable(sections)}\n\nWritten to ${RESULTS_PATH}\n`,
  );
  return 0;
}

function selected(only: string | undefined): BenchName[] {
  const all = Object.keys(BENCHES) as BenchName[];
  if (!only) return all;
  const names = only.split(",").map((n) => n.trim());
  const unknown = names.filter((n) => !all.includes(n as BenchName));
  if (unknown.length > 0) {
    throw new RangeError(
      `Cannot run benchmarks: unknown name "${unknown.join(", ")}" (known: ${
        all.join(", ")
      })`,
    );
  }
  return names as BenchName[];
}

function write(text: string): void {
  Deno.stdout.writeSync(new TextEncoder().encode(text));
}

function progress(text: string): void {
  Deno.stderr.writeSync(new TextEncoder().encode(`${text}\n`));
}

if (import.meta.main) {
  Deno.exit(await benchMain(Deno.args));
}

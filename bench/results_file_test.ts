import assert from "node:assert/strict";
import type { Machine } from "./machine.ts";
import { checked, figure } from "./report.ts";
import {
  resultsDocument,
  summaryTable,
  withSoakSection,
} from "./results_file.ts";

const machine: Machine = {
  cpu: "Test CPU",
  cores: 2,
  memoryMiB: 1024,
  os: "Test OS",
  deno: "2.0.0",
  v8: "13.0",
  date: "2026-01-01T00:00:00Z",
};

const section = {
  title: "Proxy",
  method: "How it was measured.",
  rows: [
    checked("added latency", "0.4 ms", "< 1 ms", true),
    figure("direct", "100/s"),
    figure("through nginx", "80/s"),
  ],
  headline: ["through nginx"],
};

Deno.test("summaryTable() keeps rows with a target and headline rows", () => {
  const table = summaryTable([section]);

  assert.match(
    table,
    /\| Proxy \| added latency \| 0.4 ms \| < 1 ms \| yes \|/,
  );
  assert.match(table, /through nginx/);
  assert.doesNotMatch(table, /\| direct \|/);
});

Deno.test("resultsDocument() keeps the soak block of the previous file", () => {
  const previous = withSoakSection("", "## Soak\n\nzero lost");

  const text = resultsDocument({
    machine,
    sections: [section],
    command: "deno task bench",
    elapsedMs: 1000,
    previous,
  });

  assert.match(text, /Test CPU, 2 logical cores/);
  assert.match(text, /### Proxy/);
  assert.match(text, /zero lost/);
});

Deno.test("withSoakSection() replaces only the soak block", () => {
  const first = withSoakSection("# Results\n\nbench figures\n", "old soak");

  const second = withSoakSection(first, "new soak");

  assert.match(second, /bench figures/);
  assert.match(second, /new soak/);
  assert.doesNotMatch(second, /old soak/);
});

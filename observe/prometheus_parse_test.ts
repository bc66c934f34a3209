import assert from "node:assert/strict";
import { parsePrometheusText } from "./prometheus_parse.ts";

Deno.test("parsePrometheusText() reads samples, timestamps and comments", () => {
  const text = [
    "# A free comment",
    "# HELP up Whether it is up.",
    "# TYPE up gauge",
    'up{job="a",} 1 1700000000000',
    "up 0.5e1",
    "",
  ].join("\n");

  const parsed = parsePrometheusText(text);

  assert.deepEqual(parsed.samples, [
    { name: "up", labels: { job: "a" }, value: 1 },
    { name: "up", labels: {}, value: 5 },
  ]);
});

Deno.test("parsePrometheusText() accepts an empty exposition", () => {
  assert.deepEqual(parsePrometheusText("").samples, []);
});

Deno.test("parsePrometheusText() rejects malformed lines", () => {
  const bad = [
    "up 1",
    "up\n",
    "up one\n",
    "up 1 2 3\n",
    "up{job=a} 1\n",
    'up{job="a} 1\n',
    'up{job="a" 1\n',
    'up{job="a",job="b"} 1\n',
    'up{1job="a"} 1\n',
    'up{job="a\\t"} 1\n',
    "up  1\n",
    "9up 1\n",
    "up 1\nup 2\n",
    "# TYPE up bogus\n",
    "# TYPE up gauge\n# TYPE up gauge\n",
    "up 1\n# TYPE up gauge\n",
    "# HELP up a\n# HELP up b\n",
    "# HELP up bad \\q escape\n",
    "# TYPE h histogram\nh_bucket 1\n",
    "up 1 12.5\n",
  ];

  for (const text of bad) {
    assert.throws(
      () => parsePrometheusText(text),
      SyntaxError,
      JSON.stringify(text),
    );
  }
});

Deno.test("parsePrometheusText() names the failing line", () => {
  assert.throws(
    () => parsePrometheusText("ok 1\nbroken{\n"),
    /Cannot parse metrics line 2: /,
  );
});

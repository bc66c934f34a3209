import assert from "node:assert/strict";
import { parseRfc3339 } from "./rfc3339.ts";

Deno.test("parseRfc3339() reads UTC, offsets and fractions", () => {
  assert.deepEqual(parseRfc3339("2026-01-31T12:00:00Z"), {
    ms: Date.UTC(2026, 0, 31, 12),
    hasFraction: false,
  });
  assert.equal(
    parseRfc3339("2026-01-31T14:00:00.250+02:00")?.ms,
    Date.UTC(2026, 0, 31, 12, 0, 0, 250),
  );
  assert.equal(
    parseRfc3339("2026-01-31T12:00:00.123456789-01:30")?.ms,
    Date.UTC(2026, 0, 31, 13, 30, 0, 123),
  );
});

Deno.test("parseRfc3339() reads a space before the offset as a plus sign", () => {
  assert.equal(
    parseRfc3339("2026-01-31T14:00:00 02:00")?.ms,
    Date.UTC(2026, 0, 31, 12),
  );
});

Deno.test("parseRfc3339() handles leap days and early years", () => {
  assert.ok(parseRfc3339("2024-02-29T00:00:00Z"));
  assert.equal(parseRfc3339("2100-02-29T00:00:00Z"), null);
  assert.equal(
    parseRfc3339("0050-01-01T00:00:00Z")?.ms,
    new Date("0050-01-01T00:00:00Z").getTime(),
  );
});

Deno.test("parseRfc3339() rejects dates alone and impossible values", () => {
  for (
    const text of [
      "2026-01-01",
      "nonsense",
      "2026-02-30T00:00:00Z",
      "2026-01-01T24:00:00Z",
      "2026-01-01T00:00:60Z",
      "2026-01-01 00:00:00Z",
      "2026-01-01T00:00:00",
      "2026-01-01T00:00:00+25:00",
    ]
  ) {
    assert.equal(parseRfc3339(text), null, text);
  }
});

import assert from "node:assert/strict";
import { REMARKS } from "./remarks.ts";

const MAX_REMARK_LENGTH = 90;

Deno.test("REMARKS holds at least a hundred remarks", () => {
  assert.ok(REMARKS.length >= 100, `only ${REMARKS.length} remarks`);
});

Deno.test("REMARKS are unique, even ignoring case", () => {
  const seen = new Set<string>();

  for (const remark of REMARKS) {
    const key = remark.toLowerCase();
    assert.ok(!seen.has(key), `"${remark}" appears twice`);
    seen.add(key);
  }
});

Deno.test("REMARKS are trimmed, non-empty and short", () => {
  for (const remark of REMARKS) {
    assert.notEqual(remark, "");
    assert.equal(remark, remark.trim(), `"${remark}" has outer whitespace`);
    assert.ok(!/[\r\n]/.test(remark), `"${remark}" has a line break`);
    assert.ok(
      [...remark].length < MAX_REMARK_LENGTH,
      `"${remark}" is ${remark.length} characters long`,
    );
  }
});

import assert from "node:assert/strict";
import {
  ActivityQueryError,
  DEFAULT_PAGE_LIMIT,
  parseActivityQuery,
} from "./activity_query.ts";

function parse(query: string) {
  return parseActivityQuery(new URLSearchParams(query));
}

Deno.test("parseActivityQuery() applies the defaults", () => {
  const query = parse("");

  assert.deepEqual(query, {
    models: [],
    startMs: null,
    endMs: null,
    minId: null,
    maxId: null,
    limit: DEFAULT_PAGE_LIMIT,
    page: 1,
    sortColumn: "id",
    descending: true,
  });
});

Deno.test("parseActivityQuery() rejects each bad parameter with its message", () => {
  const cases: [string, string][] = [
    ["min_id=abc", "invalid min_id"],
    ["max_id=0", "max_id must be >= 1"],
    ["min_id=-1", "min_id must be >= 1"],
    ["min_id=9&max_id=2", "min_id must be <= max_id"],
    ["start=nonsense", "invalid 'start' timestamp, use RFC3339 format"],
    ["end=2026-01-01", "invalid 'end' timestamp, use RFC3339 format"],
    [
      "start=2026-02-01T00:00:00Z&end=2026-01-01T00:00:00Z",
      "start must be before end",
    ],
    ["limit=ten", "invalid limit"],
    ["limit=0", "limit must be between 1 and 999"],
    ["limit=1000", "limit must be between 1 and 999"],
    ["page=0", "page must be >= 1"],
    ["page=1.5", "invalid page"],
    ["sort=password", "invalid sort column"],
    ["sort=constructor", "invalid sort column"],
    ["order=sideways", "order must be asc or desc"],
  ];

  for (const [query, message] of cases) {
    assert.throws(
      () => parse(query),
      (error) =>
        error instanceof ActivityQueryError && error.message === message,
      query,
    );
  }
});

Deno.test("parseActivityQuery() maps sort names to columns and reads order in any case", () => {
  const query = parse("sort=gen_speed&order=ASC");

  assert.equal(query.sortColumn, "tokens_per_second");
  assert.equal(query.descending, false);
});

Deno.test("parseActivityQuery() treats empty values as absent", () => {
  const query = parse("limit=&page=&model=&sort=&order=");

  assert.equal(query.limit, DEFAULT_PAGE_LIMIT);
  assert.deepEqual(query.models, []);
});

Deno.test("parseActivityQuery() stretches a whole-second end over that second", () => {
  const whole = parse("end=2026-01-01T00:00:05Z");
  const exact = parse("end=2026-01-01T00:00:05.000Z");

  assert.equal(whole.endMs, Date.UTC(2026, 0, 1, 0, 0, 5, 999));
  assert.equal(exact.endMs, Date.UTC(2026, 0, 1, 0, 0, 5));
});

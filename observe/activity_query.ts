import { parseRfc3339 } from "./rfc3339.ts";

/**
 * A bad `/api/metrics/activity` query. The route answers 400 with
 * `message`, which is worded for the client.
 */
export class ActivityQueryError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ActivityQueryError";
  }
}

/** `sort` values and the column each one orders by. */
export const SORT_COLUMNS: Readonly<Record<string, string>> = {
  id: "id",
  time: "timestamp_ms",
  model: "model",
  req_path: "req_path",
  resp_status_code: "resp_status_code",
  resp_content_type: "resp_content_type",
  cached: "cache_tokens",
  prompt: "input_tokens",
  generated: "output_tokens",
  drafted: "draft_tokens",
  prompt_speed: "prompt_per_second",
  gen_speed: "tokens_per_second",
  duration: "duration_ms",
};

export const DEFAULT_PAGE_LIMIT = 25;
export const MAX_PAGE_LIMIT = 999;

/** A validated activity query; every bound is inclusive. */
export interface ActivityQuery {
  readonly models: readonly string[];
  readonly startMs: number | null;
  readonly endMs: number | null;
  readonly minId: number | null;
  readonly maxId: number | null;
  readonly limit: number;
  readonly page: number;
  /** A column name from `SORT_COLUMNS`, never client text. */
  readonly sortColumn: string;
  readonly descending: boolean;
}

/**
 * Validates the query string of `GET /api/metrics/activity`.
 *
 * `model` repeats (any of them matches); `start`/`end` are RFC 3339 and
 * inclusive (a bound given in whole seconds covers that whole second);
 * `min_id`/`max_id` are integers from 1; `limit` is 1 to 999 (default 25);
 * `page` starts at 1; `sort` is a key of `SORT_COLUMNS` (default `id`);
 * `order` is `asc` or `desc` in any case (default `desc`). An empty value
 * counts as absent. Throws `ActivityQueryError` naming the first problem.
 */
export function parseActivityQuery(params: URLSearchParams): ActivityQuery {
  const start = timeBound(params, "start");
  const end = timeBound(params, "end");
  if (start && end && start.ms > end.ms) {
    throw new ActivityQueryError("start must be before end");
  }

  const minId = idBound(params, "min_id");
  const maxId = idBound(params, "max_id");
  if (minId !== null && maxId !== null && minId > maxId) {
    throw new ActivityQueryError("min_id must be <= max_id");
  }

  return {
    models: params.getAll("model").filter((model) => model !== ""),
    startMs: start?.ms ?? null,
    endMs: end ? end.ms + (end.hasFraction ? 0 : 999) : null,
    minId,
    maxId,
    limit: pageLimit(params),
    page: pageNumber(params),
    sortColumn: sortColumn(params),
    descending: descending(params),
  };
}

function value(params: URLSearchParams, name: string): string | null {
  const text = params.get(name);
  return text === null || text === "" ? null : text;
}

function integer(text: string): number | null {
  return /^[+-]?\d{1,15}$/.test(text) ? Number(text) : null;
}

function timeBound(params: URLSearchParams, name: "start" | "end") {
  const text = value(params, name);
  if (text === null) return null;
  const time = parseRfc3339(text);
  if (!time) {
    throw new ActivityQueryError(
      `invalid '${name}' timestamp, use RFC3339 format`,
    );
  }
  return time;
}

function idBound(params: URLSearchParams, name: string): number | null {
  const text = value(params, name);
  if (text === null) return null;
  const id = integer(text);
  if (id === null) throw new ActivityQueryError(`invalid ${name}`);
  if (id < 1) throw new ActivityQueryError(`${name} must be >= 1`);
  return id;
}

function pageLimit(params: URLSearchParams): number {
  const text = value(params, "limit");
  if (text === null) return DEFAULT_PAGE_LIMIT;
  const limit = integer(text);
  if (limit === null) throw new ActivityQueryError("invalid limit");
  if (limit < 1 || limit > MAX_PAGE_LIMIT) {
    throw new ActivityQueryError(
      `limit must be between 1 and ${MAX_PAGE_LIMIT}`,
    );
  }
  return limit;
}

function pageNumber(params: URLSearchParams): number {
  const text = value(params, "page");
  if (text === null) return 1;
  const page = integer(text);
  if (page === null) throw new ActivityQueryError("invalid page");
  if (page < 1) throw new ActivityQueryError("page must be >= 1");
  return page;
}

function sortColumn(params: URLSearchParams): string {
  const key = value(params, "sort") ?? "id";
  const column = Object.hasOwn(SORT_COLUMNS, key) ? SORT_COLUMNS[key] : null;
  if (!column) throw new ActivityQueryError("invalid sort column");
  return column;
}

function descending(params: URLSearchParams): boolean {
  const order = (value(params, "order") ?? "desc").toLowerCase();
  if (order !== "asc" && order !== "desc") {
    throw new ActivityQueryError("order must be asc or desc");
  }
  return order === "desc";
}

import type { DatabaseSync, SQLInputValue, StatementSync } from "node:sqlite";
import { type Clock, systemClock } from "../lib/mod.ts";
import { openActivityDatabase } from "./activity_database.ts";
import {
  type ActivityEntry,
  type ActivityRow,
  type NewActivity,
  rowToEntry,
} from "./activity_entry.ts";
import { type ActivityQuery, parseActivityQuery } from "./activity_query.ts";
import { type ActivityStats, buildHistogram } from "./activity_stats.ts";

/** A file store keeps this many times `maxRows` entries. */
export const FILE_RETENTION_FACTOR = 10;

export interface ActivityStoreOptions {
  /** A SQLite file (its directory is created) or `:memory:`. */
  path: string;
  /** `metricsMaxInMemory`: entries an in-memory store keeps (>= 1). */
  maxRows: number;
  clock?: Clock;
  /** Whether a capture is held for an entry; asked when entries are read. */
  hasCapture?: (id: number) => boolean;
}

/** One page of `GET /api/metrics/activity`. */
export interface ActivityPage {
  data: ActivityEntry[];
  page: number;
  limit: number;
  total: number;
  total_pages: number;
}

/**
 * Activity history in SQLite through `node:sqlite`.
 *
 * Retention: an in-memory store keeps the newest `maxRows` entries. A file
 * store (WAL mode, survives restarts) keeps the newest `maxRows * 10`, so a
 * long-running box never fills its disk; llama-swap never prunes a file
 * store. Both prune right after each insert.
 *
 * Every method is synchronous and quick (indexed statements on a small
 * table); callers are the proxy's metering and the activity routes.
 */
export class ActivityStore {
  readonly path: string;
  /** Entries kept after pruning. */
  readonly retainedRows: number;
  #db: DatabaseSync;
  #clock: Clock;
  #hasCapture: (id: number) => boolean;
  #statements = new Map<string, StatementSync>();
  #closed = false;

  /** Opens or creates the database; throws when it cannot. */
  constructor(options: ActivityStoreOptions) {
    const { path, maxRows } = options;
    if (!Number.isInteger(maxRows) || maxRows < 1) {
      throw new RangeError(
        `Cannot open activity store: maxRows must be a positive integer, got "${maxRows}"`,
      );
    }
    const inMemory = path === ":memory:";
    this.path = path;
    this.retainedRows = inMemory ? maxRows : maxRows * FILE_RETENTION_FACTOR;
    this.#clock = options.clock ?? systemClock;
    this.#hasCapture = options.hasCapture ?? (() => false);
    this.#db = openActivityDatabase(path);
  }

  /** Stores a finished request and returns it with its new ID (from 1). */
  record(activity: NewActivity): ActivityEntry {
    const tokens = activity.tokens;
    const row: Omit<ActivityRow, "id"> = {
      timestamp_ms: Math.round(activity.timestamp ?? this.#clock.now()),
      model: activity.model,
      req_path: activity.reqPath,
      resp_content_type: activity.respContentType,
      resp_status_code: activity.respStatusCode,
      cache_tokens: tokens.cachedTokens,
      input_tokens: tokens.inputTokens,
      output_tokens: tokens.outputTokens,
      prompt_per_second: tokens.promptPerSecond,
      tokens_per_second: tokens.tokensPerSecond,
      draft_tokens: tokens.draftTokens,
      draft_acc_tokens: tokens.draftAccepted,
      duration_ms: Math.round(
        Math.max(activity.durationMs, tokens.durationMs ?? 0),
      ),
      ttft_ms: roundOrNull(activity.ttftMs),
      error_msg: activity.errorMsg ?? "",
      metadata: activity.metadata && Object.keys(activity.metadata).length > 0
        ? JSON.stringify(activity.metadata)
        : null,
    };

    const columns = Object.keys(row);
    const insert = this.#statement(
      `INSERT INTO activity (${columns.join(", ")}) VALUES (${
        columns.map(() => "?").join(", ")
      })`,
    );
    const id = Number(insert.run(...Object.values(row)).lastInsertRowid);
    this.#prune();
    return rowToEntry({ id, ...row }, this.#hasCapture(id));
  }

  /** The entry with `id`, or null when there is none (or it was pruned). */
  get(id: number): ActivityEntry | null {
    const row = this.#statement("SELECT * FROM activity WHERE id = ?").get(id);
    return row ? this.#toEntry(row) : null;
  }

  /**
   * Answers `GET /api/metrics/activity`. Throws `ActivityQueryError` for a
   * bad parameter (the route answers 400 with its message).
   */
  query(params: URLSearchParams): ActivityPage {
    const query = parseActivityQuery(params);
    const { where, args } = whereClause(query);
    const counted = this.#statement(
      `SELECT COUNT(*) AS n FROM activity${where}`,
    )
      .get(...args);
    const total = Number(counted?.n ?? 0);
    const offset = (query.page - 1) * query.limit;
    const page = {
      data: [] as ActivityEntry[],
      page: query.page,
      limit: query.limit,
      total,
      total_pages: Math.ceil(total / query.limit),
    };
    if (offset >= total) return page;

    const direction = query.descending ? "DESC" : "ASC";
    const rows = this.#statement(
      `SELECT * FROM activity${where} ORDER BY ${query.sortColumn} ${direction}, id ${direction} LIMIT ? OFFSET ?`,
    ).all(...args, query.limit, offset);
    page.data = rows.map((row) => this.#toEntry(row));
    return page;
  }

  /**
   * Answers `GET /api/metrics/stats`: totals over all entries (or those of
   * `model`), and histograms of the positive prompt and generation rates.
   * Unknown counts add nothing; cached tokens add only when positive.
   */
  stats(model?: string): ActivityStats {
    const filter = model ? " WHERE model = ?" : "";
    const args = model ? [model] : [];
    const totals = this.#statement(
      `SELECT COUNT(*) AS requests,
        TOTAL(CASE WHEN input_tokens > 0 THEN input_tokens END) AS input,
        TOTAL(CASE WHEN output_tokens > 0 THEN output_tokens END) AS output,
        TOTAL(CASE WHEN cache_tokens > 0 THEN cache_tokens END) AS cache
      FROM activity${filter}`,
    ).get(...args);

    return {
      total_requests: Number(totals?.requests ?? 0),
      total_input_tokens: Number(totals?.input ?? 0),
      total_output_tokens: Number(totals?.output ?? 0),
      total_cache_tokens: Number(totals?.cache ?? 0),
      prompt_histogram: buildHistogram(
        this.#positive("prompt_per_second", model),
      ),
      gen_histogram: buildHistogram(this.#positive("tokens_per_second", model)),
    };
  }

  /** Closes the database; later calls do nothing. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#statements.clear();
    this.#db.close();
  }

  [Symbol.dispose](): void {
    this.close();
  }

  #positive(column: string, model: string | undefined): number[] {
    const filter = model ? " AND model = ?" : "";
    const rows = this.#statement(
      `SELECT ${column} AS v FROM activity WHERE ${column} > 0${filter}`,
    ).all(...(model ? [model] : []));
    return rows.map((row) => Number(row.v));
  }

  #prune(): void {
    this.#statement(
      `DELETE FROM activity WHERE id <=
        (SELECT id FROM activity ORDER BY id DESC LIMIT 1 OFFSET ?)`,
    ).run(this.retainedRows);
  }

  #toEntry(row: Record<string, unknown>): ActivityEntry {
    // The row comes from `SELECT *` on the table declared in SCHEMA.
    const typed = row as unknown as ActivityRow;
    return rowToEntry(typed, this.#hasCapture(typed.id));
  }

  /** Prepared once per distinct SQL text; texts come only from this file. */
  #statement(sql: string): StatementSync {
    let statement = this.#statements.get(sql);
    if (!statement) {
      statement = this.#db.prepare(sql);
      this.#statements.set(sql, statement);
    }
    return statement;
  }
}

function roundOrNull(value: number | null | undefined): number | null {
  return value === null || value === undefined ? null : Math.round(value);
}

function whereClause(query: ActivityQuery) {
  const conditions: string[] = [];
  const args: SQLInputValue[] = [];
  if (query.models.length > 0) {
    conditions.push("model IN (SELECT value FROM json_each(?))");
    args.push(JSON.stringify(query.models));
  }
  const bounds: [string, number | null][] = [
    ["timestamp_ms >= ?", query.startMs],
    ["timestamp_ms <= ?", query.endMs],
    ["id >= ?", query.minId],
    ["id <= ?", query.maxId],
  ];
  for (const [condition, bound] of bounds) {
    if (bound === null) continue;
    conditions.push(condition);
    args.push(bound);
  }
  const where = conditions.length > 0
    ? ` WHERE ${conditions.join(" AND ")}`
    : "";
  return { where, args };
}

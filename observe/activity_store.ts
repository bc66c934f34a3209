import type { DatabaseSync, SQLInputValue, StatementSync } from "node:sqlite";
import { type Clock, systemClock } from "../lib/mod.ts";
import { openActivityDatabase } from "./activity_database.ts";
import {
  type ActivityEntry,
  type ActivityRow,
  activityToRow,
  type NewActivity,
  ROW_COLUMNS,
  rowToEntry,
} from "./activity_entry.ts";
import { type ActivityQuery, parseActivityQuery } from "./activity_query.ts";
import { type ActivityStats, buildHistogram } from "./activity_stats.ts";

const ROW_PLACEHOLDERS = `(${ROW_COLUMNS.map(() => "?").join(", ")})`;

/** The insert of `rows` rows in one statement. */
function insertSql(rows: number): string {
  return `INSERT INTO activity (${ROW_COLUMNS.join(", ")}) VALUES ${
    Array(rows).fill(ROW_PLACEHOLDERS).join(", ")
  }`;
}

const INSERT_SQL = insertSql(1);

/**
 * Rows a batch inserts per statement: one statement of 50 rows costs
 * about a third less per row than 50 single inserts.
 */
const ROWS_PER_INSERT = 50;

/** What `recordLater()` tells its caller once the entry was written. */
export interface RecordOutcome {
  recorded(id: number): void;
  failed(error: unknown): void;
}

/** A queued entry and whom to tell once it is written. */
interface PendingRow {
  readonly row: Omit<ActivityRow, "id">;
  readonly outcome: RecordOutcome;
}

/** A file store keeps this many times `maxRows` entries. */
export const FILE_RETENTION_FACTOR = 10;

/**
 * How long a finished request waits for the batched write (50 ms): at a
 * few thousand requests a second that batches some hundred rows per
 * commit, and the UI sees each `activity` event within 50 ms.
 */
export const FLUSH_DELAY_MS = 50;

/** Queued rows that trigger a write at once, whatever the delay. */
export const MAX_PENDING_ROWS = 1000;

export interface ActivityStoreOptions {
  /** A SQLite file (its directory is created) or `:memory:`. */
  path: string;
  /** `metricsMaxInMemory`: entries an in-memory store keeps (>= 1). */
  maxRows: number;
  clock?: Clock;
  /** Whether a capture is held for an entry; asked when entries are read. */
  hasCapture?: (id: number) => boolean;
  /**
   * Arranges for `flush` to run soon and returns what cancels that; called
   * with the first entry `recordLater()` queues after a flush. Default: a
   * timer of `FLUSH_DELAY_MS`, so the requests that end meanwhile share
   * one write.
   */
  scheduleFlush?: (flush: () => void) => () => void;
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
 * store. Both prune with each write.
 *
 * The proxy queues entries with `recordLater()`, written in batches off
 * the response path; reads write the queue first. Every method is
 * synchronous and quick (indexed statements on a small table); callers are
 * the proxy's metering and the activity routes.
 */
export class ActivityStore {
  readonly path: string;
  /** Entries kept after pruning. */
  readonly retainedRows: number;
  #db: DatabaseSync;
  #clock: Clock;
  #hasCapture: (id: number) => boolean;
  #statements = new Map<string, StatementSync>();
  #scheduleFlush: (flush: () => void) => () => void;
  #pending: PendingRow[] = [];
  #cancelFlush: (() => void) | null = null;
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
    this.#scheduleFlush = options.scheduleFlush ?? afterFlushDelay;
    this.#db = openActivityDatabase(path);
  }

  /**
   * Stores a finished request at once and returns it with its new ID
   * (from 1). Entries queued by `recordLater()` are written first.
   */
  record(activity: NewActivity): ActivityEntry {
    this.flush();
    const row = activityToRow(activity, this.#clock.now());
    const id = this.#insert(row);
    this.#prune(id);
    return rowToEntry({ id, ...row }, this.#hasCapture(id));
  }

  /**
   * Queues a finished request for the next batched write and returns at
   * once: the proxy calls it as a response ends. `outcome` hears, exactly
   * once and from inside the write, the entry's new ID or why its insert
   * failed; it must not throw.
   *
   * Queued entries are written together in one transaction when the
   * scheduled flush runs (`scheduleFlush`), once `MAX_PENDING_ROWS` are
   * queued, before any read and before the store closes, so a reader never
   * misses one (and `outcome` has run for it by then). A file store pays
   * one commit per batch, not per request: a commit costs as much as some
   * ten inserts.
   */
  recordLater(activity: NewActivity, outcome: RecordOutcome): void {
    if (this.#closed) {
      outcome.failed(new Error("Cannot record activity: the store is closed"));
      return;
    }
    this.#pending.push({
      row: activityToRow(activity, this.#clock.now()),
      outcome,
    });
    if (this.#pending.length >= MAX_PENDING_ROWS) {
      this.flush();
      return;
    }
    this.#cancelFlush ??= this.#scheduleFlush(() => {
      this.#cancelFlush = null;
      this.flush();
    });
  }

  /** Writes every queued entry now, in one transaction; quick when none. */
  flush(): void {
    if (this.#pending.length === 0 || this.#closed) return;
    const batch = this.#pending;
    this.#pending = [];

    const ids: (number | Error)[] = [];
    try {
      this.#db.exec("BEGIN");
      for (let at = 0; at < batch.length; at += ROWS_PER_INSERT) {
        const rows = batch.slice(at, at + ROWS_PER_INSERT).map((p) => p.row);
        ids.push(...this.#insertMany(rows));
      }
      const newest = ids.findLast((id) => typeof id === "number");
      if (newest !== undefined) this.#prune(newest);
      this.#db.exec("COMMIT");
    } catch (error) {
      if (this.#db.isTransaction) this.#db.exec("ROLLBACK");
      for (const { outcome } of batch) outcome.failed(error);
      return;
    }
    batch.forEach(({ outcome }, i) => {
      const id = ids[i]!;
      if (typeof id === "number") outcome.recorded(id);
      else outcome.failed(id);
    });
  }

  /** The entry with `id`, or null when there is none (or it was pruned). */
  get(id: number): ActivityEntry | null {
    this.flush();
    const row = this.#statement("SELECT * FROM activity WHERE id = ?").get(id);
    return row ? this.#toEntry(row) : null;
  }

  /**
   * Answers `GET /api/metrics/activity`. Throws `ActivityQueryError` for a
   * bad parameter (the route answers 400 with its message).
   */
  query(params: URLSearchParams): ActivityPage {
    this.flush();
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
    this.flush();
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

  /** Writes what is queued and closes the database; later calls do nothing. */
  close(): void {
    if (this.#closed) return;
    this.flush();
    this.#cancelFlush?.();
    this.#cancelFlush = null;
    this.#closed = true;
    this.#statements.clear();
    this.#db.close();
  }

  [Symbol.dispose](): void {
    this.close();
  }

  /**
   * Inserts `rows` with one statement inside a batch and returns their
   * IDs: consecutive, as SQLite hands them out within one statement. When
   * that fails, each row is tried alone, so only a bad row fails.
   */
  #insertMany(rows: readonly Omit<ActivityRow, "id">[]): (number | Error)[] {
    if (rows.length === 1) return [this.#tryInsert(rows[0]!)];
    const values: SQLInputValue[] = [];
    for (const row of rows) {
      for (const column of ROW_COLUMNS) values.push(row[column]);
    }
    let last: number;
    try {
      // One statement: when it fails, none of its rows were written.
      last = Number(
        this.#statement(insertSql(rows.length)).run(...values).lastInsertRowid,
      );
    } catch {
      return rows.map((row) => this.#tryInsert(row));
    }
    return rows.map((_, i) => last - rows.length + 1 + i);
  }

  /** Inserts one row inside a batch; its ID, or the failure. */
  #tryInsert(row: Omit<ActivityRow, "id">): number | Error {
    try {
      return this.#insert(row);
    } catch (error) {
      return error instanceof Error ? error : new Error(String(error));
    }
  }

  /** Inserts one row and returns its new ID. */
  #insert(row: Omit<ActivityRow, "id">): number {
    const insert = this.#statement(INSERT_SQL);
    const values = ROW_COLUMNS.map((column) => row[column]);
    return Number(insert.run(...values).lastInsertRowid);
  }

  #positive(column: string, model: string | undefined): number[] {
    const filter = model ? " AND model = ?" : "";
    const rows = this.#statement(
      `SELECT ${column} AS v FROM activity WHERE ${column} > 0${filter}`,
    ).all(...(model ? [model] : []));
    return rows.map((row) => Number(row.v));
  }

  /**
   * Drops the entries older than the newest `retainedRows`, counted by ID
   * from `newestId`: IDs only grow and only this method deletes, so they
   * have no gaps, and the delete walks the primary key over the few rows
   * it removes instead of counting every kept row.
   */
  #prune(newestId: number): void {
    const oldestKept = newestId - this.retainedRows + 1;
    if (oldestKept <= 1) return;
    this.#statement("DELETE FROM activity WHERE id < ?").run(oldestKept);
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

function afterFlushDelay(flush: () => void): () => void {
  const timer = setTimeout(flush, FLUSH_DELAY_MS);
  return () => clearTimeout(timer);
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

import { errorText } from "../lib/mod.ts";
import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import { DatabaseSync } from "node:sqlite";

const SCHEMA_VERSION = 1;

const SCHEMA = `
CREATE TABLE IF NOT EXISTS activity (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  timestamp_ms INTEGER NOT NULL,
  model TEXT NOT NULL,
  req_path TEXT NOT NULL,
  resp_content_type TEXT NOT NULL,
  resp_status_code INTEGER NOT NULL,
  cache_tokens INTEGER,
  input_tokens INTEGER,
  output_tokens INTEGER,
  prompt_per_second REAL,
  tokens_per_second REAL,
  draft_tokens INTEGER,
  draft_acc_tokens INTEGER,
  duration_ms INTEGER NOT NULL,
  ttft_ms INTEGER,
  error_msg TEXT NOT NULL DEFAULT '',
  metadata TEXT
);
CREATE INDEX IF NOT EXISTS activity_by_model ON activity (model, id);
CREATE INDEX IF NOT EXISTS activity_by_time ON activity (timestamp_ms);
`;

/**
 * Opens (creating when needed) the activity database at `path` or
 * `:memory:`, with the schema in place. A file database gets its directory
 * created and WAL journaling. Throws `Cannot open activity store "<path>":
 * <detail>`, with the cause, when that fails or the file holds a newer
 * schema version.
 */
export function openActivityDatabase(path: string): DatabaseSync {
  const inMemory = path === ":memory:";
  let db: DatabaseSync | null = null;
  try {
    if (!inMemory) mkdirSync(dirname(path), { recursive: true });
    db = new DatabaseSync(path);
    if (!inMemory) {
      db.exec("PRAGMA journal_mode = WAL");
      db.exec("PRAGMA synchronous = NORMAL");
      db.exec("PRAGMA busy_timeout = 5000");
    }
    migrate(db);
    return db;
  } catch (error) {
    if (db?.isOpen) db.close();
    const detail = errorText(error);
    throw new Error(`Cannot open activity store "${path}": ${detail}`, {
      cause: error,
    });
  }
}

/** Creates the schema when missing; refuses a newer schema version. */
function migrate(db: DatabaseSync): void {
  const version = Number(db.prepare("PRAGMA user_version").get()?.user_version);
  if (version > SCHEMA_VERSION) {
    throw new Error(`schema version "${version}" is newer than this program`);
  }
  db.exec(SCHEMA);
  db.exec(`PRAGMA user_version = ${SCHEMA_VERSION}`);
}

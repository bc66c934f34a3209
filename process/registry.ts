import { type Clock, errorText, systemClock } from "../lib/mod.ts";
import { type Logger, silentLogger } from "../log/mod.ts";
import {
  REAP_GRACE_MS,
  type ReapedGroup,
  reapOrphanGroup,
} from "./orphan_reaper.ts";
import { posixProcessControl, type ProcessControl } from "./process_control.ts";

/** One process group started by a proxy, as written to the registry file. */
export interface ProcessRecord {
  /** PID of the proxy that started it. */
  readonly ownerPid: number;
  /** Process group ID; equal to `pid`, since the child leads its group. */
  readonly pgid: number;
  readonly pid: number;
  readonly model: string;
  /** The program as started, compared with `/proc/<pid>/cmdline`. */
  readonly argv0: string;
  /** ms since the epoch, taken right after the spawn. */
  readonly startedAt: number;
}

export interface ProcessRegistryOptions {
  /** Receives warnings about an unreadable file; default silent. */
  logger?: Logger;
  control?: ProcessControl;
  clock?: Clock;
  /** How long an orphaned group gets to honour SIGTERM; default 2 s. */
  reapGraceMs?: number;
}

/** The file name used inside the data directory. */
export const REGISTRY_FILE = "processes.json";

/**
 * A JSON file in the data directory listing the process groups proxies
 * started and have not yet seen exit, so the next proxy can reap the
 * groups a crashed one left behind.
 *
 * Changes from one proxy are applied in call order; each rewrites the file
 * atomically (temporary file, then rename). Two proxies sharing one data
 * directory can still lose each other's concurrent changes, which costs
 * at most a missed reap, never a wrong kill, since reaping re-checks every
 * group. A missing or corrupt file reads as empty (with a warning).
 */
export class ProcessRegistry {
  readonly path: string;
  #dir: string;
  #log: Logger;
  #control: ProcessControl;
  #clock: Clock;
  #reapGraceMs: number;
  #queue: Promise<unknown> = Promise.resolve();

  constructor(dataDir: string, options: ProcessRegistryOptions = {}) {
    this.#dir = dataDir;
    this.path = `${dataDir.replace(/[\\/]+$/, "")}/${REGISTRY_FILE}`;
    this.#log = (options.logger ?? silentLogger).child("process");
    this.#control = options.control ?? posixProcessControl;
    this.#clock = options.clock ?? systemClock;
    this.#reapGraceMs = options.reapGraceMs ?? REAP_GRACE_MS;
  }

  /** Records a group we started. Rejects only when the file cannot be written. */
  add(record: ProcessRecord): Promise<void> {
    return this.#update((records) => [
      ...records.filter((r) => r.pid !== record.pid),
      record,
    ]);
  }

  /** Forgets the group led by `pid` that this proxy started. */
  remove(pid: number): Promise<void> {
    return this.#update((records) =>
      records.filter((r) => !(r.pid === pid && r.ownerPid === Deno.pid))
    );
  }

  /** The records on file now. */
  list(): Promise<ProcessRecord[]> {
    return this.#enqueue(() => this.#read(this.#log));
  }

  /**
   * Called once at proxy start: stops every recorded group whose owner is
   * gone, if the group still exists and is still the one we started
   * (SIGTERM, a short wait, then SIGKILL), logs each, and drops those
   * records. Records of live owners are kept. Resolves to what was reaped.
   */
  reapOrphans(logger: Logger): Promise<ReapedGroup[]> {
    const log = logger.child("process");
    return this.#enqueue(async () => {
      const records = await this.#read(log);
      const kept: ProcessRecord[] = [];
      const reaped: ReapedGroup[] = [];

      for (const record of records) {
        if (this.#ownerAlive(record)) {
          kept.push(record);
          continue;
        }
        try {
          const result = await reapOrphanGroup(record, {
            control: this.#control,
            clock: this.#clock,
            log,
            graceMs: this.#reapGraceMs,
          });
          if (result) reaped.push(result);
        } catch (error) {
          log.warn("cannot reap orphaned process group", {
            model: record.model,
            pgid: record.pgid,
            error: errorText(error),
          });
        }
      }

      await this.#write(kept);
      return reaped;
    });
  }

  #ownerAlive(record: ProcessRecord): boolean {
    return record.ownerPid === Deno.pid ||
      this.#control.isAlive(record.ownerPid);
  }

  #update(
    change: (records: ProcessRecord[]) => ProcessRecord[],
  ): Promise<void> {
    return this.#enqueue(async () => {
      const records = await this.#read(this.#log);
      await this.#write(change(records));
    });
  }

  /** Runs `task` after every earlier one; a failure does not block later ones. */
  #enqueue<T>(task: () => Promise<T>): Promise<T> {
    const result = this.#queue.then(task);
    this.#queue = result.catch(() => {
      // The caller of this task receives the failure through `result`.
    });
    return result;
  }

  async #read(log: Logger): Promise<ProcessRecord[]> {
    let text: string;
    try {
      text = await Deno.readTextFile(this.path);
    } catch (error) {
      if (error instanceof Deno.errors.NotFound) return [];
      throw error;
    }

    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (error) {
      value = error;
    }
    if (!Array.isArray(value)) {
      log.warn("process registry unreadable, starting fresh", {
        path: this.path,
        error: value instanceof Error ? value.message : "not a JSON array",
      });
      return [];
    }

    const records = value.filter(isRecord);
    if (records.length < value.length) {
      log.warn("process registry entries ignored", {
        path: this.path,
        count: value.length - records.length,
      });
    }
    return records;
  }

  async #write(records: readonly ProcessRecord[]): Promise<void> {
    await Deno.mkdir(this.#dir, { recursive: true });
    const temp = `${this.path}.${Deno.pid}.tmp`;
    await Deno.writeTextFile(temp, JSON.stringify(records, null, 2) + "\n");
    await Deno.rename(temp, this.path);
  }
}

/** True for a well-formed record whose IDs are safe to signal. */
function isRecord(value: unknown): value is ProcessRecord {
  if (typeof value !== "object" || value === null) return false;
  const v = value as Record<string, unknown>;
  // A group ID of 0 or 1 would make a group signal hit our own group or
  // every process we may signal, so such entries are refused outright.
  return ["ownerPid", "pgid", "pid"].every((key) =>
    Number.isInteger(v[key]) && (v[key] as number) > 1
  ) && Number.isFinite(v.startedAt) && typeof v.model === "string" &&
    typeof v.argv0 === "string";
}

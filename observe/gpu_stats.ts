import { errorText } from "../lib/mod.ts";
import type { Logger } from "../log/mod.ts";
import { isMissingProgram, type RunCommand } from "./command_runner.ts";

/**
 * One `gpu_stats` entry of `GET /api/performance`, in llama-swap's field
 * names. Figures `nvidia-smi` cannot report (`[N/A]`) read 0.
 */
export interface GpuSample {
  /** RFC 3339, UTC, millisecond precision. */
  readonly timestamp: string;
  /** `nvidia-smi`'s index of the GPU. */
  readonly id: number;
  readonly name: string;
  readonly uuid: string;
  readonly temp_c: number;
  /** Memory temperature; 0 on GPUs and drivers without the sensor. */
  readonly vram_temp_c: number;
  readonly gpu_util_pct: number;
  readonly mem_util_pct: number;
  readonly mem_used_mb: number;
  readonly mem_total_mb: number;
  readonly fan_speed_pct: number;
  readonly power_draw_w: number;
}

/** The fields asked of `nvidia-smi --query-gpu`, in column order. */
export const GPU_QUERY_FIELDS = [
  "index",
  "name",
  "uuid",
  "temperature.gpu",
  "temperature.memory",
  "utilization.gpu",
  "utilization.memory",
  "memory.used",
  "memory.total",
  "fan.speed",
  "power.draw",
] as const;

type GpuField = (typeof GPU_QUERY_FIELDS)[number];

/** Older drivers refuse the whole query when it names this field. */
const NEWER_FIELD: GpuField = "temperature.memory";

const FALLBACK_FIELDS = GPU_QUERY_FIELDS.filter((f) => f !== NEWER_FIELD);

/**
 * Samples NVIDIA GPUs with `nvidia-smi` for the performance monitor.
 *
 * 1. Once `nvidia-smi` turns out not to be installed, it is not looked for
 *    again until a restart, and every read is `[]`.
 * 2. When the full query fails, the query without `temperature.memory`
 *    is tried, and kept once it works.
 * 3. Any other failure, a timeout (the signal aborted with a
 *    `TimeoutError`) included, gives `[]` for that read; the first of a
 *    series is logged as a warning. An abort for another reason (a close)
 *    gives `[]` and a debug line.
 */
export class NvidiaSmiReader {
  readonly #run: RunCommand;
  readonly #log: Logger;
  #missing = false;
  #fields: readonly GpuField[] = GPU_QUERY_FIELDS;
  #failing = false;

  constructor(options: { runCommand: RunCommand; log: Logger }) {
    this.#run = options.runCommand;
    this.#log = options.log;
  }

  /** True once `nvidia-smi` was found missing. */
  get missing(): boolean {
    return this.#missing;
  }

  /** Every GPU's figures stamped `at`; `signal` kills a slow `nvidia-smi`. */
  async read(at: number, signal?: AbortSignal): Promise<GpuSample[]> {
    if (this.#missing) return []; // 1.
    const timestamp = new Date(at).toISOString();
    try {
      let csv = await this.#query(this.#fields, signal);
      if (csv === null && this.#fields !== FALLBACK_FIELDS) {
        csv = await this.#query(FALLBACK_FIELDS, signal); // 2.
        if (csv !== null) this.#fields = FALLBACK_FIELDS;
      }
      if (csv === null) return this.#failed("nvidia-smi exited with an error");
      this.#failing = false;
      return parseGpuCsv(csv, this.#fields, timestamp);
    } catch (error) {
      if (signal?.aborted) return this.#aborted(signal.reason);
      if (isMissingProgram(error)) {
        this.#missing = true;
        this.#log.debug("nvidia-smi not found; no GPU figures");
        return [];
      }
      return this.#failed(
        errorText(error),
      ); // 3.
    }
  }

  async #query(
    fields: readonly GpuField[],
    signal: AbortSignal | undefined,
  ): Promise<string | null> {
    const args = [
      `--query-gpu=${fields.join(",")}`,
      "--format=csv,noheader,nounits",
    ];
    const output = await this.#run("nvidia-smi", args, signal);
    return output.success ? output.stdout : null;
  }

  /** A timeout (a `TimeoutError` reason) is a failure; a close is not. */
  #aborted(reason: unknown): GpuSample[] {
    if (reason instanceof DOMException && reason.name === "TimeoutError") {
      return this.#failed(reason.message);
    }
    this.#log.debug("nvidia-smi run cancelled");
    return [];
  }

  #failed(reason: string): GpuSample[] {
    if (!this.#failing) {
      this.#log.warn("cannot read GPU figures from nvidia-smi", {
        error: reason,
      });
    }
    this.#failing = true;
    return [];
  }
}

/**
 * The GPUs of `nvidia-smi --format=csv,noheader,nounits` output whose
 * columns are `fields`; lines with too few columns are skipped.
 */
export function parseGpuCsv(
  csv: string,
  fields: readonly GpuField[],
  timestamp: string,
): GpuSample[] {
  const gpus: GpuSample[] = [];
  for (const line of csv.split("\n")) {
    if (!line.trim()) continue;
    const values = line.split(",").map((value) => value.trim());
    if (values.length < fields.length) continue;
    const column = new Map(fields.map((field, i) => [field, values[i]!]));
    const number = (field: GpuField) => figure(column.get(field));
    gpus.push({
      timestamp,
      id: number("index"),
      name: column.get("name") ?? "",
      uuid: column.get("uuid") ?? "",
      temp_c: number("temperature.gpu"),
      vram_temp_c: number("temperature.memory"),
      gpu_util_pct: number("utilization.gpu"),
      mem_util_pct: number("utilization.memory"),
      mem_used_mb: number("memory.used"),
      mem_total_mb: number("memory.total"),
      fan_speed_pct: number("fan.speed"),
      power_draw_w: number("power.draw"),
    });
  }
  return gpus;
}

/** A number of `nvidia-smi` output; `[N/A]`, `[Not Supported]` and gaps are 0. */
function figure(value: string | undefined): number {
  const n = value === undefined || value === "" ? NaN : Number(value);
  return Number.isFinite(n) ? n : 0;
}

/**
 * A small Prometheus registry: counters, gauges and fixed-bucket
 * histograms with labels, rendered in text exposition format 0.0.4.
 *
 * @module
 */
import {
  checkBuckets,
  checkNames,
  escapeHelp,
  formatValue,
  sampleLine,
} from "./prometheus_format.ts";

export type MetricType = "counter" | "gauge" | "histogram";

/** Label values by label name. */
export type Labels<L extends string> = Readonly<Record<L, string>>;

/** What the metrics table in the docs shows for one family. */
export interface MetricFamilyInfo {
  readonly name: string;
  readonly type: MetricType;
  readonly help: string;
  readonly labelNames: readonly string[];
}

/** `Content-Type` of `render()` output. */
export const PROMETHEUS_CONTENT_TYPE =
  "text/plain; version=0.0.4; charset=utf-8";

/**
 * The default for label-less calls such as `counter.inc()`. The types let
 * a labelled family take it too; its label check then throws.
 */
function noLabels<L extends string>(): Labels<L> {
  return {} as Labels<L>;
}

/** A family as the registry sees it. */
interface RenderedFamily extends MetricFamilyInfo {
  render(): string;
}

/** The shared part of every family: series by label values, rendering. */
abstract class Family<L extends string, S> implements MetricFamilyInfo {
  abstract readonly type: MetricType;
  readonly name: string;
  readonly help: string;
  readonly labelNames: readonly L[];
  #series = new Map<string, { labels: Labels<L>; state: S }>();

  constructor(name: string, help: string, labelNames: readonly L[]) {
    checkNames(name, labelNames);
    this.name = name;
    this.help = help;
    this.labelNames = labelNames;
  }

  /** Forgets the series with these labels (a model that went away). */
  remove(labels: Labels<L>): void {
    this.#series.delete(this.#keyOf(labels));
  }

  /** Forgets every series. */
  clear(): void {
    this.#series.clear();
  }

  /**
   * `# HELP`, `# TYPE` and the sample lines, series sorted by label
   * values. A family without labels always shows its one series, at zero
   * before anything happened.
   */
  render(): string {
    let out = `# HELP ${this.name} ${escapeHelp(this.help)}\n` +
      `# TYPE ${this.name} ${this.type}\n`;
    if (this.labelNames.length === 0 && this.#series.size === 0) {
      return out + this.renderSeries(noLabels(), this.initial());
    }
    const series = [...this.#series.values()].sort((a, b) =>
      this.#compareLabels(a.labels, b.labels)
    );
    for (const { labels, state } of series) {
      out += this.renderSeries(labels, state);
    }
    return out;
  }

  protected abstract initial(): S;
  protected abstract renderSeries(labels: Labels<L>, state: S): string;

  /** The series state for `labels`, created on first use. */
  protected stateFor(labels: Labels<L>): S {
    const key = this.#keyOf(labels);
    let entry = this.#series.get(key);
    if (!entry) {
      const copy = Object.fromEntries(
        this.labelNames.map((name) => [name, labels[name]]),
      ) as Labels<L>;
      entry = { labels: copy, state: this.initial() };
      this.#series.set(key, entry);
    }
    return entry.state;
  }

  protected peek(labels: Labels<L>): S | undefined {
    return this.#series.get(this.#keyOf(labels))?.state;
  }

  /** Orders series by their label values, first label first. */
  #compareLabels(a: Labels<L>, b: Labels<L>): number {
    for (const name of this.labelNames) {
      const x = a[name];
      const y = b[name];
      if (x !== y) return x < y ? -1 : 1;
    }
    return 0;
  }

  /**
   * The series key: each label value after its length (`5:qwen7`), which
   * no two different value lists share. Called on every update, so it
   * checks the labels without building arrays.
   */
  #keyOf(labels: Labels<L>): string {
    const names = this.labelNames;
    let given = 0;
    for (const _ in labels) given++;
    let key = "";
    let exact = given === names.length;
    for (let i = 0; exact && i < names.length; i++) {
      const value: unknown = labels[names[i]!];
      if (typeof value === "string") key += `${value.length}:${value}`;
      else exact = false;
    }
    if (!exact) {
      throw new RangeError(
        `Cannot update metric "${this.name}": labels must be "${
          names.join(",")
        }", got "${Object.keys(labels).join(",")}"`,
      );
    }
    return key;
  }
}

/** A total that only goes up, or resets when its source restarts. */
export class Counter<L extends string = never>
  extends Family<L, { v: number }> {
  readonly type = "counter";

  /** Adds `by`, which must not be negative. */
  inc(labels: Labels<L> = noLabels(), by = 1): void {
    if (!(by >= 0)) {
      throw new RangeError(
        `Cannot increase counter "${this.name}": amount "${by}" is negative`,
      );
    }
    this.stateFor(labels).v += by;
  }

  /**
   * Sets a total read from an outside cumulative source, such as CPU
   * seconds in `/proc`; a lower value means that source restarted.
   */
  set(labels: Labels<L>, total: number): void {
    this.stateFor(labels).v = total;
  }

  value(labels: Labels<L> = noLabels()): number {
    return this.peek(labels)?.v ?? 0;
  }

  protected initial() {
    return { v: 0 };
  }

  protected renderSeries(labels: Labels<L>, state: { v: number }): string {
    return sampleLine(this.name, labels, state.v);
  }
}

/** A value that goes up and down. */
export class Gauge<L extends string = never> extends Family<L, { v: number }> {
  readonly type = "gauge";

  set(labels: Labels<L>, value: number): void {
    this.stateFor(labels).v = value;
  }

  inc(labels: Labels<L> = noLabels(), by = 1): void {
    this.stateFor(labels).v += by;
  }

  dec(labels: Labels<L> = noLabels(), by = 1): void {
    this.stateFor(labels).v -= by;
  }

  value(labels: Labels<L> = noLabels()): number {
    return this.peek(labels)?.v ?? 0;
  }

  protected initial() {
    return { v: 0 };
  }

  protected renderSeries(labels: Labels<L>, state: { v: number }): string {
    return sampleLine(this.name, labels, state.v);
  }
}

interface HistogramState {
  /** Observations per bucket, not cumulative; the last slot is +Inf. */
  counts: number[];
  sum: number;
  count: number;
}

/** Observations counted under fixed upper bounds (`le`). */
export class Histogram<L extends string = never>
  extends Family<L, HistogramState> {
  readonly type = "histogram";
  /** Upper bounds, ascending, without +Inf. */
  readonly buckets: readonly number[];

  constructor(
    name: string,
    help: string,
    labelNames: readonly L[],
    buckets: readonly number[],
  ) {
    super(name, help, labelNames);
    checkBuckets(name, labelNames, buckets);
    this.buckets = [...buckets].sort((a, b) => a - b);
  }

  observe(labels: Labels<L>, value: number): void {
    const state = this.stateFor(labels);
    const index = this.buckets.findIndex((bound) => value <= bound);
    state.counts[index < 0 ? this.buckets.length : index]!++;
    state.sum += value;
    state.count++;
  }

  /** Observations so far for these labels. */
  count(labels: Labels<L> = noLabels()): number {
    return this.peek(labels)?.count ?? 0;
  }

  protected initial(): HistogramState {
    const slots = this.buckets.length + 1;
    return { counts: new Array<number>(slots).fill(0), sum: 0, count: 0 };
  }

  protected renderSeries(labels: Labels<L>, state: HistogramState): string {
    const bucket = `${this.name}_bucket`;
    let out = "";
    let cumulative = 0;
    this.buckets.forEach((bound, i) => {
      cumulative += state.counts[i]!;
      out += sampleLine(bucket, labels, cumulative, formatValue(bound));
    });
    out += sampleLine(bucket, labels, state.count, "+Inf");
    out += sampleLine(`${this.name}_sum`, labels, state.sum);
    out += sampleLine(`${this.name}_count`, labels, state.count);
    return out;
  }
}

/** The families of one exposition, rendered together. */
export class MetricsRegistry {
  #families = new Map<string, RenderedFamily>();

  counter<L extends string = never>(
    name: string,
    help: string,
    labelNames: readonly L[] = [],
  ): Counter<L> {
    return this.#add(new Counter(name, help, labelNames));
  }

  gauge<L extends string = never>(
    name: string,
    help: string,
    labelNames: readonly L[] = [],
  ): Gauge<L> {
    return this.#add(new Gauge(name, help, labelNames));
  }

  histogram<L extends string = never>(
    name: string,
    help: string,
    labelNames: readonly L[],
    buckets: readonly number[],
  ): Histogram<L> {
    return this.#add(new Histogram(name, help, labelNames, buckets));
  }

  /** Every family, sorted by name. */
  families(): MetricFamilyInfo[] {
    return this.#sorted();
  }

  /** The whole exposition, families sorted by name. */
  render(): string {
    return this.#sorted().map((family) => family.render()).join("");
  }

  #sorted(): RenderedFamily[] {
    return [...this.#families.values()].sort((a, b) =>
      a.name < b.name ? -1 : 1
    );
  }

  #add<F extends RenderedFamily>(family: F): F {
    if (this.#families.has(family.name)) {
      throw new RangeError(
        `Cannot register metric "${family.name}": the name is taken`,
      );
    }
    this.#families.set(family.name, family);
    return family;
  }
}

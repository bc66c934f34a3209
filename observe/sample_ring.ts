interface Entry<T> {
  readonly at: number;
  readonly value: T;
}

/**
 * The newest `capacity` values, each stamped with a time in milliseconds;
 * a push past the capacity evicts the oldest. Values are expected in time
 * order, as a sampler produces them.
 */
export class SampleRing<T> {
  #entries: (Entry<T> | undefined)[];
  /** Index of the oldest entry. */
  #head = 0;
  #size = 0;

  constructor(capacity: number) {
    this.#entries = new Array(checkedCapacity(capacity));
  }

  get capacity(): number {
    return this.#entries.length;
  }

  get size(): number {
    return this.#size;
  }

  push(at: number, value: T): void {
    const capacity = this.#entries.length;
    const tail = (this.#head + this.#size) % capacity;
    this.#entries[tail] = { at, value };
    if (this.#size < capacity) this.#size++;
    else this.#head = (this.#head + 1) % capacity;
  }

  /** Changes the capacity, keeping the newest values that still fit. */
  resize(capacity: number): void {
    const kept = this.#ordered().slice(-checkedCapacity(capacity));
    this.#entries = new Array(capacity);
    kept.forEach((entry, i) => this.#entries[i] = entry);
    this.#head = 0;
    this.#size = kept.length;
  }

  /**
   * Values stamped strictly after `ms`, oldest first; all of them when
   * `ms` is null.
   */
  after(ms: number | null): T[] {
    const entries = this.#ordered();
    const newer = ms === null ? entries : entries.filter((e) => e.at > ms);
    return newer.map((entry) => entry.value);
  }

  #ordered(): Entry<T>[] {
    const capacity = this.#entries.length;
    const ordered: Entry<T>[] = [];
    for (let i = 0; i < this.#size; i++) {
      ordered.push(this.#entries[(this.#head + i) % capacity]!);
    }
    return ordered;
  }
}

function checkedCapacity(capacity: number): number {
  if (!Number.isInteger(capacity) || capacity < 1) {
    throw new RangeError(
      `Cannot size a sample ring: capacity "${capacity}" is not a positive integer`,
    );
  }
  return capacity;
}

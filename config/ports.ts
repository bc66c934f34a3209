const encoder = new TextEncoder();

/**
 * Compares two strings by their UTF-8 bytes, the order llama-swap visits
 * models in when it hands out `${PORT}` numbers. (JavaScript's `<` compares
 * UTF-16 code units, which differs for characters outside the BMP.)
 */
export function compareBytes(a: string, b: string): number {
  if (a === b) return 0;
  const left = encoder.encode(a);
  const right = encoder.encode(b);
  const length = Math.min(left.length, right.length);
  for (let i = 0; i < length; i++) {
    const difference = (left[i] ?? 0) - (right[i] ?? 0);
    if (difference !== 0) return difference;
  }
  return left.length - right.length;
}

/**
 * Hands out consecutive port numbers from `startPort`, one per model that
 * asks, in the order the models ask. The loader asks in byte-wise sorted
 * model-ID order and only for models whose `cmd` uses `${PORT}`.
 */
export class PortAllocator {
  #next: number;

  constructor(startPort: number) {
    this.#next = startPort;
  }

  /** The next free number; numbers are not checked for range or use. */
  take(): number {
    return this.#next++;
  }
}

/**
 * Deterministic, readable text for simulated replies.
 *
 * A reply is a sequence of words from a small list, chosen by a seed taken
 * from the prompt, so the same prompt always gets the same reply and token
 * `k` is the same whether the reply is streamed or not.
 */

const WORDS = [
  "the",
  "model",
  "swaps",
  "quietly",
  "while",
  "a",
  "llama",
  "reads",
  "every",
  "token",
  "on",
  "its",
  "own",
  "small",
  "server",
  "and",
  "answers",
  "with",
  "calm",
  "bright",
  "words",
  "about",
  "green",
  "hills",
  "river",
  "stones",
  "gentle",
  "rain",
  "warm",
  "light",
  "over",
  "distant",
] as const;

/** A 32-bit FNV-1a hash of `text`: the seed of the reply to that prompt. */
export function promptSeed(text: string): number {
  let hash = 0x811c9dc5;
  for (const byte of new TextEncoder().encode(text)) {
    hash ^= byte;
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash;
}

/**
 * Token `index` (from 0) of the reply seeded by `seed`. The first token is a
 * bare word; later ones start with a space, so joining tokens gives text.
 */
export function replyToken(seed: number, index: number): string {
  const word = WORDS[mix(seed, index) % WORDS.length]!;
  return index === 0 ? word : ` ${word}`;
}

/** The first `count` tokens of the reply seeded by `seed`. */
export function replyTokens(seed: number, count: number): string[] {
  return Array.from({ length: count }, (_, index) => replyToken(seed, index));
}

/** Counts whitespace-separated words: the simulator's idea of a token. */
export function countTokens(text: string): number {
  const trimmed = text.trim();
  return trimmed === "" ? 0 : trimmed.split(/\s+/).length;
}

/**
 * A deterministic unit vector of `dimensions` numbers for `text`, used as a
 * simulated embedding.
 */
export function embedText(text: string, dimensions = 8): number[] {
  const seed = promptSeed(text);
  const raw = Array.from(
    { length: dimensions },
    (_, i) => (mix(seed, i) % 2001) / 1000 - 1,
  );
  const norm = Math.hypot(...raw) || 1;
  return raw.map((value) => Math.round((value / norm) * 1e6) / 1e6);
}

/** Spreads `seed` and `index` into a well-mixed unsigned 32-bit number. */
function mix(seed: number, index: number): number {
  let x = (seed ^ Math.imul(index + 1, 0x9e3779b1)) >>> 0;
  x = Math.imul(x ^ (x >>> 16), 0x85ebca6b) >>> 0;
  x = Math.imul(x ^ (x >>> 13), 0xc2b2ae35) >>> 0;
  return (x ^ (x >>> 16)) >>> 0;
}

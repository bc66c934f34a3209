/**
 * Deals remarks in an order shuffled once per stream, starting over in the
 * same order after the last one, so no remark repeats before all were shown.
 */
export class RemarkDeck {
  #cards: string[];
  #next = 0;

  /**
   * `random` returns numbers in [0, 1) like `Math.random`; the shuffle is
   * deterministic for a deterministic `random`.
   */
  constructor(remarks: readonly string[], random: () => number) {
    this.#cards = shuffled(remarks, random);
  }

  /** The next remark, or null when the deck was built from an empty list. */
  deal(): string | null {
    const card = this.#cards[this.#next];
    if (card === undefined) return null;

    this.#next = (this.#next + 1) % this.#cards.length;
    return card;
  }
}

/** A Fisher-Yates shuffle of a copy of `items`. */
function shuffled(items: readonly string[], random: () => number): string[] {
  const cards = [...items];
  for (let i = cards.length - 1; i > 0; i--) {
    const j = Math.min(i, Math.floor(random() * (i + 1)));
    const card = cards[i]!;
    cards[i] = cards[j]!;
    cards[j] = card;
  }
  return cards;
}

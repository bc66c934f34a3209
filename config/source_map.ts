/** One replacement made in a text: `length` characters at `start` became `replacement`. */
export interface TextEdit {
  /** Offset in the original text. */
  readonly start: number;
  readonly length: number;
  readonly replacementLength: number;
}

/** A 1-based line and column. */
export interface Position {
  readonly line: number;
  readonly column: number;
}

/**
 * Turns offsets in an edited text back into lines and columns of the text
 * as written, so errors found after `${env.NAME}` substitution still point
 * at the right place in the user's file.
 */
export class SourceMap {
  readonly #lineStarts: number[] = [0];
  readonly #layers: readonly (readonly TextEdit[])[];

  /**
   * Each layer of edits applies to the text the layers before it made (the
   * second `${env.NAME}` pass edits the first pass's output). Within a
   * layer, edits must be sorted by `start` and must not overlap.
   */
  constructor(original: string, ...layers: (readonly TextEdit[])[]) {
    for (let i = 0; i < original.length; i++) {
      if (original[i] === "\n") this.#lineStarts.push(i + 1);
    }
    this.#layers = layers;
  }

  /** Position in the original text of `offset` in the edited text. */
  locate(offset: number): Position {
    const original = this.#toOriginal(offset);
    let low = 0;
    let high = this.#lineStarts.length - 1;
    while (low < high) {
      const middle = (low + high + 1) >> 1;
      if ((this.#lineStarts[middle] ?? 0) <= original) low = middle;
      else high = middle - 1;
    }
    const lineStart = this.#lineStarts[low] ?? 0;
    return { line: low + 1, column: original - lineStart + 1 };
  }

  #toOriginal(offset: number): number {
    let result = offset;
    for (let i = this.#layers.length - 1; i >= 0; i--) {
      result = beforeEdits(result, this.#layers[i]!);
    }
    return result;
  }
}

/** The offset before `edits` of `offset` in the text after them. */
function beforeEdits(offset: number, edits: readonly TextEdit[]): number {
  let shift = 0;
  for (const edit of edits) {
    const editedStart = edit.start + shift;
    if (offset < editedStart) break;
    if (offset < editedStart + edit.replacementLength) return edit.start;
    shift += edit.replacementLength - edit.length;
  }
  return Math.max(0, offset - shift);
}

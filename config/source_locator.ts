import type { SourceMap } from "./source_map.ts";

/** Where an offset of the loaded text was written. */
export interface SourcePosition {
  readonly file: string;
  /** 1-based. */
  readonly line: number;
  /** 1-based. */
  readonly column: number;
}

interface Source {
  readonly file: string;
  readonly base: number;
  readonly map: SourceMap;
}

/**
 * Places several config files on one line of offsets, so the nodes of a
 * document merged from them carry unique positions, and turns such an
 * offset back into a file, line and column.
 */
export class SourceLocator {
  readonly #sources: Source[] = [];
  #end = 0;

  /** A locator of one file whose offsets start at 0. */
  static of(file: string, map: SourceMap): SourceLocator {
    const locator = new SourceLocator();
    locator.add(file, map, 0);
    return locator;
  }

  /**
   * Registers the next file, whose text as parsed is `length` characters
   * long; returns the base to add to its offsets.
   */
  add(file: string, map: SourceMap, length: number): number {
    const base = this.#end;
    this.#sources.push({ file, base, map });
    this.#end = base + length + 1;
    return base;
  }

  /** The file, line and column of `offset`; offsets before any file are in the first. */
  locate(offset: number): SourcePosition {
    let source = this.#sources[0];
    for (const candidate of this.#sources) {
      if (candidate.base > offset) break;
      source = candidate;
    }
    if (source === undefined) return { file: "", line: 0, column: 0 };
    const { line, column } = source.map.locate(offset - source.base);
    return { file: source.file, line, column };
  }
}

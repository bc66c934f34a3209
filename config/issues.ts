import type { ConfigError } from "./errors.ts";
import type { SourceMap } from "./source_map.ts";

interface Finding {
  readonly offset: number;
  readonly path: string;
  readonly message: string;
}

/**
 * Collects the errors and warnings of one load, each at an offset of the
 * text the YAML parser saw. Every stage reports here instead of throwing, so
 * one pass can show all the problems of a file.
 */
export class Issues {
  readonly #errors: Finding[] = [];
  readonly #warnings: Finding[] = [];
  readonly #flagged = new Set<string>();

  /**
   * Records an error at `offset` for the key path `path`. Only the first
   * error for one node and path is kept: a value that is already wrong
   * (an unknown macro, say) is not reported again for its type.
   */
  error(offset: number, path: string, message: string): void {
    const node = `${offset} ${path}`;
    if (this.#flagged.has(node)) return;
    this.#flagged.add(node);
    this.#errors.push({ offset, path, message });
  }

  /** Records something that still loads but deserves the operator's eye. */
  warn(offset: number, path: string, message: string): void {
    this.#warnings.push({ offset, path, message });
  }

  get errorCount(): number {
    return this.#errors.length;
  }

  /** Errors sorted by position in the file (stable for equal positions). */
  errors(file: string, map: SourceMap): ConfigError[] {
    return sortFindings(this.#errors).map((finding) => {
      const { line, column } = map.locate(finding.offset);
      return {
        file,
        line,
        column,
        path: finding.path,
        message: finding.message,
      };
    });
  }

  /** Warnings in file order, rendered like errors. */
  warnings(file: string, map: SourceMap): ConfigError[] {
    return sortFindings(this.#warnings).map((finding) => {
      const { line, column } = map.locate(finding.offset);
      return {
        file,
        line,
        column,
        path: finding.path,
        message: finding.message,
      };
    });
  }
}

function sortFindings(findings: readonly Finding[]): Finding[] {
  return [...findings].sort((a, b) => a.offset - b.offset);
}

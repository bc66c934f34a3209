import type { ConfigError } from "./errors.ts";
import type { SourceLocator } from "./source_locator.ts";

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

  /**
   * Errors sorted by position, files in load order (stable for equal
   * positions).
   */
  errors(locator: SourceLocator): ConfigError[] {
    return located(this.#errors, locator);
  }

  /** Warnings in file order, rendered like errors. */
  warnings(locator: SourceLocator): ConfigError[] {
    return located(this.#warnings, locator);
  }
}

function located(
  findings: readonly Finding[],
  locator: SourceLocator,
): ConfigError[] {
  const sorted = [...findings].sort((a, b) => a.offset - b.offset);
  return sorted.map((finding) => ({
    ...locator.locate(finding.offset),
    path: finding.path,
    message: finding.message,
  }));
}

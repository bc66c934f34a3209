import { stripCommentLines } from "../config/mod.ts";
/**
 * Turns a `cmd` or `cmdStop` string from the config into an argv.
 *
 * No shell is involved: the program named first is executed directly, so
 * pipes, redirections, globbing and `$VAR` expansion have no meaning here.
 */

/** How quotes and backslashes are read: POSIX shell words or MS C runtime. */
export type CommandDialect = "posix" | "windows";

/** The dialect of the platform we run on. */
export const hostDialect: CommandDialect = Deno.build.os === "windows"
  ? "windows"
  : "posix";

/**
 * Splits a command string into arguments.
 *
 * Whole-line `#` comments are dropped and a line ending in `\` continues on
 * the next one, then the text is split by `dialect` rules. An unterminated
 * quote is not an error: the rest of the text joins that argument.
 *
 * @throws {Error} `empty command` when no argument is left.
 */
export function splitCommand(
  text: string,
  dialect: CommandDialect = hostDialect,
): string[] {
  const prepared = joinContinuedLines(stripCommentLines(text));
  const args = dialect === "windows"
    ? splitWindowsWords(prepared)
    : splitPosixWords(prepared);
  if (args.length === 0) throw new Error("empty command");
  return args;
}

/** Replaces a trailing `\` on a line with a space, joining it to the next. */
function joinContinuedLines(text: string): string {
  return text
    .split("\n")
    .map((line) => {
      const trimmed = line.trim();
      return trimmed.endsWith("\\") ? `${trimmed.slice(0, -1)} ` : line;
    })
    .join("\n");
}

const POSIX_SEPARATORS = new Set([" ", "\t", "\n"]);
const WINDOWS_SEPARATORS = new Set([" ", "\t", "\n", "\r"]);
/** Characters a backslash escapes inside POSIX double quotes. */
const DOUBLE_QUOTE_ESCAPES = new Set(["$", "`", '"', "\\", "\n"]);

/** Collects characters into words; `""` still makes an (empty) word. */
class WordCollector {
  readonly words: string[] = [];
  #current = "";
  #open = false;

  /** Marks that a word exists even if nothing is appended (`""`). */
  open(): void {
    this.#open = true;
  }

  append(text: string): void {
    this.#current += text;
    this.#open = true;
  }

  /** Ends the word in progress, if any. */
  close(): void {
    if (this.#open) this.words.push(this.#current);
    this.#current = "";
    this.#open = false;
  }
}

/** POSIX shell-word rules without expansion of any kind. */
function splitPosixWords(text: string): string[] {
  const out = new WordCollector();
  let quote: "'" | '"' | null = null;

  for (let i = 0; i < text.length; i++) {
    const char = text[i]!;
    const next = text[i + 1];

    if (quote === "'") {
      if (char === "'") quote = null;
      else out.append(char);
    } else if (quote === '"') {
      if (char === '"') {
        quote = null;
      } else if (char === "\\" && DOUBLE_QUOTE_ESCAPES.has(next ?? "")) {
        if (next !== "\n") out.append(next!);
        i++;
      } else {
        out.append(char);
      }
    } else if (POSIX_SEPARATORS.has(char)) {
      out.close();
    } else if (char === "'" || char === '"') {
      quote = char;
      out.open();
    } else if (char === "\\" && next !== undefined) {
      if (next !== "\n") out.append(next);
      i++;
    } else {
      out.append(char);
    }
  }

  out.close();
  return out.words;
}

/**
 * MS C runtime rules: 2n backslashes before `"` give n backslashes and the
 * quote toggles quoting, 2n+1 give n backslashes and a literal `"`; other
 * backslashes are literal; `""` inside quotes is a literal `"` and quoting
 * continues.
 */
function splitWindowsWords(text: string): string[] {
  const out = new WordCollector();
  let quoted = false;

  for (let i = 0; i < text.length; i++) {
    const char = text[i]!;

    if (char === "\\") {
      let count = 1;
      while (text[i + count] === "\\") count++;
      i += count - 1;
      if (text[i + 1] !== '"') {
        out.append("\\".repeat(count));
        continue;
      }
      out.append("\\".repeat(Math.floor(count / 2)));
      if (count % 2 === 1) {
        out.append('"');
        i++;
      }
    } else if (char === '"') {
      if (quoted && text[i + 1] === '"') {
        out.append('"');
        i++;
      } else {
        quoted = !quoted;
        out.open();
      }
    } else if (!quoted && WINDOWS_SEPARATORS.has(char)) {
      out.close();
    } else {
      out.append(char);
    }
  }

  out.close();
  return out.words;
}

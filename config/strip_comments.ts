/**
 * Removes the full-line `#` comments from a multi-line command, as the loader
 * does for `cmd` and `cmdStop` before expanding macros: every line whose text
 * starts with `#` after leading whitespace goes, blank lines and a `#` after
 * other text stay. A command made only of comments becomes "".
 */
export function stripCommentLines(cmd: string): string {
  return cmd
    .split("\n")
    .filter((line) => !line.trimStart().startsWith("#"))
    .join("\n");
}

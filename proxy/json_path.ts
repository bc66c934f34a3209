/**
 * Dot paths into JSON, as `stripParams` and `setParams` keys use them:
 * `a.b` addresses key `b` inside object `a`, `\.` is a literal dot, and a
 * numeric segment indexes an array that already exists there (see
 * `json_edit.ts` for what setting and deleting do with them).
 */

/** Splits `a.b\.c` into `["a", "b.c"]`. */
export function splitPath(path: string): string[] {
  const parts: string[] = [];
  let current = "";
  for (let i = 0; i < path.length; i++) {
    const ch = path[i]!;
    if (ch === "\\" && i + 1 < path.length) {
      current += path[++i]!;
    } else if (ch === ".") {
      parts.push(current);
      current = "";
    } else {
      current += ch;
    }
  }
  parts.push(current);
  return parts;
}

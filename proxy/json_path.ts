/**
 * Dot paths into parsed JSON, as `stripParams` and `setParams` keys use
 * them: `a.b` addresses key `b` inside object `a`, `\.` is a literal dot,
 * and a numeric segment indexes an array that already exists there.
 * Missing intermediate keys are created as objects.
 */

type Container = Record<string, unknown> | unknown[];

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

/** Sets `value` at `path` in `root`, creating objects on the way. */
export function setPath(
  root: Record<string, unknown>,
  path: string,
  value: unknown,
): void {
  const keys = splitPath(path);
  const last = keys.pop()!;
  let node: Container = root;
  for (const key of keys) {
    const next = read(node, key);
    if (isContainer(next)) {
      node = next;
    } else {
      const created: Record<string, unknown> = {};
      write(node, key, created);
      node = created;
    }
  }
  write(node, last, value);
}

/** Removes whatever is at `path`; a missing path changes nothing. */
export function deletePath(root: Record<string, unknown>, path: string): void {
  const keys = splitPath(path);
  const last = keys.pop()!;
  let node: unknown = root;
  for (const key of keys) {
    if (!isContainer(node)) return;
    node = read(node, key);
  }
  if (Array.isArray(node)) {
    const index = arrayIndex(last);
    if (index !== null && index < node.length) node.splice(index, 1);
  } else if (isContainer(node)) {
    delete (node as Record<string, unknown>)[last];
  }
}

function isContainer(value: unknown): value is Container {
  return typeof value === "object" && value !== null;
}

function read(node: Container, key: string): unknown {
  if (Array.isArray(node)) {
    const index = arrayIndex(key);
    return index === null ? undefined : node[index];
  }
  return Object.hasOwn(node, key) ? node[key] : undefined;
}

function write(node: Container, key: string, value: unknown): void {
  if (Array.isArray(node)) {
    const index = arrayIndex(key);
    if (index !== null && index <= node.length) node[index] = value;
    return;
  }
  // defineProperty, so a key such as `__proto__` stays a plain own key.
  Object.defineProperty(node, key, {
    value,
    writable: true,
    enumerable: true,
    configurable: true,
  });
}

function arrayIndex(key: string): number | null {
  return /^(0|[1-9]\d*)$/.test(key) ? Number(key) : null;
}

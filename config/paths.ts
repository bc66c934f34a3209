const PLAIN_KEY_REGEXP = /^[^\s.[\]"]+$/;

/**
 * The path of `key` inside the mapping at `parent`: `models.qwen`. Keys that
 * would make the path ambiguous (dots, brackets, spaces, "") are quoted.
 */
export function childPath(parent: string, key: string): string {
  const part = PLAIN_KEY_REGEXP.test(key) ? key : JSON.stringify(key);
  return parent === "" ? part : `${parent}.${part}`;
}

/** The path of item `index` of the list at `parent`: `apiKeys[1]`. */
export function indexPath(parent: string, index: number): string {
  return `${parent}[${index}]`;
}

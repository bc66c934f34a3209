/**
 * Edits of JSON text that leave every byte they do not edit alone: a
 * client's `12345678901234567890`, `1.0` or `1e400` reaches the upstream
 * as it was written, where parsing and serialising again would round the
 * first, shorten the second and turn the third into `null`. Key order,
 * spacing and escapes outside the edited members are kept too.
 *
 * Paths are split already (`splitPath()`): each key addresses a member of
 * an object, or, when it is a decimal index, an element of an array that
 * is there. The text must be valid JSON (the proxy parsed it first); the
 * scanner does not check it again.
 */

/** A value's place in the text: `text.slice(start, end)` is the value. */
interface Span {
  readonly start: number;
  readonly end: number;
}

/** One object member: where its key starts and where its value lies. */
interface Member {
  readonly key: string;
  readonly keyStart: number;
  readonly value: Span;
}

/**
 * `text` with `json` (a serialised value) at `keys`: an existing value is
 * replaced; a missing key is added at the end of its object, with objects
 * created for the keys after it; a scalar standing in the way is replaced
 * by such objects. An array index past the end of the array, or a key
 * that is not an index into an array, changes nothing.
 */
export function setInText(text: string, keys: string[], json: string): string {
  return setAt(text, valueAt(text, 0), keys, json);
}

/** `text` without the value at `keys`; a missing path changes nothing. */
export function deleteInText(text: string, keys: string[]): string {
  return deleteAt(text, valueAt(text, 0), keys);
}

function setAt(text: string, at: Span, keys: string[], json: string): string {
  const [key, ...rest] = keys;
  if (key === undefined) return splice(text, at.start, at.end, json);
  const open = text[at.start];
  if (open === "{") {
    const { members, close } = objectMembers(text, at.start);
    const found = members.findLast((member) => member.key === key);
    if (found) return setAt(text, found.value, rest, json);
    const last = members.at(-1);
    const member = `${JSON.stringify(key)}:${nested(rest, json)}`;
    return last
      ? splice(text, last.value.end, last.value.end, `,${member}`)
      : splice(text, at.start + 1, close, member);
  }
  if (open === "[") {
    const index = arrayIndex(key);
    if (index === null) return text;
    const { elements, close } = arrayElements(text, at.start);
    const element = elements[index];
    if (element) return setAt(text, element, rest, json);
    if (index !== elements.length) return text;
    const last = elements.at(-1);
    return last
      ? splice(text, last.end, last.end, `,${nested(rest, json)}`)
      : splice(text, at.start + 1, close, nested(rest, json));
  }
  return splice(text, at.start, at.end, nested(keys, json));
}

function deleteAt(text: string, at: Span, keys: string[]): string {
  const [key, ...rest] = keys;
  if (key === undefined) return text;
  const open = text[at.start];
  if (open === "{") {
    const { members } = objectMembers(text, at.start);
    if (rest.length > 0) {
      const found = members.findLast((member) => member.key === key);
      return found ? deleteAt(text, found.value, rest) : text;
    }
    // Every member of that name goes (a parser keeps the last of several).
    return withoutMembers(text, members, key);
  }
  if (open === "[") {
    const index = arrayIndex(key);
    const { elements } = arrayElements(text, at.start);
    const element = index === null ? undefined : elements[index];
    if (!element) return text;
    if (rest.length > 0) return deleteAt(text, element, rest);
    return removeEntry(text, elements, index!);
  }
  return text;
}

/**
 * `text` without every member of `members` (those of one object, in
 * order) named `key`, in one pass however many there are: each member
 * kept keeps the separator that stood before it, and the text before the
 * first member and after the last stays as it was.
 */
function withoutMembers(
  text: string,
  members: readonly Member[],
  key: string,
): string {
  if (!members.some((member) => member.key === key)) return text;
  let out = text.slice(0, members[0]!.keyStart);
  let first = true;
  members.forEach((member, index) => {
    if (member.key === key) return;
    if (!first) {
      out += text.slice(members[index - 1]!.value.end, member.keyStart);
    }
    out += text.slice(member.keyStart, member.value.end);
    first = false;
  });
  return out + text.slice(members.at(-1)!.value.end);
}

/**
 * Removes entry `index` of `spans` (the entries of one object or array, in
 * order) with one comma: the one after it, or for the last entry the one
 * before it.
 */
function removeEntry(
  text: string,
  spans: readonly Span[],
  index: number,
): string {
  const span = spans[index]!;
  const next = spans[index + 1];
  if (next) return splice(text, span.start, next.start, "");
  const previous = spans[index - 1];
  if (previous) return splice(text, previous.end, span.end, "");
  return splice(text, span.start, span.end, "");
}

/** The JSON for `json` placed under `keys`, as objects: `{"a":{"b":1}}`. */
function nested(keys: readonly string[], json: string): string {
  let out = json;
  for (const key of keys.toReversed()) out = `{${JSON.stringify(key)}:${out}}`;
  return out;
}

function splice(text: string, start: number, end: number, insert: string) {
  return text.slice(0, start) + insert + text.slice(end);
}

function arrayIndex(key: string): number | null {
  return /^(0|[1-9]\d*)$/.test(key) ? Number(key) : null;
}

/** The members of the object whose `{` is at `open`, and its `}`. */
function objectMembers(
  text: string,
  open: number,
): { members: Member[]; close: number } {
  const members: Member[] = [];
  let at = skipSpace(text, open + 1);
  while (text[at] !== "}") {
    const keyEnd = stringEnd(text, at);
    const key = JSON.parse(text.slice(at, keyEnd)) as string;
    const colon = skipSpace(text, keyEnd);
    const value = valueAt(text, colon + 1);
    members.push({ key, keyStart: at, value });
    at = skipSpace(text, value.end);
    if (text[at] === ",") at = skipSpace(text, at + 1);
  }
  return { members, close: at };
}

/** The elements of the array whose `[` is at `open`, and its `]`. */
function arrayElements(
  text: string,
  open: number,
): { elements: Span[]; close: number } {
  const elements: Span[] = [];
  let at = skipSpace(text, open + 1);
  while (text[at] !== "]") {
    const value = valueAt(text, at);
    elements.push(value);
    at = skipSpace(text, value.end);
    if (text[at] === ",") at = skipSpace(text, at + 1);
  }
  return { elements, close: at };
}

/** The value that starts at `from` or after the whitespace there. */
function valueAt(text: string, from: number): Span {
  const start = skipSpace(text, from);
  return { start, end: valueEnd(text, start) };
}

function valueEnd(text: string, start: number): number {
  const first = text[start];
  if (first === '"') return stringEnd(text, start);
  if (first !== "{" && first !== "[") {
    let at = start;
    while (at < text.length && !SCALAR_END.has(text[at]!)) at++;
    return at;
  }
  let depth = 0;
  for (let at = start; at < text.length; at++) {
    const ch = text[at];
    if (ch === '"') {
      at = stringEnd(text, at) - 1;
    } else if (ch === "{" || ch === "[") {
      depth++;
    } else if ((ch === "}" || ch === "]") && --depth === 0) {
      return at + 1;
    }
  }
  return text.length;
}

const SCALAR_END = new Set([",", "}", "]", " ", "\t", "\n", "\r"]);

/** Just past the closing quote of the string whose `"` is at `open`. */
function stringEnd(text: string, open: number): number {
  let at = open + 1;
  for (;;) {
    const quote = text.indexOf('"', at);
    if (quote < 0) return text.length;
    let backslashes = 0;
    while (text[quote - 1 - backslashes] === "\\") backslashes++;
    if (backslashes % 2 === 0) return quote + 1;
    at = quote + 1;
  }
}

function skipSpace(text: string, from: number): number {
  let at = from;
  while (at < text.length && SPACE.has(text[at]!)) at++;
  return at;
}

const SPACE = new Set([" ", "\t", "\n", "\r"]);

import assert from "node:assert/strict";
import { translateRe2 } from "./re2_pattern.ts";
import { Re2SyntaxError } from "./re2_syntax_error.ts";

/** The translation of `pattern`, compiled. */
function re2(pattern: string): RegExp {
  return new RegExp(translateRe2(pattern));
}

/** Asserts what `pattern` matches and does not match. */
function assertMatches(
  pattern: string,
  matching: readonly string[],
  other: readonly string[],
): void {
  const regexp = re2(pattern);
  for (const text of matching) {
    assert.ok(
      regexp.test(text),
      `${pattern} should match ${JSON.stringify(text)}`,
    );
  }
  for (const text of other) {
    assert.ok(
      !regexp.test(text),
      `${pattern} should not match ${JSON.stringify(text)}`,
    );
  }
}

/** Asserts `pattern` is refused with a message containing `part` at `offset`. */
function assertRefused(pattern: string, part: string, offset?: number): void {
  assert.throws(
    () => translateRe2(pattern),
    (error) => {
      assert.ok(error instanceof Re2SyntaxError, String(error));
      assert.ok(error.message.includes(part), `${pattern}: ${error.message}`);
      if (offset !== undefined) assert.equal(error.offset, offset, pattern);
      return true;
    },
  );
}

Deno.test("translateRe2() keeps llama-swap's default pattern's meaning", () => {
  assertMatches(
    String.raw`.*\.(js|json|css|png|gif|jpg|jpeg|ico|txt)$`,
    ["/foo.js", "/bar/baz.json", "/static/img.png", "/favicon.ico"],
    ["/v1/chat/completions", "/v1/models", "/health", "/a.js\n"],
  );
});

Deno.test("translateRe2() applies a leading (?i) to every alternative", () => {
  assertMatches("(?i)^/STATIC/|^/ASSETS/", ["/static/a", "/Assets/b"], [
    "/other",
  ]);
  assert.equal(translateRe2("(?i)a|b"), "(?i:a)|(?i:b)");
});

Deno.test("translateRe2() scopes inline flags to their group, as RE2 does", () => {
  assertMatches("a(?i)b|c", ["ab", "aB", "C"], ["Ab"]);
  assertMatches("(x(?i)y)z", ["xYz"], ["xYZ", "XYz"]);
  assertMatches("(?i:a)b", ["Ab"], ["AB"]);
  assertMatches("(?i)a(?-i)b", ["Ab"], ["AB"]);
  assertMatches("(?i)a(?-i:b)c", ["AbC"], ["ABC"]);
});

Deno.test("translateRe2() gives (?s) and (?m) RE2's meaning", () => {
  assertMatches("^a.b$", ["a\rb"], ["a\nb"]);
  assertMatches("(?s)^a.b$", ["a\nb", "a\rb"], []);
  assertMatches("(?m)^b$", ["a\nb\nc"], ["a\rb\rc", "ab"]);
  assertMatches("^b$", ["b"], ["a\nb"]);
});

Deno.test("translateRe2() swaps greediness under (?U)", () => {
  const lazy = re2("(?U)a+");
  const greedy = re2("(?U)a+?");

  assert.equal(lazy.exec("aaa")?.[0], "a");
  assert.equal(greedy.exec("aaa")?.[0], "aaa");
  assert.equal(re2("(?U)a{1,3}").exec("aaa")?.[0], "a");
  assert.equal(re2("a{1,3}?").exec("aaa")?.[0], "a");
});

Deno.test("translateRe2() reads named groups, \\A, \\z and \\Q...\\E", () => {
  assertMatches("^/(?P<kind>img|css)/", ["/img/a"], ["/js/a"]);
  assertMatches("^/(?<kind>img)/", ["/img/a"], []);
  assertMatches(String.raw`\A/ws\z`, ["/ws"], ["/ws/", "x/ws"]);
  assertMatches(String.raw`\Qa.b*\E+`, ["a.b*", "a.b**"], ["axb", "a.b"]);
  assertMatches(String.raw`\A*x`, ["x"], []);
});

Deno.test("translateRe2() expands POSIX classes inside brackets", () => {
  assertMatches("^[[:alpha:]]+$", ["abcXYZ"], ["abc1", ""]);
  assertMatches("^[[:digit:][:upper:]_]+$", ["A1_"], ["a"]);
  assertMatches("^[[:^space:]]+$", ["a-b"], ["a b", "a\tb"]);
  assertMatches("^[^[:punct:]]$", ["a"], ["!", "~"]);
  assertMatches("^[[:xdigit:]]+$", ["09afAF"], ["g"]);
  assertMatches("^[:alpha:]$", [":", "a", "l"], ["b"]);
});

Deno.test("translateRe2() keeps RE2's class and escape details", () => {
  assertMatches("^[]a]+$", ["]a]"], ["b"]);
  assertMatches("^[^]a]$", ["b"], ["]", "a"]);
  assertMatches(String.raw`^[\d-z]+$`, ["1-z"], ["y"]);
  assertMatches(String.raw`^\s$`, [" ", "\t", "\n"], ["\v", "\u00a0"]);
  assertMatches(String.raw`^[\S]$`, ["a"], [" ", "\r"]);
  assertMatches(String.raw`^\x41\101\x{42}\a$`, ["AAB\x07"], []);
  assertMatches(String.raw`^\x{1F600}+$`, ["😀😀"], ["😀\ude00"]);
  assertMatches("^a{2}$", ["aa"], ["a", "aaa"]);
  assertMatches("^a{01}$", ["a{01}"], ["a"]);
  assertMatches("^x{,3}$", ["x{,3}"], ["xxx"]);
  assertMatches(String.raw`^\.\+\{$`, [".+{"], []);
});

Deno.test("translateRe2() refuses lookaround and backreferences, which RE2 lacks", () => {
  assertRefused("^/(?=api)", 'lookahead "(?="', 2);
  assertRefused("(?!api)", 'lookahead "(?!"', 0);
  assertRefused("x(?<=a)", 'lookbehind "(?<="', 1);
  assertRefused("(?<!a)", 'lookbehind "(?<!"', 0);
  assertRefused(String.raw`(a)\1`, String.raw`backreference "\1"`, 3);
  assertRefused(String.raw`(a)\9`, String.raw`backreference "\9"`);
  assertRefused("(?P<n>a)(?P=n)", 'backreference "(?P="');
});

Deno.test("translateRe2() refuses what RE2 refuses", () => {
  assertRefused(String.raw`\e`, String.raw`invalid escape sequence "\e"`);
  assertRefused(String.raw`\Z`, String.raw`invalid escape sequence "\Z"`);
  assertRefused(String.raw`[\b]`, String.raw`invalid escape sequence "\b"`);
  assertRefused(String.raw`\pL`, String.raw`Unicode class "\p"`);
  assertRefused(String.raw`\C`, String.raw`invalid escape sequence "\C"`);
  assertRefused("a{1001}", 'invalid repeat count "{1001}"');
  assertRefused("a{3,2}", 'invalid repeat count "{3,2}"');
  assertRefused("(a{500}){3}", 'invalid repeat count "{3}"');
  assertRefused("((a{10}b){10}c){11}", 'invalid repeat count "{11}"');
  assertRefused("(a{2,}){501}", 'invalid repeat count "{501}"');
  assertRefused("[z-a]", 'invalid character class range "z-a"');
  assertRefused("[[:word1:]]", 'invalid character class range "[:word1:]"');
  assertRefused("(?x)a", 'invalid or unsupported Perl syntax "(?x"');
  assertRefused("(?i-)a", 'invalid or unsupported Perl syntax "(?i-)"');
  assertRefused("(?P<>a)", 'invalid named capture "(?P<>"');
  assertRefused("(?P<n>a)(?<n>b)", 'duplicate capture group name "n"');
  assertRefused("(a", "missing closing )", 0);
  assertRefused("a)", "unexpected )", 1);
  assertRefused("[a", "missing closing ]", 0);
  assertRefused("a\\", "trailing backslash", 1);
  assertRefused("a**", "nothing to repeat");
  assertRefused("*a", "nothing to repeat");
  assertRefused("[\u{1F600}]", "above U+FFFF");
});

Deno.test("translateRe2() accepts nested repeats whose counts multiply to 1000 at most", () => {
  assertMatches("(a{10}){100}", ["a".repeat(1000)], ["a".repeat(999)]);
  assertMatches(
    "(a{500})(b{2})*x{1000}",
    ["a".repeat(500) + "x".repeat(1000)],
    [],
  );
  assertMatches("(a{0}){1000}b", ["b"], []);
});

Deno.test("translateRe2() refuses a repeat right after an inline flag group, and keeps a literal brace there", () => {
  assertRefused("a+(?s)?", "a repeat cannot follow an inline flag group", 6);
  assertRefused("^a{2}(?m)?$", "a repeat cannot follow an inline flag group");
  assertRefused("x*(?i)+", "a repeat cannot follow an inline flag group");
  assertRefused("ab(?i){2}", "a repeat cannot follow an inline flag group");
  assertMatches("(?i){x}", ["{X}"], ["x"]);
  assertMatches("a(?i)b+", ["aBBB"], ["AB"]);
});

Deno.test("translateRe2() answers random patterns with a compiling source or a Re2SyntaxError", () => {
  const pieces = [
    "a",
    "B",
    ".",
    "^",
    "$",
    "|",
    "(",
    ")",
    "[",
    "]",
    "^",
    "-",
    "*",
    "+",
    "?",
    "{",
    "}",
    "2",
    ",",
    "\\",
    "d",
    "s",
    "S",
    "A",
    "z",
    "Q",
    "E",
    "x",
    "P",
    "<",
    ">",
    "=",
    "!",
    "i",
    "U",
    "m",
    ":",
    "[:alpha:]",
    "0",
    "7",
    "😀",
    "\n",
  ];
  let seed = 7;
  const next = () => {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    return seed;
  };

  for (let round = 0; round < 3_000; round++) {
    let pattern = "";
    const length = next() % 12;
    for (let i = 0; i < length; i++) pattern += pieces[next() % pieces.length];
    try {
      new RegExp(translateRe2(pattern));
    } catch (error) {
      assert.ok(error instanceof Re2SyntaxError, `${pattern}: ${error}`);
    }
  }
});

Deno.test("translateRe2() starts a leading .* without top-level alternation at a line start, in linear time, with the same meaning", () => {
  const pattern = String.raw`.*\.(js|css)$`;
  assert.equal(translateRe2(pattern), String.raw`(?<![^\n])[^\n]*\.(js|css)$`);
  assert.equal(
    translateRe2(String.raw`.*\.js$|foo`),
    String.raw`[^\n]*\.js$|foo`,
  );
  assert.equal(translateRe2("(?s).*x"), String.raw`[\s\S]*x`);
  assert.equal(translateRe2(String.raw`\.map$`), String.raw`\.map$`);

  // An %0A in a path is decoded before matching: a later line still counts.
  assertMatches(pattern, ["/foo\nbar.js", "a\n\nb.css"], ["/foo.js\nbar"]);
  assertMatches("(?m).*^b", ["a\nb"], ["a\nc"]);

  // 16,384 dots and no match: without the line start this takes a second.
  const path = "/" + "a.".repeat(16_384);
  assert.equal(re2(pattern).test(path), false);
  assert.equal(re2(pattern).test(`${path}x.css`), true);
});

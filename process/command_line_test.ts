import { deepStrictEqual, throws } from "node:assert/strict";
import { splitCommand } from "./command_line.ts";

const MIXED_COMMAND = [
  "python model1.py \\",
  '-a "double quotes" \\',
  "--arg2 'single quotes'",
  "-s",
  "# comment",
  "--arg3 123 \\",
  "",
  "  # comment",
  "--arg4 '\"string in string\"'",
  "-c \"'single quoted'\"",
].join("\n");

Deno.test("splitCommand() reads a commented multi-line command as POSIX words", () => {
  const args = splitCommand(MIXED_COMMAND, "posix");

  deepStrictEqual(args, [
    "python",
    "model1.py",
    "-a",
    "double quotes",
    "--arg2",
    "single quotes",
    "-s",
    "--arg3",
    "123",
    "--arg4",
    '"string in string"',
    "-c",
    "'single quoted'",
  ]);
});

Deno.test("splitCommand() treats single quotes as ordinary text in the Windows dialect", () => {
  const args = splitCommand(MIXED_COMMAND, "windows");

  deepStrictEqual(args, [
    "python",
    "model1.py",
    "-a",
    "double quotes",
    "--arg2",
    "'single",
    "quotes'",
    "-s",
    "--arg3",
    "123",
    "--arg4",
    "'string in string'",
    "-c",
    "'single quoted'",
  ]);
});

Deno.test("splitCommand() throws on an empty command in both dialects", () => {
  for (const dialect of ["posix", "windows"] as const) {
    throws(() => splitCommand("", dialect), { message: "empty command" });
    throws(() => splitCommand(" \n\t ", dialect), { message: "empty command" });
    throws(() => splitCommand("# only a comment\n  # another", dialect), {
      message: "empty command",
    });
  }
});

Deno.test("splitCommand() joins lines that end in a backslash", () => {
  const text = "python model1.py \\\n--arg1 value1 \\\n--arg2 value2";

  const args = splitCommand(text, "posix");

  deepStrictEqual(args, [
    "python",
    "model1.py",
    "--arg1",
    "value1",
    "--arg2",
    "value2",
  ]);
});

Deno.test("splitCommand() keeps a # after other text as part of an argument", () => {
  const args = splitCommand("server --tag a#b # not a comment", "posix");

  deepStrictEqual(args, ["server", "--tag", "a#b", "#", "not", "a", "comment"]);
});

Deno.test("splitCommand() joins quoted and unquoted pieces into one argument", () => {
  const args = splitCommand(`--a="x y" pre'mid'"end"`, "posix");

  deepStrictEqual(args, ["--a=x y", "premidend"]);
});

Deno.test("splitCommand() turns an empty quoted string into an empty argument", () => {
  deepStrictEqual(splitCommand(`run "" ''`, "posix"), ["run", "", ""]);
  deepStrictEqual(splitCommand(`run ""`, "windows"), ["run", ""]);
});

Deno.test("splitCommand() lets an unterminated quote take the rest of the text", () => {
  deepStrictEqual(splitCommand(`echo "a b  c`, "posix"), ["echo", "a b  c"]);
  deepStrictEqual(splitCommand(`echo 'a "b`, "posix"), ["echo", 'a "b']);
  deepStrictEqual(splitCommand(`echo "a b`, "windows"), ["echo", "a b"]);
});

Deno.test("splitCommand() keeps everything literal inside POSIX single quotes", () => {
  const args = splitCommand(`say 'a\\b $HOME "q"'`, "posix");

  deepStrictEqual(args, ["say", 'a\\b $HOME "q"']);
});

Deno.test('splitCommand() escapes only $ ` " \\ and newline inside POSIX double quotes', () => {
  const args = splitCommand(
    `say "\\$x \\\`y\\\` \\"q\\" \\\\ \\n \\a"`,
    "posix",
  );

  deepStrictEqual(args, ["say", '$x `y` "q" \\ \\n \\a']);
});

Deno.test("splitCommand() makes the next character literal after a POSIX backslash", () => {
  const args = splitCommand(`say a\\ b \\"c\\' d\\e`, "posix");

  deepStrictEqual(args, ["say", "a b", `"c'`, "de"]);
});

Deno.test("splitCommand() separates on tab and newline but not carriage return in POSIX", () => {
  const args = splitCommand("a\tb\nc\rd", "posix");

  deepStrictEqual(args, ["a", "b", "c\rd"]);
});

Deno.test("splitCommand() separates on carriage return in the Windows dialect", () => {
  const args = splitCommand("a\r\nb c", "windows");

  deepStrictEqual(args, ["a", "b", "c"]);
});

Deno.test("splitCommand() follows the MS C runtime backslash rules", () => {
  const cases: [string, string[]][] = [
    [`a\\b`, ["a\\b"]],
    [`a\\\\b`, ["a\\\\b"]],
    [`\\"a`, ['"a']],
    [`\\\\"a b"`, ["\\a b"]],
    [`\\\\\\"a`, ['\\"a']],
    [`"C:\\Program Files\\x\\\\"`, ["C:\\Program Files\\x\\"]],
    [`"say ""hi"" now"`, ['say "hi" now']],
  ];

  for (const [text, expected] of cases) {
    deepStrictEqual(splitCommand(text, "windows"), expected, text);
  }
});

import assert from "node:assert/strict";
import { chatterText, fileSink, writePidFile } from "./lifecycle.ts";

Deno.test("fileSink() keeps writing until a short write has gone out whole", () => {
  const written: string[] = [];
  const sink = fileSink({
    writeSync(bytes) {
      const taken = bytes.subarray(0, 3);
      written.push(new TextDecoder().decode(taken));
      return taken.length;
    },
  });

  sink.write("hello world\n");

  assert.equal(written.join(""), "hello world\n");
  assert.ok(written.length > 1);
});

Deno.test("fileSink() drops lines once the reader has closed the pipe", () => {
  let calls = 0;
  const sink = fileSink({
    writeSync() {
      calls++;
      throw new Deno.errors.BrokenPipe("reader gone");
    },
  });

  sink.write("first\n");
  sink.write("second\n");

  assert.equal(calls, 1);
});

Deno.test("fileSink() passes on write errors other than a closed pipe", () => {
  const sink = fileSink({
    writeSync() {
      throw new Deno.errors.PermissionDenied("no");
    },
  });

  assert.throws(() => sink.write("x\n"), Deno.errors.PermissionDenied);
});

Deno.test("chatterText() is exactly that many KiB of numbered lines", () => {
  const text = new TextDecoder().decode(chatterText(2));
  const lines = text.split("\n").slice(0, -1);

  assert.equal(text.length, 2 * 1024);
  assert.equal(lines.length, 32);
  assert.match(lines[31]!, /^chatter line 00000031 ~+$/);
});

Deno.test("writePidFile() writes our pid and the grandchild's as JSON", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await writePidFile(`${dir}/a.json`, 10, 11);
    await writePidFile(`${dir}/b.json`, 12, null);

    const a = JSON.parse(await Deno.readTextFile(`${dir}/a.json`));
    const b = JSON.parse(await Deno.readTextFile(`${dir}/b.json`));
    const names = [];
    for await (const entry of Deno.readDir(dir)) names.push(entry.name);

    assert.deepEqual(a, { pid: 10, grandchildPid: 11 });
    assert.deepEqual(b, { pid: 12 });
    assert.deepEqual(names.sort(), ["a.json", "b.json"]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

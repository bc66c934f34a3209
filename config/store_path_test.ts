import assert from "node:assert/strict";
import { probeStorePath } from "./store_path.ts";
import { assertOneError, lines, loadOk } from "./test_helpers.ts";
import { tempDir } from "../tests/temp_dir.ts";

Deno.test("probeStorePath() accepts a new file in a writable directory and leaves nothing behind", async () => {
  await using dir = await tempDir();

  assert.equal(probeStorePath(`${dir.path}/activity.db`), null);
  assert.deepEqual(await Array.fromAsync(Deno.readDir(dir.path)), []);
});

Deno.test("probeStorePath() accepts an existing writable file", async () => {
  await using dir = await tempDir();
  await Deno.writeTextFile(`${dir.path}/activity.db`, "");

  assert.equal(probeStorePath(`${dir.path}/activity.db`), null);
});

Deno.test("probeStorePath() says a directory is not a file", async () => {
  await using dir = await tempDir();

  assert.equal(
    probeStorePath(dir.path),
    `${dir.path} is a directory, not a file`,
  );
});

Deno.test({
  name: "probeStorePath() refuses a FIFO and a device without opening them",
  ignore: Deno.build.os === "windows",
  fn: async () => {
    await using dir = await tempDir();
    const fifo = `${dir.path}/store.fifo`;
    const made = await new Deno.Command("mkfifo", { args: [fifo] }).output();
    assert.equal(made.success, true);

    // Opening the FIFO would hang this test until a reader came.
    assert.equal(probeStorePath(fifo), `${fifo} is not a regular file`);
    assert.equal(
      probeStorePath("/dev/null"),
      "/dev/null is not a regular file",
    );
  },
});

Deno.test("probeStorePath() says a missing directory is not writable", () => {
  const problem = probeStorePath("/no/such/dir/x.db");

  assert.match(problem ?? "", /^directory \/no\/such\/dir is not writable: /);
});

Deno.test("probeStorePath() reports other stat failures as they are", async () => {
  await using dir = await tempDir();
  await Deno.writeTextFile(`${dir.path}/file`, "");

  const problem = probeStorePath(`${dir.path}/file/x.db`);

  assert.match(problem ?? "", /Not a directory/);
});

Deno.test({
  name: "probeStorePath() says a read-only file is not writable",
  ignore: Deno.uid() === 0, // root may write any file
  fn: async () => {
    await using dir = await tempDir();
    await Deno.writeTextFile(`${dir.path}/activity.db`, "");
    await Deno.chmod(`${dir.path}/activity.db`, 0o444);

    const problem = probeStorePath(`${dir.path}/activity.db`);

    assert.match(problem ?? "", /activity\.db is not writable: /);
  },
});

Deno.test("loadConfig() checks store.path on the file system and reports it at the value", async () => {
  await using dir = await tempDir();

  const config = loadOk(lines("store:", `  path: ' ${dir.path}/a.db '`));
  assert.equal(config.storePath, `${dir.path}/a.db`);

  const missing = assertOneError(
    lines("store:", "  path: /no/such/dir/x.db"),
    "store.path",
    "not writable",
  );
  assert.equal(missing.line, 2);
  assert.equal(missing.column, 9);
  assertOneError(
    lines("store:", `  path: ${dir.path}`),
    "store.path",
    "is a directory, not a file",
  );
});

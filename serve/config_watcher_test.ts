import assert from "node:assert/strict";
import { deferred } from "../lib/mod.ts";
import { silentLogger } from "../log/mod.ts";
import { FakeClock } from "../tests/fake_clock.ts";
import {
  ConfigWatcher,
  type DirectoryStamp,
  type FileStamp,
} from "./config_watcher.ts";

/** A watcher over a file the test edits by hand. */
function watchFake(initial: FileStamp | null) {
  const file = { stamp: initial };
  const clock = new FakeClock();
  let changes = 0;
  const watcher = new ConfigWatcher({
    path: "/etc/llama-swap/config.yaml",
    onChange: () => changes++,
    logger: silentLogger,
    clock,
    stat: () => Promise.resolve(file.stamp),
  });
  return { watcher, file, clock, changes: () => changes };
}

Deno.test("ConfigWatcher.check() sees nothing when the file is unchanged", async () => {
  const t = watchFake({ mtimeMs: 1000, size: 10 });
  await t.watcher.start();

  const changed = await t.watcher.check();

  assert.equal(changed, false);
  assert.equal(t.changes(), 0);
  t.watcher.stop();
});

Deno.test("ConfigWatcher.check() fires when the modification time or the size changed", async () => {
  const t = watchFake({ mtimeMs: 1000, size: 10 });
  await t.watcher.start();

  t.file.stamp = { mtimeMs: 2000, size: 10 };
  assert.equal(await t.watcher.check(), true);
  t.file.stamp = { mtimeMs: 2000, size: 11 };
  assert.equal(await t.watcher.check(), true);

  assert.equal(t.changes(), 2);
  t.watcher.stop();
});

Deno.test("ConfigWatcher.check() ignores a missing file and fires when it reappears", async () => {
  const t = watchFake({ mtimeMs: 1000, size: 10 });
  await t.watcher.start();

  t.file.stamp = null;
  assert.equal(await t.watcher.check(), false);
  assert.equal(await t.watcher.check(), false);
  t.file.stamp = { mtimeMs: 1000, size: 10 };
  assert.equal(await t.watcher.check(), true);

  assert.equal(t.changes(), 1);
  t.watcher.stop();
});

Deno.test("ConfigWatcher.start() on a missing file fires once the file appears", async () => {
  const t = watchFake(null);
  await t.watcher.start();

  t.file.stamp = { mtimeMs: 5, size: 1 };

  assert.equal(await t.watcher.check(), true);
  t.watcher.stop();
});

Deno.test("ConfigWatcher polls every 2 seconds of its clock", async () => {
  const clock = new FakeClock();
  let stats = 0;
  const polled = [deferred<void>(), deferred<void>()];
  const watcher = new ConfigWatcher({
    path: "config.yaml",
    onChange: () => {},
    logger: silentLogger,
    clock,
    stat: () => {
      polled[stats - 1]?.resolve();
      stats++;
      return Promise.resolve({ mtimeMs: 1, size: 1 });
    },
  });
  await watcher.start();

  clock.tick(1_999);
  assert.equal(stats, 1);
  clock.tick(1);
  await polled[0]!.promise;
  assert.equal(stats, 2);

  watcher.stop();
  assert.equal(clock.pendingTimers, 0);
});

Deno.test("ConfigWatcher follows a real file through a symlink", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await Deno.writeTextFile(`${dir}/a.yaml`, "models: {}\n");
    await Deno.writeTextFile(`${dir}/b.yaml`, "models: {}\n# longer\n");
    await Deno.symlink(`${dir}/a.yaml`, `${dir}/config.yaml`);
    let changes = 0;
    const watcher = new ConfigWatcher({
      path: `${dir}/config.yaml`,
      onChange: () => changes++,
      logger: silentLogger,
      clock: new FakeClock(),
    });
    await watcher.start();

    await Deno.remove(`${dir}/config.yaml`);
    await Deno.symlink(`${dir}/b.yaml`, `${dir}/config.yaml`);
    const changed = await watcher.check();

    assert.equal(changed, true);
    assert.equal(changes, 1);
    watcher.stop();
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

/** A watcher over a directory whose YAML files the test sets by hand. */
function watchFakeDirectory(initial: DirectoryStamp | null) {
  const dir = { stamp: initial };
  let changes = 0;
  const watcher = new ConfigWatcher({
    dir: "/etc/llama-swap/conf.d",
    onChange: () => changes++,
    logger: silentLogger,
    clock: new FakeClock(),
    statDirectory: () => Promise.resolve(dir.stamp),
  });
  return { watcher, dir, changes: () => changes };
}

const A = { path: "/d/a.yaml", stamp: { mtimeMs: 1, size: 10 } };
const B = { path: "/d/b.yaml", stamp: { mtimeMs: 1, size: 20 } };

Deno.test("ConfigWatcher.check() fires when a directory's YAML files are added, removed or changed", async () => {
  const t = watchFakeDirectory([A]);
  await t.watcher.start();

  assert.equal(await t.watcher.check(), false);
  t.dir.stamp = [A, B];
  assert.equal(await t.watcher.check(), true);
  t.dir.stamp = [A, { ...B, stamp: { mtimeMs: 2, size: 20 } }];
  assert.equal(await t.watcher.check(), true);
  t.dir.stamp = [A];
  assert.equal(await t.watcher.check(), true);
  assert.equal(await t.watcher.check(), false);

  assert.equal(t.changes(), 3);
  t.watcher.stop();
});

Deno.test("ConfigWatcher.check() ignores a directory without YAML files and fires when they appear", async () => {
  const t = watchFakeDirectory([A]);
  await t.watcher.start();

  t.dir.stamp = null;
  assert.equal(await t.watcher.check(), false);
  t.dir.stamp = [A];
  assert.equal(await t.watcher.check(), true);

  assert.equal(t.changes(), 1);
  t.watcher.stop();
});

Deno.test("ConfigWatcher calls onChange once when the file and the directory changed together", async () => {
  const files = { file: { mtimeMs: 1, size: 1 }, dir: [A] as DirectoryStamp };
  let changes = 0;
  const watcher = new ConfigWatcher({
    path: "config.yaml",
    dir: "conf.d",
    onChange: () => changes++,
    logger: silentLogger,
    clock: new FakeClock(),
    stat: () => Promise.resolve(files.file),
    statDirectory: () => Promise.resolve(files.dir),
  });
  await watcher.start();

  files.file = { mtimeMs: 2, size: 1 };
  files.dir = [A, B];

  assert.equal(await watcher.check(), true);
  assert.equal(changes, 1);
  watcher.stop();
});

Deno.test("ConfigWatcher watches a real directory's YAML files and nothing else there", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await Deno.writeTextFile(`${dir}/a.yaml`, "models: {}\n");
    let changes = 0;
    const watcher = new ConfigWatcher({
      dir,
      onChange: () => changes++,
      logger: silentLogger,
      clock: new FakeClock(),
    });
    await watcher.start();

    await Deno.writeTextFile(`${dir}/notes.txt`, "ignored\n");
    assert.equal(await watcher.check(), false);
    await Deno.writeTextFile(`${dir}/b.yml`, "models: {}\n");
    assert.equal(await watcher.check(), true);
    await Deno.writeTextFile(`${dir}/a.yaml`, "models: {}\n# longer\n");
    assert.equal(await watcher.check(), true);

    assert.equal(changes, 2);
    watcher.stop();
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

import assert from "node:assert/strict";
import { formatConfigError } from "./errors.ts";
import type { LoadResult } from "./load.ts";
import {
  listConfigDirectory,
  loadConfigSources,
  type SourceFileSystem,
} from "./load_sources.ts";
import { tempDir } from "../tests/temp_dir.ts";
import { envOf, lines } from "./test_helpers.ts";

/** A temporary directory with files written into it, removed on disposal. */
async function tree(
  files: Record<string, string>,
): Promise<{ path: string } & AsyncDisposable> {
  const dir = await tempDir();
  for (const [name, text] of Object.entries(files)) {
    await Deno.mkdir(`${dir.path}/${name}`.replace(/\/[^/]*$/, ""), {
      recursive: true,
    });
    await Deno.writeTextFile(`${dir.path}/${name}`, text);
  }
  return dir;
}

const modelFile = (...ids: string[]) =>
  lines(
    "models:",
    ...ids.flatMap((id) => [`  ${id}:`, "    cmd: s --port ${PORT}"]),
  );

function load(config: string | null, configDir: string | null) {
  return loadConfigSources({ config, configDir, env: envOf() });
}

function assertModels(result: LoadResult, ids: string[]): void {
  if (!result.ok) assert.fail(result.errors.map(formatConfigError).join("\n"));
  assert.deepEqual(Object.keys(result.config.models).sort(), ids);
}

function assertOneFailure(result: LoadResult, message: string | RegExp): void {
  assert.ok(!result.ok, "expected the sources to be refused");
  assert.equal(
    result.errors.length,
    1,
    result.errors.map(formatConfigError).join("\n"),
  );
  const text = formatConfigError(result.errors[0]!);
  if (typeof message === "string") assert.equal(text, message);
  else assert.match(text, message);
}

Deno.test("loadConfigSources() needs a config file or a directory", async () => {
  assertOneFailure(
    await load(null, null),
    "at least one of -config or -config-dir must be provided",
  );
});

Deno.test("loadConfigSources() loads a config file alone, a directory alone, or both added together", async () => {
  await using dir = await tree({
    "main.yaml": lines(
      "models:",
      "  solo:",
      "    cmd: s --port ${PORT}",
      "groups: {g: {members: [solo]}}",
    ),
    "conf.d/a.yaml": modelFile("a"),
    "conf.d/b.yml": modelFile("b"),
  });

  assertModels(await load(`${dir.path}/main.yaml`, null), ["solo"]);
  assertModels(await load(null, `${dir.path}/conf.d`), ["a", "b"]);
  assertModels(await load(`${dir.path}/main.yaml`, `${dir.path}/conf.d`), [
    "a",
    "b",
    "solo",
  ]);
});

Deno.test("loadConfigSources() merges the config file first, then the directory's files by name", async () => {
  await using dir = await tree({
    "main.yaml": lines("macros: {FROM_MAIN: 1}"),
    "conf.d/z.yaml": lines("macros: {FROM_Z: 1}"),
    "conf.d/a.yaml": lines("macros: {FROM_A: 1}"),
    "conf.d/m.yml": lines("macros: {FROM_M: 1}"),
  });

  const first = await load(`${dir.path}/main.yaml`, `${dir.path}/conf.d`);
  const second = await load(`${dir.path}/main.yaml`, `${dir.path}/conf.d`);

  assert.ok(first.ok);
  assert.deepEqual(first.config.macros.map((m) => m.name), [
    "FROM_MAIN",
    "FROM_A",
    "FROM_M",
    "FROM_Z",
  ]);
  assert.deepEqual(second, first);
});

Deno.test("loadConfigSources() takes only the directory's own YAML regular files, following symlinks", async () => {
  await using dir = await tree({
    "conf.d/a.yaml": modelFile("a"),
    "conf.d/notes.txt": "not: yaml: at all",
    "conf.d/a.yaml.bak": modelFile("backup"),
    "conf.d/nested/deep.yaml": modelFile("deep"),
    "elsewhere/linked.yaml": modelFile("linked"),
  });
  await Deno.symlink(
    `${dir.path}/elsewhere/linked.yaml`,
    `${dir.path}/conf.d/linked.yaml`,
  );
  await Deno.symlink(
    `${dir.path}/missing.yaml`,
    `${dir.path}/conf.d/gone.yaml`,
  );
  await Deno.mkdir(`${dir.path}/conf.d/dir.yaml`);

  assert.deepEqual(await listConfigDirectory(`${dir.path}/conf.d`), [
    `${dir.path}/conf.d/a.yaml`,
    `${dir.path}/conf.d/linked.yaml`,
  ]);
  assertModels(await load(null, `${dir.path}/conf.d`), ["a", "linked"]);
});

Deno.test("loadConfigSources() refuses a config file that is also in the directory", async () => {
  await using dir = await tree({ "conf.d/main.yaml": modelFile("m") });
  const inside = `${dir.path}/conf.d/main.yaml`;
  await Deno.symlink(inside, `${dir.path}/link.yaml`);

  for (const config of [inside, `${dir.path}/link.yaml`]) {
    assertOneFailure(
      await load(config, `${dir.path}/conf.d`),
      `-config path ${config} is also present in -config-dir ${dir.path}/conf.d; remove it from one`,
    );
  }
});

Deno.test("loadConfigSources() accepts an empty directory only next to a config file", async () => {
  await using dir = await tree({ "main.yaml": modelFile("m") });
  await Deno.mkdir(`${dir.path}/empty`);

  assertModels(await load(`${dir.path}/main.yaml`, `${dir.path}/empty`), ["m"]);
  assertOneFailure(
    await load(null, `${dir.path}/empty`),
    "no configuration sources found",
  );
});

Deno.test("loadConfigSources() loads the defaults when every source is empty", async () => {
  await using dir = await tree({
    "conf.d/a.yaml": "",
    "conf.d/b.yaml": "# only a comment\n",
  });

  const result = await load(null, `${dir.path}/conf.d`);

  assert.ok(result.ok);
  assert.deepEqual(result.config.models, {});
  assert.equal(result.config.startPort, 5800);
});

Deno.test("loadConfigSources() names a file or directory it cannot read", async () => {
  await using dir = await tree({ "conf.d/a.yaml": modelFile("a") });

  assertOneFailure(
    await load(null, `${dir.path}/missing`),
    new RegExp(`^-config-dir ${dir.path}/missing: .*No such file`),
  );
  assertOneFailure(
    await load(`${dir.path}/missing.yaml`, `${dir.path}/conf.d`),
    new RegExp(`^failed to read config ${dir.path}/missing\\.yaml: `),
  );
  assertOneFailure(
    await load(`${dir.path}/conf.d`, null),
    new RegExp(`^failed to read config ${dir.path}/conf\\.d: `),
  );
});

Deno.test("loadConfigSources() reports the errors of several files, each in its own file", async () => {
  await using dir = await tree({
    "conf.d/a.yaml": lines("models:", "  a:", "    cmd: s ${env.NOT_SET_A}"),
    "conf.d/b.yaml": lines("models: [", "  oops"),
  });

  const result = await load(null, `${dir.path}/conf.d`);

  assert.ok(!result.ok);
  assert.deepEqual(result.errors.map((e) => [e.file, e.line]), [
    [`${dir.path}/conf.d/a.yaml`, 3],
    [`${dir.path}/conf.d/b.yaml`, 3],
  ]);
});

Deno.test("loadConfigSources() reads the sources again on every call, as a reload does", async () => {
  await using dir = await tree({ "conf.d/a.yaml": modelFile("a") });
  assertModels(await load(null, `${dir.path}/conf.d`), ["a"]);

  await Deno.writeTextFile(`${dir.path}/conf.d/b.yaml`, modelFile("b"));
  assertModels(await load(null, `${dir.path}/conf.d`), ["a", "b"]);

  await Deno.remove(`${dir.path}/conf.d/a.yaml`);
  assertModels(await load(null, `${dir.path}/conf.d`), ["b"]);
});

Deno.test("loadConfigSources() goes through the file system it is given", async () => {
  const fileSystem: SourceFileSystem = {
    readTextFile: (path) =>
      path.endsWith("b.yaml")
        ? Promise.reject(new Deno.errors.PermissionDenied("Permission denied"))
        : Promise.resolve(modelFile("a")),
    async *readDir() {
      yield { name: "a.yaml" };
      yield { name: "b.yaml" };
    },
    stat: () => Promise.resolve({ isFile: true }),
    realPath: (path) => Promise.resolve(path),
  };

  const result = await loadConfigSources({
    config: null,
    configDir: "/etc/llama-swap/conf.d",
    fileSystem,
  });

  assertOneFailure(
    result,
    "failed to read config /etc/llama-swap/conf.d/b.yaml: Permission denied",
  );
});

Deno.test("loadConfigSources() refuses a file whose top level is not a mapping", async () => {
  await using dir = await tree({
    "conf.d/a.yaml": modelFile("a"),
    "conf.d/b.yaml": "- just\n- a list\n",
  });

  assertOneFailure(
    await load(null, `${dir.path}/conf.d`),
    `${dir.path}/conf.d/b.yaml:1:1: top-level YAML must be a mapping`,
  );
});

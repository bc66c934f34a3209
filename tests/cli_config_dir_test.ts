/**
 * `--config-dir` end to end: a running `main.ts` loads the directory's
 * files merged, and SIGHUP or `--watch-config` reload them all again.
 */
import assert from "node:assert/strict";
import { startMain, stopMain } from "./ship_main_child.ts";

/** A config file with models that never start unless asked for. */
function modelsFile(...ids: string[]): string {
  return [
    "models:",
    ...ids.flatMap((id) => [`  ${id}:`, "    cmd: never-run --port ${PORT}"]),
  ].join("\n") + "\n";
}

async function modelIds(url: string): Promise<string[]> {
  const list = await (await fetch(`${url}/v1/models`)).json();
  return list.data.map((m: { id: string }) => m.id).sort();
}

Deno.test("main.ts --config-dir reloads every file on SIGHUP", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await Deno.mkdir(`${dir}/conf.d`);
    await Deno.writeTextFile(`${dir}/main.yaml`, modelsFile("main"));
    await Deno.writeTextFile(`${dir}/conf.d/a.yaml`, modelsFile("a"));
    await using main = await startMain([
      "--config",
      `${dir}/main.yaml`,
      "--config-dir",
      `${dir}/conf.d`,
      "--data-dir",
      `${dir}/data`,
    ]);
    assert.deepEqual(await modelIds(main.url), ["a", "main"]);

    await Deno.writeTextFile(`${dir}/conf.d/b.yaml`, modelsFile("b"));
    await Deno.remove(`${dir}/conf.d/a.yaml`);
    main.kill("SIGHUP");
    const reloaded = await main.waitForLine(/config reloaded/);

    assert.match(reloaded, /removed=a .*added=b/);
    assert.deepEqual(await modelIds(main.url), ["b", "main"]);
    await stopMain(main);
    assert.equal((await main.status).code, 0);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("main.ts --watch-config reloads when a file appears in --config-dir", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await Deno.writeTextFile(`${dir}/a.yaml`, modelsFile("a"));
    await using main = await startMain([
      "-config-dir",
      dir,
      "-watch-config=true",
      "--data-dir",
      `${dir}/data`,
    ]);
    await main.waitForLine(/watching the config directory/);

    await Deno.writeTextFile(`${dir}/b.yml`, modelsFile("b"));
    await main.waitForLine(/config directory changed; reloading/);
    const reloaded = await main.waitForLine(/config reloaded/);

    assert.match(reloaded, /added=b/);
    assert.deepEqual(await modelIds(main.url), ["a", "b"]);
    await stopMain(main);
    assert.equal((await main.status).code, 0);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

import assert from "node:assert/strict";
import { CLIENT_FILES } from "./client_files.ts";
import { isClientFile, readClientSources } from "./client_sources.ts";

Deno.test("client_files.ts holds the current ui/client files (run ui/build_client_files.ts after editing them)", async () => {
  const sources = await readClientSources();

  assert.deepEqual(Object.keys(CLIENT_FILES).sort(), [...sources.keys()]);
  for (const [name, text] of sources) {
    assert.equal(CLIENT_FILES[name], text, `"${name}" is out of date`);
  }
});

Deno.test("isClientFile() keeps scripts, styles and icons but not tests", () => {
  assert.equal(isClientFile("shell.js"), true);
  assert.equal(isClientFile("app.css"), true);
  assert.equal(isClientFile("favicon.svg"), true);
  assert.equal(isClientFile("shell_test.ts"), false);
  assert.equal(isClientFile("format_test.js"), false);
  assert.equal(isClientFile("README.md"), false);
});

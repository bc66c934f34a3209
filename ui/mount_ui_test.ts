import assert from "node:assert/strict";
import { Hono } from "hono";
import { CONTENT_SECURITY_POLICY, mountUi } from "./mod.ts";
import { contentTag, staticAssets } from "./static_assets.ts";

function uiApp(): Hono {
  const app = new Hono();
  mountUi(app);
  return app;
}

Deno.test("GET /ui redirects permanently to /ui/, with its query", async () => {
  const response = await uiApp().request("/ui");
  const withQuery = await uiApp().request("/ui?x=1");

  assert.equal(response.status, 301);
  assert.equal(response.headers.get("location"), "/ui/");
  assert.equal(withQuery.headers.get("location"), "/ui/?x=1");
});

Deno.test("other page paths show the Models page and file paths are 404", async () => {
  const app = uiApp();
  const models = await (await app.request("/ui/")).text();

  for (const path of ["/ui/index.html", "/ui/foo", "/ui/models/x"]) {
    const response = await app.request(path);
    assert.equal(response.status, 200, path);
    assert.equal(await response.text(), models, path);
  }
  for (const path of ["/ui/nope.js", "/ui/a/b.css"]) {
    const response = await app.request(path);
    await response.body?.cancel();
    assert.equal(response.status, 404, path);
  }
});

Deno.test("other methods on the UI's paths answer 405", async () => {
  const app = uiApp();

  for (
    const path of [
      "/ui",
      "/ui/",
      "/ui/logs",
      "/ui/assets/app.css",
      "/favicon.ico",
    ]
  ) {
    const response = await app.request(path, { method: "POST" });
    assert.equal(response.status, 405, path);
    assert.equal(response.headers.get("allow"), "GET, HEAD", path);
  }
});

Deno.test("/favicon.ico serves the UI's icon", async () => {
  const response = await uiApp().request("/favicon.ico");

  assert.equal(response.status, 200);
  assert.equal(response.headers.get("content-type"), "image/svg+xml");
  assert.match(await response.text(), /<svg/);
});

Deno.test("every page is HTML with its script, the shell and no cache", async () => {
  const app = uiApp();
  const pages = {
    "/ui/": "models_page.js",
    "/ui/models": "models_page.js",
    "/ui/logs": "logs_page.js",
    "/ui/activity": "activity_page.js",
    "/ui/playground": "playground_page.js",
  };

  for (const [path, script] of Object.entries(pages)) {
    const response = await app.request(path);
    const html = await response.text();

    assert.equal(response.status, 200, path);
    assert.equal(
      response.headers.get("content-type"),
      "text/html; charset=utf-8",
    );
    assert.equal(response.headers.get("cache-control"), "no-cache");
    assert.equal(
      response.headers.get("content-security-policy"),
      CONTENT_SECURITY_POLICY,
    );
    assert.match(html, /^<!doctype html><html lang="en">/);
    assert.ok(html.includes(`src="/ui/assets/${script}"`), path);
    assert.ok(html.includes('id="key-dialog"'), path);
  }
});

Deno.test("the page for the current route is marked in the navigation", async () => {
  const html = await (await uiApp().request("/ui/logs")).text();

  assert.match(html, /<a href="\/ui\/logs" aria-current="page">Logs<\/a>/);
  assert.match(html, /<a href="\/ui\/"\s*>Models<\/a>/);
});

Deno.test("assets are served with their content type and an ETag", async () => {
  const app = uiApp();
  const types = {
    "app.css": "text/css; charset=utf-8",
    "shell.js": "text/javascript; charset=utf-8",
    "favicon.svg": "image/svg+xml",
  };

  for (const [name, type] of Object.entries(types)) {
    const response = await app.request(`/ui/assets/${name}`);
    const body = await response.text();

    assert.equal(response.status, 200, name);
    assert.equal(response.headers.get("content-type"), type);
    assert.equal(response.headers.get("etag"), contentTag(body));
    assert.equal(response.headers.get("x-content-type-options"), "nosniff");
  }
});

Deno.test("an asset answers 304 to a matching If-None-Match", async () => {
  const app = uiApp();
  const first = await app.request("/ui/assets/app.css");
  await first.body?.cancel();
  const etag = first.headers.get("etag")!;

  const again = await app.request("/ui/assets/app.css", {
    headers: { "If-None-Match": `"other", W/${etag}` },
  });

  assert.equal(again.status, 304);
  assert.equal(again.body, null);
  assert.equal(again.headers.get("etag"), etag);
});

Deno.test("unknown assets and tests beside the client files are 404", async () => {
  const app = uiApp();

  for (
    const path of [
      "/ui/assets/nope.js",
      "/ui/assets/format_test.ts",
      "/ui/assets/",
      "/ui/assets/..%2Fmod.ts",
    ]
  ) {
    const response = await app.request(path);
    await response.body?.cancel();
    assert.equal(response.status, 404, path);
  }
});

Deno.test("HEAD on a page answers like GET without a body", async () => {
  const response = await uiApp().request("/ui/playground", { method: "HEAD" });

  assert.equal(response.status, 200);
  assert.equal(
    response.headers.get("content-type"),
    "text/html; charset=utf-8",
  );
  assert.equal(await response.text(), "");
});

Deno.test("staticAssets() leaves out files of unknown type", () => {
  const assets = staticAssets({ "a.js": "x", "notes.txt": "y" });

  assert.deepEqual([...assets.keys()], ["a.js"]);
  assert.equal(
    assets.get("a.js")?.contentType,
    "text/javascript; charset=utf-8",
  );
});

Deno.test("contentTag() changes with the content", () => {
  assert.notEqual(contentTag("a"), contentTag("b"));
  assert.equal(contentTag("same"), contentTag("same"));
  assert.match(contentTag("x"), /^"[0-9a-z]+-[0-9a-f]{8}"$/);
});

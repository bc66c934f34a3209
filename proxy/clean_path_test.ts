import assert from "node:assert/strict";
import { testConfig, testModel, testProxy } from "../tests/proxy_fakes.ts";
import { cleanPath, escapeForLocation } from "./clean_path.ts";

Deno.test("cleanPath() collapses slashes, drops dot segments and keeps a trailing slash", () => {
  const cases: [string, string][] = [
    ["/v1/models", "/v1/models"],
    ["//v1//models", "/v1/models"],
    ["/v1/../v1/models", "/v1/models"],
    ["/./health", "/health"],
    ["/../../health", "/health"],
    ["/ui/", "/ui/"],
    ["/ui//", "/ui/"],
    ["/a/b/..", "/a"],
    ["/a/.", "/a"],
    ["/", "/"],
    ["//", "/"],
    ["/a/%2e%2e/b", "/a/%2e%2e/b"],
  ];
  for (const [path, clean] of cases) assert.equal(cleanPath(path), clean, path);
});

Deno.test("a request to a non-canonical path is redirected to the canonical one, query kept", async () => {
  const proxy = testProxy(testConfig([testModel("m1")]));

  const get = await proxy.app.request("//v1//models?x=1");
  const post = await proxy.app.request("/v1//chat/completions", {
    method: "POST",
    body: '{"model":"m1"}',
  });

  assert.equal(get.status, 301);
  assert.equal(get.headers.get("location"), "/v1/models?x=1");
  assert.equal(post.status, 301);
  assert.equal(post.headers.get("location"), "/v1/chat/completions");
  assert.equal(proxy.upstream.hits.length, 0);
});

Deno.test("escapeForLocation() encodes what a path may not hold, so a redirect stays on this host", () => {
  assert.equal(escapeForLocation("/\\evil.com/x"), "/%5Cevil.com/x");
  assert.equal(
    escapeForLocation('/a b"<>^`{|}'),
    "/a%20b%22%3C%3E%5E%60%7B%7C%7D",
  );
  assert.equal(escapeForLocation("/é"), "/%C3%A9");
  const kept = "/v1/a-b._~!$&'()*+,;=:@/%2e%2E";
  assert.equal(escapeForLocation(kept), kept);
});

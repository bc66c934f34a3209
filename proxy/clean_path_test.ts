import assert from "node:assert/strict";
import { testConfig, testModel, testProxy } from "../tests/proxy_fakes.ts";
import { cleanPath } from "./clean_path.ts";

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

import assert from "node:assert/strict";
import {
  testConfig,
  testModel,
  testPeer,
  testProxy,
} from "../tests/proxy_fakes.ts";
import type { RequestStart } from "./observer.ts";

Deno.test("GET /upstream/<model>/<path> passes through to the model", async () => {
  const proxy = testProxy(testConfig([testModel("m1")]));
  proxy.upstream.respond = () => new Response("backend body");

  const res = await proxy.app.request("/upstream/m1/v1/chat?x=1");

  assert.equal(res.status, 200);
  assert.equal(await res.text(), "backend body");
  assert.equal(proxy.upstream.last.url, "http://upstream-m1.test/v1/chat?x=1");
  assert.deepEqual(proxy.router.calls.map((c) => c.model), ["m1"]);
  assert.equal(proxy.router.releases, 1);
});

Deno.test("/upstream/<model> without a slash redirects, 301 for GET and 308 otherwise", async () => {
  const proxy = testProxy(testConfig([testModel("m1")]));

  const get = await proxy.app.request("/upstream/m1?token=a");
  const head = await proxy.app.request("/upstream/m1", { method: "HEAD" });
  const post = await proxy.app.request("/upstream/m1", { method: "POST" });

  assert.equal(get.status, 301);
  assert.equal(get.headers.get("location"), "/upstream/m1/?token=a");
  assert.equal(head.status, 301);
  assert.equal(post.status, 308);
  assert.equal(proxy.upstream.hits.length, 0);
});

Deno.test("/upstream answers 404 model not found for an unknown model", async () => {
  const proxy = testProxy(testConfig([testModel("m1")]));

  const res = await proxy.app.request("/upstream/nope/v1");

  assert.equal(res.status, 404);
  assert.equal((await res.json()).error.message, "model not found");
});

Deno.test("/upstream resolves the longest model name and keeps the escaping", async () => {
  const proxy = testProxy(
    testConfig([testModel("author"), testModel("author/model")]),
  );

  await proxy.app.request("/upstream/author/model/api/x%2Fy");
  const nested = proxy.upstream.last.url;
  await proxy.app.request(
    "/upstream/author%2Fmodel/api/userdata/workflows%2Fexample.json",
  );
  const encoded = proxy.upstream.last.url;
  await proxy.app.request("/upstream/author/v1/chat");
  const short = proxy.upstream.last.url;

  assert.equal(nested, "http://upstream-author-model.test/api/x%2Fy");
  assert.equal(
    encoded,
    "http://upstream-author-model.test/api/userdata/workflows%2Fexample.json",
  );
  assert.equal(short, "http://upstream-author.test/v1/chat");
});

Deno.test("/upstream forwards any method and its body", async () => {
  const proxy = testProxy(testConfig([testModel("m1")]));

  const res = await proxy.app.request("/upstream/m1/custom", {
    method: "PUT",
    body: "raw bytes",
  });

  assert.equal(res.status, 200);
  assert.equal(proxy.upstream.last.method, "PUT");
  assert.equal(proxy.upstream.last.text, "raw bytes");
});

Deno.test("/upstream refuses an ignored path while the model is not ready", async () => {
  const proxy = testProxy(testConfig([testModel("m1")]), {
    states: { m1: "stopped" },
  });

  const res = await proxy.app.request("/upstream/m1/foo.js");

  assert.equal(res.status, 409);
  const body = await res.json();
  assert.equal(
    body.error.message,
    "model m1 is not loaded; path matches upstream.ignorePaths",
  );
  assert.equal(body.error.code, "conflict");
  assert.equal(proxy.router.calls.length, 0);
});

Deno.test("/upstream serves an ignored path once the model is ready", async () => {
  const proxy = testProxy(testConfig([testModel("m1")]), {
    states: { m1: "ready" },
  });

  const res = await proxy.app.request("/upstream/m1/foo.js");

  assert.equal(res.status, 200);
});

Deno.test("/upstream starts a stopped model for a path that is not ignored", async () => {
  const proxy = testProxy(testConfig([testModel("m1")]), {
    states: { m1: "stopped" },
  });

  const res = await proxy.app.request("/upstream/m1/v1/chat/completions");

  assert.equal(res.status, 200);
  assert.deepEqual(proxy.router.calls.map((c) => c.model), ["m1"]);
});

Deno.test("/upstream never refuses a peer and never asks the router for it", async () => {
  const proxy = testProxy(
    testConfig([], { peers: [testPeer("p1", ["remote"])] }),
  );

  const res = await proxy.app.request("/upstream/p1/remote/foo.js");

  assert.equal(res.status, 200);
  assert.equal(proxy.upstream.last.url, "http://peer-p1.test/foo.js");
  assert.equal(proxy.router.calls.length, 0);
});

Deno.test("/upstream with repeated slashes in the path redirects to the collapsed path", async () => {
  const proxy = testProxy(testConfig([testModel("m1")]));

  const res = await proxy.app.request("/upstream/m1//evil.test//x");

  assert.equal(res.status, 301);
  assert.equal(res.headers.get("location"), "/upstream/m1/evil.test/x");
  assert.equal(proxy.upstream.hits.length, 0);
});

Deno.test("/upstream observes inference sub-paths only", async () => {
  const seen: RequestStart[] = [];
  const proxy = testProxy(testConfig([testModel("m1")]), {
    observer: {
      requestStarted(start) {
        seen.push(start);
        return {
          requestBody() {},
          responseStarted() {},
          chunk() {},
          finished() {},
        };
      },
    },
  });

  await (await proxy.app.request("/upstream/m1/probe", { method: "POST" }))
    .text();
  await (await proxy.app.request("/upstream/m1/v1/chat/completions", {
    method: "POST",
    body: "{}",
  })).text();

  assert.deepEqual(seen.map((s) => [s.model, s.path]), [[
    "m1",
    "/v1/chat/completions",
  ]]);
});

Deno.test("/upstream answers another method than GET on the bare prefix with 405", async () => {
  const proxy = testProxy(testConfig([testModel("m1")]));

  const res = await proxy.app.request("/upstream", { method: "POST" });

  assert.equal(res.status, 405);
  assert.equal(res.headers.get("allow"), "GET, HEAD");
});

Deno.test("a HEAD passthrough forwards HEAD and releases the lease at once", async () => {
  const proxy = testProxy(testConfig([testModel("m1")]));

  const res = await proxy.app.request("/upstream/m1/", { method: "HEAD" });

  assert.equal(res.status, 200);
  assert.equal(proxy.upstream.last.method, "HEAD");
  assert.equal(proxy.router.releases, 1);
});

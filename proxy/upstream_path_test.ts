import assert from "node:assert/strict";
import { testConfig, testModel, testPeer } from "../tests/proxy_fakes.ts";
import type { HttpError } from "./errors.ts";
import { collapseSlashes, resolveUpstreamPath } from "./upstream_path.ts";
import { joinUpstreamUrl, rawPathAndQuery } from "./upstream_url.ts";

const config = testConfig([testModel("author/model"), testModel("simple")]);

function resolved(path: string): [string, string] | null {
  const found = resolveUpstreamPath(config, path);
  return found ? [found.target.id, found.rest] : null;
}

Deno.test("resolveUpstreamPath() splits the model from the rest of the path", () => {
  assert.deepEqual(resolved("simple/v1/chat"), ["simple", "/v1/chat"]);
  assert.deepEqual(resolved("author/model/v1/chat"), [
    "author/model",
    "/v1/chat",
  ]);
  assert.deepEqual(resolved("author/model/"), ["author/model", "/"]);
  assert.deepEqual(resolved("author/model"), ["author/model", ""]);
  assert.equal(resolved("missing/v1"), null);
  assert.equal(resolved(""), null);
});

Deno.test("resolveUpstreamPath() picks the longest model name", () => {
  const withAuthor = testConfig([
    testModel("author/model"),
    testModel("author"),
  ]);

  const long = resolveUpstreamPath(withAuthor, "author/model/v1/chat");
  const short = resolveUpstreamPath(withAuthor, "author/v1/chat");

  assert.equal(long?.target.id, "author/model");
  assert.equal(long?.rest, "/v1/chat");
  assert.equal(short?.target.id, "author");
  assert.equal(short?.rest, "/v1/chat");
});

Deno.test("resolveUpstreamPath() resolves peer names and skips ambiguous bare ones", () => {
  const peers = testConfig([], {
    peers: [
      testPeer("p1", ["shared", "org/model"]),
      testPeer("p2", ["shared", "unique"]),
    ],
  });

  assert.equal(
    resolveUpstreamPath(peers, "p1/shared/v1/chat")?.target.id,
    "p1/shared",
  );
  assert.equal(
    resolveUpstreamPath(peers, "p1/org/model/v1/chat")?.target.id,
    "p1/org/model",
  );
  assert.equal(
    resolveUpstreamPath(peers, "unique/v1/chat")?.target.id,
    "p2/unique",
  );
  assert.equal(resolveUpstreamPath(peers, "shared/v1/chat"), null);
});

Deno.test("resolveUpstreamPath() keeps escapes in the rest and decodes the model name", () => {
  const escaped = resolveUpstreamPath(config, "author%2Fmodel/api/x%2Fy");

  assert.equal(escaped?.target.id, "author/model");
  assert.equal(escaped?.rawModel, "author%2Fmodel");
  assert.equal(escaped?.rest, "/api/x%2Fy");
});

Deno.test("resolveUpstreamPath() refuses dot segments and backslashes in any spelling", () => {
  const attempts = [
    "simple/../other",
    "simple/v1/../../x",
    "simple/%2e%2e/x",
    "simple/%2E./x",
    "simple/./x",
    "simple/a\\..\\b",
    "simple/a%5c..",
  ];

  for (const path of attempts) {
    assert.throws(
      () => resolveUpstreamPath(config, path),
      (error: HttpError) => {
        assert.equal(error.status, 400, path);
        assert.match(error.message, /^invalid upstream path: /);
        return true;
      },
    );
  }
});

Deno.test("collapseSlashes() turns runs of slashes into one", () => {
  assert.equal(collapseSlashes("//evil.test//x///y"), "/evil.test/x/y");
});

Deno.test("joinUpstreamUrl() prefixes the base path, keeps escapes and merges queries", () => {
  assert.equal(
    joinUpstreamUrl("https://openrouter.test/api", "/v1/chat/completions", ""),
    "https://openrouter.test/api/v1/chat/completions",
  );
  assert.equal(
    joinUpstreamUrl("http://127.0.0.1:5800/", "/api/x%2Fy", "?preview=1"),
    "http://127.0.0.1:5800/api/x%2Fy?preview=1",
  );
  assert.equal(
    joinUpstreamUrl("http://h.test/base?token=a", "/p", "?b=2"),
    "http://h.test/base/p?token=a&b=2",
  );
});

Deno.test("rawPathAndQuery() keeps the request target exactly as written", () => {
  assert.deepEqual(rawPathAndQuery("http://x/upstream/m1/a%2Fb?q=1%2F"), {
    path: "/upstream/m1/a%2Fb",
    query: "?q=1%2F",
  });
  assert.deepEqual(rawPathAndQuery("http://x/upstream/m1/../x"), {
    path: "/upstream/m1/../x",
    query: "",
  });
});

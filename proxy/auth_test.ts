import assert from "node:assert/strict";
import type { ApiKey } from "../config/types.ts";
import { isPublicRoute, matchApiKey, presentedKey } from "./auth.ts";

function basic(user: string, password: string): string {
  return `Basic ${btoa(`${user}:${password}`)}`;
}

Deno.test("presentedKey() reads Basic, Bearer and x-api-key credentials", () => {
  const cases: [Record<string, string>, string][] = [
    [{}, ""],
    [{ authorization: "Bearer tok123" }, "tok123"],
    [{ authorization: basic("user", "pw-key") }, "pw-key"],
    [{ "x-api-key": "xkey" }, "xkey"],
    [{ "X-API-KEY": "xkey" }, "xkey"],
  ];

  for (const [headers, key] of cases) {
    assert.equal(
      presentedKey(new Headers(headers)),
      key,
      JSON.stringify(headers),
    );
  }
});

Deno.test("presentedKey() prefers Basic over x-api-key and Bearer over x-api-key", () => {
  const withBasic = new Headers({
    authorization: basic("u", "from-basic"),
    "x-api-key": "from-header",
  });
  const withBearer = new Headers({
    authorization: "Bearer from-bearer",
    "x-api-key": "from-header",
  });

  assert.equal(presentedKey(withBasic), "from-basic");
  assert.equal(presentedKey(withBearer), "from-bearer");
});

Deno.test("presentedKey() falls back to x-api-key when Basic is malformed", () => {
  const headers = new Headers({
    authorization: "Basic !!!notbase64",
    "x-api-key": "xkey",
  });

  assert.equal(presentedKey(headers), "xkey");
});

Deno.test("presentedKey() matches the scheme in any case", () => {
  for (const scheme of ["bearer", "BEARER", "Bearer"]) {
    const headers = new Headers({ authorization: `${scheme} tok456` });

    assert.equal(presentedKey(headers), "tok456", scheme);
  }
  for (const scheme of ["basic", "bAsIc"]) {
    const headers = new Headers({
      authorization: `${scheme} ${btoa("u:pw")}`,
    });

    assert.equal(presentedKey(headers), "pw", scheme);
  }
});

Deno.test("matchApiKey() finds the configured key and nothing else", async () => {
  const keys: ApiKey[] = [
    { key: "secret", models: null },
    { key: "scoped", models: ["m1"] },
  ];

  assert.equal(await matchApiKey(keys, "secret"), keys[0]);
  assert.equal(await matchApiKey(keys, "scoped"), keys[1]);
  assert.equal(await matchApiKey(keys, "secre"), null);
  assert.equal(await matchApiKey(keys, "secret "), null);
  assert.equal(await matchApiKey(keys, ""), null);
});

Deno.test("isPublicRoute() opens only health, favicon, the UI shell and the two redirects", () => {
  assert.ok(isPublicRoute("GET", "/health"));
  assert.ok(isPublicRoute("GET", "/wol-health"));
  assert.ok(isPublicRoute("GET", "/favicon.ico"));
  assert.ok(isPublicRoute("GET", "/"));
  assert.ok(isPublicRoute("HEAD", "/upstream"));
  assert.ok(!isPublicRoute("POST", "/"));
  assert.ok(!isPublicRoute("GET", "/upstream/m1/"));
  assert.ok(!isPublicRoute("GET", "/v1/models"));
  assert.ok(isPublicRoute("GET", "/ui"));
  assert.ok(isPublicRoute("GET", "/ui/assets/app.js"));
  assert.ok(!isPublicRoute("POST", "/ui/"));
  assert.ok(!isPublicRoute("GET", "/uix"));
});

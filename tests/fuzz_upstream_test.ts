/**
 * `/upstream/<model>/<path>` against generated raw paths: dot segments,
 * encoded dots and slashes, backslashes, double slashes, unicode and
 * broken escapes, sent over a real socket so no client tidies them up
 * first. Nothing may reach a path outside the model's base URL, and
 * nothing may end in a 500.
 */
import assert from "node:assert/strict";
import { Prng, rawRequest } from "../bench/mod.ts";
import { testConfig, testModel, testProxy } from "./proxy_fakes.ts";

const BASES: Record<string, string> = {
  m1: "http://upstream.test/base/m1",
  "org/model": "http://upstream.test/base/org",
};
const SEGMENTS = [
  "m1",
  "al",
  "org",
  "model",
  "org%2Fmodel",
  "org%2fmodel",
  "..",
  ".",
  "%2e",
  "%2E%2e",
  ".%2e",
  "%2e.",
  "...",
  "%2f",
  "%2F..",
  "%5c",
  "%5C..",
  "\\",
  "..\\..",
  "",
  "ü",
  "%C3%BC",
  "%ZZ",
  "%",
  "%00",
  "v1",
  "health",
  "x;y",
  "a?b=..",
  "%3F",
  "@evil.test",
  "http:",
];

function randomPath(prng: Prng): string {
  const segments = Array.from(
    { length: 1 + prng.int(6) },
    () => prng.pick(SEGMENTS),
  );
  if (prng.chance(0.6)) {
    segments.unshift(prng.pick(["m1", "al", "org", "org%2Fmodel"]));
  }
  const separator = prng.chance(0.1) ? "//" : "/";
  return `/upstream/${segments.join(separator)}`;
}

Deno.test("2,000 raw /upstream paths never leave the model's base URL and never get a 500", async () => {
  const prng = new Prng(6000);
  const proxy = testProxy(
    testConfig([
      testModel("m1", { proxy: BASES["m1"]!, aliases: ["al"] }),
      testModel("org/model", { proxy: BASES["org/model"]! }),
    ], { upstreamIgnorePaths: [] }),
  );
  await using server = Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen() {} },
    (request, info) =>
      proxy.app.fetch(request, { remoteAddr: info.remoteAddr }),
  );
  const statuses = new Map<number, number>();

  for (let i = 0; i < 2000; i++) {
    const path = randomPath(prng);
    const hitsBefore = proxy.upstream.hits.length;
    const callsBefore = proxy.router.calls.length;
    const answer = await rawRequest(
      server.addr.port,
      `GET ${path} HTTP/1.1\r\nHost: proxy.test`,
    );
    statuses.set(answer.status, (statuses.get(answer.status) ?? 0) + 1);

    const where = `${path} -> ${answer.status} ${answer.body.slice(0, 160)}`;
    assert.ok(answer.status >= 200 && answer.status < 500, where);
    const hit = proxy.upstream.hits[hitsBefore];
    if (hit) {
      const model = proxy.router.calls[callsBefore]!.model;
      const base = BASES[model]!;
      assert.ok(hit.url.startsWith(`${base}/`), `${where} reached ${hit.url}`);
    }
  }

  assert.doesNotMatch(proxy.logs.text(), /unexpectedly/);
  assert.ok((statuses.get(200) ?? 0) > 0, "nothing was passed through");
  assert.ok((statuses.get(400) ?? 0) > 0, "no dot segment was refused");
});

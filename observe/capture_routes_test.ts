import assert from "node:assert/strict";
import { jsonPost, testConfig, testModel } from "../tests/proxy_fakes.ts";
import { activityPage, observedProxy } from "./test_utils.ts";

Deno.test("a failed request records its status, error_msg and a capture without the response body", async () => {
  using proxy = observedProxy(testConfig([testModel("m1")]));
  proxy.upstream.respond = () =>
    Response.json({ error: { message: "model unavailable" } }, {
      status: 502,
    });

  const res = await proxy.app.request(
    "/v1/chat/completions",
    jsonPost({ model: "m1", messages: [] }),
  );
  await res.text();
  const entry = (await activityPage(proxy)).data[0]!;
  const capture = await proxy.app.request(`/api/captures/${entry.id}`);

  assert.equal(entry.resp_status_code, 502);
  assert.equal(entry.error_msg, "model unavailable");
  assert.equal(entry.has_capture, true);
  assert.equal(entry.tokens.input_tokens, 0);
  const json = await capture.json();
  assert.equal(atob(json.req_body), '{"model":"m1","messages":[]}');
  assert.equal(json.resp_headers["Content-Type"], "application/json");
  assert.equal(json.resp_body, null);
});

Deno.test("with captures off an error is recorded without a capture", async () => {
  using proxy = observedProxy(
    testConfig([testModel("m1")], { captureBuffer: 0 }),
  );
  proxy.upstream.respond = () =>
    Response.json({ error: "boom" }, { status: 500 });

  const res = await proxy.app.request(
    "/v1/chat/completions",
    jsonPost({ model: "m1" }),
  );
  await res.text();
  const entry = (await activityPage(proxy)).data[0]!;

  assert.equal(entry.error_msg, "boom");
  assert.equal(entry.has_capture, false);
  assert.equal((await proxy.app.request("/api/captures/1")).status, 404);
});

Deno.test("GET /api/captures/:id answers the capture, 400 for a bad ID and 404 when none is held", async () => {
  using proxy = observedProxy(testConfig([testModel("m1")]));
  proxy.upstream.respond = () => Response.json({ answer: 42 });
  const chat = await proxy.app.request(
    "/v1/chat/completions",
    jsonPost({ model: "m1" }, { "X-Api-Key": "hidden" }),
  );
  await chat.text();

  const held = await proxy.app.request("/api/captures/1");
  const invalid = await proxy.app.request("/api/captures/abc");
  const missing = await proxy.app.request("/api/captures/999");

  assert.equal(held.status, 200);
  const json = await held.json();
  assert.equal(json.id, 1);
  assert.equal(json.req_path, "/v1/chat/completions");
  assert.equal(json.req_headers["X-Api-Key"], "[REDACTED]");
  assert.equal(atob(json.resp_body), '{"answer":42}');
  assert.equal(invalid.status, 400);
  assert.equal((await invalid.json()).error.message, "invalid capture ID");
  assert.equal(missing.status, 404);
  assert.equal((await missing.json()).error.message, "capture not found");
});

Deno.test("an /upstream speech answer is captured with its headers but not its audio", async () => {
  using proxy = observedProxy(testConfig([testModel("m1")]));
  proxy.upstream.respond = () =>
    new Response(new Uint8Array([0xff, 0xfb, 0x90, 0x00]), {
      headers: { "Content-Type": "audio/mpeg" },
    });

  const res = await proxy.app.request(
    "/upstream/m1/v1/audio/speech",
    jsonPost({ model: "m1", input: "hi" }),
  );
  await res.arrayBuffer();
  const entry = (await activityPage(proxy)).data[0]!;
  const capture = await proxy.app.request(`/api/captures/${entry.id}`);

  assert.equal(entry.req_path, "/v1/audio/speech");
  assert.equal(entry.has_capture, true);
  const json = await capture.json();
  assert.equal(json.req_path, "/v1/audio/speech");
  assert.equal(atob(json.req_body), '{"model":"m1","input":"hi"}');
  assert.equal(json.resp_headers["Content-Type"], "audio/mpeg");
  assert.equal(json.resp_body, null);
});

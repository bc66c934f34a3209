import assert from "node:assert/strict";
import { LogBuffer, Logger } from "../log/mod.ts";
import {
  jsonPost,
  testConfig,
  testModel,
  testProxy,
} from "../tests/proxy_fakes.ts";
import type { RequestObservation } from "./observer.ts";
import { WHOLE_BODY_LIMIT } from "./relay.ts";

/** An observer that writes down what it hears, in order. */
function recordingObserver() {
  const events: string[] = [];
  const observation: RequestObservation = {
    requestBody() {},
    responseStarted: (status) => events.push(`status ${status}`),
    chunk: (bytes) => events.push(`chunk ${new TextDecoder().decode(bytes)}`),
    finished: (result) => events.push(`finished ${JSON.stringify(result)}`),
  };
  return { events, observer: { requestStarted: () => observation } };
}

/** A JSON answer that declares its length, as llama-server sends one. */
function declared(text: string, status = 200): Response {
  return new Response(text, {
    status,
    headers: {
      "content-type": "application/json",
      "content-length": String(new TextEncoder().encode(text).length),
    },
  });
}

Deno.test("a small declared answer is read whole: observed, finished and released before the client reads it", async () => {
  const { events, observer } = recordingObserver();
  const proxy = testProxy(testConfig([testModel("m1")]), { observer });
  proxy.upstream.respond = () => declared('{"ok":true}', 201);

  const res = await proxy.app.request(
    "/v1/chat/completions",
    jsonPost({ model: "m1" }),
  );
  const releasedBeforeReading = proxy.router.releases;
  const eventsBeforeReading = [...events];

  assert.equal(releasedBeforeReading, 1);
  assert.deepEqual(eventsBeforeReading, [
    "status 201",
    'chunk {"ok":true}',
    'finished {"status":201}',
  ]);
  assert.equal(res.status, 201);
  assert.equal(res.headers.get("content-type"), "application/json");
  assert.equal(await res.text(), '{"ok":true}');
  assert.equal(proxy.router.releases, 1);
});

Deno.test("a declared answer that breaks off gives the client its status, then a broken body", async () => {
  const { events, observer } = recordingObserver();
  const proxy = testProxy(testConfig([testModel("m1")]), { observer });
  proxy.upstream.respond = () =>
    new Response(
      new ReadableStream({
        start(controller) {
          controller.enqueue(new TextEncoder().encode('{"par'));
          controller.error(new Error("upstream crashed"));
        },
      }),
      { headers: { "content-length": "100" } },
    );

  const res = await proxy.app.request(
    "/v1/chat/completions",
    jsonPost({ model: "m1" }),
  );

  assert.equal(res.status, 200);
  await assert.rejects(res.text(), /upstream crashed/);
  assert.equal(proxy.router.releases, 1);
  assert.deepEqual(events, [
    "status 200",
    'finished {"status":200,"error":"upstream stream failed: upstream crashed"}',
  ]);
});

Deno.test("answers over the whole-body limit, without a length or as event streams stream through", async () => {
  const big = "x".repeat(WHOLE_BODY_LIMIT + 1);
  const answers: (() => Response)[] = [
    () => declared(big),
    () => new Response("no length"),
    () =>
      new Response("data: 1\n\n", {
        headers: {
          "content-type": "text/event-stream",
          "content-length": "9",
        },
      }),
  ];

  for (const answer of answers) {
    const proxy = testProxy(testConfig([testModel("m1")]));
    proxy.upstream.respond = answer;

    const res = await proxy.app.request(
      "/v1/chat/completions",
      jsonPost({ model: "m1" }),
    );
    const releasedBeforeReading = proxy.router.releases;
    const text = await res.text();

    assert.equal(releasedBeforeReading, 0);
    assert.equal(text, await answer().text());
    assert.equal(proxy.router.releases, 1);
  }
});

Deno.test("the access log counts the bytes of an answer read whole", async () => {
  const logs = new LogBuffer();
  const proxy = testProxy(testConfig([testModel("m1")]), {
    logger: new Logger(logs),
  });
  proxy.upstream.respond = () => declared('{"ok":true}');

  const res = await proxy.app.request(
    "/v1/chat/completions",
    jsonPost({ model: "m1" }),
  );
  await res.text();

  assert.match(
    logs.text(),
    /access: POST \/v1\/chat\/completions status=200 bytes=11 /,
  );
});

import assert from "node:assert/strict";
import { shouldSendLoadingState } from "./should_send_loading_state.ts";

const ELIGIBLE = {
  path: "/v1/chat/completions",
  streaming: true,
  sendLoadingState: true,
  ready: false,
};

Deno.test("shouldSendLoadingState() accepts chat completion paths only", () => {
  const cases: [string, boolean][] = [
    ["/v1/chat/completions", true],
    ["/v1/chat/completions/extra", true],
    ["/v1/completions", false],
    ["/v1/embeddings", false],
    ["/v1/responses", false],
    ["/v1/messages", false],
    ["/chat/completions", false],
    ["/upstream/qwen/v1/chat/completions", false],
    ["/health", false],
    ["", false],
  ];

  for (const [path, expected] of cases) {
    assert.equal(
      shouldSendLoadingState({ ...ELIGIBLE, path }),
      expected,
      `path "${path}"`,
    );
  }
});

Deno.test("shouldSendLoadingState() needs streaming, the setting and a model not ready", () => {
  assert.equal(shouldSendLoadingState(ELIGIBLE), true);
  assert.equal(
    shouldSendLoadingState({ ...ELIGIBLE, streaming: false }),
    false,
  );
  assert.equal(
    shouldSendLoadingState({ ...ELIGIBLE, sendLoadingState: false }),
    false,
  );
  assert.equal(shouldSendLoadingState({ ...ELIGIBLE, ready: true }), false);
});

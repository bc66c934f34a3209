import assert from "node:assert/strict";
import { modelConfig } from "../tests/process_fixtures.ts";
import { processFingerprint } from "./process_fingerprint.ts";

Deno.test("processFingerprint() changes with every setting the child depends on", () => {
  const base = modelConfig();
  const changes = [
    { cmd: "sleep 61" },
    { cmdStop: "docker stop x" },
    { env: ["A=1"] },
    { proxy: "http://127.0.0.1:2" },
    { checkEndpoint: "/ready" },
    { healthCheckTimeout: 30 },
  ];

  for (const change of changes) {
    assert.notEqual(
      processFingerprint(modelConfig(change)),
      processFingerprint(base),
      JSON.stringify(change),
    );
  }
});

Deno.test("processFingerprint() ignores settings that apply without a restart", () => {
  const base = modelConfig();
  const changes = [
    { ttl: 300 },
    { unloadTimeout: 45 },
    { concurrencyLimit: 2 },
    { aliases: ["other"] },
    { name: "Renamed" },
    { useModelName: "upstream-name" },
    { sendLoadingState: true },
  ];

  for (const change of changes) {
    assert.equal(
      processFingerprint(modelConfig(change)),
      processFingerprint(base),
      JSON.stringify(change),
    );
  }
});

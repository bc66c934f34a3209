/**
 * Profiles through the whole app (reference server.md §9, scenarios
 * 82-87): the profile API, pins on model routes and `/upstream` paths,
 * the listing, and the reset on reload.
 */
import assert from "node:assert/strict";
import type { Config, ProfileConfig } from "../config/types.ts";
import { LogBuffer, Logger } from "../log/mod.ts";
import { ActiveProfile, type ProxyState } from "../proxy/mod.ts";
import {
  jsonPost,
  NO_FILTERS,
  testConfig,
  testModel,
  testPeer,
  testProxy,
} from "./proxy_fakes.ts";

const coding: ProfileConfig = {
  name: "coding",
  description: "for writing code",
  pins: {
    public: "variant",
    expose: "real",
    disabled: "",
    hidden: "real",
    real: "variant",
  },
};

const writing: ProfileConfig = {
  name: "writing",
  description: "",
  pins: { public: "real" },
};

/**
 * `real` (with the setParamsByID alias `variant` that turns thinking on),
 * the unlisted `hidden`, peer model `remote/remote-model`, and the
 * profiles `coding` and `writing`.
 */
function profileConfig(): Config {
  return testConfig([
    testModel("real", {
      name: "Real Model",
      aliases: ["variant"],
      filters: {
        ...NO_FILTERS,
        setParamsByID: { variant: { thinking: true } },
      },
    }),
    testModel("hidden", { unlisted: true }),
  ], {
    peers: [testPeer("remote", ["remote-model"])],
    profiles: { writing, coding },
  });
}

async function activate(
  proxy: ReturnType<typeof testProxy>,
  name: string | null,
): Promise<Response> {
  return await proxy.app.request("/api/profiles/active", {
    method: "PUT",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ name }),
  });
}

async function errorMessage(res: Response): Promise<string> {
  return (await res.json()).error.message;
}

Deno.test("GET /api/profiles lists profiles by name with none active and disabled pins as empty", async () => {
  const proxy = testProxy(profileConfig());

  const res = await proxy.app.request("/api/profiles");

  assert.equal(res.status, 200);
  const body = await res.json();
  assert.equal(body.active, null);
  assert.deepEqual(body.profiles.map((p: { name: string }) => p.name), [
    "coding",
    "writing",
  ]);
  assert.deepEqual(body.profiles[0], {
    name: "coding",
    description: "for writing code",
    pins: coding.pins,
  });
  assert.equal(body.profiles[0].pins.disabled, "");
});

Deno.test("PUT /api/profiles/active selects a profile, clears it with null, and refuses unknown ones", async () => {
  const proxy = testProxy(profileConfig());

  const selected = await activate(proxy, "coding");
  const afterSelect = (await (await proxy.app.request("/api/profiles")).json())
    .active;
  const missing = await activate(proxy, "missing");
  const afterMissing = (await (await proxy.app.request("/api/profiles")).json())
    .active;
  const cleared = await activate(proxy, null);

  assert.equal(selected.status, 200);
  assert.equal((await selected.json()).active, "coding");
  assert.equal(afterSelect, "coding");
  assert.equal(missing.status, 404);
  assert.equal(await errorMessage(missing), 'profile "missing" not found');
  assert.equal(afterMissing, "coding");
  assert.equal(cleared.status, 200);
  assert.equal((await cleared.json()).active, null);
});

Deno.test("PUT /api/profiles/active answers 400 for malformed requests", async () => {
  const proxy = testProxy(profileConfig());
  const put = (body: string) =>
    proxy.app.request("/api/profiles/active", { method: "PUT", body });

  const invalid = await put("{not json");
  const noName = await put("{}");
  const number = await put('{"name": 3}');

  assert.equal(invalid.status, 400);
  assert.equal(await errorMessage(invalid), "invalid profile request");
  assert.equal(noName.status, 400);
  assert.equal(await errorMessage(noName), "profile name is required");
  assert.equal(number.status, 400);
  assert.equal(
    await errorMessage(number),
    "profile name must be a string or null",
  );
});

Deno.test("a pin rewrites the requested model before aliases and filters", async () => {
  const proxy = testProxy(profileConfig());
  await activate(proxy, "coding");

  const res = await proxy.app.request(
    "/v1/chat/completions",
    jsonPost({ model: "public", messages: [] }),
  );

  assert.equal(res.status, 200);
  assert.deepEqual(proxy.router.calls.map((c) => c.model), ["real"]);
  assert.deepEqual(proxy.upstream.lastJson, {
    model: "variant",
    messages: [],
    thinking: true,
  });
});

Deno.test("a pin rewrites the model in a query and in a form", async () => {
  const proxy = testProxy(profileConfig());
  await activate(proxy, "writing");

  await proxy.app.request("/v1/audio/voices?model=public&x=1");
  const query = proxy.upstream.last.url;
  await proxy.app.request("/v1/audio/speech", {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: "model=public&input=hi",
  });
  const form = proxy.upstream.last.text;

  assert.equal(
    query,
    "http://upstream-real.test/v1/audio/voices?model=real&x=1",
  );
  assert.equal(form, "model=real&input=hi");
});

Deno.test("a disabled pin answers 404 as if no model were named", async () => {
  const proxy = testProxy(profileConfig());
  await activate(proxy, "coding");

  const res = await proxy.app.request(
    "/v1/chat/completions",
    jsonPost({ model: "disabled" }),
  );

  assert.equal(res.status, 404);
  assert.equal(await errorMessage(res), "no model id could be identified");
  assert.equal(proxy.router.calls.length, 0);
});

Deno.test("without an active profile pinned names are not rewritten", async () => {
  const proxy = testProxy(profileConfig());

  const res = await proxy.app.request(
    "/v1/chat/completions",
    jsonPost({ model: "public" }),
  );

  assert.equal(res.status, 404);
  assert.equal(await errorMessage(res), "no router for requested model");
});

Deno.test("POST /upstream/<pin>/... goes to the pin's model with the body untouched", async () => {
  const proxy = testProxy(profileConfig());
  await activate(proxy, "coding");
  const body = '{"model":"public"}';

  const res = await proxy.app.request("/upstream/public/custom", {
    method: "POST",
    headers: { "content-type": "application/json" },
    body,
  });

  assert.equal(res.status, 200);
  assert.deepEqual(proxy.router.calls.map((c) => c.model), ["real"]);
  assert.equal(proxy.upstream.last.url, "http://upstream-real.test/custom");
  assert.equal(proxy.upstream.last.text, body);
});

Deno.test("/upstream pins: the longest pin wins, disabled pins are not found, others stay", async () => {
  const proxy = testProxy(
    testConfig([testModel("short"), testModel("long"), testModel("author")], {
      profiles: {
        paths: {
          name: "paths",
          description: "",
          pins: { author: "short", "author/public": "long", gone: "" },
        },
      },
    }),
  );
  await activate(proxy, "paths");

  await proxy.app.request("/upstream/author/public/v1/models");
  const longest = proxy.upstream.last.url;
  await proxy.app.request("/upstream/author/v1/models");
  const shorter = proxy.upstream.last.url;
  const gone = await proxy.app.request("/upstream/gone/v1/models");
  await proxy.app.request("/upstream/long/v1/models");
  const unpinned = proxy.upstream.last.url;

  assert.equal(longest, "http://upstream-long.test/v1/models");
  assert.equal(shorter, "http://upstream-short.test/v1/models");
  assert.equal(gone.status, 404);
  assert.equal(await errorMessage(gone), "model not found");
  assert.equal(unpinned, "http://upstream-long.test/v1/models");
});

Deno.test("/upstream/<pin> without a slash redirects to the pinned name, not its target", async () => {
  const proxy = testProxy(profileConfig());
  await activate(proxy, "coding");

  const res = await proxy.app.request("/upstream/public?x=1");

  assert.equal(res.status, 301);
  assert.equal(res.headers.get("location"), "/upstream/public/?x=1");
});

Deno.test("GET /v1/models lists the active profile's new names only", async () => {
  const proxy = testProxy(profileConfig());
  await activate(proxy, "coding");

  const res = await proxy.app.request("/v1/models");

  const data: Record<string, unknown>[] = (await res.json()).data;
  assert.deepEqual(data.map((record) => record.id), [
    "expose",
    "public",
    "real",
    "remote/remote-model",
  ]);
  const pin = data.find((record) => record.id === "public")!;
  assert.equal(pin.name, undefined);
  assert.deepEqual(pin.status, { value: "unloaded" });
  assert.deepEqual(pin.meta, { llamaswap: { type: "profile" } });
  assert.equal(data.find((r) => r.id === "real")!.name, "Real Model");
  assert.equal(
    data.find((r) => r.id === "remote/remote-model")!.name,
    "remote: remote-model",
  );
});

Deno.test("unloading by name ignores the active profile", async () => {
  const proxy = testProxy(profileConfig());
  await activate(proxy, "coding");

  const res = await proxy.app.request("/api/models/unload/real", {
    method: "POST",
  });

  assert.equal(res.status, 200);
  assert.deepEqual(proxy.router.unloads, [["real"]]);
});

Deno.test("a config reload resets the active profile and tells the listeners", async () => {
  const profiles = new ActiveProfile(new Logger(new LogBuffer()));
  const heard: (string | null)[] = [];
  profiles.onProfileChanged((active) => heard.push(active));
  let state: ProxyState | null = null;
  const proxy = testProxy(profileConfig(), {
    profiles,
    current: () => state!,
  });
  state = {
    config: profileConfig(),
    router: proxy.router,
    processes: proxy.processes,
  };
  await activate(proxy, "coding");

  state = { ...state, config: profileConfig() };
  const res = await proxy.app.request("/api/profiles");

  assert.equal((await res.json()).active, null);
  assert.deepEqual(heard, ["coding", null]);
});

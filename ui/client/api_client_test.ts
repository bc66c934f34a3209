import assert from "node:assert/strict";
import { ApiClient, errorText, KEY_STORAGE_NAME } from "./api_client.js";

class MemoryStorage {
  readonly items = new Map<string, string>();
  getItem(name: string): string | null {
    return this.items.get(name) ?? null;
  }
  setItem(name: string, value: string): void {
    this.items.set(name, value);
  }
  removeItem(name: string): void {
    this.items.delete(name);
  }
}

/** Answers 401 unless the request carries `Bearer <key>`. */
function guardedFetch(key: string) {
  const seen: Array<string | null> = [];
  const credentials: Array<RequestCredentials | undefined> = [];
  const fetch = (_url: string, init: RequestInit) => {
    credentials.push(init.credentials);
    const headers = new Headers(init.headers);
    seen.push(headers.get("authorization"));
    const ok = headers.get("authorization") === `Bearer ${key}`;
    return Promise.resolve(
      ok ? Response.json({ ok: true }) : new Response("denied", {
        status: 401,
      }),
    );
  };
  return { fetch, seen, credentials };
}

Deno.test("ApiClient reads the saved key and sends it as a bearer token, never as browser credentials", async () => {
  const storage = new MemoryStorage();
  storage.setItem(KEY_STORAGE_NAME, "secret");
  const server = guardedFetch("secret");
  const client = new ApiClient({ fetch: server.fetch, storage });

  const body = await client.json("/running");

  assert.deepEqual(body, { ok: true });
  assert.deepEqual(server.seen, ["Bearer secret"]);
  assert.deepEqual(server.credentials, ["omit"]);
});

Deno.test("ApiClient.request() asks for a key on 401, saves it and sends again", async () => {
  const storage = new MemoryStorage();
  const server = guardedFetch("secret");
  const reasons: string[] = [];
  const client: ApiClient = new ApiClient({
    fetch: server.fetch,
    storage,
    askForKey: (reason) => {
      reasons.push(reason);
      client.setKey("secret");
      return Promise.resolve(true);
    },
  });

  const response = await client.request("/running");

  assert.equal(response.status, 200);
  assert.deepEqual(reasons, ["missing"]);
  assert.deepEqual(server.seen, [null, "Bearer secret"]);
  assert.equal(storage.getItem(KEY_STORAGE_NAME), "secret");
});

Deno.test("ApiClient.request() returns the 401 when the user gives up", async () => {
  const server = guardedFetch("secret");
  const client = new ApiClient({
    fetch: server.fetch,
    storage: new MemoryStorage(),
    askForKey: () => Promise.resolve(false),
  });

  const response = await client.request("/running");

  assert.equal(response.status, 401);
  await response.body?.cancel();
});

Deno.test("ApiClient shares one key prompt between calls that fail together", async () => {
  const server = guardedFetch("secret");
  const bothSent = Promise.withResolvers<void>();
  let sent = 0;
  const fetch = async (url: string, init: RequestInit) => {
    if (++sent === 2) bothSent.resolve();
    await bothSent.promise;
    return await server.fetch(url, init);
  };
  let prompts = 0;
  const asked = Promise.withResolvers<void>();
  const answer = Promise.withResolvers<boolean>();
  const client: ApiClient = new ApiClient({
    fetch,
    storage: null,
    askForKey: async () => {
      prompts++;
      asked.resolve();
      const saved = await answer.promise;
      client.setKey("secret");
      return saved;
    },
  });

  const calls = Promise.all([client.json("/a"), client.json("/b")]);
  await asked.promise;
  answer.resolve(true);
  const results = await calls;

  assert.equal(prompts, 1);
  assert.deepEqual(results, [{ ok: true }, { ok: true }]);
});

Deno.test("ApiClient.setKey() with an empty key forgets the stored one", () => {
  const storage = new MemoryStorage();
  storage.setItem(KEY_STORAGE_NAME, "old");
  const client = new ApiClient({ fetch, storage });

  client.setKey("  ");

  assert.equal(client.key, "");
  assert.equal(storage.getItem(KEY_STORAGE_NAME), null);
  assert.deepEqual(client.headers({ Accept: "x" }), { Accept: "x" });
});

Deno.test("ApiClient keeps working in memory when storage throws", () => {
  const blocked = {
    getItem(): string | null {
      throw new DOMException("blocked", "SecurityError");
    },
    setItem(): void {
      throw new DOMException("blocked", "SecurityError");
    },
    removeItem(): void {},
  };
  const client = new ApiClient({ fetch, storage: blocked });

  client.setKey("k");

  assert.equal(client.key, "k");
});

Deno.test("errorText() prefers the message of the OpenAI error envelope", async () => {
  const envelope = Response.json(
    { error: { message: "model not found", type: "x" } },
    { status: 404 },
  );
  const text = new Response("llama-swap: busy", { status: 503 });
  const empty = new Response(null, { status: 502, statusText: "Bad Gateway" });

  assert.equal(await errorText(envelope), "model not found");
  assert.equal(await errorText(text), "busy");
  assert.equal(await errorText(empty), "502 Bad Gateway");
});

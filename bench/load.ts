/**
 * Load generators for the proxy benchmark: closed-loop keep-alive clients
 * for small requests, and many concurrent SSE streams.
 */

/** What a closed-loop run measured. */
export interface LoopResult {
  /** Requests answered with a 2xx status. */
  readonly ok: number;
  /** Requests answered otherwise, or failed. */
  readonly failed: number;
  readonly elapsedMs: number;
  /** Each successful request's latency, in ms. */
  readonly latencies: readonly number[];
}

export interface LoopOptions {
  readonly url: string;
  readonly body: string;
  /** Concurrent clients, each sending its next request when one ends. */
  readonly clients: number;
  readonly durationMs: number;
  /** One fetch client per run, so connections are kept alive. */
  readonly client: Deno.HttpClient;
}

/**
 * `clients` loops that each POST `body` as JSON to `url` and read the
 * whole answer, again and again until `durationMs` passed.
 */
export async function closedLoop(options: LoopOptions): Promise<LoopResult> {
  const latencies: number[] = [];
  let failed = 0;
  const started = performance.now();
  const end = started + options.durationMs;
  const init = {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: options.body,
    client: options.client,
  };

  const loop = async () => {
    while (performance.now() < end) {
      const sent = performance.now();
      try {
        const response = await fetch(options.url, init);
        await response.arrayBuffer();
        if (response.ok) latencies.push(performance.now() - sent);
        else failed++;
      } catch {
        failed++; // counted; the report shows failures
      }
    }
  };
  await Promise.all(Array.from({ length: options.clients }, loop));

  return {
    ok: latencies.length,
    failed,
    elapsedMs: performance.now() - started,
    latencies,
  };
}

/** What a batch of concurrent streams measured. */
export interface StreamsResult {
  readonly streams: number;
  /** Streams that ended with every expected token and `[DONE]`. */
  readonly complete: number;
  /** Per complete stream: ms from sending to the first body chunk. */
  readonly firstChunkMs: readonly number[];
  /** Content chunks received over all streams. */
  readonly tokens: number;
  /** From the first request sent to the last stream's end. */
  readonly elapsedMs: number;
}

export interface StreamsOptions {
  readonly url: string;
  /** A chat completion body with `"stream": true`. */
  readonly body: string;
  readonly streams: number;
  /** Content chunks each stream should carry. */
  readonly tokensPerStream: number;
  readonly client: Deno.HttpClient;
}

const CONTENT_FIELD = /"content":"/g;

/** Opens `streams` SSE requests at once and reads each to the end. */
export async function concurrentStreams(
  options: StreamsOptions,
): Promise<StreamsResult> {
  const firstChunkMs: number[] = [];
  let tokens = 0;
  let complete = 0;
  const started = performance.now();

  const one = async () => {
    const sent = performance.now();
    let first = NaN;
    let text = "";
    try {
      const response = await fetch(options.url, {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: options.body,
        client: options.client,
      });
      const decoder = new TextDecoder();
      for await (const chunk of response.body ?? []) {
        if (Number.isNaN(first)) first = performance.now() - sent;
        text += decoder.decode(chunk, { stream: true });
      }
    } catch {
      return; // an incomplete stream: not counted as complete
    }
    const received = text.match(CONTENT_FIELD)?.length ?? 0;
    tokens += received;
    if (received >= options.tokensPerStream && text.includes("[DONE]")) {
      complete++;
      firstChunkMs.push(first);
    }
  };
  await Promise.all(Array.from({ length: options.streams }, one));

  return {
    streams: options.streams,
    complete,
    firstChunkMs,
    tokens,
    elapsedMs: performance.now() - started,
  };
}

/** Sends `body` 20 times; throws unless every answer is 2xx. */
export async function warmUp(
  url: string,
  body: string,
  client: Deno.HttpClient,
): Promise<void> {
  for (let i = 0; i < 20; i++) {
    const response = await fetch(url, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body,
      client,
    });
    const text = await response.text();
    if (!response.ok) {
      throw new Error(
        `Cannot warm up "${url}": status ${response.status}: ${text}`,
      );
    }
  }
}

/**
 * One client sends `body` to each target in turn, `samples` rounds;
 * resolves with each target's latencies in ms.
 */
export async function sequentialLatency(
  targets: Record<string, string>,
  options: { body: string; samples: number; client: Deno.HttpClient },
): Promise<Map<string, number[]>> {
  const { body, client } = options;
  const latencies = new Map<string, number[]>();
  for (let i = 0; i < options.samples; i++) {
    for (const [name, url] of Object.entries(targets)) {
      const sent = performance.now();
      const response = await fetch(url, {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body,
        client,
      });
      await response.arrayBuffer();
      const list = latencies.get(name) ?? [];
      list.push(performance.now() - sent);
      latencies.set(name, list);
    }
  }
  return latencies;
}

/**
 * Closed-loop runs (see `closedLoop()`), each target once per round, in
 * turn; resolves with each target's requests per second, one per round.
 */
export async function throughput(
  targets: Record<string, string>,
  options: {
    body: string;
    clients: number;
    rounds: number;
    loopMs: number;
    client: Deno.HttpClient;
  },
): Promise<Map<string, { values: number[]; failed: number }>> {
  const results = new Map<string, { values: number[]; failed: number }>();
  for (let round = 0; round < options.rounds; round++) {
    for (const [name, url] of Object.entries(targets)) {
      const run = await closedLoop({
        url,
        body: options.body,
        clients: options.clients,
        durationMs: options.loopMs,
        client: options.client,
      });
      const entry = results.get(name) ?? { values: [], failed: 0 };
      entry.values.push(run.ok / (run.elapsedMs / 1000));
      entry.failed += run.failed;
      results.set(name, entry);
    }
  }
  return results;
}

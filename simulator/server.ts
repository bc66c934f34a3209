import { type Clock, delay, systemClock } from "../lib/mod.ts";
import type { Logger } from "../log/mod.ts";
import {
  ANTHROPIC_LIMIT_KEYS,
  messagesFormat,
  messagesPrompt,
} from "./anthropic.ts";
import { answerReply } from "./answer.ts";
import type { SimulatorOptions } from "./cli.ts";
import {
  badRequest,
  errorResponse,
  json,
  message,
  readJsonObject,
  type RequestScope,
  type RouteHandler,
  useModel,
} from "./http.ts";
import {
  completionFormat,
  completionPrompt,
  infillFormat,
  infillPrompt,
  LLAMA_LIMIT_KEYS,
  propsBody,
} from "./llama.ts";
import {
  chatFormat,
  chatPrompt,
  OPENAI_LIMIT_KEYS,
  textFormat,
  textPrompt,
} from "./openai.ts";
import { planReply, type ReplyFormat, requestedLimit } from "./reply.ts";
import { ROOT_PAGE } from "./root_page.ts";
import {
  countTokensRoute,
  echoRoute,
  embeddingsRoute,
  imagesRoute,
  rerankRoute,
  speechRoute,
  transcriptionRoute,
} from "./side_routes.ts";
import { countTokens, promptSeed } from "./tokens.ts";

/** Counters served by `GET /debug/stats`. */
export interface SimulatorStats {
  /** Requests received, except `GET /health` and `GET /debug/stats`. */
  readonly requests: number;
  /** Requests whose client left before the answer was complete. */
  readonly cancelled: number;
  /** Requests being answered right now (a stream until its last frame). */
  readonly active: number;
}

/** The world as the simulator's routes see it. */
export interface SimulatorAppDeps {
  /** One line per request, and one per cancelled request. */
  readonly requestLog: Logger;
  /** Lifecycle lines (simulated crashes). */
  readonly lifecycleLog: Logger;
  /**
   * Ends the process with `code`: 70 after `--crash-after`, once the last
   * answer was delivered; 71 for `--crash-mid-stream`, right after the
   * stream was dropped.
   */
  exit(code: number): void;
  readonly clock?: Clock;
}

/** A generative endpoint: how to read its prompt and render its reply. */
interface CompletionKind {
  readonly format: ReplyFormat;
  readonly prompt: (body: Record<string, unknown>) => string;
  readonly limitKeys: readonly string[];
}

const KINDS = {
  chat: {
    format: chatFormat,
    prompt: chatPrompt,
    limitKeys: OPENAI_LIMIT_KEYS,
  },
  text: {
    format: textFormat,
    prompt: textPrompt,
    limitKeys: OPENAI_LIMIT_KEYS,
  },
  completion: {
    format: completionFormat,
    prompt: completionPrompt,
    limitKeys: LLAMA_LIMIT_KEYS,
  },
  infill: {
    format: infillFormat,
    prompt: infillPrompt,
    limitKeys: LLAMA_LIMIT_KEYS,
  },
  messages: {
    format: messagesFormat,
    prompt: messagesPrompt,
    limitKeys: ANTHROPIC_LIMIT_KEYS,
  },
} satisfies Record<string, CompletionKind>;

/**
 * The simulator's HTTP routes as a plain fetch handler, so tests can call
 * `fetch()` without a socket and `Deno.serve` can host it.
 *
 * Completion-type requests (chat, text, `/completion`, `/infill`, messages)
 * count towards `--crash-after`; streams honour `--crash-mid-stream`.
 */
export class SimulatorApp {
  readonly #options: SimulatorOptions;
  readonly #deps: SimulatorAppDeps;
  readonly #clock: Clock;
  readonly #startedAt: number;
  readonly #routes = new Map<string, Map<string, RouteHandler>>();
  #requests = 0;
  #cancelled = 0;
  #active = 0;
  #answered = 0;
  #nextId = 1;

  /** Health's `--load-ms` is measured from this call. */
  constructor(options: SimulatorOptions, deps: SimulatorAppDeps) {
    this.#options = options;
    this.#deps = deps;
    this.#clock = deps.clock ?? systemClock;
    this.#startedAt = this.#clock.now();
    this.#addRoutes();
  }

  /** A snapshot of the counters. */
  stats(): SimulatorStats {
    return {
      requests: this.#requests,
      cancelled: this.#cancelled,
      active: this.#active,
    };
  }

  /**
   * Answers one request and logs it; never rejects. `info` comes from
   * `Deno.serve`; without it (tests), an answer counts as delivered at once.
   */
  fetch = async (
    request: Request,
    info?: { readonly completed: Promise<void> },
  ): Promise<Response> => {
    const path = new URL(request.url).pathname;
    const scope: RequestScope = {
      model: null,
      defaultModel: this.#options.model,
      receivedAt: this.#clock.now(),
      delivered: info?.completed ?? Promise.resolve(),
    };
    if (path !== "/health" && path !== "/debug/stats") this.#requests++;

    let response: Response;
    try {
      response = await this.#route(request, path, scope);
    } catch (error) {
      response = errorResponse(500, "server_error", message(error));
    }

    this.#deps.requestLog.info("request", {
      method: request.method,
      path,
      model: scope.model ?? "-",
      status: response.status,
    });
    return response;
  };

  #route(
    request: Request,
    path: string,
    scope: RequestScope,
  ): Promise<Response> {
    const key = path.startsWith("/debug/echo/") ? "/debug/echo" : path;
    const byMethod = this.#routes.get(key);
    if (!byMethod) {
      const text = `Cannot find "${path}": no such route`;
      return Promise.resolve(errorResponse(404, "not_found_error", text));
    }

    const handler = byMethod.get(request.method) ?? byMethod.get("*");
    if (handler) return handler(request, scope);

    const text = `Cannot ${request.method} "${path}": method not allowed`;
    const response = errorResponse(405, "invalid_request_error", text);
    response.headers.set("allow", [...byMethod.keys()].join(", "));
    return Promise.resolve(response);
  }

  #addRoutes(): void {
    const add = (method: string, paths: string[], handler: RouteHandler) => {
      for (const path of paths) {
        const byMethod = this.#routes.get(path) ?? new Map();
        byMethod.set(method, handler);
        this.#routes.set(path, byMethod);
      }
    };
    const answerNow = (answer: () => Response): RouteHandler => () =>
      Promise.resolve(answer());
    const complete = (kind: CompletionKind): RouteHandler => (req, scope) =>
      this.#complete(req, scope, kind);

    add("GET", ["/health"], answerNow(() => this.#health()));
    add("GET", ["/"], answerNow(() => html(ROOT_PAGE)));
    add("GET", ["/v1/models", "/models"], answerNow(() => this.#models()));
    add("GET", ["/props"], (_, scope) => this.#props(scope));
    add("GET", ["/debug/stats"], answerNow(() => json(this.stats())));
    add("GET", ["/debug/slow"], (request) => this.#slow(request));
    add("*", ["/debug/echo"], echoRoute);

    add(
      "POST",
      ["/v1/chat/completions", "/chat/completions"],
      complete(KINDS.chat),
    );
    add("POST", ["/v1/completions", "/completions"], complete(KINDS.text));
    add("POST", ["/completion"], complete(KINDS.completion));
    add("POST", ["/infill"], complete(KINDS.infill));
    add("POST", ["/v1/messages", "/messages"], complete(KINDS.messages));

    add(
      "POST",
      ["/v1/messages/count_tokens", "/messages/count_tokens"],
      countTokensRoute,
    );
    add("POST", ["/v1/embeddings", "/embeddings"], embeddingsRoute);
    add(
      "POST",
      ["/v1/rerank", "/rerank", "/v1/reranking", "/reranking"],
      rerankRoute,
    );
    add("POST", ["/v1/audio/transcriptions"], transcriptionRoute);
    add("POST", ["/v1/audio/speech"], speechRoute);
    add("POST", ["/v1/images/generations"], imagesRoute);
  }

  #health(): Response {
    const loading = this.#options.neverHealthy ||
      this.#clock.now() - this.#startedAt < this.#options.loadMs;
    return loading
      ? json({ status: "loading model" }, 503)
      : json({ status: "ok" });
  }

  #models(): Response {
    return json({
      object: "list",
      data: [{
        id: this.#options.model,
        object: "model",
        created: Math.floor(this.#startedAt / 1000),
        owned_by: "simulator",
      }],
    });
  }

  #props(scope: RequestScope): Promise<Response> {
    scope.model = this.#options.model;
    const body = propsBody(this.#options.model, this.#options.tokens);
    return Promise.resolve(json(body));
  }

  async #complete(
    request: Request,
    scope: RequestScope,
    kind: CompletionKind,
  ): Promise<Response> {
    const body = await readJsonObject(request);
    if (body instanceof Response) return body;

    const model = useModel(body, scope);
    const prompt = kind.prompt(body);
    const reply = planReply(promptSeed(prompt), {
      id: `sim-${this.#nextId++}`,
      created: Math.floor(scope.receivedAt / 1000),
      model,
      promptTokens: countTokens(prompt),
      limit: requestedLimit(body, kind.limitKeys),
      defaultTokens: this.#options.tokens,
    });

    this.#active++;
    const path = new URL(request.url).pathname;
    return await answerReply(reply, kind.format, {
      stream: body.stream === true,
      tokenMs: this.#options.tokenMs,
      clock: this.#clock,
      signal: () => request.signal,
      crashMidStream: this.#options.crashMidStream,
      onCrash: () => this.#crashMidStream(),
      onDone: () => this.#completionAnswered(scope.delivered),
      onCancelled: (sent) => {
        this.#active--;
        this.#cancelled++;
        this.#deps.requestLog.info("request cancelled", {
          method: request.method,
          path,
          model,
          tokens_sent: sent,
        });
      },
    });
  }

  /** Counts an answer; after the `--crash-after`-th, exits once it is sent. */
  #completionAnswered(delivered: Promise<void>): void {
    this.#active--;
    this.#answered++;
    if (this.#answered !== this.#options.crashAfter) return;

    const crash = () => {
      this.#deps.lifecycleLog.warn("simulated crash after answering requests", {
        answered: this.#options.crashAfter,
        code: 70,
      });
      this.#deps.exit(70);
    };
    delivered.then(crash, crash);
  }

  #crashMidStream(): void {
    this.#active--;
    this.#deps.lifecycleLog.warn("simulated crash in the middle of a stream", {
      tokens_sent: this.#options.crashMidStream,
      code: 71,
    });
    this.#deps.exit(71);
  }

  /** `GET /debug/slow?ms=N`: answers after N ms, or stops when the client leaves. */
  async #slow(request: Request): Promise<Response> {
    const url = new URL(request.url);
    const text = url.searchParams.get("ms") ?? "0";
    const ms = Number(text);
    if (text.trim() === "" || !Number.isFinite(ms) || ms < 0) {
      return badRequest(
        `Cannot wait: "ms" must be a number of at least 0, got "${text}"`,
      );
    }

    this.#active++;
    try {
      await delay(ms, { clock: this.#clock, signal: request.signal });
    } catch (error) {
      if (!request.signal.aborted) throw error;
      this.#cancelled++;
      this.#deps.requestLog.info("request cancelled", {
        method: request.method,
        path: url.pathname,
        model: "-",
        requested_ms: ms,
      });
      return new Response(null, { status: 499 });
    } finally {
      this.#active--;
    }
    return json({ slept_ms: ms });
  }
}

function html(page: string): Response {
  return new Response(page, {
    headers: { "content-type": "text/html; charset=utf-8" },
  });
}

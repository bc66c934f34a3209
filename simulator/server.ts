import { type Clock, systemClock } from "../lib/mod.ts";
import type { Logger } from "../log/mod.ts";
import type { SimulatorOptions } from "./cli.ts";
import { COMPLETION_KINDS, CompletionRoutes } from "./completion_route.ts";
import { echoRoute, slowRoute } from "./debug_routes.ts";
import {
  errorResponse,
  json,
  message,
  type RequestScope,
  type RouteHandler,
} from "./http.ts";
import { propsBody } from "./llama.ts";
import { RequestCounters, type SimulatorStats } from "./request_counters.ts";
import { ROOT_PAGE } from "./root_page.ts";
import {
  countTokensRoute,
  embeddingsRoute,
  imagesRoute,
  rerankRoute,
  speechRoute,
  transcriptionRoute,
} from "./side_routes.ts";

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

/**
 * The simulator's HTTP routes as a plain fetch handler, so tests can call
 * `fetch()` without a socket and `Deno.serve` can host it.
 *
 * Completion-type requests (chat, text, `/completion`, `/infill`, messages,
 * responses) count towards `--crash-after`; their streams honour
 * `--crash-mid-stream`. Health probes are logged only when the answer
 * changes.
 */
export class SimulatorApp {
  readonly #options: SimulatorOptions;
  readonly #deps: SimulatorAppDeps;
  readonly #clock: Clock;
  readonly #startedAt: number;
  readonly #counters = new RequestCounters();
  readonly #routes = new Map<string, Map<string, RouteHandler>>();
  #lastHealthStatus = 0;

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
    return this.#counters.snapshot();
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
    if (path !== "/health" && path !== "/debug/stats") {
      this.#counters.requests++;
    }

    let response: Response;
    try {
      response = await this.#route(request, path, scope);
    } catch (error) {
      response = errorResponse(500, "server_error", message(error));
    }

    if (path === "/health" && !this.#healthChanged(response.status)) {
      return response;
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
    const now = (answer: () => Response): RouteHandler => () =>
      Promise.resolve(answer());
    const context = {
      ...this.#deps,
      options: this.#options,
      clock: this.#clock,
      counters: this.#counters,
    };
    const completions = new CompletionRoutes(context);
    const kinds = COMPLETION_KINDS;

    add("GET", ["/health"], now(() => this.#health()));
    add("GET", ["/"], now(() => html(ROOT_PAGE)));
    add("GET", ["/v1/models", "/models"], now(() => this.#models()));
    add("GET", ["/props"], (_, scope) => this.#props(scope));
    add("GET", ["/debug/stats"], now(() => json(this.stats())));
    add("GET", ["/debug/slow"], slowRoute(context));
    add("*", ["/debug/echo"], echoRoute);

    const chatPaths = ["/v1/chat/completions", "/chat/completions"];
    add("POST", chatPaths, completions.handler(kinds.chat));
    add(
      "POST",
      ["/v1/completions", "/completions"],
      completions.handler(kinds.text),
    );
    add("POST", ["/completion"], completions.handler(kinds.completion));
    add("POST", ["/infill"], completions.handler(kinds.infill));
    add(
      "POST",
      ["/v1/messages", "/messages"],
      completions.handler(kinds.messages),
    );
    add(
      "POST",
      ["/v1/responses", "/responses"],
      completions.handler(kinds.responses),
    );

    const countPaths = ["/v1/messages/count_tokens", "/messages/count_tokens"];
    const rerankPaths = [
      "/v1/rerank",
      "/rerank",
      "/v1/reranking",
      "/reranking",
    ];
    add("POST", countPaths, countTokensRoute);
    add("POST", ["/v1/embeddings", "/embeddings"], embeddingsRoute);
    add("POST", rerankPaths, rerankRoute);
    add("POST", ["/v1/audio/transcriptions"], transcriptionRoute);
    add("POST", ["/v1/audio/speech"], speechRoute);
    add("POST", ["/v1/images/generations"], imagesRoute);
  }

  /**
   * Health probes arrive many times a second while a proxy waits; only a
   * change of answer is worth a log line.
   */
  #healthChanged(status: number): boolean {
    const changed = status !== this.#lastHealthStatus;
    this.#lastHealthStatus = status;
    return changed;
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
}

function html(page: string): Response {
  return new Response(page, {
    headers: { "content-type": "text/html; charset=utf-8" },
  });
}

import type { Clock } from "../lib/mod.ts";
import type { Logger } from "../log/mod.ts";
import {
  ANTHROPIC_LIMIT_KEYS,
  messagesFormat,
  messagesPrompt,
} from "./anthropic.ts";
import { answerReply } from "./answer.ts";
import type { SimulatorOptions } from "./cli.ts";
import { readJsonObject, type RouteHandler, useModel } from "./http.ts";
import {
  completionFormat,
  completionPrompt,
  infillFormat,
  infillPrompt,
  LLAMA_LIMIT_KEYS,
} from "./llama.ts";
import {
  chatFormat,
  chatPrompt,
  OPENAI_LIMIT_KEYS,
  textFormat,
  textPrompt,
} from "./openai.ts";
import { planReply, type ReplyFormat, requestedLimit } from "./reply.ts";
import {
  RESPONSES_LIMIT_KEYS,
  responsesFormat,
  responsesPrompt,
} from "./responses.ts";
import type { RequestCounters } from "./request_counters.ts";
import { countTokens, promptSeed } from "./tokens.ts";

/** A generative endpoint: how to read its prompt and render its reply. */
export interface CompletionKind {
  readonly format: ReplyFormat;
  readonly prompt: (body: Record<string, unknown>) => string;
  readonly limitKeys: readonly string[];
}

/** The completion-type endpoints, the ones `--crash-after` counts. */
export const COMPLETION_KINDS = {
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
  responses: {
    format: responsesFormat,
    prompt: responsesPrompt,
    limitKeys: RESPONSES_LIMIT_KEYS,
  },
} satisfies Record<string, CompletionKind>;

/** What completion routes share with the rest of the simulator. */
export interface CompletionContext {
  readonly options: SimulatorOptions;
  readonly clock: Clock;
  readonly counters: RequestCounters;
  readonly requestLog: Logger;
  readonly lifecycleLog: Logger;
  /** See `SimulatorAppDeps.exit`. */
  exit(code: number): void;
}

/**
 * Generates replies for the completion-type endpoints and carries out
 * `--crash-after` and `--crash-mid-stream`.
 */
export class CompletionRoutes {
  readonly #context: CompletionContext;
  #answered = 0;
  #nextId = 1;

  constructor(context: CompletionContext) {
    this.#context = context;
  }

  /** The route handler for one kind of completion. */
  handler(kind: CompletionKind): RouteHandler {
    return async (request, scope) => {
      const body = await readJsonObject(request);
      if (body instanceof Response) return body;

      const { options, clock, counters, requestLog } = this.#context;
      const model = useModel(body, scope);
      const prompt = kind.prompt(body);
      const reply = planReply(promptSeed(prompt), {
        id: `sim-${this.#nextId++}`,
        created: Math.floor(scope.receivedAt / 1000),
        model,
        promptTokens: countTokens(prompt),
        limit: requestedLimit(body, kind.limitKeys),
        defaultTokens: options.tokens,
      });

      counters.active++;
      const path = new URL(request.url).pathname;
      return await answerReply(reply, kind.format, {
        stream: body.stream === true,
        tokenMs: options.tokenMs,
        clock,
        signal: () => request.signal,
        crashMidStream: options.crashMidStream,
        onCrash: () => this.#crashMidStream(),
        onDone: () => this.#answeredOne(scope.delivered),
        onCancelled: (sent) => {
          counters.active--;
          counters.cancelled++;
          requestLog.info("request cancelled", {
            method: request.method,
            path,
            model,
            tokens_sent: sent,
          });
        },
      });
    };
  }

  /** Counts an answer; after the `--crash-after`-th, exits once it is sent. */
  #answeredOne(delivered: Promise<void>): void {
    const { options, counters, lifecycleLog } = this.#context;
    counters.active--;
    this.#answered++;
    if (this.#answered !== options.crashAfter) return;

    const crash = () => {
      lifecycleLog.warn("simulated crash after answering requests", {
        answered: options.crashAfter,
        code: 70,
      });
      this.#context.exit(70);
    };
    delivered.then(crash, crash);
  }

  #crashMidStream(): void {
    const { options, counters, lifecycleLog } = this.#context;
    counters.active--;
    lifecycleLog.warn("simulated crash in the middle of a stream", {
      tokens_sent: options.crashMidStream,
      code: 71,
    });
    this.#context.exit(71);
  }
}

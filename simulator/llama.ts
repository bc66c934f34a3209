/**
 * llama-server's native endpoints: `/completion`, `/infill`, `/props` and
 * rerank.
 */
import { isRecord, type ReplyFormat } from "./reply.ts";
import { sseData } from "./sse.ts";
import { countTokens } from "./tokens.ts";

/** The request fields that cap the number of generated tokens. */
export const LLAMA_LIMIT_KEYS = ["n_predict", "max_tokens"] as const;

/** Context size reported by `/props`. */
const CONTEXT_SIZE = 4096;

/** The prompt of `/completion`: a string, or a list whose strings count. */
export function completionPrompt(body: Record<string, unknown>): string {
  const { prompt } = body;
  if (typeof prompt === "string") return prompt;
  if (Array.isArray(prompt)) {
    return prompt.map((p) => typeof p === "string" ? p : String(p)).join(" ");
  }
  return "";
}

/** The prompt of `/infill`: prefix, prompt and suffix together. */
export function infillPrompt(body: Record<string, unknown>): string {
  return [body.input_prefix, body.prompt, body.input_suffix]
    .filter((part) => typeof part === "string")
    .join("\n");
}

/** `POST /completion`: native fields, streamed without `[DONE]`. */
export const completionFormat: ReplyFormat = {
  whole: (reply, timings) => ({
    index: 0,
    content: reply.tokens.join(""),
    model: reply.model,
    tokens_predicted: reply.tokens.length,
    tokens_evaluated: reply.promptTokens,
    stop: true,
    stop_type: reply.finish === "length" ? "limit" : "eos",
    timings,
  }),

  streamStart: () => "",

  streamToken: (reply, index) =>
    sseData({ index: 0, content: reply.tokens[index], stop: false }),

  streamEnd: (reply, timings) =>
    sseData({
      index: 0,
      content: "",
      model: reply.model,
      tokens_predicted: reply.tokens.length,
      tokens_evaluated: reply.promptTokens,
      stop: true,
      stop_type: reply.finish === "length" ? "limit" : "eos",
      timings,
    }),
};

/**
 * `POST /infill`: streamed like `/completion`; a whole reply is a JSON array
 * whose last element carries the timings.
 */
export const infillFormat: ReplyFormat = {
  ...completionFormat,
  whole: (reply, timings) => [completionFormat.whole(reply, timings)],
};

/** The body of `GET /props`. */
export function propsBody(model: string, defaultTokens: number) {
  return {
    default_generation_settings: {
      id: 0,
      n_ctx: CONTEXT_SIZE,
      speculative: false,
      is_processing: false,
      params: {
        n_predict: defaultTokens,
        temperature: 0.8,
        top_k: 40,
        top_p: 0.95,
        min_p: 0.05,
        seed: -1,
        stream: false,
      },
    },
    total_slots: 1,
    model_alias: model,
    model_path: `/models/${model}.gguf`,
    modalities: { vision: false, audio: false },
    chat_template: "{{ messages }}",
    build_info: "llama-swap simulator",
  };
}

/**
 * The body of rerank requests: every document scored by the share of its
 * words that appear in the query, best first, cut to `top_n` when given.
 * Returns null when `query` or `documents` is missing.
 */
export function rerankBody(body: Record<string, unknown>, model: string) {
  const { query, documents } = body;
  if (typeof query !== "string" || !Array.isArray(documents)) return null;

  const texts = documents.map(documentText);
  const queryWords = new Set(words(query));
  const results = texts.map((text, index) => {
    const docWords = words(text);
    const hits = docWords.filter((word) => queryWords.has(word)).length;
    const score = docWords.length === 0 ? 0 : hits / docWords.length;
    return { index, relevance_score: Math.round(score * 1e6) / 1e6 };
  });
  results.sort((a, b) => b.relevance_score - a.relevance_score);

  const topN = typeof body.top_n === "number" ? body.top_n : results.length;
  const promptTokens = texts.reduce(
    (sum, text) => sum + countTokens(text),
    countTokens(query),
  );
  return {
    model,
    object: "list",
    usage: { prompt_tokens: promptTokens, total_tokens: promptTokens },
    results: results.slice(0, Math.max(0, topN)),
  };
}

function documentText(document: unknown): string {
  if (typeof document === "string") return document;
  if (isRecord(document) && typeof document.text === "string") {
    return document.text;
  }
  return "";
}

function words(text: string): string[] {
  return text.toLowerCase().split(/[^\p{L}\p{N}]+/u).filter((w) => w !== "");
}

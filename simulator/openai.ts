/**
 * OpenAI-shaped chat and text completions: prompt extraction and the reply
 * formats for `/v1/chat/completions` and `/v1/completions`.
 */
import {
  contentText,
  isRecord,
  type Reply,
  type ReplyFormat,
} from "./reply.ts";
import { SSE_DONE, sseData } from "./sse.ts";

/** The request fields that cap the number of generated tokens. */
export const OPENAI_LIMIT_KEYS = [
  "max_tokens",
  "max_completion_tokens",
  "n_predict",
] as const;

/** The text of every message in a chat request, joined by newlines. */
export function chatPrompt(body: Record<string, unknown>): string {
  const messages = Array.isArray(body.messages) ? body.messages : [];
  return messages
    .map((message) => isRecord(message) ? contentText(message.content) : "")
    .join("\n");
}

/** The prompt of a text completion: a string or a list of strings. */
export function textPrompt(body: Record<string, unknown>): string {
  const { prompt } = body;
  if (typeof prompt === "string") return prompt;
  if (Array.isArray(prompt)) {
    return prompt.filter((p) => typeof p === "string").join("\n");
  }
  return "";
}

/** The `usage` object of OpenAI replies. */
export function openAiUsage(reply: Reply, completionTokens: number) {
  return {
    prompt_tokens: reply.promptTokens,
    completion_tokens: completionTokens,
    total_tokens: reply.promptTokens + completionTokens,
  };
}

/** `POST /v1/chat/completions`. */
export const chatFormat: ReplyFormat = {
  whole: (reply, timings) => ({
    id: `chatcmpl-${reply.id}`,
    object: "chat.completion",
    created: reply.created,
    model: reply.model,
    choices: [{
      index: 0,
      message: { role: "assistant", content: reply.tokens.join("") },
      finish_reason: reply.finish,
    }],
    usage: openAiUsage(reply, reply.tokens.length),
    timings,
  }),

  streamStart: () => "",

  streamToken: (reply, index) =>
    sseData({
      ...chatChunkHead(reply),
      choices: [{
        index: 0,
        delta: index === 0
          ? { role: "assistant", content: reply.tokens[index] }
          : { content: reply.tokens[index] },
        finish_reason: null,
      }],
    }),

  streamEnd: (reply, timings) =>
    sseData({
      ...chatChunkHead(reply),
      choices: [{ index: 0, delta: {}, finish_reason: reply.finish }],
      usage: openAiUsage(reply, reply.tokens.length),
      timings,
    }) + SSE_DONE,
};

/** `POST /v1/completions`. */
export const textFormat: ReplyFormat = {
  whole: (reply, timings) => ({
    id: `cmpl-${reply.id}`,
    object: "text_completion",
    created: reply.created,
    model: reply.model,
    choices: [{
      index: 0,
      text: reply.tokens.join(""),
      logprobs: null,
      finish_reason: reply.finish,
    }],
    usage: openAiUsage(reply, reply.tokens.length),
    timings,
  }),

  streamStart: () => "",

  streamToken: (reply, index) =>
    sseData({
      ...textChunkHead(reply),
      choices: [{
        index: 0,
        text: reply.tokens[index],
        logprobs: null,
        finish_reason: null,
      }],
    }),

  streamEnd: (reply, timings) =>
    sseData({
      ...textChunkHead(reply),
      choices: [{
        index: 0,
        text: "",
        logprobs: null,
        finish_reason: reply.finish,
      }],
      usage: openAiUsage(reply, reply.tokens.length),
      timings,
    }) + SSE_DONE,
};

function chatChunkHead(reply: Reply) {
  return {
    id: `chatcmpl-${reply.id}`,
    object: "chat.completion.chunk",
    created: reply.created,
    model: reply.model,
  };
}

function textChunkHead(reply: Reply) {
  return {
    id: `cmpl-${reply.id}`,
    object: "text_completion",
    created: reply.created,
    model: reply.model,
  };
}

/** Anthropic's Messages API: prompt extraction and the reply format. */
import {
  contentText,
  isRecord,
  type Reply,
  type ReplyFormat,
} from "./reply.ts";
import { sseEvent } from "./sse.ts";
import { countTokens } from "./tokens.ts";

/** The request fields that cap the number of generated tokens. */
export const ANTHROPIC_LIMIT_KEYS = ["max_tokens"] as const;

/** The system prompt and the text of every message, joined by newlines. */
export function messagesPrompt(body: Record<string, unknown>): string {
  const messages = Array.isArray(body.messages) ? body.messages : [];
  const parts = [contentText(body.system)];
  for (const message of messages) {
    if (isRecord(message)) parts.push(contentText(message.content));
  }
  return parts.filter((part) => part !== "").join("\n");
}

/** The body of `POST /v1/messages/count_tokens`. */
export function countTokensBody(body: Record<string, unknown>) {
  return { input_tokens: countTokens(messagesPrompt(body)) };
}

/** `POST /v1/messages`. */
export const messagesFormat: ReplyFormat = {
  whole: (reply) => ({
    id: `msg_${reply.id}`,
    type: "message",
    role: "assistant",
    content: [{ type: "text", text: reply.tokens.join("") }],
    model: reply.model,
    stop_reason: stopReason(reply),
    stop_sequence: null,
    usage: {
      input_tokens: reply.promptTokens,
      output_tokens: reply.tokens.length,
    },
  }),

  streamStart: (reply) =>
    sseEvent("message_start", {
      type: "message_start",
      message: {
        id: `msg_${reply.id}`,
        type: "message",
        role: "assistant",
        content: [],
        model: reply.model,
        stop_reason: null,
        stop_sequence: null,
        usage: { input_tokens: reply.promptTokens, output_tokens: 0 },
      },
    }) +
    sseEvent("content_block_start", {
      type: "content_block_start",
      index: 0,
      content_block: { type: "text", text: "" },
    }),

  streamToken: (reply, index) =>
    sseEvent("content_block_delta", {
      type: "content_block_delta",
      index: 0,
      delta: { type: "text_delta", text: reply.tokens[index] },
    }),

  streamEnd: (reply) =>
    sseEvent("content_block_stop", { type: "content_block_stop", index: 0 }) +
    sseEvent("message_delta", {
      type: "message_delta",
      delta: { stop_reason: stopReason(reply), stop_sequence: null },
      usage: { output_tokens: reply.tokens.length },
    }) +
    sseEvent("message_stop", { type: "message_stop" }),
};

function stopReason(reply: Reply): "end_turn" | "max_tokens" {
  return reply.finish === "length" ? "max_tokens" : "end_turn";
}

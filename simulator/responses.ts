/**
 * OpenAI's Responses API (`POST /v1/responses`): prompt extraction and the
 * reply format, streamed as named events each with a `sequence_number`.
 */
import {
  contentText,
  isRecord,
  type Reply,
  type ReplyFormat,
} from "./reply.ts";
import { sseEvent } from "./sse.ts";

/** The request fields that cap the number of generated tokens. */
export const RESPONSES_LIMIT_KEYS = ["max_output_tokens"] as const;

/** Frames `streamStart` sends before the first token. */
const START_FRAMES = 4;

/** `instructions` and the text of every input item, joined by newlines. */
export function responsesPrompt(body: Record<string, unknown>): string {
  const { input, instructions } = body;
  const parts = [contentText(instructions)];
  if (typeof input === "string") parts.push(input);
  else if (Array.isArray(input)) {
    for (const item of input) {
      if (isRecord(item)) parts.push(contentText(item.content));
    }
  }
  return parts.filter((part) => part !== "").join("\n");
}

/** `POST /v1/responses`. */
export const responsesFormat: ReplyFormat = {
  whole: (reply) => response(reply, "done"),

  streamStart: (reply) =>
    event(0, "response.created", { response: response(reply, "started") }) +
    event(1, "response.in_progress", { response: response(reply, "started") }) +
    event(2, "response.output_item.added", {
      output_index: 0,
      item: { ...message(reply, []), status: "in_progress" },
    }) +
    event(3, "response.content_part.added", {
      ...position(reply),
      part: outputText(""),
    }),

  streamToken: (reply, index) =>
    event(START_FRAMES + index, "response.output_text.delta", {
      ...position(reply),
      delta: reply.tokens[index],
    }),

  streamEnd: (reply) => {
    const text = reply.tokens.join("");
    const next = START_FRAMES + reply.tokens.length;
    return event(next, "response.output_text.done", {
      ...position(reply),
      text,
    }) +
      event(next + 1, "response.content_part.done", {
        ...position(reply),
        part: outputText(text),
      }) +
      event(next + 2, "response.output_item.done", {
        output_index: 0,
        item: message(reply, [outputText(text)]),
      }) +
      event(next + 3, terminalEvent(reply), {
        response: response(reply, "done"),
      });
  },
};

function event(
  sequence: number,
  type: string,
  fields: Record<string, unknown>,
): string {
  return sseEvent(type, { type, sequence_number: sequence, ...fields });
}

/** The response object, before generation or once it is done. */
function response(reply: Reply, stage: "started" | "done") {
  const cut = reply.finish === "length";
  const done = stage === "done";
  const status = !done ? "in_progress" : cut ? "incomplete" : "completed";
  const text = reply.tokens.join("");
  return {
    id: `resp_${reply.id}`,
    object: "response",
    created_at: reply.created,
    status,
    model: reply.model,
    output: done ? [message(reply, [outputText(text)])] : [],
    incomplete_details: done && cut ? { reason: "max_output_tokens" } : null,
    usage: done
      ? {
        input_tokens: reply.promptTokens,
        output_tokens: reply.tokens.length,
        total_tokens: reply.promptTokens + reply.tokens.length,
      }
      : null,
  };
}

function message(reply: Reply, content: unknown[]) {
  return {
    type: "message",
    id: `msg_${reply.id}`,
    status: "completed",
    role: "assistant",
    content,
  };
}

function outputText(text: string) {
  return { type: "output_text", text, annotations: [] };
}

function position(reply: Reply) {
  return { item_id: `msg_${reply.id}`, output_index: 0, content_index: 0 };
}

function terminalEvent(reply: Reply): string {
  return reply.finish === "length"
    ? "response.incomplete"
    : "response.completed";
}

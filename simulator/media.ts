/**
 * Replies of the endpoints that do not generate text token by token:
 * embeddings, image generation, speech and transcription.
 */
import { countTokens, embedText } from "./tokens.ts";

/** A 1x1 transparent PNG, base64-encoded. */
const TINY_PNG =
  "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAAC0lEQVR4nGNgAAIAAAUAAXpeqz8AAAAASUVORK5CYII=";

/**
 * A few bytes that start like an MP3 file (an ID3 tag header followed by a
 * frame sync), enough for clients that sniff the type.
 */
export const SPEECH_BYTES: Uint8Array = new Uint8Array([
  0x49,
  0x44,
  0x33,
  0x04,
  0x00,
  0x00,
  0x00,
  0x00,
  0x00,
  0x00,
  0xff,
  0xfb,
  0x90,
  0x64,
  0x00,
  0x00,
  0x00,
  0x00,
]);

/**
 * The body of `POST /v1/embeddings`: one 8-number vector per input. Inputs
 * may be a string, a list of strings, or token arrays (turned into text).
 * Returns null when `input` is missing or of another type.
 */
export function embeddingsBody(input: unknown, model: string) {
  const texts = embeddingInputs(input);
  if (texts === null) return null;

  const promptTokens = texts.reduce((sum, t) => sum + countTokens(t), 0);
  return {
    object: "list",
    data: texts.map((text, index) => ({
      object: "embedding",
      index,
      embedding: embedText(text),
    })),
    model,
    usage: { prompt_tokens: promptTokens, total_tokens: promptTokens },
  };
}

/** The body of `POST /v1/images/generations`: `n` tiny PNGs (1 to 4). */
export function imagesBody(n: unknown, created: number) {
  const count = typeof n === "number" && n >= 1
    ? Math.min(4, Math.floor(n))
    : 1;
  return {
    created,
    data: Array.from({ length: count }, () => ({
      b64_json: TINY_PNG,
      revised_prompt: "",
    })),
  };
}

/** The body of `POST /v1/audio/transcriptions` for an uploaded file. */
export function transcriptionBody(file: File) {
  return { text: `transcribed ${file.name} (${file.size} bytes)` };
}

function embeddingInputs(input: unknown): string[] | null {
  if (typeof input === "string") return [input];
  if (!Array.isArray(input)) return null;
  if (input.every((item) => typeof item === "number")) {
    return [input.join(" ")];
  }
  const texts: string[] = [];
  for (const item of input) {
    if (typeof item === "string") texts.push(item);
    else if (Array.isArray(item)) texts.push(item.join(" "));
    else return null;
  }
  return texts;
}

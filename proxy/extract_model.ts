import { errorText } from "../lib/mod.ts";
import { HttpError } from "./errors.ts";

/** A request body read once, parsed as far as model extraction needed. */
export type ParsedBody =
  | { readonly kind: "none" }
  | { readonly kind: "raw"; readonly bytes: Uint8Array<ArrayBuffer> }
  | {
    readonly kind: "json";
    readonly bytes: Uint8Array<ArrayBuffer>;
    readonly value: Record<string, unknown>;
  }
  | {
    readonly kind: "multipart";
    readonly bytes: Uint8Array<ArrayBuffer>;
    readonly form: FormData;
  }
  | {
    readonly kind: "form";
    readonly bytes: Uint8Array<ArrayBuffer>;
    readonly params: URLSearchParams;
  };

/** The model a request names, and whether it asked for a stream. */
export interface ExtractedModel {
  /** The name as the client sent it (before alias resolution). */
  readonly model: string;
  readonly streaming: boolean;
  readonly body: ParsedBody;
}

export interface ExtractInput {
  readonly method: string;
  readonly url: URL;
  readonly contentType: string;
  /** The whole body, already read under the size limit; null = none. */
  readonly body: Uint8Array<ArrayBuffer> | null;
}

/**
 * Finds the model named by a request: the `model` query parameter for GET
 * and HEAD; otherwise the body's `model`: only the JSON's when the content
 * type says JSON (an empty body names none, as in llama-swap), else a
 * multipart or urlencoded form field, falling back to `?model=`.
 *
 * Throws `HttpError` 400 for a body that claims a type it does not have
 * (malformed JSON, a broken multipart form) and 404 when no model is named.
 */
export async function extractModel(
  input: ExtractInput,
): Promise<ExtractedModel> {
  const query = input.url.searchParams;
  const body = input.method === "GET" || input.method === "HEAD"
    ? { kind: "none" as const }
    : await parseBody(input.contentType, input.body);

  const fromBody = modelInBody(body);
  const fallback = isJsonRequest(input) ? "" : query.get("model") ?? "";
  const model = fromBody.model || fallback;
  if (model === "") {
    throw new HttpError(404, "no model id could be identified");
  }

  const streaming = fromBody.model
    ? fromBody.streaming
    : query.get("stream") === "true";
  return { model, streaming, body };
}

/** A request other than GET and HEAD whose content type says JSON. */
function isJsonRequest(input: ExtractInput): boolean {
  return input.method !== "GET" && input.method !== "HEAD" &&
    input.contentType.toLowerCase().includes("application/json");
}

async function parseBody(
  contentType: string,
  bytes: Uint8Array<ArrayBuffer> | null,
): Promise<ParsedBody> {
  if (!bytes || bytes.byteLength === 0) return { kind: "none" };
  const type = contentType.toLowerCase();

  if (type.includes("application/json")) {
    return { kind: "json", bytes, value: parseJsonObject(bytes) };
  }
  if (type.includes("multipart/form-data")) {
    const form = await parseMultipart(contentType, bytes);
    return { kind: "multipart", bytes, form };
  }
  if (type.includes("application/x-www-form-urlencoded")) {
    const params = new URLSearchParams(new TextDecoder().decode(bytes));
    return { kind: "form", bytes, params };
  }
  return { kind: "raw", bytes };
}

function parseJsonObject(
  bytes: Uint8Array<ArrayBuffer>,
): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(new TextDecoder().decode(bytes));
  } catch (error) {
    const detail = errorText(error);
    throw new HttpError(400, `invalid JSON body: ${detail}`, { cause: error });
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new HttpError(400, "invalid JSON body: expected an object");
  }
  return value as Record<string, unknown>;
}

async function parseMultipart(
  contentType: string,
  bytes: Uint8Array<ArrayBuffer>,
): Promise<FormData> {
  const request = new Request("http://multipart.invalid/", {
    method: "POST",
    headers: { "Content-Type": contentType },
    body: bytes,
  });
  try {
    return await request.formData();
  } catch (error) {
    const detail = errorText(error);
    throw new HttpError(400, `invalid multipart form: ${detail}`, {
      cause: error,
    });
  }
}

function modelInBody(body: ParsedBody): { model: string; streaming: boolean } {
  switch (body.kind) {
    case "json":
      return {
        model: scalarText(body.value["model"]),
        streaming: isTruthy(body.value["stream"]),
      };
    case "multipart":
      return {
        model: formText(body.form.get("model")),
        streaming: formText(body.form.get("stream")) === "true",
      };
    case "form":
      return {
        model: body.params.get("model") ?? "",
        streaming: body.params.get("stream") === "true",
      };
    case "none":
    case "raw":
      return { model: "", streaming: false };
    default:
      return body satisfies never;
  }
}

/** Strings as they are; numbers and booleans as text; anything else "". */
function scalarText(value: unknown): string {
  if (typeof value === "string") return value;
  if (typeof value === "number" || typeof value === "boolean") {
    return String(value);
  }
  return "";
}

function formText(value: FormDataEntryValue | null): string {
  return typeof value === "string" ? value : "";
}

/**
 * `stream` counts when true, a non-zero number, or text that spells true
 * in any case the way llama-swap reads it (Go's `ParseBool` of the lower
 * case text): `1`, `t` or `true`, so `T`, `TRUE` and `tRuE` too.
 */
function isTruthy(value: unknown): boolean {
  if (typeof value === "boolean") return value;
  if (typeof value === "number") return value !== 0;
  if (typeof value === "string") return TRUE_TEXTS.has(value.toLowerCase());
  return false;
}

const TRUE_TEXTS: ReadonlySet<string> = new Set(["1", "t", "true"]);

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
 * and HEAD (Deno's HTTP server hands over no body for those); otherwise
 * the body's `model`: only the JSON's when the content type says JSON (an
 * empty body names none, as in llama-swap), else a multipart or urlencoded
 * form field, falling back to `?model=`. `stream` is looked up the same
 * way on its own: a form's `stream` field, else `?stream=`.
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

  const json = body.kind === "json" ? body.value : null;
  const field = (name: string) =>
    formField(body, name) || (query.get(name) ?? "");
  const model = json
    ? scalarText(json["model"])
    : isJsonRequest(input)
    ? ""
    : field("model");
  if (model === "") {
    throw new HttpError(404, "no model id could be identified");
  }
  const streaming = json
    ? isTruthy(json["stream"])
    : field("stream") === "true";
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

/** A form's field as text ("" when absent); other bodies have none. */
function formField(body: ParsedBody, name: string): string {
  switch (body.kind) {
    case "multipart": {
      const value = body.form.get(name);
      return typeof value === "string" ? value : "";
    }
    case "form":
      return body.params.get(name) ?? "";
    default:
      return "";
  }
}

/**
 * The JSON `model` as text, as llama-swap's lookup reads it: a string as
 * it is, any other value as its JSON text (`12`, `true`, `{"a":1}`, which
 * then names no model), a missing one or `null` as "".
 */
function scalarText(value: unknown): string {
  if (typeof value === "string") return value;
  if (value === undefined || value === null) return "";
  return JSON.stringify(value);
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

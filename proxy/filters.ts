import type { Filters } from "../config/types.ts";
import type { ParsedBody } from "./extract_model.ts";
import { deleteInText, setInText } from "./json_edit.ts";
import { splitPath } from "./json_path.ts";

/** What to change in a request body before it goes upstream. */
export interface BodyRewrite {
  /**
   * Replaces the `model` field: the local model's `useModelName`, or the
   * bare peer model ID when the client used an FQN. Null keeps it.
   */
  readonly modelName: string | null;
  /** The local model's or the peer's filters; JSON bodies only. */
  readonly filters: Filters | null;
  /** The name the client sent, the key into `setParamsByID`. */
  readonly requested: string;
  /**
   * The `model` an urlencoded form gets, null or absent to keep it: a
   * peer's bare model ID, or the name a pin or selector chose. Never
   * `useModelName`, which llama-swap applies to JSON and multipart bodies
   * only.
   */
  readonly formModelName?: string | null;
}

/** The body to send upstream. */
export interface OutgoingBody {
  readonly bytes: Uint8Array<ArrayBuffer> | null;
  /** A new `Content-Type` (a rebuilt multipart form); null keeps it. */
  readonly contentType: string | null;
}

/**
 * Applies the rewrite to a body read by `extractModel()`. JSON bodies get,
 * in order: the model name, `filters.strip` (dot paths), `setParams` and
 * then `setParamsByID[requested]` (each in sorted key order, `model` never
 * touched), edited in the text so that every other byte stays as the
 * client wrote it (numbers included). Multipart forms only get the model
 * name, and urlencoded ones `formModelName`. An untouched body is returned byte for byte.
 */
export async function rewriteBody(
  body: ParsedBody,
  rewrite: BodyRewrite,
): Promise<OutgoingBody> {
  switch (body.kind) {
    case "none":
      return { bytes: null, contentType: null };
    case "raw":
      return { bytes: body.bytes, contentType: null };
    case "json":
      return { bytes: rewriteJson(body, rewrite), contentType: null };
    case "form":
      return {
        bytes: rewriteForm(body, rewrite.formModelName ?? null),
        contentType: null,
      };
    case "multipart":
      return await rewriteMultipart(body, rewrite.modelName);
    default:
      return body satisfies never;
  }
}

/**
 * The query string with its `model` parameter replaced, for peer requests
 * that named the model in the query; unchanged when it has none.
 */
export function rewriteQueryModel(search: string, modelName: string): string {
  const params = new URLSearchParams(search);
  if (!params.has("model") || params.get("model") === modelName) return search;
  params.set("model", modelName);
  return `?${params}`;
}

function rewriteJson(
  body: Extract<ParsedBody, { kind: "json" }>,
  rewrite: BodyRewrite,
): Uint8Array<ArrayBuffer> {
  const { modelName, filters, requested } = rewrite;
  const byId = filters && Object.hasOwn(filters.setParamsByID, requested)
    ? filters.setParamsByID[requested]
    : undefined;
  const changes = modelName !== null ||
    (filters !== null &&
      (filters.strip.length > 0 ||
        Object.keys(filters.setParams).length > 0)) ||
    byId !== undefined;
  if (!changes) return body.bytes;

  let text = new TextDecoder().decode(body.bytes);
  if (modelName !== null) {
    text = setInText(text, ["model"], JSON.stringify(modelName));
  }
  for (const path of filters?.strip ?? []) {
    if (path !== "model") text = deleteInText(text, splitPath(path));
  }
  text = setAll(text, filters?.setParams ?? {});
  text = setAll(text, byId ?? {});
  return new TextEncoder().encode(text);
}

function setAll(
  text: string,
  params: Readonly<Record<string, unknown>>,
): string {
  let out = text;
  for (const key of Object.keys(params).sort()) {
    if (key === "model") continue;
    out = setInText(out, splitPath(key), JSON.stringify(params[key]));
  }
  return out;
}

function rewriteForm(
  body: Extract<ParsedBody, { kind: "form" }>,
  modelName: string | null,
): Uint8Array<ArrayBuffer> {
  if (modelName === null || !body.params.has("model")) return body.bytes;
  const params = new URLSearchParams(body.params);
  params.set("model", modelName);
  return new TextEncoder().encode(params.toString());
}

/**
 * Rebuilds a multipart form with a new `model` field, keeping field order,
 * file names and file content types; the new boundary comes with a new
 * `Content-Type`.
 */
async function rewriteMultipart(
  body: Extract<ParsedBody, { kind: "multipart" }>,
  modelName: string | null,
): Promise<OutgoingBody> {
  if (modelName === null || !body.form.has("model")) {
    return { bytes: body.bytes, contentType: null };
  }

  const form = new FormData();
  let replaced = false;
  for (const [name, value] of body.form) {
    if (name !== "model") {
      form.append(name, value);
    } else if (!replaced) {
      form.append(name, modelName);
      replaced = true;
    }
  }
  const encoded = new Request("http://multipart.invalid/", {
    method: "POST",
    body: form,
  });
  return {
    bytes: new Uint8Array(await encoded.arrayBuffer()),
    contentType: encoded.headers.get("content-type"),
  };
}

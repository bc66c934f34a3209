import { Buffer } from "node:buffer";
import { redactHeaders } from "./redact.ts";

/** One request and response as kept for the capture viewer. */
export interface CapturedExchange {
  /** Upstream path; for `/upstream/<model>/x` this is `/x`. */
  readonly reqPath: string;
  readonly reqHeaders: Readonly<Record<string, string>> | null;
  /** The body sent upstream, after filters. */
  readonly reqBody: Uint8Array | null;
  readonly respHeaders: Readonly<Record<string, string>> | null;
  /** The decoded response body; null for non-200 responses. */
  readonly respBody: Uint8Array | null;
}

/** A stored exchange with its activity ID. */
export interface Capture extends CapturedExchange {
  readonly id: number;
}

/** `GET /api/captures/{id}`: bodies in base64, absent parts null. */
export interface CaptureJson {
  id: number;
  req_path: string;
  req_headers: Record<string, string> | null;
  req_body: string | null;
  resp_headers: Record<string, string> | null;
  resp_body: string | null;
}

/** Which parts of an exchange a path keeps. */
export interface CaptureParts {
  readonly reqHeaders: boolean;
  readonly reqBody: boolean;
  readonly respHeaders: boolean;
  readonly respBody: boolean;
}

const ALL_PARTS: CaptureParts = {
  reqHeaders: true,
  reqBody: true,
  respHeaders: true,
  respBody: true,
};

/** Bulky media is left out: audio and images in or out. */
const PARTS_BY_PATH: Readonly<Record<string, CaptureParts>> = {
  "/v1/audio/speech": parts("reqHeaders", "reqBody", "respHeaders"),
  "/v1/audio/voices": parts("reqHeaders", "respHeaders", "respBody"),
  "/v1/audio/transcriptions": parts("reqHeaders", "respHeaders", "respBody"),
  "/v1/images/generations": parts("reqHeaders", "reqBody", "respHeaders"),
  "/v1/images/edits": parts("reqHeaders", "respHeaders"),
  "/sdapi/v1/txt2img": parts("reqHeaders", "reqBody", "respHeaders"),
  "/sdapi/v1/img2img": parts("reqHeaders", "respHeaders"),
};

function parts(...kept: (keyof CaptureParts)[]): CaptureParts {
  return {
    reqHeaders: kept.includes("reqHeaders"),
    reqBody: kept.includes("reqBody"),
    respHeaders: kept.includes("respHeaders"),
    respBody: kept.includes("respBody"),
  };
}

/** The parts kept for an upstream path; every part for most paths. */
export function capturePartsFor(path: string): CaptureParts {
  return Object.hasOwn(PARTS_BY_PATH, path) ? PARTS_BY_PATH[path]! : ALL_PARTS;
}

/** What the proxy has when a metered request finishes. */
export interface CaptureInput {
  /** Upstream path; pass the inner path for `/upstream/<model>/...`. */
  readonly reqPath: string;
  readonly reqHeaders: Headers;
  readonly reqBody: Uint8Array | null;
  readonly status: number;
  readonly respHeaders: Headers;
  /** The decoded response body. */
  readonly respBody: Uint8Array | null;
}

/**
 * The exchange to store for one request, or null when nothing should be
 * stored because the response body is empty.
 *
 * Keeps the parts `capturePartsFor()` allows, redacts secret headers,
 * drops `Content-Encoding` from the response headers (the body kept is the
 * decoded one) and keeps no response body unless the status is 200.
 */
export function buildCapture(input: CaptureInput): CapturedExchange | null {
  if (!input.respBody || input.respBody.length === 0) return null;
  const kept = capturePartsFor(input.reqPath);
  return {
    reqPath: input.reqPath,
    reqHeaders: kept.reqHeaders ? redactHeaders(input.reqHeaders) : null,
    reqBody: kept.reqBody ? nonEmpty(input.reqBody) : null,
    respHeaders: kept.respHeaders
      ? redactHeaders(input.respHeaders, "content-encoding")
      : null,
    respBody: kept.respBody && input.status === 200 ? input.respBody : null,
  };
}

function nonEmpty(bytes: Uint8Array | null): Uint8Array | null {
  return bytes && bytes.length > 0 ? bytes : null;
}

/** The JSON the capture route sends. */
export function captureToJson(capture: Capture): CaptureJson {
  return {
    id: capture.id,
    req_path: capture.reqPath,
    req_headers: capture.reqHeaders ? { ...capture.reqHeaders } : null,
    req_body: base64OrNull(capture.reqBody),
    resp_headers: capture.respHeaders ? { ...capture.respHeaders } : null,
    resp_body: base64OrNull(capture.respBody),
  };
}

function base64OrNull(bytes: Uint8Array | null): string | null {
  if (!bytes) return null;
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)
    .toString("base64");
}

/**
 * The ID in `/api/captures/{id}`, or null when it is not a whole number,
 * optionally signed as llama-swap reads it (the route answers 400
 * `invalid capture ID`; `-1` is a number, held by no capture: 404).
 */
export function parseCaptureId(text: string): number | null {
  if (!/^[+-]?\d{1,15}$/.test(text)) return null;
  return Number(text);
}

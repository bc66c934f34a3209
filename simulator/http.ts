/** Small HTTP helpers shared by the simulator's routes. */
import { errorText } from "../lib/mod.ts";
import { isRecord } from "./reply.ts";

/** What one request's handler tells the request log line. */
export interface RequestScope {
  /** The model the request was for, once known; "-" in the log when null. */
  model: string | null;
  /** `--model`: used when a request names no model. */
  readonly defaultModel: string;
  /** Clock time the request arrived, in ms since the epoch. */
  readonly receivedAt: number;
  /** Settles once the answer was sent, or could not be. */
  readonly delivered: Promise<void>;
}

/** Answers one request on a known path. */
export type RouteHandler = (
  request: Request,
  scope: RequestScope,
) => Promise<Response>;

/**
 * Takes the request's `model` field (else the default) and records it in
 * `scope` for the request line.
 */
export function useModel(
  body: Record<string, unknown>,
  scope: RequestScope,
): string {
  const model = typeof body.model === "string" && body.model !== ""
    ? body.model
    : scope.defaultModel;
  scope.model = model;
  return model;
}

/** The request body as a JSON object, or a 400 response explaining why not. */
export async function readJsonObject(
  request: Request,
): Promise<Record<string, unknown> | Response> {
  const text = await request.text();
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch (error) {
    return badRequest(
      `Cannot parse the request body as JSON: ${message(error)}`,
    );
  }
  if (!isRecord(body)) {
    return badRequest(
      "Cannot read the request: the body must be a JSON object",
    );
  }
  return body;
}

/** An OpenAI-style error envelope with `status`. */
export function errorResponse(
  status: number,
  type: string,
  text: string,
): Response {
  const error = { message: text, type, param: null, code: status };
  return Response.json({ error }, { status });
}

/** A 400 `invalid_request_error`. */
export function badRequest(text: string): Response {
  return errorResponse(400, "invalid_request_error", text);
}

/** A JSON response. */
export function json(body: unknown, status = 200): Response {
  return Response.json(body, { status });
}

/** The message of anything thrown. */
export function message(error: unknown): string {
  return errorText(error);
}

/**
 * Routes that answer at once instead of generating token by token:
 * embeddings, rerank, token counting, audio and images.
 */
import { countTokensBody } from "./anthropic.ts";
import {
  badRequest,
  json,
  message,
  readJsonObject,
  type RequestScope,
  useModel,
} from "./http.ts";
import { rerankBody } from "./llama.ts";
import {
  embeddingsBody,
  imagesBody,
  SPEECH_BYTES,
  transcriptionBody,
} from "./media.ts";

/** `POST /v1/messages/count_tokens`. */
export async function countTokensRoute(
  request: Request,
  scope: RequestScope,
): Promise<Response> {
  const body = await readJsonObject(request);
  if (body instanceof Response) return body;
  useModel(body, scope);
  return json(countTokensBody(body));
}

/** `POST /v1/embeddings`. */
export async function embeddingsRoute(
  request: Request,
  scope: RequestScope,
): Promise<Response> {
  const body = await readJsonObject(request);
  if (body instanceof Response) return body;

  const answer = embeddingsBody(body.input, useModel(body, scope));
  return answer ? json(answer) : badRequest(
    `Cannot embed: "input" must be a string or a list of strings`,
  );
}

/** `POST /v1/rerank` and its aliases. */
export async function rerankRoute(
  request: Request,
  scope: RequestScope,
): Promise<Response> {
  const body = await readJsonObject(request);
  if (body instanceof Response) return body;

  const answer = rerankBody(body, useModel(body, scope));
  return answer ? json(answer) : badRequest(
    `Cannot rerank: "query" must be a string and "documents" a list`,
  );
}

/** `POST /v1/audio/transcriptions`: multipart with `file` and `model`. */
export async function transcriptionRoute(
  request: Request,
  scope: RequestScope,
): Promise<Response> {
  let form: FormData;
  try {
    form = await request.formData();
  } catch (error) {
    return badRequest(`Cannot read the multipart form: ${message(error)}`);
  }
  const model = form.get("model");
  scope.model = typeof model === "string" && model !== ""
    ? model
    : scope.defaultModel;

  const file = form.get("file");
  if (!(file instanceof File)) {
    return badRequest(`Cannot transcribe: the form has no "file" field`);
  }
  return json(transcriptionBody(file));
}

/** `POST /v1/audio/speech`: a few bytes of `audio/mpeg`. */
export async function speechRoute(
  request: Request,
  scope: RequestScope,
): Promise<Response> {
  const body = await readJsonObject(request);
  if (body instanceof Response) return body;
  useModel(body, scope);
  return new Response(SPEECH_BYTES.slice(), {
    headers: { "content-type": "audio/mpeg" },
  });
}

/** `POST /v1/images/generations`. */
export async function imagesRoute(
  request: Request,
  scope: RequestScope,
): Promise<Response> {
  const body = await readJsonObject(request);
  if (body instanceof Response) return body;
  useModel(body, scope);
  return json(imagesBody(body.n, Math.floor(scope.receivedAt / 1000)));
}

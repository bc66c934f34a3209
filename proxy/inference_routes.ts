/**
 * The catalogue of model-addressed routes and how their paths reach the
 * upstream.
 */

/** POST routes whose body (JSON, form or multipart) names the model. */
export const POST_MODEL_PATHS: readonly string[] = [
  "/v1/chat/completions",
  "/v1/completions",
  "/v1/responses",
  "/v1/embeddings",
  "/v1/rerank",
  "/v1/reranking",
  "/rerank",
  "/reranking",
  "/infill",
  "/completion",
  "/v1/messages",
  "/v1/messages/count_tokens",
  "/v1/audio/speech",
  "/v1/audio/voices",
  "/v1/audio/transcriptions",
  "/v1/images/generations",
  "/v1/images/edits",
  "/sdapi/v1/txt2img",
  "/sdapi/v1/img2img",
  "/audioapi/v1/tasks/run",
  "/v/chat/completions",
  "/v/responses",
  "/v/completions",
  "/v/messages",
  "/v/messages/count_tokens",
  "/v/embeddings",
  "/v/rerank",
  "/v/reranking",
];

/** GET routes that name the model in the `model` query parameter. */
export const GET_MODEL_PATHS: readonly string[] = [
  "/v1/audio/voices",
  "/sdapi/v1/loras",
  "/props",
];

const MODEL_PATHS = new Set([...POST_MODEL_PATHS, ...GET_MODEL_PATHS]);

/** Paths under `/upstream/<model>` that count as inference for observers. */
const UPSTREAM_INFERENCE_PATHS = new Set(
  [...MODEL_PATHS].map(upstreamPathFor),
);

/** True for a route that names a model in its request. */
export function isModelPath(path: string): boolean {
  return MODEL_PATHS.has(path);
}

/** True when an `/upstream/<model>` sub-path is an inference endpoint. */
export function isInferencePath(path: string): boolean {
  return UPSTREAM_INFERENCE_PATHS.has(path);
}

/**
 * The path the upstream sees: the versionless `/v/...` twins lose their
 * `/v` and `/audioapi/...` loses `/audioapi`; everything else is unchanged.
 */
export function upstreamPathFor(path: string): string {
  if (path.startsWith("/v/")) return path.slice(2);
  if (path.startsWith("/audioapi/")) return path.slice("/audioapi".length);
  return path;
}

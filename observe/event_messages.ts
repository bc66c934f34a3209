import type { ProcessState } from "../process/types.ts";

/** One model in a `modelStatus` message. */
export interface ModelStatus {
  /** Model ID; `<peer>/<model>` for a peer's model. */
  id: string;
  name: string;
  description: string;
  state: ProcessState;
  unlisted: boolean;
  /** "" for local models. */
  peerID: string;
  /** Left out when empty. */
  aliases?: string[];
  /** Left out when empty. */
  capabilities?: Record<string, boolean>;
  /** Left out when unknown (0). */
  context_length?: number;
}

/** A chunk written to the proxy's or the upstreams' log. */
export interface LogData {
  source: "proxy" | "upstream";
  data: string;
}

/** A request being served, as the activity page lists it. */
export interface InFlightRequest {
  /** Decimal counter from "1". */
  id: string;
  /** Request start, RFC 3339. */
  timestamp: string;
  model: string;
  req_path: string;
  method: string;
  /** Redacted, one value per name. */
  req_headers: Record<string, string>;
  remote_ip: string;
  /** Empty until the response starts. */
  resp_headers: Record<string, string>;
  /** Body bytes sent to the client so far. */
  resp_bytes: number;
  /** Computed when the message is published. */
  elapsed_ms: number;
  /** Left out when empty. */
  metadata?: Record<string, string>;
}

/** The `inflight` payload: a full list, one changed entry, or a removal. */
export type InFlightUpdate =
  /** `requests` is left out when empty; treat it as `[]`. */
  | { operation: "snapshot"; requests?: InFlightRequest[] }
  | { operation: "upsert"; request: InFlightRequest }
  | { operation: "remove"; id: string };

/** Which request headers the UI shows as a session ID. */
export interface UiConfig {
  activity: { session_id: string[] };
}

/** Our addition: requests waiting for a model, oldest first. */
export interface QueueSnapshot {
  depth: number;
  entries: { model: string; position: number; waited_ms: number }[];
}

/** Every message `/api/events` carries. */
export type EventMessage =
  | { type: "modelStatus"; data: ModelStatus[] }
  | { type: "logData"; data: LogData }
  | { type: "inflight"; data: InFlightUpdate }
  /** An activity entry was recorded; the UI re-reads the activity API. */
  | { type: "activity"; data: { id: number } }
  | { type: "uiConfig"; data: UiConfig }
  | { type: "profileChanged"; data: { active: string | null } }
  | { type: "queue"; data: QueueSnapshot };

export type EventType = EventMessage["type"];

/**
 * The SSE bytes for one message: `event:message`, then `data:` with an
 * envelope whose `data` is itself a JSON-encoded string (llama-swap's UI
 * parses twice), then a blank line. JSON never contains a raw newline, so
 * the envelope always fits one `data:` line.
 */
export function frame(message: EventMessage): string {
  const envelope = JSON.stringify({
    type: message.type,
    data: JSON.stringify(message.data),
  });
  return `event:message\ndata:${envelope}\n\n`;
}

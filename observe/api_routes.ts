import type { Hono } from "hono";
import { HttpError, type ProxyEnv } from "../proxy/mod.ts";
import { ActivityQueryError } from "./activity_query.ts";
import type { ActivityStore } from "./activity_store.ts";
import { captureToJson, parseCaptureId } from "./capture.ts";
import type { CaptureStore } from "./capture_store.ts";
import type { EventSubscription } from "./event_bus.ts";
import { EVENT_STREAM_HEADERS, eventStreamBody } from "./event_stream.ts";
import type { InFlightTracker } from "./inflight_tracker.ts";
import { PROMETHEUS_CONTENT_TYPE } from "./prometheus.ts";

export interface ApiRouteDeps {
  /** A new `/api/events` subscription, its queue starting with the burst. */
  readonly subscribeEvents: () => EventSubscription;
  readonly activity: ActivityStore;
  readonly captures: CaptureStore;
  readonly inFlight: InFlightTracker;
  /** The Prometheus exposition, refreshed for this scrape. */
  readonly renderMetrics: () => Promise<string>;
}

/**
 * Mounts the UI's data routes: `GET /api/events` (SSE),
 * `GET /api/metrics/activity` and `/api/metrics/stats` (the activity
 * history in SQLite, HEAD's API), `GET /api/captures/:id`,
 * `POST /api/inflight/:id/cancel` and `GET /metrics` (Prometheus).
 * Failures are thrown as `HttpError`s for the proxy's error envelope.
 */
export function mountApiRoutes(app: Hono<ProxyEnv>, deps: ApiRouteDeps): void {
  app.get("/api/events", (c) => {
    if (c.req.method === "HEAD") {
      return new Response(null, { headers: EVENT_STREAM_HEADERS });
    }
    const body = eventStreamBody(deps.subscribeEvents());
    return new Response(body, { headers: EVENT_STREAM_HEADERS });
  });

  app.get("/api/metrics/activity", (c) => {
    const params = new URL(c.req.url).searchParams;
    return Response.json(
      storeAnswer(() => deps.activity.query(params), "failed to get activity"),
    );
  });

  app.get("/api/metrics/stats", (c) => {
    const model = c.req.query("model") || undefined;
    return Response.json(
      storeAnswer(() => deps.activity.stats(model), "failed to get stats"),
    );
  });

  app.get("/api/captures/:id", (c) => {
    const id = parseCaptureId(c.req.param("id"));
    if (id === null) throw new HttpError(400, "invalid capture ID");
    deps.activity.flush(); // a capture is stored once its entry is written
    const capture = deps.captures.get(id);
    if (!capture) throw new HttpError(404, "capture not found");
    return Response.json(captureToJson(capture));
  });

  app.post("/api/inflight/:id/cancel", (c) => {
    if (!deps.inFlight.cancel(c.req.param("id"))) {
      throw new HttpError(404, "inflight request not found");
    }
    return Response.json({ msg: "ok" });
  });

  app.get("/metrics", async () => {
    return new Response(await deps.renderMetrics(), {
      headers: { "Content-Type": PROMETHEUS_CONTENT_TYPE },
    });
  });
}

/**
 * Runs a store read: a bad query parameter becomes a 400 with the store's
 * message, any other failure a 500 with `failure` (the cause is kept for
 * the proxy's error log).
 */
function storeAnswer<T>(read: () => T, failure: string): T {
  try {
    return read();
  } catch (error) {
    if (error instanceof ActivityQueryError) {
      throw new HttpError(400, error.message, { cause: error });
    }
    throw new HttpError(500, failure, { cause: error });
  }
}

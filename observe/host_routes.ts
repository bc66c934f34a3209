import type { Hono } from "hono";
import { HttpError, type ProxyEnv } from "../proxy/mod.ts";
import type { HardwareSnapshot } from "./hardware_snapshot.ts";
import type { PerformanceMonitor } from "./performance_monitor.ts";
import { parseRfc3339 } from "./rfc3339.ts";

export interface HostRouteDeps {
  readonly performance: PerformanceMonitor;
  /** The hardware snapshot; null until detected, or when detection failed. */
  readonly hardware: () => HardwareSnapshot | null;
}

/**
 * Mounts the host routes, as llama-swap HEAD answers them:
 *
 * 1. `GET /api/performance`: 503 `{"enabled":false}` while the monitor is
 *    off; else 200 with `enabled`, `sys_stats` and `gpu_stats` (empty
 *    arrays when nothing was sampled), only samples strictly newer than
 *    `?after=<RFC 3339>` when given, 400 for an `after` that is not
 *    RFC 3339.
 * 2. `GET /api/hardware`: the snapshot, or 503 "hardware detection
 *    unavailable" while detection runs and after it failed.
 */
export function mountHostRoutes(
  app: Hono<ProxyEnv>,
  deps: HostRouteDeps,
): void {
  app.get("/api/performance", (c) => {
    const monitor = deps.performance;
    if (!monitor.enabled) {
      return Response.json({ enabled: false }, { status: 503 }); // 1.
    }

    const after = c.req.query("after");
    const since = after ? parseRfc3339(after) : null;
    if (after && since === null) {
      throw new HttpError(400, "invalid 'after' timestamp, use RFC3339 format");
    }
    const samples = monitor.samples(since?.ms ?? null);
    return Response.json({
      enabled: true,
      sys_stats: samples.system,
      gpu_stats: samples.gpus,
    });
  });

  app.get("/api/hardware", () => {
    const snapshot = deps.hardware();
    if (!snapshot) throw new HttpError(503, "hardware detection unavailable"); // 2.
    return Response.json(snapshot);
  });
}

/**
 * The router: one run loop that owns all scheduling state, fed by events
 * on a channel; a FIFO scheduler that decides and acts only through
 * `Effects`; and the `Router` facade the HTTP layer calls.
 */
export { Channel } from "./channel.ts";
export {
  type ConfigChange,
  diffProcesses,
  type ProcessDiff,
  type ProcessSet,
} from "./config_change.ts";
export type { Effects } from "./effects.ts";
export { RouterError, type RouterErrorCode } from "./errors.ts";
export type { RouterEvent, RouterEventKind } from "./events.ts";
export { FifoScheduler, type FifoSchedulerOptions } from "./fifo_scheduler.ts";
export {
  type FifoSettings,
  fifoSettings,
  type ModelRules,
} from "./fifo_settings.ts";
export { runRouterLoop } from "./loop.ts";
export type { RouterNotice } from "./notice.ts";
export type { PendingRequest } from "./request.ts";
export type { Scheduler } from "./scheduler.ts";
export type {
  QueuedRequestView,
  RouterSnapshot,
  SwapView,
} from "./snapshot.ts";
export {
  type ReconfigureResult,
  Router,
  type RouterConfiguration,
  type RouterOptions,
  type RouterView,
} from "./router.ts";
export type { Lease, RequestOptions, Ticket } from "./ticket.ts";

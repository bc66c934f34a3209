import { Cancelled, errorText } from "../lib/mod.ts";
import type { Clock } from "../lib/mod.ts";
import type { Logger } from "../log/mod.ts";
import type { ProxyState } from "./deps.ts";
import { errorKind, type HttpError } from "./errors.ts";
import {
  loadingHeaders,
  LoadingStream,
  shouldSendLoadingState,
} from "./loading/mod.ts";
import {
  asHttpError,
  openUpstream,
  relayBody,
  relayResponse,
  type UpstreamCall,
  upstreamFailure,
  type UpstreamTarget,
} from "./relay.ts";
import { finishWithError } from "./observer.ts";
import type { ModelTarget } from "./resolve_model.ts";
import { type Lease, routerFailure, type Ticket } from "./router_port.ts";
import type { UpstreamResponse, UpstreamSend } from "./upstream_response.ts";

type LocalTarget = Extract<ModelTarget, { kind: "local" }>;

/** What dispatching needs besides the call itself. */
export interface DispatchContext {
  readonly state: ProxyState;
  /** Sends every upstream request. */
  readonly send: UpstreamSend;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly loadTimes:
    | { expectedMs(model: string): number | null }
    | undefined;
}

/**
 * Serves a call for a resolved model and returns the client's response.
 *
 * Peers are forwarded to at once. Local models go through the router:
 * admission errors (404, 429, 503) are thrown before any byte is sent;
 * then, for a streaming chat request to a model that is not ready and has
 * `sendLoadingState` on, a 200 loading stream is returned at once and the
 * upstream answer follows in it (a failed load ends it with an SSE error
 * event). Otherwise the request waits for its lease and is forwarded.
 * The lease is released exactly once on every path. A granted request's
 * observation is annotated with `fifo_priority`, the lease's priority.
 *
 * Failures are thrown as `HttpError`s after the observation was finished
 * with the error answer (`finishWithError()`).
 */
export async function dispatch(
  call: UpstreamCall,
  target: ModelTarget,
  ctx: DispatchContext,
): Promise<Response> {
  // Recorded whatever happens next: a refused request's capture keeps it.
  call.observation.requestBody(call.body.bytes);
  try {
    if (target.kind === "peer") {
      const upstream = await openUpstream(call, peerTarget(target), ctx, noop);
      return await relayResponse(upstream, call, noop);
    }
    return await serveLocal(call, target, ctx);
  } catch (error) {
    finishWithError(call.observation, call.headers.get("accept"), error);
    throw error;
  }
}

async function serveLocal(
  call: UpstreamCall,
  target: LocalTarget,
  ctx: DispatchContext,
): Promise<Response> {
  const queue = new QueuePosition();
  let ticket: Ticket;
  try {
    ticket = await ctx.state.router.request(target.id, {
      signal: call.signal,
      onQueuePosition: (position) => queue.update(position),
    });
  } catch (error) {
    throw routerFailure(error);
  }

  const wantsLoading = !ticket.immediate &&
    shouldSendLoadingState({
      path: call.path,
      streaming: call.streaming,
      sendLoadingState: target.model.sendLoadingState,
      ready: ctx.state.processes.get(target.id)?.state === "ready",
    });
  if (!wantsLoading) {
    const lease = await ticket.lease.catch((error) => {
      throw routerFailure(error);
    });
    noteGrant(call, lease);
    const release = once(lease);
    const upstream = await openUpstream(
      call,
      localTarget(target),
      ctx,
      release,
    );
    return await relayResponse(upstream, call, release);
  }

  const loading = openLoadingStream(target, ctx);
  queue.show(loading);
  void continueAfterLoading(loading, ticket, call, target, ctx);
  return new Response(loading.body, { status: 200, headers: loadingHeaders() });
}

/**
 * Keeps the latest queue position the router reported (null: not queued,
 * or no longer), and passes it and every later one to the loading stream
 * once there is one.
 */
class QueuePosition {
  #latest: number | null = null;
  #stream: LoadingStream | null = null;

  update(position: number | null): void {
    this.#latest = position;
    this.#stream?.setQueuePosition(position);
  }

  show(stream: LoadingStream): void {
    this.#stream = stream;
    if (this.#latest !== null) stream.setQueuePosition(this.#latest);
  }
}

function openLoadingStream(
  target: LocalTarget,
  ctx: DispatchContext,
): LoadingStream {
  const remarks = ctx.state.config.loadingRemarks;
  return new LoadingStream({
    model: target.id,
    format: target.model.loadingStateFormat,
    ...(remarks ? { remarks } : {}),
    clock: ctx.clock,
    expectedLoadMs: ctx.loadTimes?.expectedMs(target.id) ?? null,
    logger: ctx.logger,
  });
}

/**
 * The rest of a request that answered with a loading stream: wait for the
 * lease, forward, and hand the upstream body over, or end the stream with
 * an in-band error. Never rejects.
 */
async function continueAfterLoading(
  loading: LoadingStream,
  ticket: Ticket,
  call: UpstreamCall,
  target: LocalTarget,
  ctx: DispatchContext,
): Promise<void> {
  // The client was answered 200 when the loading stream began: that is
  // the status recorded, with the failure as the entry's error. A client
  // that left hears nothing more; one whose request was cancelled through
  // the API gets the error event like any other failure.
  const fail = async (
    failure: HttpError,
    ending: { loaded?: boolean } = {},
  ) => {
    call.observation.finished({ status: 200, error: failure.message });
    if (call.signal.aborted && !(call.signal.reason instanceof Cancelled)) {
      loading.cancel();
      return;
    }
    const kind = errorKind(failure.status);
    await loading.fail({
      status: failure.status,
      message: failure.message,
      type: kind.type,
      code: failure.code ?? kind.code,
    }, ending);
  };

  try {
    let lease: Lease;
    try {
      lease = await ticket.lease;
    } catch (error) {
      return await fail(routerFailure(error));
    }

    noteGrant(call, lease);
    const release = once(lease);
    let upstream: UpstreamResponse;
    // From here on the model has loaded: a failure ends the loading text
    // with `Done!` and goes out as an SSE error event, which a chat client
    // reads where it expects the answer.
    try {
      upstream = await openUpstream(call, localTarget(target), ctx, release);
    } catch (error) {
      return await fail(asHttpError(error, call.signal), { loaded: true });
    }

    const type = upstream.headers.get("content-type") ?? "";
    if (upstream.status >= 400 && !type.includes("text/event-stream")) {
      const failure = await upstreamFailure(upstream);
      release();
      return await fail(failure, { loaded: true });
    }
    await loading.handOver(relayBody(upstream, call, release));
  } catch (error) {
    ctx.logger.warn("loading stream ended early", {
      model: target.id,
      error: errorText(error),
    });
    loading.cancel();
  }
}

function localTarget(
  target: LocalTarget,
): UpstreamTarget {
  return {
    baseUrl: target.model.proxy,
    peerApiKey: null,
    headerTimeoutMs: target.model.timeouts.responseHeader * 1000,
    connectTimeoutMs: target.model.timeouts.connect * 1000,
    tlsHandshakeMs: target.model.timeouts.tlsHandshake * 1000,
    idleConnMs: target.model.timeouts.idleConn * 1000,
    failurePrefix: "upstream connection failed",
  };
}

function peerTarget(
  target: Extract<ModelTarget, { kind: "peer" }>,
): UpstreamTarget {
  const peer = target.route.peer;
  return {
    baseUrl: peer.proxy,
    peerApiKey: peer.apiKey,
    headerTimeoutMs: peer.timeouts.responseHeader * 1000,
    connectTimeoutMs: peer.timeouts.connect * 1000,
    tlsHandshakeMs: peer.timeouts.tlsHandshake * 1000,
    idleConnMs: peer.timeouts.idleConn * 1000,
    failurePrefix: "peer proxy error",
  };
}

/** Tells the observer the priority the request was served with. */
function noteGrant(call: UpstreamCall, lease: Lease): void {
  call.observation.annotate?.("fifo_priority", String(lease.priority));
}

/** The lease's release, callable any number of times, effective once. */
function once(lease: Lease): () => void {
  let released = false;
  return () => {
    if (released) return;
    released = true;
    lease.release();
  };
}

function noop(): void {}

import type { Logger } from "../log/mod.ts";
import type { EventMessage, EventType } from "./event_messages.ts";

/** Messages a subscriber may fall behind by before new ones are dropped. */
export const DEFAULT_SUBSCRIBER_QUEUE = 1024;

export interface EventBusOptions {
  /** Per-subscriber queue length; default 1024. */
  queueSize?: number;
  /** Warned once each time a subscriber starts dropping messages. */
  log?: Logger;
}

/** Builds the current state of one message type, e.g. an in-flight snapshot. */
export type ResyncProvider = () => EventMessage;

/**
 * Fans `/api/events` messages out to every connected client.
 *
 * `publish()` never blocks and never waits for a client: each subscriber
 * has a bounded queue, and a message that does not fit is dropped for that
 * subscriber and counted. For types with a resync provider (`setResync()`)
 * a subscriber that dropped one gets the provider's current state as soon
 * as its queue has room again, so a full-state view heals by itself.
 */
export class EventBus {
  readonly queueSize: number;
  #subscribers = new Set<EventSubscription>();
  #resync = new Map<EventType, ResyncProvider>();
  #log: Logger | null;
  #closed = false;

  constructor(options: EventBusOptions = {}) {
    this.queueSize = options.queueSize ?? DEFAULT_SUBSCRIBER_QUEUE;
    if (!Number.isInteger(this.queueSize) || this.queueSize < 1) {
      throw new RangeError(
        `Cannot create event bus: queueSize must be a positive integer, got "${this.queueSize}"`,
      );
    }
    this.#log = options.log ?? null;
  }

  get subscriberCount(): number {
    return this.#subscribers.size;
  }

  /** Queues `message` for every subscriber; returns at once. */
  publish(message: EventMessage): void {
    for (const subscriber of this.#subscribers) subscriber.offer(message);
  }

  /**
   * A new subscription whose queue starts with `initial` (the burst a
   * client gets on connect), then every later message. Building `initial`
   * and subscribing in the same synchronous step loses nothing between.
   */
  subscribe(initial: readonly EventMessage[] = []): EventSubscription {
    const subscription = new EventSubscription({
      queueSize: this.queueSize,
      initial,
      resync: (type) => this.#resync.get(type) ?? null,
      onDropping: (dropped) =>
        this.#log?.warn("events client is too slow, dropping messages", {
          dropped,
        }),
      onClose: (self) => this.#subscribers.delete(self),
    });
    if (this.#closed) subscription.close();
    else this.#subscribers.add(subscription);
    return subscription;
  }

  /** Registers how to rebuild the state of `type` after dropped messages. */
  setResync(type: EventType, provider: ResyncProvider): void {
    this.#resync.set(type, provider);
  }

  /** Ends every subscription (shutdown or reload); later ones end at once. */
  close(): void {
    this.#closed = true;
    for (const subscriber of [...this.#subscribers]) subscriber.close();
  }
}

interface SubscriptionOptions {
  queueSize: number;
  initial: readonly EventMessage[];
  resync: (type: EventType) => ResyncProvider | null;
  onDropping: (dropped: number) => void;
  onClose: (subscription: EventSubscription) => void;
}

/**
 * One client's view of the bus: an async iterator of messages that ends
 * when either side closes. Read it from one place only.
 */
export class EventSubscription
  implements AsyncIterableIterator<EventMessage>, Disposable {
  #queue: EventMessage[];
  #options: SubscriptionOptions;
  #waiter: ((result: IteratorResult<EventMessage>) => void) | null = null;
  #stale = new Set<EventType>();
  #dropping = false;
  #dropped = 0;
  #closed = false;

  constructor(options: SubscriptionOptions) {
    this.#options = options;
    this.#queue = [...options.initial];
  }

  /** Messages dropped because this subscriber's queue was full. */
  get dropped(): number {
    return this.#dropped;
  }

  get closed(): boolean {
    return this.#closed;
  }

  /** Called by the bus; hands over or queues `message`, never blocks. */
  offer(message: EventMessage): void {
    if (this.#closed) return;
    if (this.#waiter) {
      const resolve = this.#waiter;
      this.#waiter = null;
      resolve({ value: message, done: false });
      return;
    }
    if (this.#queue.length < this.#options.queueSize) {
      this.#queue.push(message);
      return;
    }
    this.#dropped++;
    if (this.#options.resync(message.type)) this.#stale.add(message.type);
    if (!this.#dropping) {
      this.#dropping = true; // set first: the warning may publish a log line
      this.#options.onDropping(this.#dropped);
    }
  }

  /** The next message, waiting for one; done once closed and drained. */
  next(): Promise<IteratorResult<EventMessage>> {
    const message = this.#queue.shift();
    if (message) {
      this.#heal();
      return Promise.resolve({ value: message, done: false });
    }
    if (this.#closed) return Promise.resolve({ value: undefined, done: true });
    return new Promise((resolve) => {
      this.#waiter = resolve;
    });
  }

  /** Ends the subscription; a pending `next()` resolves as done. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#queue = [];
    this.#options.onClose(this);
    const resolve = this.#waiter;
    this.#waiter = null;
    resolve?.({ value: undefined, done: true });
  }

  /** Called by `for await` on `break`: closes the subscription. */
  return(): Promise<IteratorResult<EventMessage>> {
    this.close();
    return Promise.resolve({ value: undefined, done: true });
  }

  [Symbol.asyncIterator](): this {
    return this;
  }

  [Symbol.dispose](): void {
    this.close();
  }

  /**
   * After a read made room: queue fresh state for every dropped type. A
   * new warning is allowed once the queue is down to half its length.
   */
  #heal(): void {
    if (this.#queue.length <= this.#options.queueSize / 2) {
      this.#dropping = false;
    }
    for (const type of this.#stale) {
      if (this.#queue.length >= this.#options.queueSize) return;
      const provider = this.#options.resync(type);
      this.#stale.delete(type);
      if (provider) this.#queue.push(provider());
    }
  }
}

/**
 * The abort reason of a request someone stopped on purpose (the UI's
 * cancel button), as opposed to the client leaving: code that reports
 * why a request ended says so with this message.
 */
export class Cancelled extends Error {
  constructor(message: string) {
    super(message);
    this.name = "Cancelled";
  }
}

/**
 * Why an aborted request ended, in a few words: the `Cancelled` reason's
 * message, else that the client went away.
 */
export function abortAccount(signal: AbortSignal): string {
  const reason: unknown = signal.reason;
  return reason instanceof Cancelled ? reason.message : "client went away";
}

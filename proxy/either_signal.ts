/**
 * A signal that aborts when `first` or `second` aborts, with that one's
 * reason; aborted at once when either already is. It does what
 * `AbortSignal.any([first, second])` does, at a fraction of the cost Deno
 * charges per call for tracking dependent signals through weak
 * references, which adds up on every proxied request.
 *
 * Each source keeps a listener until one of them aborts, so pass only
 * signals that live no longer than the request (the client's and the
 * observer's), never a long-lived one.
 */
export function eitherSignal(
  first: AbortSignal,
  second: AbortSignal,
): AbortSignal {
  if (first.aborted) return first;
  if (second.aborted) return second;

  const controller = new AbortController();
  const onFirst = () => {
    second.removeEventListener("abort", onSecond);
    controller.abort(first.reason);
  };
  const onSecond = () => {
    first.removeEventListener("abort", onFirst);
    controller.abort(second.reason);
  };
  first.addEventListener("abort", onFirst, { once: true });
  second.addEventListener("abort", onSecond, { once: true });
  return controller.signal;
}

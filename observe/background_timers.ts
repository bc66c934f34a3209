import { type Clock, systemClock } from "../lib/mod.ts";

/**
 * `clock`'s `setTimer`, except that the system clock's timers are
 * unref'd: a background job waiting on one never keeps the process
 * alive. Any other clock (a test's fake) is used as it is.
 */
export function backgroundTimers(clock: Clock): Clock["setTimer"] {
  if (clock !== systemClock) return (fn, ms) => clock.setTimer(fn, ms);
  return (fn, ms) => {
    const id = setTimeout(fn, ms);
    Deno.unrefTimer(id);
    return () => clearTimeout(id);
  };
}

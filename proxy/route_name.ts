import type { Config, ProfileConfig } from "../config/types.ts";
import type { ModelProcessHandle } from "../process/types.ts";
import { HttpError } from "./errors.ts";
import { pinnedName } from "./profile_pins.ts";
import type { SelectorPicker } from "./selector_picker.ts";

/** The model name a request goes on with after profiles and selectors. */
export interface RoutedName {
  /** The name to resolve and to put in the request. */
  readonly name: string;
  /** True when a pin or a selector replaced the client's name. */
  readonly rewritten: boolean;
  /** The selector that chose `name`, or null. */
  readonly selector: string | null;
  /** Ends the selector's reservation; idempotent, a no-op without one. */
  release(): void;
}

export interface RouteNameContext {
  readonly config: Config;
  readonly processes: ReadonlyMap<string, ModelProcessHandle>;
  /** The active profile, or null. */
  readonly profile: ProfileConfig | null;
  readonly selectors: SelectorPicker;
}

/**
 * Applies, in this order, the active profile's pin (a disabled name is a
 * 404, as if the request named no model) and then a selector, to the name
 * a request asked for. The caller must call `release()` once the request
 * is over, whatever happened; a spillover selector holds a reservation
 * until then. Throws `HttpError` 404 or 503 (no spillover target).
 */
export function routeName(
  requested: string,
  context: RouteNameContext,
): RoutedName {
  const pinned = pinnedName(context.profile, requested);
  if (pinned === "") {
    throw new HttpError(404, "no model id could be identified");
  }
  const name = pinned ?? requested;

  const config = context.config;
  if (!Object.hasOwn(config.selectors, name)) {
    return { name, rewritten: pinned !== null, selector: null, release() {} };
  }
  const choice = context.selectors.pick(config.selectors[name]!, context);
  return {
    name: choice.target,
    rewritten: true,
    selector: name,
    release: () => choice.release(),
  };
}

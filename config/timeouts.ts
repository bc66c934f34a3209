import type { MapFields } from "./fields.ts";
import type { Timeouts } from "./types.ts";

/** Upstream timeouts of a model when its `timeouts` block leaves them out. */
export const MODEL_TIMEOUTS: Timeouts = {
  connect: 30,
  keepalive: 30,
  responseHeader: 0,
  tlsHandshake: 10,
  expectContinue: 1,
  idleConn: 90,
};

/** Peers wait for response headers 60 s by default; the rest as models. */
export const PEER_TIMEOUTS: Timeouts = {
  ...MODEL_TIMEOUTS,
  responseHeader: 60,
};

const SECONDS = { expect: "a number of seconds >= 0", min: 0 };

/** Reads a `timeouts` block; each key left out keeps its default. */
export function readTimeouts(fields: MapFields, defaults: Timeouts): Timeouts {
  const timeouts: Timeouts = {
    connect: fields.number("connect", defaults.connect, SECONDS),
    keepalive: fields.number("keepalive", defaults.keepalive, SECONDS),
    responseHeader: fields.number(
      "responseHeader",
      defaults.responseHeader,
      SECONDS,
    ),
    tlsHandshake: fields.number("tlsHandshake", defaults.tlsHandshake, SECONDS),
    expectContinue: fields.number(
      "expectContinue",
      defaults.expectContinue,
      SECONDS,
    ),
    idleConn: fields.number("idleConn", defaults.idleConn, SECONDS),
  };
  fields.finish();
  return timeouts;
}

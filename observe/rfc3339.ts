/** A parsed RFC 3339 time. */
export interface Rfc3339Time {
  /** Milliseconds since the epoch; digits past the millisecond are cut. */
  readonly ms: number;
  /** False when the text had whole seconds only. */
  readonly hasFraction: boolean;
}

const RFC3339_REGEXP =
  /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(Z|[+ -]\d{2}:\d{2})$/;

/**
 * Parses `2026-01-31T12:00:00Z`, `2026-01-31T12:00:00.250+02:00` and the
 * like; null for anything else, including a date alone. A space before
 * the offset is read as `+`, because an unescaped `+` in a query string
 * arrives as a space.
 */
export function parseRfc3339(text: string): Rfc3339Time | null {
  const match = RFC3339_REGEXP.exec(text);
  if (!match) return null;
  const [, y, mo, d, h, mi, s, fraction, zone] = match;
  const year = Number(y);
  const month = Number(mo);
  const day = Number(d);
  const hour = Number(h);
  const minute = Number(mi);
  const second = Number(s);
  if (month < 1 || month > 12 || day < 1 || day > daysIn(year, month)) {
    return null;
  }
  if (hour > 23 || minute > 59 || second > 59) return null;

  const offset = offsetMinutes(zone!);
  if (offset === null) return null;
  const millis = fraction ? Number(fraction.padEnd(3, "0").slice(0, 3)) : 0;
  const date = new Date(0);
  // setUTCFullYear, unlike Date.UTC, does not map years 0-99 to 19xx.
  date.setUTCFullYear(year, month - 1, day);
  date.setUTCHours(hour, minute, second, millis);
  return {
    ms: date.getTime() - offset * 60_000,
    hasFraction: fraction !== undefined,
  };
}

function daysIn(year: number, month: number): number {
  const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
  return month === 2
    ? (leap ? 29 : 28)
    : [4, 6, 9, 11].includes(month)
    ? 30
    : 31;
}

function offsetMinutes(zone: string): number | null {
  if (zone === "Z") return 0;
  const hours = Number(zone.slice(1, 3));
  const minutes = Number(zone.slice(4, 6));
  if (hours > 23 || minutes > 59) return null;
  const sign = zone[0] === "-" ? -1 : 1;
  return sign * (hours * 60 + minutes);
}

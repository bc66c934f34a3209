/**
 * Timestamp formats named after Go's time layouts, so `logTimeFormat` values
 * from llama-swap configs keep working. Times are shown in local time.
 */

const DAYS = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];
const LONG_DAYS = [
  "Sunday",
  "Monday",
  "Tuesday",
  "Wednesday",
  "Thursday",
  "Friday",
  "Saturday",
];
const MONTHS = [
  "Jan",
  "Feb",
  "Mar",
  "Apr",
  "May",
  "Jun",
  "Jul",
  "Aug",
  "Sep",
  "Oct",
  "Nov",
  "Dec",
];

const pad = (n: number, width = 2) => String(n).padStart(width, "0");

interface Parts {
  year: number;
  month: string;
  monthNumber: string;
  day: string;
  spaceDay: string;
  weekday: string;
  longWeekday: string;
  hour: string;
  hour12: string;
  minute: string;
  second: string;
  millis: string;
  ampm: string;
  /** `+01:00`, or `Z` at UTC. */
  isoZone: string;
  /** `+0100`. */
  numericZone: string;
  /** `UTC` at UTC, else the numeric zone. */
  zoneName: string;
}

function partsOf(date: Date): Parts {
  const offset = -date.getTimezoneOffset();
  const sign = offset >= 0 ? "+" : "-";
  const abs = Math.abs(offset);
  const hh = pad(Math.floor(abs / 60));
  const mm = pad(abs % 60);
  const hours = date.getHours();
  return {
    year: date.getFullYear(),
    month: MONTHS[date.getMonth()]!,
    monthNumber: pad(date.getMonth() + 1),
    day: pad(date.getDate()),
    spaceDay: String(date.getDate()).padStart(2, " "),
    weekday: DAYS[date.getDay()]!,
    longWeekday: LONG_DAYS[date.getDay()]!,
    hour: pad(hours),
    hour12: String(hours % 12 === 0 ? 12 : hours % 12),
    minute: pad(date.getMinutes()),
    second: pad(date.getSeconds()),
    millis: pad(date.getMilliseconds(), 3),
    ampm: hours < 12 ? "AM" : "PM",
    isoZone: offset === 0 ? "Z" : `${sign}${hh}:${mm}`,
    numericZone: `${sign}${hh}${mm}`,
    zoneName: offset === 0 ? "UTC" : `${sign}${hh}${mm}`,
  };
}

const FORMATS: Record<string, (p: Parts) => string> = {
  ansic: (p) =>
    `${p.weekday} ${p.month} ${p.spaceDay} ${p.hour}:${p.minute}:${p.second} ${p.year}`,
  unixdate: (p) =>
    `${p.weekday} ${p.month} ${p.spaceDay} ${p.hour}:${p.minute}:${p.second} ${p.zoneName} ${p.year}`,
  rubydate: (p) =>
    `${p.weekday} ${p.month} ${p.day} ${p.hour}:${p.minute}:${p.second} ${p.numericZone} ${p.year}`,
  rfc822: (p) =>
    `${p.day} ${p.month} ${
      String(p.year).slice(-2)
    } ${p.hour}:${p.minute} ${p.zoneName}`,
  rfc822z: (p) =>
    `${p.day} ${p.month} ${
      String(p.year).slice(-2)
    } ${p.hour}:${p.minute} ${p.numericZone}`,
  rfc850: (p) =>
    `${p.longWeekday}, ${p.day}-${p.month}-${
      String(p.year).slice(-2)
    } ${p.hour}:${p.minute}:${p.second} ${p.zoneName}`,
  rfc1123: (p) =>
    `${p.weekday}, ${p.day} ${p.month} ${p.year} ${p.hour}:${p.minute}:${p.second} ${p.zoneName}`,
  rfc1123z: (p) =>
    `${p.weekday}, ${p.day} ${p.month} ${p.year} ${p.hour}:${p.minute}:${p.second} ${p.numericZone}`,
  rfc3339: (p) =>
    `${p.year}-${p.monthNumber}-${p.day}T${p.hour}:${p.minute}:${p.second}${p.isoZone}`,
  rfc3339nano: (p) =>
    `${p.year}-${p.monthNumber}-${p.day}T${p.hour}:${p.minute}:${p.second}.${p.millis}${p.isoZone}`,
  kitchen: (p) => `${p.hour12}:${p.minute}${p.ampm}`,
  stamp: (p) => `${p.month} ${p.spaceDay} ${p.hour}:${p.minute}:${p.second}`,
  stampmilli: (p) =>
    `${p.month} ${p.spaceDay} ${p.hour}:${p.minute}:${p.second}.${p.millis}`,
  stampmicro: (p) =>
    `${p.month} ${p.spaceDay} ${p.hour}:${p.minute}:${p.second}.${p.millis}000`,
  stampnano: (p) =>
    `${p.month} ${p.spaceDay} ${p.hour}:${p.minute}:${p.second}.${p.millis}000000`,
};

/** The layout names `logTimeFormat` accepts (case-insensitive). */
export const TIME_FORMAT_NAMES: readonly string[] = Object.keys(FORMATS);

/**
 * Returns a formatter for a `logTimeFormat` value, or null for "" and for
 * unknown names (which, as in llama-swap, simply mean no timestamp).
 */
export function timeFormatter(
  name: string,
): ((ms: number) => string) | null {
  const format = FORMATS[name.trim().toLowerCase()];
  return format ? (ms) => format(partsOf(new Date(ms))) : null;
}

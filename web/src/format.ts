// Numbers and times as people read them. Pure; times in the server's configured zone.

const exact = new Intl.NumberFormat("en-US", { maximumFractionDigits: 2 });
const compact = new Intl.NumberFormat("en-US", { notation: "compact", maximumFractionDigits: 1 });
const zoned = new Map<string, Intl.DateTimeFormat>();
const zonedDays = new Map<string, Intl.DateTimeFormat>();

/** `12,345` (up to two decimals), or an em dash for a missing value. */
export function formatExact(value: number | null | undefined): string {
  return value == null || !Number.isFinite(value) ? "—" : exact.format(value);
}

/** `12.3K` for large numbers, exact below 10,000; an em dash for a missing value. */
export function formatCompact(value: number | null | undefined): string {
  if (value == null || !Number.isFinite(value)) return "—";
  return Math.abs(value) < 10_000 ? exact.format(value) : compact.format(value);
}

const finerCompact = [2, 3].map(
  (digits) => new Intl.NumberFormat("en-US", { notation: "compact", maximumFractionDigits: digits }),
);

/**
 * A tick of a count axis as `formatCompact` writes it, with more decimals where that would
 * give two ticks one label (`5.95M`, `6M`, `6.05M`, not `6M`, `6M`, `6.1M`).
 */
export function formatCompactTick(value: number, ticks: readonly number[]): string {
  const distinct = (format: (tick: number) => string) => new Set(ticks.map(format)).size === ticks.length;
  if (distinct(formatCompact)) return formatCompact(value);
  for (const finer of finerCompact) {
    const format = (tick: number) => (Math.abs(tick) < 10_000 ? exact.format(tick) : finer.format(tick));
    if (distinct(format)) return format(value);
  }
  return formatCompact(value);
}

/** A change with its sign (`+8`, `−3`, `0`); an em dash when unknown. */
export function formatChange(value: number | null | undefined): string {
  if (value == null || !Number.isFinite(value)) return "—";
  if (value === 0) return "0";
  const text = formatCompact(Math.abs(value));
  return value > 0 ? `+${text}` : `−${text}`;
}

/**
 * A tick of a ratio axis with as few decimals as tell the axis's ticks apart, one at least:
 * `2.9` on an axis stepping by 0.1, `2.91` on one stepping by 0.01 (never `2.9` five times).
 */
export function formatRatioTick(value: number, ticks: readonly number[]): string {
  let step = Infinity;
  for (let index = 1; index < ticks.length; index += 1) {
    const difference = Math.abs((ticks[index] ?? 0) - (ticks[index - 1] ?? 0));
    if (difference > 0 && difference < step) step = difference;
  }
  const decimals = Number.isFinite(step) ? Math.min(4, Math.max(1, Math.ceil(-Math.log10(step) - 1e-9))) : 1;
  return value.toFixed(decimals);
}

/** A ratio with two decimals; an em dash when undefined (its divisor was 0). */
export function formatRatio(value: number | null | undefined): string {
  return value == null || !Number.isFinite(value) ? "—" : value.toFixed(2);
}

function formatter(zone: string): Intl.DateTimeFormat {
  let found = zoned.get(zone);
  if (!found) {
    found = new Intl.DateTimeFormat("en-US", {
      timeZone: zone,
      year: "numeric",
      month: "short",
      day: "numeric",
      hour: "2-digit",
      minute: "2-digit",
      hourCycle: "h23",
      timeZoneName: "short",
    });
    zoned.set(zone, found);
  }
  return found;
}

/** `Mar 1, 2026, 00:00 PST`: a moment in the given IANA zone. */
export function formatTime(epochSeconds: number, zone: string): string {
  return formatter(zone).format(new Date(epochSeconds * 1000));
}

/** `Mar 1, 2026`: the day of a moment in the given zone. */
export function formatDay(epochSeconds: number, zone: string): string {
  let found = zonedDays.get(zone);
  if (!found) {
    found = new Intl.DateTimeFormat("en-US", { timeZone: zone, year: "numeric", month: "short", day: "numeric" });
    zonedDays.set(zone, found);
  }
  return found.format(new Date(epochSeconds * 1000));
}

const wallClocks = new Map<string, Intl.DateTimeFormat>();

function wallClock(zone: string): Intl.DateTimeFormat {
  let found = wallClocks.get(zone);
  if (!found) {
    found = new Intl.DateTimeFormat("en-US", {
      timeZone: zone,
      year: "numeric",
      month: "numeric",
      day: "numeric",
      hour: "numeric",
      minute: "numeric",
      second: "numeric",
      hourCycle: "h23",
    });
    wallClocks.set(zone, found);
  }
  return found;
}

/**
 * A `Date` whose local fields read the wall clock of `zone` at a moment: what a chart library
 * that formats in the browser's own zone needs to label axes in another one. The same answer as
 * `new Date(date.toLocaleString("en-US", { timeZone: zone }))`, without building a formatter
 * on every call (that costs a fraction of a millisecond each, and a chart asks for hundreds).
 */
export function wallClockDate(epochSeconds: number, zone: string): Date {
  const fields = { year: 1970, month: 1, day: 1, hour: 0, minute: 0, second: 0 };
  for (const part of wallClock(zone).formatToParts(new Date(epochSeconds * 1000))) {
    if (part.type in fields) fields[part.type as keyof typeof fields] = Number(part.value);
  }
  const milliseconds = Math.round(epochSeconds * 1000) % 1000;
  return new Date(
    fields.year,
    fields.month - 1,
    fields.day,
    fields.hour,
    fields.minute,
    fields.second,
    milliseconds < 0 ? milliseconds + 1000 : milliseconds,
  );
}

const UNITS: [number, string][] = [
  [86_400 * 365, "year"],
  [86_400 * 30, "month"],
  [86_400 * 7, "week"],
  [86_400, "day"],
  [3_600, "hour"],
  [60, "minute"],
];

/** `3 hours ago`, `in 2 days`, `just now`: the largest whole unit between two moments. */
export function formatRelative(epochSeconds: number, nowSeconds: number): string {
  const difference = epochSeconds - nowSeconds;
  const size = Math.abs(difference);
  for (const [seconds, unit] of UNITS) {
    if (size >= seconds) {
      const count = Math.floor(size / seconds);
      const words = `${count} ${unit}${count === 1 ? "" : "s"}`;
      return difference < 0 ? `${words} ago` : `in ${words}`;
    }
  }
  return "just now";
}

/** Epoch seconds of an ISO-8601 time from the API. */
export function epochOf(iso: string): number {
  return Math.floor(Date.parse(iso) / 1000);
}

/** A field name as a label: `open_prs` → `open PRs`. */
export function fieldLabel(name: string): string {
  return name
    .replace(/_prs$/, "_PRs")
    .replace(/^star_count$/, "stars")
    .replaceAll("_", " ");
}

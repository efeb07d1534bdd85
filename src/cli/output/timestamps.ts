/**
 * Exact timestamp text: nanoseconds since the epoch, shown with every digit of the column's
 * unit, in the column's time zone. A column without a zone holds wall-clock times and gets no
 * suffix; UTC gets `Z`; any other zone shows its local time and UTC offset (`+01:00`).
 */

/** How a timestamp column's zone is shown. */
export type Zone =
  | { readonly kind: 'naive' }
  | { readonly kind: 'utc' }
  | { readonly kind: 'fixed'; readonly minutes: number }
  | { readonly kind: 'named'; readonly format: Intl.DateTimeFormat };

const UTC_NAMES = /^(?:z|utc|uct|gmt|zulu|etc\/(?:utc|uct|gmt|zulu)|[+-]00:?00)$/i;

/** The Zone of an Arrow timestamp's `timezone` (null: none). An unknown zone name shows UTC. */
export function timeZoneOf(timezone: string | null | undefined): Zone {
  if (!timezone) return { kind: 'naive' };
  if (UTC_NAMES.test(timezone)) return { kind: 'utc' };
  const fixed = /^([+-])(\d\d):?(\d\d)$/.exec(timezone);
  if (fixed) {
    const minutes = Number(fixed[2]) * 60 + Number(fixed[3]);
    return { kind: 'fixed', minutes: fixed[1] === '-' ? -minutes : minutes };
  }
  try {
    const format = new Intl.DateTimeFormat('en-US', {
      timeZone: timezone,
      hourCycle: 'h23',
      era: 'short',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    return { kind: 'named', format };
  } catch {
    // The instant stays right: shown in UTC, and marked so.
    return { kind: 'utc' };
  }
}

/** The zone's offset from UTC in minutes at the instant `ms`. */
function offsetMinutes(zone: Zone, ms: number): number {
  if (zone.kind === 'fixed') return zone.minutes;
  if (zone.kind !== 'named') return 0;
  const parts: Record<string, number> = {};
  let bc = false;
  for (const part of zone.format.formatToParts(ms)) {
    if (part.type === 'era') bc = part.value === 'BC';
    else parts[part.type] = Number(part.value);
  }
  // Years before 1 come as the era's year (1 BC is year 0 in ISO).
  const year = bc ? 1 - parts['year']! : parts['year']!;
  const local = new Date(0);
  local.setUTCFullYear(year, parts['month']! - 1, parts['day']!);
  local.setUTCHours(parts['hour']!, parts['minute']!, parts['second']!, 0);
  return Math.round((local.getTime() - Math.floor(ms / 1000) * 1000) / 60_000);
}

function offsetText(minutes: number): string {
  const sign = minutes < 0 ? '-' : '+';
  const abs = Math.abs(minutes);
  return `${sign}${String(Math.floor(abs / 60)).padStart(2, '0')}:${String(abs % 60).padStart(2, '0')}`;
}

const NS_PER_SECOND = 1_000_000_000n;

/**
 * `YYYY-MM-DD HH:MM:SS[.fraction][zone]` of `ns` nanoseconds since the epoch, with `digits`
 * fraction digits (the column unit's: 0, 3, 6 or 9) and `separator` between date and time.
 * Instants outside what a Date can hold (beyond ±275,000 years) come as `<ns> ns`.
 */
export function timestampText(ns: bigint, digits: number, zone: Zone, separator: ' ' | 'T'): string {
  let seconds = ns / NS_PER_SECOND;
  let fraction = ns % NS_PER_SECOND;
  if (fraction < 0n) {
    fraction += NS_PER_SECOND;
    seconds -= 1n;
  }
  const ms = Number(seconds) * 1000;
  if (!(Math.abs(ms) <= 8.64e15)) return `${ns} ns`;
  const offset = offsetMinutes(zone, ms);
  const local = new Date(ms + offset * 60_000);
  if (Number.isNaN(local.getTime())) return `${ns} ns`;
  const iso = local.toISOString();
  const base = `${iso.slice(0, iso.indexOf('T'))}${separator}${iso.slice(iso.indexOf('T') + 1, iso.indexOf('.'))}`;
  const frac = digits === 0 ? '' : `.${fraction.toString().padStart(9, '0').slice(0, digits)}`;
  const suffix = zone.kind === 'naive' ? '' : zone.kind === 'utc' ? 'Z' : offsetText(offset);
  return `${base}${frac}${suffix}`;
}

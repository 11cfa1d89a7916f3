import { DateTime } from 'luxon';

/** A local calendar week [from, to) in one time zone, Monday to Monday, and its ISO name. */
export interface LocalWeek {
  from: Date;
  to: Date;
  /** e.g. '2026-W49' (ISO week-numbering year and week). */
  id: string;
  /** Monday and Sunday as ISO dates, for day() params. */
  firstDay: string;
  lastDay: string;
}

/** The week containing `at` in `zone`. */
export function localWeek(at: Date, zone: string): LocalWeek {
  const start = DateTime.fromJSDate(at).setZone(zone).startOf('week');
  const end = start.plus({ weeks: 1 });
  return {
    from: start.toJSDate(),
    to: end.toJSDate(),
    id: `${start.weekYear}-W${String(start.weekNumber).padStart(2, '0')}`,
    firstDay: start.toISODate()!,
    lastDay: end.minus({ days: 1 }).toISODate()!,
  };
}

/** The calendar month before the one containing `at` in `zone`: what the tally on the 1st covers. */
export function previousMonth(at: Date, zone: string): { year: number; month: number; id: string } {
  const prev = DateTime.fromJSDate(at).setZone(zone).startOf('month').minus({ months: 1 });
  return { year: prev.year, month: prev.month, id: prev.toFormat('yyyy-MM') };
}

/**
 * Whether `at`, seen in `zone`, is on `weekday` (1 = Monday) at or after hour:minute — the local
 * moment a weekly message becomes due. Later on the same day still counts, so a run missed
 * during downtime is caught up by the next one.
 */
export function isDueLocally(at: Date, zone: string, due: { weekday: number; hour: number; minute: number }): boolean {
  const local = DateTime.fromJSDate(at).setZone(zone);
  return local.weekday === due.weekday && local.hour * 60 + local.minute >= due.hour * 60 + due.minute;
}

/** '62%' or '—' when there is nothing to divide by. */
export function percent(ratio: number | null): string {
  return ratio === null ? '—' : `${Math.round(ratio * 100)}%`;
}

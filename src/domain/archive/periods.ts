import { DateTime } from 'luxon';

/** A stretch of a performance record: [from, to), with `to` never later than now. */
export interface RecordPeriod {
  from: Date;
  to: Date;
  /** First and last calendar day of the whole year or term (YYYY-MM-DD), for display. */
  firstDay: string;
  lastDay: string;
}

/** The committee's term (届): its first day and its length in years. */
export interface TermRule {
  start: string;
  years: number;
}

function period(start: DateTime, end: DateTime, now: Date): RecordPeriod {
  const to = end.toJSDate() < now ? end.toJSDate() : now;
  return { from: start.toJSDate(), to, firstDay: start.toISODate()!, lastDay: end.minus({ days: 1 }).toISODate()! };
}

/** Calendar year `year` in `timeZone`, up to now at most. */
export function yearPeriod(year: number, timeZone: string, now: Date): RecordPeriod {
  const start = DateTime.fromObject({ year, month: 1, day: 1 }, { zone: timeZone });
  return period(start, start.plus({ years: 1 }), now);
}

/** The year `now` falls in, in `timeZone`. */
export function currentYear(now: Date, timeZone: string): number {
  return DateTime.fromJSDate(now).setZone(timeZone).year;
}

/**
 * The term `now` falls in: terms follow one another every `years` years from `start` (and
 * before it), each starting on the same calendar day in `timeZone`. Up to now at most.
 */
export function termPeriod(rule: TermRule, timeZone: string, now: Date): RecordPeriod {
  const first = DateTime.fromISO(rule.start, { zone: timeZone });
  const at = DateTime.fromJSDate(now).setZone(timeZone);
  let n = Math.floor(at.diff(first, 'years').years / rule.years);
  // diff in years is fractional; step so that start ≤ now < end holds exactly.
  while (first.plus({ years: (n + 1) * rule.years }) <= at) n++;
  while (first.plus({ years: n * rule.years }) > at) n--;
  const start = first.plus({ years: n * rule.years });
  return period(start, start.plus({ years: rule.years }), now);
}

import { DateTime } from 'luxon';
import { formatDateTime, formatTime, localDate } from '../src/core/i18n.js';
import { UserError } from '../src/core/errors.js';
import type { ShiftRules } from '../src/domain/shifts/records.js';
import type { ShiftSummary } from '../src/domain/shifts/views.js';
import type { Ctx } from '../src/router/types.js';

/** The shift rules in force for this process (settings plus the committee's zone for months). */
export const rulesOf = (ctx: Ctx): ShiftRules => ({ settings: ctx.deps.settings.shifts, monthZone: ctx.deps.defaultTimeZone });

/**
 * "12月10日周四 09:00 [GMT+8]–12:00" in the reader's zone and language; the end shows its date
 * too when it falls on another local day.
 */
export function when(ctx: Ctx, startsAt: Date, endsAt: Date): string {
  const start = formatDateTime(startsAt, ctx.locale, ctx.timeZone);
  const sameDay = localDate(startsAt, ctx.timeZone) === localDate(endsAt, ctx.timeZone);
  const end = sameDay ? formatTime(endsAt, ctx.locale, ctx.timeZone) : formatDateTime(endsAt, ctx.locale, ctx.timeZone);
  return `${start}–${end}`;
}

/** One line of a shift list: id, time, theme, level and the seats left (or the waitlist). */
export function shiftLine(ctx: Ctx, s: ShiftSummary): string {
  const seats = s.filled < s.capacity
    ? ctx.t('shifts.seatsLeft', { left: s.capacity - s.filled, capacity: s.capacity })
    : ctx.t('shifts.full', { waiting: s.waiting });
  return ctx.t('shifts.line', { id: s.shiftId, when: when(ctx, s.startsAt, s.endsAt), theme: s.theme, level: ctx.t(`shifts.level.${s.level}`), seats });
}

/** The start of a local calendar day (YYYY-MM-DD) in the reader's zone, as a moment. */
export function dayStart(ctx: Ctx, isoDate: string): Date {
  return DateTime.fromISO(isoDate, { zone: ctx.timeZone }).startOf('day').toJSDate();
}

/** Today's date in the reader's zone. */
export function today(ctx: Ctx): string {
  return DateTime.fromJSDate(ctx.deps.clock.now()).setZone(ctx.timeZone).toISODate()!;
}

/** [from, to) covering the local days `fromDate`..`toDate` inclusive; refuses a reversed range. */
export function dayRange(ctx: Ctx, fromDate: string, toDate: string): { from: Date; to: Date } {
  if (toDate < fromDate) throw new UserError('shifts.error.badRange');
  const from = dayStart(ctx, fromDate);
  const to = DateTime.fromISO(toDate, { zone: ctx.timeZone }).plus({ days: 1 }).startOf('day').toJSDate();
  if (to.getTime() - from.getTime() > 62 * 24 * 3600 * 1000) throw new UserError('shifts.error.rangeTooLong', { days: 62 });
  return { from, to };
}

/** A local date plus `days`, as YYYY-MM-DD. */
export const plusDays = (isoDate: string, days: number): string => DateTime.fromISO(isoDate).plus({ days }).toISODate()!;

/** Long lists are cut so a reply stays under every platform's message limit. */
export function joinLimited(ctx: Ctx, lines: string[], max = 3500): string {
  let out = '';
  for (const [i, line] of lines.entries()) {
    if (out.length + line.length + 1 > max) return `${out}\n${ctx.t('shifts.more', { count: lines.length - i })}`;
    out = out ? `${out}\n${line}` : line;
  }
  return out;
}

import { and, asc, eq, gte, isNull, lt, lte, sql } from 'drizzle-orm';
import type { DbOrTx } from '../../store/db.js';
import { dutyLogs, members, shiftSignups, shifts } from '../../store/schema/index.js';
import { UserError } from '../../core/errors.js';
import { charLength } from '../../core/input.js';
import { shiftById, type Shift } from './records.js';

export const MAX_SUMMARY = 1000;
export const MAX_HANDLED = 100_000;

/**
 * Refuses a duty log for a shift the member did not hold a seat on, or that has not ended yet;
 * asked before a guided log starts and again when it is saved.
 */
export async function assertCanLog(db: DbOrTx, shiftId: number, memberId: number, now: Date): Promise<Shift> {
  const shift = await shiftById(db, shiftId);
  const [seat] = await db.select({ status: shiftSignups.status }).from(shiftSignups)
    .where(and(eq(shiftSignups.shiftId, shiftId), eq(shiftSignups.memberId, memberId), eq(shiftSignups.status, 'confirmed')));
  if (!seat || shift.status === 'cancelled') throw new UserError('shifts.error.notOnDuty', { id: shiftId });
  if (now < shift.endsAt) throw new UserError('shifts.error.logTooEarly', { id: shiftId, end: shift.endsAt });
  return shift;
}

/**
 * Records (or corrects) what a member on duty handled: a message count and a summary of at most
 * 1000 characters. Only a member confirmed on the shift may log it, and only once it has ended.
 */
export async function recordDutyLog(
  db: DbOrTx, shiftId: number, memberId: number, handled: number, summary: string, now: Date,
): Promise<{ shift: Shift; updated: boolean }> {
  const shift = await assertCanLog(db, shiftId, memberId, now);
  checkHandled(handled);
  const text = checkSummary(summary);
  const [before] = await db.select({ at: dutyLogs.createdAt }).from(dutyLogs).where(and(eq(dutyLogs.shiftId, shiftId), eq(dutyLogs.memberId, memberId)));
  await db.insert(dutyLogs).values({ shiftId, memberId, handled, summary: text, createdAt: now, updatedAt: now })
    .onConflictDoUpdate({ target: [dutyLogs.shiftId, dutyLogs.memberId], set: { handled, summary: text, updatedAt: now } });
  return { shift, updated: before !== undefined };
}

export function checkHandled(handled: number): number {
  if (!Number.isInteger(handled) || handled < 0 || handled > MAX_HANDLED) throw new UserError('shifts.error.badHandled', { max: MAX_HANDLED });
  return handled;
}

export function checkSummary(summary: string): string {
  const text = summary.trim();
  if (text === '') throw new UserError('shifts.error.emptySummary');
  if (charLength(text) > MAX_SUMMARY) throw new UserError('shifts.error.summaryTooLong', { max: MAX_SUMMARY, length: charLength(text) });
  return text;
}

/** One member's line in the duty-log view: logged, missing (the shift is over) or not yet due. */
export interface DutyLogEntry {
  memberId: number;
  name: string;
  state: 'logged' | 'missing' | 'due';
  handled?: number;
  summary?: string;
}

export interface ShiftLogs {
  shift: Shift;
  entries: DutyLogEntry[];
}

/** Staff view: every non-cancelled shift starting in [from, to) with each member on duty's log or its absence. */
export async function dutyLogsBetween(db: DbOrTx, from: Date, to: Date, now: Date): Promise<ShiftLogs[]> {
  const rows = await db
    .select({ shift: shifts, memberId: shiftSignups.memberId, name: members.name, handled: dutyLogs.handled, summary: dutyLogs.summary })
    .from(shifts)
    .innerJoin(shiftSignups, and(eq(shiftSignups.shiftId, shifts.id), eq(shiftSignups.status, 'confirmed')))
    .innerJoin(members, eq(members.id, shiftSignups.memberId))
    .leftJoin(dutyLogs, and(eq(dutyLogs.shiftId, shifts.id), eq(dutyLogs.memberId, shiftSignups.memberId)))
    .where(and(eq(shifts.status, 'open'), gte(shifts.startsAt, from), lt(shifts.startsAt, to)))
    .orderBy(asc(shifts.startsAt), asc(shifts.id), asc(shiftSignups.id));
  const out: ShiftLogs[] = [];
  for (const r of rows) {
    if (out.at(-1)?.shift.id !== r.shift.id) out.push({ shift: r.shift, entries: [] });
    const state = r.handled !== null ? 'logged' : r.shift.endsAt <= now ? 'missing' : 'due';
    out.at(-1)!.entries.push({
      memberId: r.memberId, name: r.name, state,
      ...(r.handled !== null ? { handled: r.handled, summary: r.summary ?? '' } : {}),
    });
  }
  return out;
}

/** Shifts of a member that have ended and still lack their log, oldest first (for /dutylog). */
export async function logsOwedBy(db: DbOrTx, memberId: number, now: Date): Promise<Shift[]> {
  const rows = await db
    .select({ shift: shifts })
    .from(shiftSignups)
    .innerJoin(shifts, eq(shifts.id, shiftSignups.shiftId))
    .leftJoin(dutyLogs, and(eq(dutyLogs.shiftId, shifts.id), eq(dutyLogs.memberId, memberId)))
    .where(and(
      eq(shiftSignups.memberId, memberId), eq(shiftSignups.status, 'confirmed'), eq(shifts.status, 'open'),
      lte(shifts.endsAt, now), isNull(dutyLogs.shiftId),
      sql`${shifts.endsAt} > ${new Date(now.getTime() - 60 * 24 * 3600 * 1000).toISOString()}`,
    ))
    .orderBy(asc(shifts.startsAt))
    .limit(10);
  return rows.map((r) => r.shift);
}

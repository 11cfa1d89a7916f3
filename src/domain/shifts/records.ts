import { and, asc, eq, inArray, ne, sql } from 'drizzle-orm';
import { DateTime } from 'luxon';
import { preparedQuery } from '../../store/prepared.js';
import type { DbOrTx, Tx } from '../../store/db.js';
import { members, shiftSignups, shifts } from '../../store/schema/index.js';
import { UserError } from '../../core/errors.js';
import type { ShiftsSettings } from './settings.js';

/** A duty shift as stored. */
export type Shift = typeof shifts.$inferSelect;
/** A member's place on a shift (confirmed or waitlisted), as stored. */
export type Signup = typeof shiftSignups.$inferSelect;

/**
 * The rules a sign-up is checked against: the tunable settings, and the time zone whose calendar
 * months the monthly limit counts in (the committee's default zone).
 */
export interface ShiftRules {
  settings: ShiftsSettings;
  monthZone: string;
}

const shiftByIdQuery = preparedQuery('shift_by_id', (db) => db.select().from(shifts).where(eq(shifts.id, sql.placeholder('id'))));

/** Reads a shift, or refuses with "no such shift". */
export async function shiftById(db: DbOrTx, id: number): Promise<Shift> {
  const [row] = await shiftByIdQuery(db, { id });
  if (!row) throw new UserError('shifts.error.notFound', { id });
  return row;
}

/**
 * Locks a shift row for the rest of the transaction. Every change to a shift or to its sign-ups
 * takes this lock first, so seat counting is never raced; member locks, when needed, come after.
 */
export async function lockShift(tx: Tx, id: number): Promise<Shift> {
  const [row] = await tx.select().from(shifts).where(eq(shifts.id, id)).for('update');
  if (!row) throw new UserError('shifts.error.notFound', { id });
  return row;
}

/**
 * Locks member rows (in id order, so two transactions cannot deadlock on them): the overlap and
 * monthly-limit checks span several shifts, whose own locks do not serialize one member's sign-ups.
 */
export async function lockMembers(tx: Tx, ids: number[]): Promise<void> {
  const unique = [...new Set(ids)].sort((a, b) => a - b);
  if (unique.length === 0) return;
  await tx.select({ id: members.id }).from(members).where(inArray(members.id, unique)).orderBy(asc(members.id)).for('no key update');
}

/** Refuses anything but a shift that is still open and has not started. */
export function assertUpcoming(shift: Shift, now: Date): void {
  if (shift.status === 'cancelled') throw new UserError('shifts.error.cancelled', { id: shift.id });
  if (shift.startsAt.getTime() <= now.getTime()) throw new UserError('shifts.error.started', { id: shift.id });
}

/** Marks a change to the shift: the new version names this change's outbox rows. */
export async function bumpVersion(tx: Tx, shiftId: number, now: Date): Promise<Shift> {
  const [row] = await tx
    .update(shifts)
    .set({ version: sql`${shifts.version} + 1`, updatedAt: now })
    .where(eq(shifts.id, shiftId))
    .returning();
  return row!;
}

export async function signupCounts(db: DbOrTx, shiftId: number): Promise<{ confirmed: number; waitlisted: number }> {
  const [row] = await db
    .select({
      confirmed: sql<number>`(count(*) filter (where ${shiftSignups.status} = 'confirmed'))::int`,
      waitlisted: sql<number>`(count(*) filter (where ${shiftSignups.status} = 'waitlisted'))::int`,
    })
    .from(shiftSignups)
    .where(eq(shiftSignups.shiftId, shiftId));
  return row ?? { confirmed: 0, waitlisted: 0 };
}

const signupOfQuery = preparedQuery('shift_signup_of', (db) => db.select().from(shiftSignups)
  .where(and(eq(shiftSignups.shiftId, sql.placeholder('shiftId')), eq(shiftSignups.memberId, sql.placeholder('memberId')))));

export async function signupOf(db: DbOrTx, shiftId: number, memberId: number): Promise<Signup | undefined> {
  const [row] = await signupOfQuery(db, { shiftId, memberId });
  return row;
}

/** 1 for the head of the waitlist; 0 for a confirmed sign-up. */
export async function waitlistPosition(db: DbOrTx, signup: Signup): Promise<number> {
  if (signup.status === 'confirmed') return 0;
  const [row] = await db
    .select({ n: sql<number>`count(*)::int` })
    .from(shiftSignups)
    .where(and(eq(shiftSignups.shiftId, signup.shiftId), eq(shiftSignups.status, 'waitlisted'), sql`${shiftSignups.id} <= ${signup.id}`));
  return row?.n ?? 1;
}

/** Everyone on the shift (confirmed first, then the waitlist, each in arrival order). */
export async function signupsOf(db: DbOrTx, shiftId: number): Promise<Signup[]> {
  return db.select().from(shiftSignups).where(eq(shiftSignups.shiftId, shiftId)).orderBy(asc(shiftSignups.id));
}

/**
 * Why `memberId` may not take a seat on `shift`, or undefined when they may: another open shift
 * of theirs (confirmed or waitlisted) overlaps it, or the monthly limit is reached. `subject`
 * picks the message: about "you" or about a named other member.
 */
export async function eligibilityProblem(
  db: DbOrTx, memberId: number, shift: Shift, rules: ShiftRules, subject: { name: string } | 'self',
): Promise<UserError | undefined> {
  const [clash] = await db
    .select({ id: shifts.id, startsAt: shifts.startsAt })
    .from(shiftSignups)
    .innerJoin(shifts, eq(shifts.id, shiftSignups.shiftId))
    .where(and(
      eq(shiftSignups.memberId, memberId), ne(shifts.id, shift.id), eq(shifts.status, 'open'),
      sql`${shifts.startsAt} < ${shift.endsAt.toISOString()}`, sql`${shifts.endsAt} > ${shift.startsAt.toISOString()}`,
    ))
    .limit(1);
  if (clash) {
    return subject === 'self'
      ? new UserError('shifts.error.overlap', { id: shift.id, other: clash.id, otherStart: clash.startsAt })
      : new UserError('shifts.error.targetOverlap', { name: subject.name, id: shift.id });
  }
  const max = rules.settings.maxPerMonth;
  if (max === null) return undefined;
  const month = DateTime.fromJSDate(shift.startsAt).setZone(rules.monthZone).startOf('month');
  const [row] = await db
    .select({ n: sql<number>`count(*)::int` })
    .from(shiftSignups)
    .innerJoin(shifts, eq(shifts.id, shiftSignups.shiftId))
    .where(and(
      eq(shiftSignups.memberId, memberId), ne(shifts.id, shift.id), eq(shifts.status, 'open'),
      sql`${shifts.startsAt} >= ${month.toJSDate().toISOString()}`,
      sql`${shifts.startsAt} < ${month.plus({ months: 1 }).toJSDate().toISOString()}`,
    ));
  if ((row?.n ?? 0) < max) return undefined;
  return subject === 'self'
    ? new UserError('shifts.error.monthLimit', { max })
    : new UserError('shifts.error.targetMonthLimit', { name: subject.name, max });
}

import { and, asc, eq, gte, inArray, lt, sql, type Placeholder, type SQL } from 'drizzle-orm';
import type { DbOrTx } from '../../store/db.js';
import { preparedQuery } from '../../store/prepared.js';
import { dutyLogs, members, shiftSignups, shifts } from '../../store/schema/index.js';
import type { Shift } from './records.js';

/** A shift with how many seats are taken and how many wait; what lists and staff views show. */
export interface ShiftSummary {
  shiftId: number;
  startsAt: Date;
  endsAt: Date;
  theme: string;
  level: Shift['level'];
  place: string;
  capacity: number;
  filled: number;
  waiting: number;
}

const filled = sql<number>`(count(${shiftSignups.id}) filter (where ${shiftSignups.status} = 'confirmed'))::int`;
const waiting = sql<number>`(count(${shiftSignups.id}) filter (where ${shiftSignups.status} = 'waitlisted'))::int`;

function summaries(db: DbOrTx, where: SQL | undefined) {
  return db
    .select({
      shiftId: shifts.id, startsAt: shifts.startsAt, endsAt: shifts.endsAt, theme: shifts.theme, level: shifts.level,
      place: shifts.place, capacity: shifts.capacity, filled, waiting,
    })
    .from(shifts)
    .leftJoin(shiftSignups, eq(shiftSignups.shiftId, shifts.id))
    .where(where)
    .groupBy(shifts.id)
    .orderBy(asc(shifts.startsAt), asc(shifts.id));
}

const shiftsBetweenQuery = preparedQuery('shifts_between', (db) =>
  summaries(db, and(eq(shifts.status, 'open'), gte(shifts.startsAt, sql.placeholder('from')), lt(shifts.startsAt, sql.placeholder('to')))));

/** Open (not cancelled) shifts starting in [from, to), soonest first, with their seat counts. */
export async function shiftsBetween(db: DbOrTx, from: Date, to: Date): Promise<ShiftSummary[]> {
  return shiftsBetweenQuery(db, { from, to });
}

/** The given shifts with their seat counts, soonest first (e.g. the ones an import just added). */
export async function shiftSummaries(db: DbOrTx, ids: number[]): Promise<ShiftSummary[]> {
  return ids.length === 0 ? [] : summaries(db, inArray(shifts.id, ids));
}

/** Shifts starting in [from, to) with at least one seat left. */
export async function openShiftsBetween(db: DbOrTx, from: Date, to: Date): Promise<ShiftSummary[]> {
  return (await shiftsBetween(db, from, to)).filter((s) => s.filled < s.capacity);
}

/** Shifts starting in [from, to) with a seat nobody holds: what coverage alerts and staff look at. */
export async function unfilledShifts(db: DbOrTx, from: Date, to: Date): Promise<ShiftSummary[]> {
  return openShiftsBetween(db, from, to);
}

/** Filled seats ÷ all seats of the shifts starting in [from, to); ratio 1 when there are no seats. */
export async function coverage(db: DbOrTx, from: Date, to: Date): Promise<{ seats: number; filled: number; ratio: number }> {
  const all = await shiftsBetween(db, from, to);
  const seats = all.reduce((n, s) => n + s.capacity, 0);
  const taken = all.reduce((n, s) => n + Math.min(s.filled, s.capacity), 0);
  return { seats, filled: taken, ratio: seats === 0 ? 1 : taken / seats };
}

/** A member's shifts (confirmed or waitlisted) starting in [from, to), soonest first. */
export async function memberShiftsBetween(db: DbOrTx, memberId: number, from: Date, to: Date) {
  return (await memberShiftsQuery(db, { memberId, from, to })).map(({ memberId: _, ...shift }) => shift);
}

/** memberShiftsBetween for many members in one query (the weekly digest), each row with its member. */
export async function shiftsOfMembersBetween(db: DbOrTx, memberIds: number[], from: Date, to: Date) {
  return memberIds.length === 0 ? [] : signedUpShifts(db, inArray(shiftSignups.memberId, memberIds), from, to);
}

/** The shifts the members `whose` picks hold a seat on or wait for, starting in [from, to), soonest first. */
function signedUpShifts(db: DbOrTx, whose: SQL, from: Date | Placeholder, to: Date | Placeholder) {
  return db
    .select({
      memberId: shiftSignups.memberId, shiftId: shifts.id, startsAt: shifts.startsAt, endsAt: shifts.endsAt, theme: shifts.theme,
      status: shiftSignups.status,
    })
    .from(shiftSignups)
    .innerJoin(shifts, eq(shifts.id, shiftSignups.shiftId))
    .where(and(whose, eq(shifts.status, 'open'), gte(shifts.startsAt, from), lt(shifts.startsAt, to)))
    .orderBy(asc(shifts.startsAt), asc(shifts.id));
}

const memberShiftsQuery = preparedQuery('member_shifts_between', (db) =>
  signedUpShifts(db, eq(shiftSignups.memberId, sql.placeholder('memberId')), sql.placeholder('from'), sql.placeholder('to')));

/**
 * For the performance record: shifts a member held a seat on that ended in [from, to) (pass
 * `to` no later than now), and how many of them have a duty log.
 */
export async function shiftsServedBy(db: DbOrTx, memberId: number, from: Date, to: Date): Promise<{ served: number; logged: number }> {
  const [row] = await db
    .select({
      served: sql<number>`count(*)::int`,
      logged: sql<number>`(count(${dutyLogs.shiftId}))::int`,
    })
    .from(shiftSignups)
    .innerJoin(shifts, eq(shifts.id, shiftSignups.shiftId))
    .leftJoin(dutyLogs, and(eq(dutyLogs.shiftId, shifts.id), eq(dutyLogs.memberId, memberId)))
    .where(and(
      eq(shiftSignups.memberId, memberId), eq(shiftSignups.status, 'confirmed'), eq(shifts.status, 'open'),
      gte(shifts.endsAt, from), lt(shifts.endsAt, to),
    ));
  return { served: row?.served ?? 0, logged: row?.logged ?? 0 };
}

/** One shift of the staff roster: the shift, its seat holders and its waitlist by name. */
export interface RosterEntry {
  summary: ShiftSummary;
  confirmed: { memberId: number; name: string; cancelRequested: boolean }[];
  waitlisted: { memberId: number; name: string }[];
}

/** Staff view: every open shift starting in [from, to) with the names on it, in arrival order. */
export async function rosterBetween(db: DbOrTx, from: Date, to: Date): Promise<RosterEntry[]> {
  const list = await shiftsBetween(db, from, to);
  if (list.length === 0) return [];
  const people = await db
    .select({ shiftId: shiftSignups.shiftId, memberId: members.id, name: members.name, status: shiftSignups.status, requested: shiftSignups.cancelRequestedAt })
    .from(shiftSignups)
    .innerJoin(shifts, eq(shifts.id, shiftSignups.shiftId))
    .innerJoin(members, eq(members.id, shiftSignups.memberId))
    .where(and(eq(shifts.status, 'open'), gte(shifts.startsAt, from), lt(shifts.startsAt, to)))
    .orderBy(asc(shiftSignups.id));
  return list.map((summary) => {
    const mine = people.filter((p) => p.shiftId === summary.shiftId);
    return {
      summary,
      confirmed: mine.filter((p) => p.status === 'confirmed').map((p) => ({ memberId: p.memberId, name: p.name, cancelRequested: p.requested !== null })),
      waitlisted: mine.filter((p) => p.status === 'waitlisted').map((p) => ({ memberId: p.memberId, name: p.name })),
    };
  });
}

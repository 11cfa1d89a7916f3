import { and, asc, count, eq, gt, inArray, isNull, sql } from 'drizzle-orm';
import { randomInt } from 'node:crypto';
import { DateTime } from 'luxon';
import type { DbOrTx, Tx } from '../../store/db.js';
import { preparedQuery } from '../../store/prepared.js';
import { members, readingAttendance, readingGroups, readingRsvps, readingSessions } from '../../store/schema/index.js';
import { UserError } from '../../core/errors.js';
import { canSeeGroup, type ReadingGroup, type Viewer, visibleGroupsWhere } from './groups.js';

/** A reading session as stored. */
export type ReadingSession = typeof readingSessions.$inferSelect;

/** What staff give to schedule one session, or the first of a weekly series. */
export interface SessionPlan {
  groupId: number;
  startsAt: Date;
  endsAt: Date;
  onlineUrl: string | null;
  place: string | null;
  capacity: number | null;
  /** How many weekly sessions to create (1 = just this one). */
  weeks: number;
  /** The zone whose wall-clock time repeats weekly (the scheduler's), so DST does not shift it. */
  timeZone: string;
}

/** A fresh 6-digit check-in code. */
export function newCheckinCode(): string {
  return String(randomInt(0, 1_000_000)).padStart(6, '0');
}

/** The start and end of the i-th week after `plan`'s first session, at the same local wall time. */
function weekly(plan: SessionPlan, i: number): { startsAt: Date; endsAt: Date } {
  const shift = (d: Date) => DateTime.fromJSDate(d).setZone(plan.timeZone).plus({ weeks: i }).toJSDate();
  return { startsAt: shift(plan.startsAt), endsAt: shift(plan.endsAt) };
}

/** Checks a time span staff gave: it must end after it starts and not start in the past. */
export function checkSpan(startsAt: Date, endsAt: Date, now: Date): void {
  if (startsAt.getTime() <= now.getTime()) throw new UserError('reading.startInPast', { startsAt });
  if (endsAt.getTime() <= startsAt.getTime()) throw new UserError('reading.endBeforeStart');
}

/** Schedules the sessions of `plan` (staff), each with its own check-in code. */
export async function createSessions(db: DbOrTx, plan: SessionPlan, createdBy: number, now: Date): Promise<ReadingSession[]> {
  checkSpan(plan.startsAt, plan.endsAt, now);
  if (plan.onlineUrl === null && plan.place === null) throw new UserError('reading.noWhere');
  const rows = Array.from({ length: plan.weeks }, (_, i) => ({
    groupId: plan.groupId, ...weekly(plan, i), onlineUrl: plan.onlineUrl, place: plan.place,
    capacity: plan.capacity, checkinCode: newCheckinCode(), createdBy,
  }));
  return db.insert(readingSessions).values(rows).returning();
}

export async function sessionWithGroup(db: DbOrTx, id: number): Promise<{ session: ReadingSession; group: ReadingGroup } | undefined> {
  const [row] = await sessionWithGroupQuery(db, { id });
  return row;
}

const sessionWithGroupQuery = preparedQuery('reading_session_with_group', (db) => db
  .select({ session: readingSessions, group: readingGroups })
  .from(readingSessions)
  .innerJoin(readingGroups, eq(readingGroups.id, readingSessions.groupId))
  .where(eq(readingSessions.id, sql.placeholder('id'))));

/** The session `viewer` asked for; "not found" when it does not exist or its group is not theirs to see. */
export async function visibleSession(db: DbOrTx, viewer: Viewer, id: number) {
  const row = await sessionWithGroup(db, id);
  if (!row || !canSeeGroup(viewer, row.group)) throw new UserError('reading.sessionNotFound', { id });
  return row;
}

/**
 * Locks a session row for the rest of `tx`. Every change to a session's answers takes this lock
 * first, so seat counts are exact and concurrent presses line up one after another.
 */
export async function lockSession(tx: Tx, id: number): Promise<ReadingSession> {
  const [row] = await tx.select().from(readingSessions).where(eq(readingSessions.id, id)).for('update');
  if (!row) throw new UserError('reading.sessionNotFound', { id });
  return row;
}

/** How many members have a seat ("yes") in each session. */
export async function seatsTaken(db: DbOrTx, sessionIds: number[]): Promise<Map<number, number>> {
  if (sessionIds.length === 0) return new Map();
  const rows = await db
    .select({ sessionId: readingRsvps.sessionId, n: count() })
    .from(readingRsvps)
    .where(and(inArray(readingRsvps.sessionId, sessionIds), eq(readingRsvps.status, 'yes')))
    .groupBy(readingRsvps.sessionId);
  return new Map(rows.map((r) => [r.sessionId, r.n]));
}

/** One line of /readings: a session, its group, seats taken and the viewer's own answer. */
export interface SessionListing {
  session: ReadingSession;
  group: ReadingGroup;
  taken: number;
  mine: (typeof readingRsvps.$inferSelect)['status'] | null;
}

/**
 * Sessions `viewer` may see that have not ended and are not cancelled, soonest first, one page
 * at a time; `total` is for paging.
 */
export async function upcomingSessions(db: DbOrTx, viewer: Viewer, now: Date, offset: number, limit: number) {
  const where = and(gt(readingSessions.endsAt, now), isNull(readingSessions.cancelledAt), visibleGroupsWhere(viewer));
  const [{ total } = { total: 0 }] = await db
    .select({ total: count() })
    .from(readingSessions)
    .innerJoin(readingGroups, eq(readingGroups.id, readingSessions.groupId))
    .where(where);
  const rows = await db
    .select({ session: readingSessions, group: readingGroups, mine: readingRsvps.status })
    .from(readingSessions)
    .innerJoin(readingGroups, eq(readingGroups.id, readingSessions.groupId))
    .leftJoin(readingRsvps, and(eq(readingRsvps.sessionId, readingSessions.id), eq(readingRsvps.memberId, viewer.id)))
    .where(where)
    .orderBy(asc(readingSessions.startsAt), asc(readingSessions.id))
    .offset(offset)
    .limit(limit);
  const taken = await seatsTaken(db, rows.map((r) => r.session.id));
  const items: SessionListing[] = rows.map((r) => ({ ...r, taken: taken.get(r.session.id) ?? 0 }));
  return { total, items };
}

/** The viewer's own upcoming sessions they answered yes, maybe or joined the waitlist for. */
export async function myUpcomingSessions(db: DbOrTx, memberId: number, now: Date): Promise<SessionListing[]> {
  const rows = await db
    .select({ session: readingSessions, group: readingGroups, mine: readingRsvps.status })
    .from(readingRsvps)
    .innerJoin(readingSessions, eq(readingSessions.id, readingRsvps.sessionId))
    .innerJoin(readingGroups, eq(readingGroups.id, readingSessions.groupId))
    .where(and(
      eq(readingRsvps.memberId, memberId), inArray(readingRsvps.status, ['yes', 'maybe', 'waitlist']),
      gt(readingSessions.endsAt, now), isNull(readingSessions.cancelledAt),
    ))
    .orderBy(asc(readingSessions.startsAt), asc(readingSessions.id));
  const taken = await seatsTaken(db, rows.map((r) => r.session.id));
  return rows.map((r) => ({ ...r, taken: taken.get(r.session.id) ?? 0 }));
}

/** The waitlist of a session, first in line first. */
export async function waitlistOf(db: DbOrTx, sessionId: number): Promise<number[]> {
  const rows = await db
    .select({ memberId: readingRsvps.memberId })
    .from(readingRsvps)
    .where(and(eq(readingRsvps.sessionId, sessionId), eq(readingRsvps.status, 'waitlist')))
    .orderBy(asc(readingRsvps.queueSeq));
  return rows.map((r) => r.memberId);
}

/** Where a waitlisted member stands: 1 for next in line, 0 when not on the waitlist. */
export async function waitlistPosition(db: DbOrTx, sessionId: number, memberId: number): Promise<number> {
  return (await waitlistOf(db, sessionId)).indexOf(memberId) + 1;
}

/** Who answered what (in answer order), the waitlist in order, and how many checked in: for staff and the lead reader. */
export async function sessionRoster(db: DbOrTx, sessionId: number) {
  const answers = await db
    .select({ memberId: readingRsvps.memberId, status: readingRsvps.status, name: members.name })
    .from(readingRsvps)
    .innerJoin(members, eq(members.id, readingRsvps.memberId))
    .where(eq(readingRsvps.sessionId, sessionId))
    .orderBy(asc(readingRsvps.queueSeq));
  const [present] = await db.select({ n: count() }).from(readingAttendance).where(eq(readingAttendance.sessionId, sessionId));
  return { answers, waitlist: answers.filter((a) => a.status === 'waitlist').map((a) => a.name), present: present?.n ?? 0 };
}

import { and, asc, count, eq, gte, inArray, isNull, lt } from 'drizzle-orm';
import type { DbOrTx } from '../../store/db.js';
import { readingAttendance, readingComments, readingGroups, readingRsvps, readingSessions } from '../../store/schema/index.js';
import { dt } from '../../core/i18n.js';
import type { ReminderFacts } from '../reminders.js';
import type { RsvpStatus } from './rsvp.js';

/** Where a session takes place, as one line: the place and/or the online link. */
export function whereOf(session: { place: string | null; onlineUrl: string | null }): string {
  return [session.place, session.onlineUrl].filter((v): v is string => !!v).join(' · ');
}

/**
 * What the delivery engine needs to remind the members with a seat (RSVP "yes") of a session:
 * template 'reading.reminder' with { title, sessionId, startsAt, where }. Undefined when the
 * session does not exist or was cancelled. Changes are announced as domain events
 * { kind: 'reminder.changed', ref: 'reading:<sessionId>' }.
 */
export async function readingReminderFacts(db: DbOrTx, sessionId: number): Promise<ReminderFacts | undefined> {
  const [row] = await db
    .select({ session: readingSessions, title: readingGroups.title })
    .from(readingSessions)
    .innerJoin(readingGroups, eq(readingGroups.id, readingSessions.groupId))
    .where(eq(readingSessions.id, sessionId));
  if (!row || row.session.cancelledAt) return undefined;
  const seated = await db
    .select({ memberId: readingRsvps.memberId })
    .from(readingRsvps)
    .where(and(eq(readingRsvps.sessionId, sessionId), eq(readingRsvps.status, 'yes')))
    .orderBy(asc(readingRsvps.memberId));
  return {
    startsAt: row.session.startsAt,
    memberIds: seated.map((r) => r.memberId),
    template: 'reading.reminder',
    params: { title: row.title, sessionId, startsAt: dt(row.session.startsAt), where: whereOf(row.session) },
  };
}

/** One session on a member's schedule (calendar export, performance record). */
export interface MemberSession {
  sessionId: number;
  startsAt: Date;
  endsAt: Date;
  title: string;
  /** yes = a seat; maybe; waitlist = wants a seat. "No" answers are left out. */
  rsvp: Exclude<RsvpStatus, 'no'>;
  place: string | null;
  onlineUrl: string | null;
}

/** Sessions starting in [from, to) that a member answered yes, maybe or waits for; not cancelled ones. */
export async function memberSessionsBetween(db: DbOrTx, memberId: number, from: Date, to: Date): Promise<MemberSession[]> {
  return (await sessionsOfMembersBetween(db, [memberId], from, to)).map(({ memberId: _, ...session }) => session);
}

/** memberSessionsBetween for many members in one query (the weekly digest), each row with its member. */
export async function sessionsOfMembersBetween(db: DbOrTx, memberIds: number[], from: Date, to: Date): Promise<Array<MemberSession & { memberId: number }>> {
  if (memberIds.length === 0) return [];
  const rows = await db
    .select({
      memberId: readingRsvps.memberId, sessionId: readingSessions.id, startsAt: readingSessions.startsAt, endsAt: readingSessions.endsAt,
      title: readingGroups.title, rsvp: readingRsvps.status, place: readingSessions.place, onlineUrl: readingSessions.onlineUrl,
    })
    .from(readingRsvps)
    .innerJoin(readingSessions, eq(readingSessions.id, readingRsvps.sessionId))
    .innerJoin(readingGroups, eq(readingGroups.id, readingSessions.groupId))
    .where(and(
      inArray(readingRsvps.memberId, memberIds), inArray(readingRsvps.status, ['yes', 'maybe', 'waitlist']),
      isNull(readingSessions.cancelledAt), gte(readingSessions.startsAt, from), lt(readingSessions.startsAt, to),
    ))
    .orderBy(asc(readingSessions.startsAt), asc(readingSessions.id));
  return rows.map((r) => ({ ...r, rsvp: r.rsvp as MemberSession['rsvp'] }));
}

/**
 * A member's reading activity for the performance record (履职档案): sessions starting in
 * [from, to) they checked in to, and comments they wrote in [from, to).
 */
export async function readingActivityOf(db: DbOrTx, memberId: number, from: Date, to: Date): Promise<{ attended: number; comments: number }> {
  const [attended] = await db
    .select({ n: count() })
    .from(readingAttendance)
    .innerJoin(readingSessions, eq(readingSessions.id, readingAttendance.sessionId))
    .where(and(eq(readingAttendance.memberId, memberId), gte(readingSessions.startsAt, from), lt(readingSessions.startsAt, to)));
  const [comments] = await db
    .select({ n: count() })
    .from(readingComments)
    .where(and(eq(readingComments.memberId, memberId), gte(readingComments.createdAt, from), lt(readingComments.createdAt, to)));
  return { attended: attended?.n ?? 0, comments: comments?.n ?? 0 };
}

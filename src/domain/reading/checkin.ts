import { and, asc, eq, gte, inArray, isNull, lte } from 'drizzle-orm';
import type { Redis } from 'ioredis';
import type { DbOrTx } from '../../store/db.js';
import { returnAttempt, takeAttempt, type AttemptLimit } from '../../store/attempt-limit.js';
import { readingAttendance, readingGroups, readingRsvps, readingSessions } from '../../store/schema/index.js';
import { UserError } from '../../core/errors.js';
import type { ReadingSettings } from './settings.js';
import { visibleGroupsWhere, type ReadingGroup, type Viewer } from './groups.js';
import { visibleSession, type ReadingSession } from './sessions.js';

type Window = Pick<ReadingSettings, 'checkinOpensMinutesBefore' | 'checkinClosesMinutesAfter'>;
const MINUTE = 60_000;

/** When check-in to a session is open: a margin before its start until a margin after its end. */
export function checkinWindow(session: Pick<ReadingSession, 'startsAt' | 'endsAt'>, rules: Window) {
  return {
    opensAt: new Date(session.startsAt.getTime() - rules.checkinOpensMinutesBefore * MINUTE),
    closesAt: new Date(session.endsAt.getTime() + rules.checkinClosesMinutesAfter * MINUTE),
  };
}

/** Sessions `viewer` may see whose check-in is open at `now`, soonest first. */
export async function sessionsOpenForCheckin(db: DbOrTx, viewer: Viewer, now: Date, rules: Window) {
  // The window is [start − before, end + after]; shifting "now" keeps the columns indexable.
  const rows = await db
    .select({ session: readingSessions, group: readingGroups })
    .from(readingSessions)
    .innerJoin(readingGroups, eq(readingGroups.id, readingSessions.groupId))
    .where(and(
      isNull(readingSessions.cancelledAt),
      lte(readingSessions.startsAt, new Date(now.getTime() + rules.checkinOpensMinutesBefore * MINUTE)),
      gte(readingSessions.endsAt, new Date(now.getTime() - rules.checkinClosesMinutesAfter * MINUTE)),
      visibleGroupsWhere(viewer),
    ))
    .orderBy(asc(readingSessions.startsAt), asc(readingSessions.id));
  return rows;
}

async function record(db: DbOrTx, session: ReadingSession, group: ReadingGroup, memberId: number, method: 'code' | 'button', now: Date) {
  // The primary key makes "once only" hold even when two presses arrive together.
  const inserted = await db
    .insert(readingAttendance)
    .values({ sessionId: session.id, memberId, checkedInAt: now, method })
    .onConflictDoNothing()
    .returning({ sessionId: readingAttendance.sessionId });
  if (inserted.length === 0) throw new UserError('reading.alreadyCheckedIn', { id: session.id, title: group.title });
  return { session, group };
}

/** Answers that count as "yes" for the check-in button: a seat, or a yes that found the session full. */
const SAID_YES = ['yes', 'waitlist'] as const;

/**
 * Of the sessions open for check-in, those `viewer` may check in to with a button: the ones they
 * answered yes to (with a seat or on the waitlist). Anyone else proves presence with the code
 * announced there.
 */
export async function sessionsForButtonCheckin(db: DbOrTx, viewer: Viewer, now: Date, rules: Window) {
  const open = await sessionsOpenForCheckin(db, viewer, now, rules);
  if (open.length === 0) return { open, mine: open };
  const yes = await db
    .select({ sessionId: readingRsvps.sessionId })
    .from(readingRsvps)
    .where(and(eq(readingRsvps.memberId, viewer.id), inArray(readingRsvps.status, [...SAID_YES]), inArray(readingRsvps.sessionId, open.map((r) => r.session.id))));
  const seated = new Set(yes.map((r) => r.sessionId));
  return { open, mine: open.filter((r) => seated.has(r.session.id)) };
}

async function answeredYes(db: DbOrTx, sessionId: number, memberId: number): Promise<boolean> {
  const [row] = await db
    .select({ status: readingRsvps.status })
    .from(readingRsvps)
    .where(and(eq(readingRsvps.sessionId, sessionId), eq(readingRsvps.memberId, memberId)));
  return row !== undefined && (SAID_YES as readonly string[]).includes(row.status);
}

/**
 * Checks a member in to one session by button, refused outside its window, a second time, and
 * to a member who did not answer yes: the button is offered only to them, and anyone could press
 * a forged one, so without a seat only the code announced at the session counts as being there.
 */
export async function checkInToSession(db: DbOrTx, viewer: Viewer, sessionId: number, now: Date, rules: Window) {
  const { session, group } = await visibleSession(db, viewer, sessionId);
  if (session.cancelledAt) throw new UserError('reading.sessionCancelled', { id: sessionId });
  const { opensAt, closesAt } = checkinWindow(session, rules);
  if (now.getTime() < opensAt.getTime() || now.getTime() > closesAt.getTime()) {
    throw new UserError('reading.checkinClosed', { id: sessionId, opensAt, closesAt });
  }
  if (!(await answeredYes(db, sessionId, viewer.id))) throw new UserError('reading.checkin.needCode', { id: sessionId });
  return record(db, session, group, viewer.id, 'button', now);
}

/** Wrong codes a member may try within the window before the bot stops checking them. */
export const CODE_ATTEMPTS: AttemptLimit = { max: 5, windowSeconds: 15 * 60 };

/**
 * Checks a member in with the code announced at a session: the session among those open now
 * whose code it is. Refused when none is open, the code matches none, or they checked in already.
 * Six-digit codes can be guessed, so every try takes from a budget per member in Redis first
 * (atomically: parallel guesses get no more than the budget), and only a wrong code keeps its
 * try spent.
 */
export async function checkInWithCode(db: DbOrTx, redis: Redis, viewer: Viewer, code: string, now: Date, rules: Window) {
  const key = `reading:codefail:${viewer.id}`;
  const attempt = await takeAttempt(redis, key, CODE_ATTEMPTS);
  if (!attempt.allowed) throw new UserError('reading.checkin.tooMany', { minutes: Math.ceil(attempt.retryInSeconds / 60) });
  let wrong = false;
  try {
    const open = await sessionsOpenForCheckin(db, viewer, now, rules);
    if (open.length === 0) throw new UserError('reading.noneOpen');
    const match = open.find((r) => r.session.checkinCode === code);
    wrong = !match;
    if (!match) throw new UserError('reading.wrongCode');
    return await record(db, match.session, match.group, viewer.id, 'code', now);
  } finally {
    if (!wrong) await returnAttempt(redis, key);
  }
}

/** Whether a member has checked in to a session. */
export async function hasCheckedIn(db: DbOrTx, sessionId: number, memberId: number): Promise<boolean> {
  const [row] = await db
    .select({ at: readingAttendance.checkedInAt })
    .from(readingAttendance)
    .where(and(eq(readingAttendance.sessionId, sessionId), eq(readingAttendance.memberId, memberId)));
  return row !== undefined;
}

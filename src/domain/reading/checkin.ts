import { and, asc, eq, gte, isNull, lte } from 'drizzle-orm';
import type { DbOrTx } from '../../store/db.js';
import { readingAttendance, readingGroups, readingSessions } from '../../store/schema/index.js';
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

/** Checks a member in to one session (the button), refused outside its window or a second time. */
export async function checkInToSession(db: DbOrTx, viewer: Viewer, sessionId: number, now: Date, rules: Window) {
  const { session, group } = await visibleSession(db, viewer, sessionId);
  if (session.cancelledAt) throw new UserError('reading.sessionCancelled', { id: sessionId });
  const { opensAt, closesAt } = checkinWindow(session, rules);
  if (now.getTime() < opensAt.getTime() || now.getTime() > closesAt.getTime()) {
    throw new UserError('reading.checkinClosed', { id: sessionId, opensAt, closesAt });
  }
  return record(db, session, group, viewer.id, 'button', now);
}

/**
 * Checks a member in with the code announced at a session: the session among those open now
 * whose code it is. Refused when none is open, the code matches none, or they checked in already.
 */
export async function checkInWithCode(db: DbOrTx, viewer: Viewer, code: string, now: Date, rules: Window) {
  const open = await sessionsOpenForCheckin(db, viewer, now, rules);
  if (open.length === 0) throw new UserError('reading.noneOpen');
  const match = open.find((r) => r.session.checkinCode === code);
  if (!match) throw new UserError('reading.wrongCode');
  return record(db, match.session, match.group, viewer.id, 'code', now);
}

/** Whether a member has checked in to a session. */
export async function hasCheckedIn(db: DbOrTx, sessionId: number, memberId: number): Promise<boolean> {
  const [row] = await db
    .select({ at: readingAttendance.checkedInAt })
    .from(readingAttendance)
    .where(and(eq(readingAttendance.sessionId, sessionId), eq(readingAttendance.memberId, memberId)));
  return row !== undefined;
}

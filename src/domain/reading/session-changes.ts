import { and, eq, inArray, sql } from 'drizzle-orm';
import type { Db, Tx } from '../../store/db.js';
import { readingRsvps, readingSessions } from '../../store/schema/index.js';
import { UserError } from '../../core/errors.js';
import { dt } from '../../core/i18n.js';
import { addDeliveries, recordEvents } from '../outbox.js';
import { audit } from '../members/members.js';
import { checkSpan, lockSession, type ReadingSession } from './sessions.js';
import { promoteWaitlist, sessionRef } from './rsvp.js';
import type { ReadingGroup } from './groups.js';

/** Staff changes apply only to sessions that are neither cancelled nor started. */
async function lockChangeable(tx: Tx, sessionId: number, now: Date): Promise<ReadingSession> {
  const session = await lockSession(tx, sessionId);
  if (session.cancelledAt) throw new UserError('reading.sessionCancelled', { id: sessionId });
  if (session.startsAt.getTime() <= now.getTime()) throw new UserError('reading.alreadyStarted', { id: sessionId });
  return session;
}

/** Everyone who answered yes, maybe or is waiting: the people a change concerns. */
async function interested(tx: Tx, sessionId: number): Promise<number[]> {
  const rows = await tx
    .select({ memberId: readingRsvps.memberId })
    .from(readingRsvps)
    .where(and(eq(readingRsvps.sessionId, sessionId), inArray(readingRsvps.status, ['yes', 'maybe', 'waitlist'])));
  return rows.map((r) => r.memberId);
}

/** Moves a session (staff) and tells everyone who answered yes, maybe or waits for a seat. */
export async function moveSession(db: Db, group: ReadingGroup, sessionId: number, startsAt: Date, endsAt: Date, actorId: number, now: Date): Promise<ReadingSession> {
  checkSpan(startsAt, endsAt, now);
  return db.transaction(async (tx) => {
    const before = await lockChangeable(tx, sessionId, now);
    const [session] = await tx
      .update(readingSessions)
      .set({ startsAt, endsAt, version: sql`${readingSessions.version} + 1` })
      .where(eq(readingSessions.id, sessionId))
      .returning();
    await recordEvents(tx, [{ kind: 'reminder.changed', ref: sessionRef(sessionId) }]);
    await addDeliveries(tx, (await interested(tx, sessionId)).map((memberId) => ({
      kind: 'reading.moved', ref: `${sessionRef(sessionId)}:v${session!.version}`, to: { memberId },
      template: 'reading.notice.moved',
      params: { title: group.title, sessionId, startsAt: dt(startsAt), was: dt(before.startsAt) },
    })));
    await audit(tx, actorId, 'reading.session.move', sessionRef(sessionId));
    return session!;
  });
}

/** Cancels a session (staff) and tells everyone who answered yes, maybe or waits for a seat. */
export async function cancelSession(db: Db, group: ReadingGroup, sessionId: number, actorId: number, now: Date): Promise<ReadingSession> {
  return db.transaction(async (tx) => {
    const before = await lockChangeable(tx, sessionId, now);
    const [session] = await tx.update(readingSessions).set({ cancelledAt: now }).where(eq(readingSessions.id, sessionId)).returning();
    await recordEvents(tx, [{ kind: 'reminder.changed', ref: sessionRef(sessionId) }]);
    await addDeliveries(tx, (await interested(tx, sessionId)).map((memberId) => ({
      kind: 'reading.cancelled', ref: sessionRef(sessionId), to: { memberId },
      template: 'reading.notice.cancelled', params: { title: group.title, sessionId, startsAt: dt(before.startsAt) },
    })));
    await audit(tx, actorId, 'reading.session.cancel', sessionRef(sessionId));
    return session!;
  });
}

/**
 * Sets a session's capacity (staff; null = no limit). More seats promote the waitlist; fewer
 * seats take no seat from anyone who has one, they only stop new ones.
 */
export async function setCapacity(db: Db, group: ReadingGroup, sessionId: number, capacity: number | null, actorId: number, now: Date) {
  return db.transaction(async (tx) => {
    await lockChangeable(tx, sessionId, now);
    const [session] = await tx.update(readingSessions).set({ capacity }).where(eq(readingSessions.id, sessionId)).returning();
    const promoted = await promoteWaitlist(tx, session!, group, now);
    await audit(tx, actorId, 'reading.session.capacity', sessionRef(sessionId), { capacity });
    return { session: session!, promoted };
  });
}

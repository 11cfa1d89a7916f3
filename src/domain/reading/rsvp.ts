import { and, asc, count, eq, sql } from 'drizzle-orm';
import type { Db, Tx } from '../../store/db.js';
import { preparedQuery } from '../../store/prepared.js';
import { readingRsvps } from '../../store/schema/index.js';
import { UserError } from '../../core/errors.js';
import { dt } from '../../core/i18n.js';
import { addDeliveries, recordEvents } from '../outbox.js';
import { lockSession, waitlistPosition, type ReadingSession } from './sessions.js';
import type { ReadingGroup } from './groups.js';

/** What a member may answer. */
export type RsvpAnswer = 'yes' | 'no' | 'maybe';
/** What is stored: an answer, or a "yes" waiting for a seat. */
export type RsvpStatus = RsvpAnswer | 'waitlist';

/** The ref the delivery engine schedules a session's reminders under. */
export const sessionRef = (sessionId: number) => `reading:${sessionId}`;

export interface RsvpOutcome {
  status: RsvpStatus;
  /** False when the member answered what they had answered already. */
  changed: boolean;
  /** Place on the waitlist (1 = next), when waitlisted. */
  position: number;
}

/** A fresh place in line: every status change goes to the back of the queue of its new status. */
const NEXT_IN_QUEUE = sql<number>`nextval(pg_get_serial_sequence('reading_rsvps', 'queue_seq'))`;

const rsvpStatusQuery = preparedQuery('reading_rsvp_status', (db) => db.select({ status: readingRsvps.status }).from(readingRsvps)
  .where(and(eq(readingRsvps.sessionId, sql.placeholder('sessionId')), eq(readingRsvps.memberId, sql.placeholder('memberId')))));

/** Refuses answers to a cancelled session or one that has started. */
function checkOpen(session: ReadingSession, now: Date): void {
  if (session.cancelledAt) throw new UserError('reading.sessionCancelled', { id: session.id });
  if (session.startsAt.getTime() <= now.getTime()) throw new UserError('reading.rsvpClosed', { id: session.id, startsAt: session.startsAt });
}

async function seatsTakenLocked(tx: Tx, sessionId: number): Promise<number> {
  const [row] = await tx.select({ n: count() }).from(readingRsvps).where(and(eq(readingRsvps.sessionId, sessionId), eq(readingRsvps.status, 'yes')));
  return row?.n ?? 0;
}

/**
 * Records a member's answer. "yes" takes a seat while there is one, otherwise joins the waitlist;
 * leaving a seat promotes the first on the waitlist, who is told through the outbox. Runs under
 * the session's row lock, so concurrent presses cannot overfill it or write two answers.
 */
export async function setRsvp(db: Db, session: ReadingSession, group: ReadingGroup, memberId: number, answer: RsvpAnswer, now: Date): Promise<RsvpOutcome> {
  // The same answer again (a second press of a button) changes nothing: say so without queueing
  // for the session's lock, which everyone answering the session takes in turn.
  checkOpen(session, now);
  const [known] = await rsvpStatusQuery(db, { sessionId: session.id, memberId });
  if (known && (known.status === answer || (answer === 'yes' && known.status === 'waitlist'))) {
    return { status: known.status, changed: false, position: known.status === 'waitlist' ? await waitlistPosition(db, session.id, memberId) : 0 };
  }
  return db.transaction(async (tx) => {
    const locked = await lockSession(tx, session.id);
    checkOpen(locked, now);
    const [current] = await tx.select().from(readingRsvps).where(and(eq(readingRsvps.sessionId, locked.id), eq(readingRsvps.memberId, memberId)));
    const before = current?.status;
    let status: RsvpStatus = answer;
    if (answer === 'yes') {
      if (before === 'yes' || before === 'waitlist') status = before;
      else if (locked.capacity !== null && (await seatsTakenLocked(tx, locked.id)) >= locked.capacity) status = 'waitlist';
    }
    if (status === before) {
      return { status, changed: false, position: status === 'waitlist' ? await waitlistPosition(tx, locked.id, memberId) : 0 };
    }
    await tx
      .insert(readingRsvps)
      .values({ sessionId: locked.id, memberId, status, queuedAt: now, updatedAt: now })
      .onConflictDoUpdate({
        target: [readingRsvps.sessionId, readingRsvps.memberId],
        set: { status, queuedAt: now, queueSeq: NEXT_IN_QUEUE, updatedAt: now, changes: sql`${readingRsvps.changes} + 1` },
      });
    if (before === 'yes' || status === 'yes') {
      await recordEvents(tx, [{ kind: 'reminder.changed', ref: sessionRef(locked.id), memberId }]);
    }
    if (before === 'yes') await promoteWaitlist(tx, locked, group, now);
    return { status, changed: true, position: status === 'waitlist' ? await waitlistPosition(tx, locked.id, memberId) : 0 };
  });
}

/**
 * Gives free seats to the waitlist in order and tells each promoted member. Call inside a
 * transaction that holds the session's lock (after a seat is freed or capacity raised).
 */
export async function promoteWaitlist(tx: Tx, session: ReadingSession, group: ReadingGroup, now: Date): Promise<number[]> {
  const free = session.capacity === null ? Number.MAX_SAFE_INTEGER : session.capacity - (await seatsTakenLocked(tx, session.id));
  if (free <= 0) return [];
  const next = await tx
    .select({ memberId: readingRsvps.memberId })
    .from(readingRsvps)
    .where(and(eq(readingRsvps.sessionId, session.id), eq(readingRsvps.status, 'waitlist')))
    .orderBy(asc(readingRsvps.queueSeq))
    .limit(Math.min(free, 10_000));
  const promoted: number[] = [];
  for (const { memberId } of next) {
    const [row] = await tx
      .update(readingRsvps)
      .set({ status: 'yes', queuedAt: now, queueSeq: NEXT_IN_QUEUE, updatedAt: now, changes: sql`${readingRsvps.changes} + 1` })
      .where(and(eq(readingRsvps.sessionId, session.id), eq(readingRsvps.memberId, memberId)))
      .returning({ changes: readingRsvps.changes });
    await addDeliveries(tx, [{
      kind: 'reading.promoted', ref: `${sessionRef(session.id)}:c${row!.changes}`, to: { memberId },
      template: 'reading.notice.promoted',
      params: { title: group.title, sessionId: session.id, startsAt: dt(session.startsAt) },
    }]);
    promoted.push(memberId);
  }
  if (promoted.length > 0) {
    await recordEvents(tx, promoted.map((memberId) => ({ kind: 'reminder.changed', ref: sessionRef(session.id), memberId })));
  }
  return promoted;
}

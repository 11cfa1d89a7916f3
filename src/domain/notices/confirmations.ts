import { and, eq, inArray, isNull, notInArray, sql } from 'drizzle-orm';
import type { Db, DbOrTx } from '../../store/db.js';
import { preparedQuery } from '../../store/prepared.js';
import { deliveries, members, noticeConfirmations, notices } from '../../store/schema/index.js';
import { UserError } from '../../core/errors.js';
import { addDeliveries } from '../outbox.js';
import type { NoticesSettings } from './settings.js';
import { hasGoneOut, lockNotice, noticeById, NOTICE_KIND } from './fanout.js';
import { noticeMessage, noticeRef, nudgeRef, type Notice } from './message.js';

/**
 * Records that a member pressed “收到 / Received”. Once per member per notice (the primary key
 * decides, so concurrent presses record one); a press in a group chat counts for the presser.
 * Only a press on a copy that went out counts: the presser's own copy, or the copy of the group
 * chat pressed in. Any other press (forged button data, a notice still waiting or meant for
 * others) records nothing and learns nothing, not even that the notice exists.
 */
export async function confirmNotice(
  db: DbOrTx,
  noticeId: number,
  memberId: number,
  chatKey: string,
  now: Date,
): Promise<{ notice: Notice; recorded: boolean }> {
  const notice = await noticeById(db, noticeId);
  if (!notice || !notice.confirm || notice.status === 'awaiting_approval') throw new UserError('errors.buttonExpired');
  const [copy] = await receivedCopy(db, { kind: NOTICE_KIND, ref: noticeRef(noticeId), member: `m:${memberId}`, chat: `c:${chatKey}` });
  if (!copy) throw new UserError('errors.buttonExpired');
  if (notice.status === 'cancelled') throw new UserError('notices.confirm.cancelled', { id: noticeId });
  const inserted = await recordConfirmation(db, { noticeId, memberId, chatKey, confirmedAt: now });
  return { notice, recorded: inserted.length > 0 };
}

/** A copy of the notice that left the outbox for this member or this chat (recipient 'm:<id>' or 'c:<chatKey>'). */
const receivedCopy = preparedQuery('notice_received_copy', (db) => db
  .select({ id: deliveries.id })
  .from(deliveries)
  .where(and(
    eq(deliveries.kind, sql.placeholder('kind')), eq(deliveries.ref, sql.placeholder('ref')),
    inArray(deliveries.recipient, [sql.placeholder('member'), sql.placeholder('chat')]),
    notInArray(deliveries.status, ['pending', 'cancelled']),
  ))
  .limit(1));

const recordConfirmation = preparedQuery('notice_confirm', (db) => db
  .insert(noticeConfirmations)
  .values({
    noticeId: sql.placeholder('noticeId'), memberId: sql.placeholder('memberId'),
    chatKey: sql.placeholder('chatKey'), confirmedAt: sql.placeholder('confirmedAt'),
  })
  .onConflictDoNothing()
  .returning({ memberId: noticeConfirmations.memberId }));

/** A member a notice was addressed to who has not pressed “收到”, with how their copy fared. */
export interface UnconfirmedMember {
  id: number;
  name: string;
  status: (typeof deliveries.$inferSelect)['status'];
}

/**
 * Members the notice was addressed to (withdrawn copies aside) who have not confirmed, by id.
 * `goneOut` keeps only those whose copy left the outbox, the ones a reminder makes sense for.
 */
export async function unconfirmedMembers(db: DbOrTx, noticeId: number, opts: { goneOut?: boolean; limit?: number } = {}): Promise<UnconfirmedMember[]> {
  const query = db
    .select({ id: members.id, name: members.name, status: deliveries.status })
    .from(deliveries)
    .innerJoin(members, eq(members.id, deliveries.memberId))
    .leftJoin(noticeConfirmations, and(eq(noticeConfirmations.noticeId, noticeId), eq(noticeConfirmations.memberId, deliveries.memberId)))
    .where(
      and(
        eq(deliveries.kind, NOTICE_KIND),
        eq(deliveries.ref, noticeRef(noticeId)),
        isNull(noticeConfirmations.memberId),
        opts.goneOut ? sql`${deliveries.status} in ('sent', 'failed', 'uncertain')` : sql`${deliveries.status} <> 'cancelled'`,
      ),
    )
    .orderBy(members.id);
  return opts.limit !== undefined ? query.limit(opts.limit) : query;
}

/**
 * Reminds only the members who have not confirmed and whose copy has gone out: new outbox rows
 * with ref 'notice:<id>:nudge:<n>'. Refused for a notice without confirmation, one not sent yet,
 * and within `nudgeIntervalMinutes` of the last reminder (the row lock makes a double press wait).
 */
export async function nudgeUnconfirmed(db: Db, noticeId: number, settings: NoticesSettings, now: Date): Promise<{ reminded: number; round: number }> {
  return db.transaction(async (tx) => {
    const notice = await lockNotice(tx, noticeId);
    if (!notice) throw new UserError('notices.notFound', { id: noticeId });
    if (!notice.confirm) throw new UserError('notices.remind.noConfirmation', { id: noticeId });
    if (notice.status !== 'queued' || !(await hasGoneOut(tx, noticeId))) throw new UserError('notices.remind.notSent', { id: noticeId });
    const next = notice.lastNudgedAt ? new Date(notice.lastNudgedAt.getTime() + settings.nudgeIntervalMinutes * 60_000) : undefined;
    if (next && next > now) throw new UserError('notices.remind.tooSoon', { id: noticeId, at: next });
    const targets = await unconfirmedMembers(tx, noticeId, { goneOut: true });
    if (targets.length === 0) throw new UserError('notices.remind.nobody', { id: noticeId });
    const round = notice.nudges + 1;
    const message = noticeMessage(notice, 'nudge');
    await addDeliveries(
      tx,
      targets.map((m) => ({ kind: NOTICE_KIND, ref: nudgeRef(noticeId, round), to: { memberId: m.id }, ...message, notBefore: now })),
    );
    await tx.update(notices).set({ nudges: round, lastNudgedAt: now }).where(eq(notices.id, noticeId));
    return { reminded: targets.length, round };
  });
}

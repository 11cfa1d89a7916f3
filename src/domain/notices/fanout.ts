import { and, eq, ne, sql } from 'drizzle-orm';
import type { DbOrTx, Tx } from '../../store/db.js';
import { preparedQuery } from '../../store/prepared.js';
import { deliveries, notices } from '../../store/schema/index.js';
import { UserError } from '../../core/errors.js';
import { addDeliveries, type DeliveryRequest } from '../outbox.js';
import { countAudience, membersByIds, resolveAudienceChats, resolveAudienceMembers, type AudienceCounts } from './audience.js';
import { noticeMessage, noticeRef, type Notice } from './message.js';

/** Outbox kind of every notice copy (the notice, its reminders). */
export const NOTICE_KIND = 'notice';

/** Who a notice goes to: member ids and group chat keys. */
export interface NoticeRecipients {
  memberIds: number[];
  chatKeys: string[];
}

/**
 * The recipients of a notice as it would be queued now: its audience, or — for a correction —
 * everyone the corrected notice was addressed to (members and group chats), withdrawn rows aside.
 */
export async function noticeRecipients(db: DbOrTx, notice: Pick<Notice, 'audience' | 'correctsNoticeId'>): Promise<NoticeRecipients> {
  if (notice.correctsNoticeId) {
    const rows = await db
      .select({ memberId: deliveries.memberId, chatKey: deliveries.chatKey })
      .from(deliveries)
      .where(and(eq(deliveries.kind, NOTICE_KIND), eq(deliveries.ref, noticeRef(notice.correctsNoticeId)), ne(deliveries.status, 'cancelled')))
      .orderBy(deliveries.id);
    return {
      memberIds: rows.flatMap((r) => (r.memberId !== null ? [r.memberId] : [])),
      chatKeys: rows.flatMap((r) => (r.memberId === null && r.chatKey ? [r.chatKey] : [])),
    };
  }
  const memberRows = await resolveAudienceMembers(db, notice.audience);
  const chats = await resolveAudienceChats(db, notice.audience);
  return { memberIds: memberRows.map((m) => m.memberId), chatKeys: chats.map((c) => c.chatKey) };
}

/** Recipients per platform of a notice (or draft) as it would be queued now; for the preview. */
export async function countRecipients(db: DbOrTx, notice: Pick<Notice, 'audience' | 'correctsNoticeId'>): Promise<AudienceCounts> {
  if (notice.correctsNoticeId) {
    const recipients = await noticeRecipients(db, notice);
    return countAudience(await membersByIds(db, recipients.memberIds), recipients.chatKeys.length);
  }
  const memberRows = await resolveAudienceMembers(db, notice.audience);
  return countAudience(memberRows, (await resolveAudienceChats(db, notice.audience)).length);
}

/**
 * Hands a notice to the outbox: one row per member and per group chat, not before its send time,
 * in the caller's transaction. The outbox's unique (kind, ref, recipient) means a member gets one
 * copy however often this runs. Marks the notice queued with its recipient counts.
 */
export async function queueNotice(tx: Tx, notice: Notice, recipients: NoticeRecipients, now: Date): Promise<Notice> {
  const message = noticeMessage(notice);
  const ref = noticeRef(notice.id);
  const notBefore = notice.sendAt && notice.sendAt > now ? notice.sendAt : now;
  const base = { kind: NOTICE_KIND, ref, ...message, notBefore };
  const requests: DeliveryRequest[] = [
    ...recipients.memberIds.map((memberId) => ({ ...base, to: { memberId } })),
    ...recipients.chatKeys.map((chatKey) => ({ ...base, to: { chatKey } })),
  ];
  await addDeliveries(tx, requests);
  const [queued] = await tx
    .update(notices)
    .set({ status: 'queued', queuedAt: now, memberCount: recipients.memberIds.length, chatCount: recipients.chatKeys.length })
    .where(eq(notices.id, notice.id))
    .returning();
  return queued!;
}

/** The notice row, locked for the rest of the transaction so approvals, cancels and reminders take turns. */
export async function lockNotice(tx: Tx, noticeId: number): Promise<Notice | undefined> {
  const [row] = await tx.select().from(notices).where(eq(notices.id, noticeId)).for('update');
  return row;
}

const noticeByIdQuery = preparedQuery('notice_by_id', (db) => db.select().from(notices).where(eq(notices.id, sql.placeholder('id'))));

export async function noticeById(db: DbOrTx, noticeId: number): Promise<Notice | undefined> {
  const [row] = await noticeByIdQuery(db, { id: noticeId });
  return row;
}

/** The notice, or "no notice #N" for the staff member who asked. */
export async function requireNotice(db: DbOrTx, noticeId: number): Promise<Notice> {
  const notice = await noticeById(db, noticeId);
  if (!notice) throw new UserError('notices.notFound', { id: noticeId });
  return notice;
}

/** Whether any copy of the notice has left the outbox (sent, failed or uncertain). */
export async function hasGoneOut(db: DbOrTx, noticeId: number): Promise<boolean> {
  const [row] = await db
    .select({ one: sql`1` })
    .from(deliveries)
    .where(and(eq(deliveries.kind, NOTICE_KIND), eq(deliveries.ref, noticeRef(noticeId)), sql`${deliveries.status} not in ('pending', 'cancelled')`))
    .limit(1);
  return row !== undefined;
}

import { and, eq, inArray, ne, sql } from 'drizzle-orm';
import { resultRows, type Db, type DbOrTx, type Tx } from '../../store/db.js';
import { members, notices } from '../../store/schema/index.js';
import { UserError } from '../../core/errors.js';
import { dt } from '../../core/i18n.js';
import { buttonData } from '../../router/types.js';
import { addDeliveries, cancelPendingDeliveries } from '../outbox.js';
import { roleAllows, type Member } from '../members/members.js';
import type { NoticesSettings } from './settings.js';
import { lockNotice, noticeRecipients, queueNotice, type NoticeRecipients } from './fanout.js';
import { noticeRef, type Notice } from './message.js';

/** Button prefix of staff actions on a notice: 'nta:<action>:<noticeId>'. */
export const ACTION_PREFIX = 'nta';

/**
 * Whether a notice must wait for a second staff or admin, judged by whom it reaches and not by
 * how its audience was written (`role:member`, or every committee listed, reaches everyone as
 * surely as `all`): one reaching every member, or more than `approveAboveShare` of them (unless
 * `approveAllMembers` is off), or at least `approveFromRecipients` people when that is set.
 * "Members" are the roster's entries with the role member.
 */
export async function needsApproval(db: DbOrTx, settings: NoticesSettings, recipients: Pick<NoticeRecipients, 'memberIds'>): Promise<boolean> {
  const count = recipients.memberIds.length;
  if (settings.approveFromRecipients > 0 && count >= settings.approveFromRecipients) return true;
  if (!settings.approveAllMembers || count === 0) return false;
  const [reach] = resultRows<{ total: number; reached: number }>(await db.execute(sql`
    select count(*)::int as total, count(*) filter (where ${members.id} = any(${sql.param(recipients.memberIds)}::int[]))::int as reached
    from ${members} where ${members.role} = 'member'`));
  if (!reach || reach.total === 0 || reach.reached === 0) return false;
  return reach.reached === reach.total || reach.reached / reach.total > settings.approveAboveShare;
}

/** Tells every other staff officer and admin that a notice waits for approval, with a button to approve. */
export async function requestApproval(tx: Tx, notice: Notice, author: Member, counts: { members: number; chats: number }): Promise<void> {
  const staff = await tx
    .select({ id: members.id })
    .from(members)
    .where(and(inArray(members.role, ['staff', 'admin']), ne(members.id, author.id)));
  await addDeliveries(
    tx,
    staff.map((s) => ({
      kind: 'notice.approval',
      ref: noticeRef(notice.id),
      to: { memberId: s.id },
      template: 'notices.approval.request',
      params: { id: notice.id, author: author.name, members: counts.members, chats: counts.chats },
      buttons: [[{ labelKey: 'notices.approval.approveButton', data: buttonData(ACTION_PREFIX, 'approve', notice.id) }]],
    })),
  );
}

/** What an approval did: the notice now queued, and whether its planned time had passed meanwhile. */
export interface ApprovalOutcome {
  notice: Notice;
  late: boolean;
}

/**
 * A second staff officer or admin approves a notice waiting for it; it is queued at once (or for
 * its send time). Refused for the notice's own author and for a notice that is not waiting.
 */
export async function approveNotice(db: Db, noticeId: number, approver: Member, now: Date): Promise<ApprovalOutcome> {
  if (!roleAllows(approver.role, 'staff')) throw new UserError('errors.forbidden');
  return db.transaction(async (tx) => {
    const notice = await lockNotice(tx, noticeId);
    if (!notice) throw new UserError('notices.notFound', { id: noticeId });
    if (notice.status === 'cancelled') throw new UserError('notices.approval.cancelled', { id: noticeId });
    if (notice.status !== 'awaiting_approval') throw new UserError('notices.approval.notWaiting', { id: noticeId });
    if (notice.createdBy === approver.id) throw new UserError('notices.approval.ownNotice', { id: noticeId });
    const late = notice.sendAt !== null && notice.sendAt <= now;
    const approved = { ...notice, approvedBy: approver.id, approvedAt: now };
    await tx.update(notices).set({ approvedBy: approver.id, approvedAt: now }).where(eq(notices.id, noticeId));
    // Other staff need not act on it any more; requests not delivered yet are withdrawn.
    await cancelPendingDeliveries(tx, 'notice.approval', noticeRef(noticeId));
    const queued = await queueNotice(tx, approved, await noticeRecipients(tx, notice), now);
    await addDeliveries(tx, [
      {
        kind: 'notice.approved',
        ref: noticeRef(noticeId),
        to: { memberId: notice.createdBy },
        template: 'notices.approval.approvedAuthor',
        params: { id: noticeId, approver: approver.name, at: dt(queued.sendAt && queued.sendAt > now ? queued.sendAt : now) },
      },
    ]);
    return { notice: queued, late };
  });
}

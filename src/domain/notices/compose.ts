import { eq } from 'drizzle-orm';
import { DateTime } from 'luxon';
import type { Db, DbOrTx } from '../../store/db.js';
import { notices, type AudienceSpec, type NoticeVersions } from '../../store/schema/index.js';
import { UserError } from '../../core/errors.js';
import { charLength } from '../../core/input.js';
import { cancelPendingDeliveries } from '../outbox.js';
import type { Member } from '../members/members.js';
import type { NoticesSettings } from './settings.js';
import { needsApproval, requestApproval } from './approval.js';
import { hasGoneOut, lockNotice, noticeRecipients, requireNotice, queueNotice, NOTICE_KIND } from './fanout.js';
import { noticeRef, nudgeRef, type Notice } from './message.js';

/** Longest notice text, in characters as a reader counts them. */
export const MAX_NOTICE_LENGTH = 2000;

/** A notice text as staff typed it, trimmed; refused when empty or over 2000 characters. */
export function checkNoticeText(raw: string): string {
  const text = raw.trim();
  if (!text) throw new UserError('notices.compose.emptyText');
  const length = charLength(text);
  if (length > MAX_NOTICE_LENGTH) throw new UserError('notices.compose.textTooLong', { max: MAX_NOTICE_LENGTH, length });
  return text;
}

const NOW_WORDS = new Set(['now', '现在', '現在', '立即', '马上', '馬上']);
const WHEN = /^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?:\s+|T)(\d{1,2})[:：](\d{2})$/u;

/**
 * A send time typed as `YYYY-MM-DD HH:MM` in the staff member's own time zone, or null for "now".
 * A moment that is not in the future is refused: a notice cannot be sent in the past.
 */
export function parseSendTime(input: string, timeZone: string, now: Date): Date | null {
  const s = input.trim();
  if (NOW_WORDS.has(s.toLowerCase())) return null;
  const m = WHEN.exec(s);
  if (!m) throw new UserError('notices.compose.badTime');
  const [year, month, day, hour, minute] = m.slice(1, 6).map(Number) as [number, number, number, number, number];
  const at = DateTime.fromObject({ year, month, day, hour, minute }, { zone: timeZone });
  if (!at.isValid || at.month !== month || at.day !== day || hour > 23 || minute > 59) throw new UserError('notices.compose.badTime');
  if (at.toMillis() <= now.getTime()) throw new UserError('notices.compose.pastTime', { at: at.toJSDate() });
  return at.toJSDate();
}

/** Everything the composing dialogue collected, ready to be sent. */
export interface NoticeDraft {
  /** Identifies the dialogue: pressing "send" twice creates one notice. */
  draftKey: string;
  text: string;
  versions: NoticeVersions;
  audience: AudienceSpec;
  sendAt: Date | null;
  confirm: boolean;
  correctsNoticeId: number | null;
}

/** What sending a draft did. */
export interface SubmitOutcome {
  notice: Notice;
  members: number;
  chats: number;
}

/**
 * Creates the notice from a finished draft. It is queued to the outbox in the same transaction,
 * or — when it needs a second approval — stored waiting, with approval requests to other staff
 * and no notice rows in the outbox yet.
 */
export async function submitNotice(db: Db, draft: NoticeDraft, author: Member, settings: NoticesSettings, now: Date): Promise<SubmitOutcome> {
  if (draft.sendAt && draft.sendAt <= now) throw new UserError('notices.compose.pastTime', { at: draft.sendAt });
  checkNoticeText(draft.text);
  for (const version of Object.values(draft.versions)) if (version !== undefined) checkNoticeText(version);
  return db.transaction(async (tx) => {
    if (draft.correctsNoticeId) await correctableNotice(tx, draft.correctsNoticeId);
    const recipients = await noticeRecipients(tx, draft);
    const counts = { members: recipients.memberIds.length, chats: recipients.chatKeys.length };
    if (counts.members + counts.chats === 0) throw new UserError('notices.audience.nobody');
    const waits = await needsApproval(tx, settings, recipients);
    const [notice] = await tx
      .insert(notices)
      .values({
        draftKey: draft.draftKey, createdBy: author.id, text: draft.text, versions: draft.versions, audience: draft.audience,
        confirm: draft.confirm, sendAt: draft.sendAt, status: waits ? 'awaiting_approval' : 'queued',
        correctsNoticeId: draft.correctsNoticeId, memberCount: counts.members, chatCount: counts.chats, createdAt: now,
      })
      .onConflictDoNothing()
      .returning();
    if (!notice) throw new UserError('notices.compose.alreadySent');
    if (waits) {
      await requestApproval(tx, notice, author, counts);
      return { notice, ...counts };
    }
    return { notice: await queueNotice(tx, notice, recipients, now), ...counts };
  });
}

/** The notice a correction may refer to: queued, with at least one copy gone out. */
export async function correctableNotice(db: DbOrTx, noticeId: number): Promise<Notice> {
  const notice = await requireNotice(db, noticeId);
  if (notice.status !== 'queued' || !(await hasGoneOut(db, noticeId))) throw new UserError('notices.correct.notSent', { id: noticeId });
  return notice;
}

/** What cancelling did: copies withdrawn from the outbox, and whether some had gone out already. */
export interface CancelOutcome {
  withdrawn: number;
  partly: boolean;
}

/**
 * Cancels a notice that waits for approval or has copies still waiting in the outbox (scheduled,
 * or mid-way through a fan-out): every copy not yet sent is withdrawn. A notice fully sent cannot
 * be cancelled — a correction is the way then.
 */
export async function cancelNotice(db: Db, noticeId: number, staffId: number, now: Date): Promise<CancelOutcome> {
  return db.transaction(async (tx) => {
    const notice = await lockNotice(tx, noticeId);
    if (!notice) throw new UserError('notices.notFound', { id: noticeId });
    if (notice.status === 'cancelled') throw new UserError('notices.cancel.already', { id: noticeId });
    const ref = noticeRef(noticeId);
    let withdrawn = 0;
    if (notice.status === 'queued') {
      withdrawn = await cancelPendingDeliveries(tx, NOTICE_KIND, ref);
      if (withdrawn === 0) throw new UserError('notices.cancel.tooLate', { id: noticeId });
      for (let n = 1; n <= notice.nudges; n++) await cancelPendingDeliveries(tx, NOTICE_KIND, nudgeRef(noticeId, n));
    }
    await cancelPendingDeliveries(tx, 'notice.approval', ref);
    await tx.update(notices).set({ status: 'cancelled', cancelledBy: staffId, cancelledAt: now }).where(eq(notices.id, noticeId));
    return { withdrawn, partly: notice.status === 'queued' && (await hasGoneOut(tx, noticeId)) };
  });
}

import { and, desc, eq, gte, isNotNull, isNull, sql } from 'drizzle-orm';
import type { DbOrTx } from '../../store/db.js';
import { deliveries, members, noticeConfirmations, notices, registeredGroupChats } from '../../store/schema/index.js';
import { NOTICE_KIND, requireNotice } from './fanout.js';
import { unconfirmedMembers, type UnconfirmedMember } from './confirmations.js';
import { noticeRef, type Notice } from './message.js';
import { qualified } from './sql.js';

type DeliveryStatus = (typeof deliveries.$inferSelect)['status'];
/** How many copies are in each outbox state. */
export type StatusCounts = Record<DeliveryStatus, number>;

const zero = (): StatusCounts => Object.fromEntries(deliveries.status.enumValues.map((s) => [s, 0])) as StatusCounts;

/** What `/notice ID` shows: delivery per state, confirmations, and who has not confirmed. */
export interface NoticeReport {
  notice: Notice;
  authorName: string;
  members: StatusCounts;
  chats: StatusCounts;
  /** Recipients who confirmed. */
  confirmed: number;
  /** Confirmations from members who were not addressed directly (pressed in a group chat). */
  confirmedInGroups: number;
  /** Recipients (withdrawn copies aside) who have not confirmed; the first `listLimit` of them. */
  unconfirmed: UnconfirmedMember[];
  unconfirmedTotal: number;
}

const ofNotice = (noticeId: number) => and(eq(deliveries.kind, NOTICE_KIND), eq(deliveries.ref, noticeRef(noticeId)));

/** The delivery and confirmation report of one notice, from its outbox rows and confirmations. */
export async function noticeReport(db: DbOrTx, noticeId: number, listLimit: number): Promise<NoticeReport> {
  const notice = await requireNotice(db, noticeId);
  const [author] = await db.select({ name: members.name }).from(members).where(eq(members.id, notice.createdBy));
  const byStatus = await db
    .select({ chat: sql<boolean>`${deliveries.memberId} is null`, status: deliveries.status, n: sql<number>`count(*)::int` })
    .from(deliveries)
    .where(ofNotice(noticeId))
    .groupBy(sql`1`, deliveries.status);
  const counts = { members: zero(), chats: zero() };
  for (const row of byStatus) counts[row.chat ? 'chats' : 'members'][row.status] += Number(row.n);
  const [confirmations] = await db
    .select({
      all: sql<number>`count(*)::int`,
      recipients: sql<number>`(count(*) filter (where exists (select 1 from ${deliveries} d where d.kind = ${NOTICE_KIND}
        and d.ref = ${noticeRef(noticeId)} and d.member_id = ${qualified(noticeConfirmations.memberId)} and d.status <> 'cancelled')))::int`,
    })
    .from(noticeConfirmations)
    .where(eq(noticeConfirmations.noticeId, noticeId));
  const confirmed = Number(confirmations?.recipients ?? 0);
  const addressed = Object.entries(counts.members).reduce((sum, [status, n]) => sum + (status === 'cancelled' ? 0 : n), 0);
  return {
    notice,
    authorName: author?.name ?? '—',
    ...counts,
    confirmed,
    confirmedInGroups: Number(confirmations?.all ?? 0) - confirmed,
    unconfirmed: notice.confirm ? await unconfirmedMembers(db, noticeId, { limit: listLimit }) : [],
    unconfirmedTotal: notice.confirm ? addressed - confirmed : 0,
  };
}

/** One line of a notice's CSV export: a member addressed or confirming, or a group chat. */
export interface NoticeExportRow {
  kind: 'member' | 'group';
  /** Member id, or the registry id of a group chat (null when it was unregistered since). */
  id: number | null;
  name: string;
  committee: string;
  sector: string;
  region: string;
  /** The copy's outbox state; null for a member who confirmed in a group without a copy of their own. */
  status: DeliveryStatus | null;
  platform: string | null;
  sentAt: Date | null;
  confirmedAt: Date | null;
}

/** Everyone and every group chat a notice was addressed to, plus members who confirmed in a group. */
export async function noticeExportRows(db: DbOrTx, noticeId: number): Promise<NoticeExportRow[]> {
  const addressed = await db
    .select({
      id: members.id, name: members.name, committee: members.committee, sector: members.sector, region: members.region,
      status: deliveries.status, platform: deliveries.platform, sentAt: deliveries.sentAt, confirmedAt: noticeConfirmations.confirmedAt,
    })
    .from(deliveries)
    .innerJoin(members, eq(members.id, deliveries.memberId))
    .leftJoin(noticeConfirmations, and(eq(noticeConfirmations.noticeId, noticeId), eq(noticeConfirmations.memberId, deliveries.memberId)))
    .where(ofNotice(noticeId))
    .orderBy(members.id);
  const inGroups = await db
    .select({ id: members.id, name: members.name, committee: members.committee, sector: members.sector, region: members.region, confirmedAt: noticeConfirmations.confirmedAt })
    .from(noticeConfirmations)
    .innerJoin(members, eq(members.id, noticeConfirmations.memberId))
    .where(
      and(
        eq(noticeConfirmations.noticeId, noticeId),
        sql`not exists (select 1 from ${deliveries} where ${ofNotice(noticeId)} and ${deliveries.memberId} = ${noticeConfirmations.memberId})`,
      ),
    )
    .orderBy(members.id);
  const chats = await db
    .select({ id: registeredGroupChats.id, chatKey: deliveries.chatKey, name: registeredGroupChats.name, committee: registeredGroupChats.committee,
      sector: registeredGroupChats.sector, region: registeredGroupChats.region, status: deliveries.status, platform: deliveries.platform, sentAt: deliveries.sentAt })
    .from(deliveries)
    .leftJoin(registeredGroupChats, eq(registeredGroupChats.chatKey, deliveries.chatKey))
    .where(and(ofNotice(noticeId), isNull(deliveries.memberId), isNotNull(deliveries.chatKey)))
    .orderBy(deliveries.id);
  return [
    ...addressed.map((r) => ({ kind: 'member' as const, ...r })),
    ...inGroups.map((r) => ({ kind: 'member' as const, ...r, status: null, platform: null, sentAt: null })),
    ...chats.map((r) => ({
      kind: 'group' as const, id: r.id, name: r.name ?? r.chatKey!, committee: r.committee ?? '', sector: r.sector ?? '', region: r.region ?? '',
      status: r.status, platform: r.platform, sentAt: r.sentAt, confirmedAt: null,
    })),
  ];
}

/** A notice in the staff digest: members it reached who have not pressed “收到”. */
export interface UnconfirmedNoticeSummary {
  noticeId: number;
  /** When it went out (its send time, or when it was queued). */
  sentAt: Date;
  /** The first 40 characters of its common text. */
  excerpt: string;
  /** Members whose copy went out (sent or uncertain). */
  delivered: number;
  confirmed: number;
  unconfirmed: number;
}

/**
 * Notices asking for confirmation that went out since `since` and still have members who
 * received them but did not confirm; newest first. For the staff weekly digest.
 */
export async function unconfirmedNoticesSummary(db: DbOrTx, since: Date): Promise<UnconfirmedNoticeSummary[]> {
  const sentAt = sql<Date>`coalesce(${notices.sendAt}, ${notices.queuedAt})`;
  const reached = sql`${deliveries.status} in ('sent', 'uncertain')`;
  const rows = await db
    .select({
      noticeId: notices.id,
      sentAt: sql<string>`max(coalesce(${notices.sendAt}, ${notices.queuedAt}))`,
      text: sql<string>`max(left(${notices.text}, 40))`,
      delivered: sql<number>`(count(*) filter (where ${reached}))::int`,
      confirmed: sql<number>`(count(${noticeConfirmations.memberId}) filter (where ${reached}))::int`,
    })
    .from(notices)
    .innerJoin(deliveries, and(eq(deliveries.kind, NOTICE_KIND), sql`${deliveries.ref} = 'notice:' || ${notices.id}`, isNotNull(deliveries.memberId)))
    .leftJoin(noticeConfirmations, and(eq(noticeConfirmations.noticeId, notices.id), eq(noticeConfirmations.memberId, deliveries.memberId)))
    .where(and(eq(notices.status, 'queued'), eq(notices.confirm, true), gte(sentAt, since)))
    .groupBy(notices.id)
    .orderBy(desc(notices.id));
  return rows
    .map((r) => ({
      noticeId: r.noticeId, sentAt: new Date(r.sentAt), excerpt: r.text, delivered: Number(r.delivered), confirmed: Number(r.confirmed),
      unconfirmed: Number(r.delivered) - Number(r.confirmed),
    }))
    .filter((r) => r.unconfirmed > 0);
}

/** Recent notices, newest first, for `/notices`. */
export async function recentNotices(db: DbOrTx, limit: number) {
  return db
    .select({
      notice: notices,
      confirmed: sql<number>`(select count(*)::int from ${noticeConfirmations} c where c.notice_id = ${qualified(notices.id)})`,
    })
    .from(notices)
    .orderBy(desc(notices.id))
    .limit(limit);
}

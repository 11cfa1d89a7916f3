import { and, asc, count, countDistinct, eq, gte, inArray, isNull, lt } from 'drizzle-orm';
import { DateTime } from 'luxon';
import type { DbOrTx } from '../../store/db.js';
import { members, readingAttendance, readingComments, readingGroups, readingGuides, readingRsvps, readingSessions } from '../../store/schema/index.js';
import { day, tk } from '../../core/i18n.js';
import type { DeliveryRequest } from '../outbox.js';

/** The data of a group's weekly summary (一周一总结), for the summary digest. */
export interface WeeklyReadingSummary {
  groupId: number;
  title: string;
  leadMemberId: number;
  leadName: string;
  chatKey: string | null;
  weekStart: Date;
  weekEnd: Date;
  /** Guides published in the week, with how many comments each drew. */
  guides: { guideId: number; day: string; publishAt: Date; comments: number }[];
  /** Comments on those guides, and how many different members wrote them. */
  comments: number;
  commenters: number;
  featured: { commentId: number; guideId: number; day: string; memberId: number; memberName: string; body: string }[];
  /** Sessions that started in the week (not cancelled): seats taken and check-ins. */
  sessions: { sessionId: number; startsAt: Date; endsAt: Date; confirmed: number; attended: number }[];
  /** Check-ins over all those sessions, and how many different members checked in. */
  attendance: number;
  attendees: number;
}

/** Composes a group's week [weekStart, weekEnd); undefined when the group does not exist. */
export async function weeklyReadingSummary(db: DbOrTx, groupId: number, weekStart: Date, weekEnd: Date): Promise<WeeklyReadingSummary | undefined> {
  const [group] = await db
    .select({ group: readingGroups, leadName: members.name })
    .from(readingGroups)
    .innerJoin(members, eq(members.id, readingGroups.leadMemberId))
    .where(eq(readingGroups.id, groupId));
  if (!group) return undefined;
  const guideRows = await db
    .select({ guideId: readingGuides.id, day: readingGuides.day, publishAt: readingGuides.publishAt, comments: count(readingComments.id) })
    .from(readingGuides)
    .leftJoin(readingComments, eq(readingComments.guideId, readingGuides.id))
    .where(and(eq(readingGuides.groupId, groupId), gte(readingGuides.publishAt, weekStart), lt(readingGuides.publishAt, weekEnd)))
    .groupBy(readingGuides.id)
    .orderBy(asc(readingGuides.publishAt), asc(readingGuides.id));
  const guideIds = guideRows.map((g) => g.guideId);
  const [talk] = guideIds.length
    ? await db.select({ n: count(), people: countDistinct(readingComments.memberId) }).from(readingComments).where(inArray(readingComments.guideId, guideIds))
    : [{ n: 0, people: 0 }];
  const featured = guideIds.length
    ? await db
      .select({ commentId: readingComments.id, guideId: readingComments.guideId, day: readingGuides.day, memberId: readingComments.memberId, memberName: members.name, body: readingComments.body })
      .from(readingComments)
      .innerJoin(readingGuides, eq(readingGuides.id, readingComments.guideId))
      .innerJoin(members, eq(members.id, readingComments.memberId))
      .where(and(inArray(readingComments.guideId, guideIds), eq(readingComments.featured, true)))
      .orderBy(asc(readingGuides.day), asc(readingComments.id))
    : [];
  const sessions = await sessionsOfWeek(db, groupId, weekStart, weekEnd);
  const sessionIds = sessions.map((s) => s.sessionId);
  const [present] = sessionIds.length
    ? await db.select({ n: count(), people: countDistinct(readingAttendance.memberId) }).from(readingAttendance).where(inArray(readingAttendance.sessionId, sessionIds))
    : [{ n: 0, people: 0 }];
  return {
    groupId, title: group.group.title, leadMemberId: group.group.leadMemberId, leadName: group.leadName, chatKey: group.group.chatKey,
    weekStart, weekEnd, guides: guideRows, comments: talk?.n ?? 0, commenters: talk?.people ?? 0, featured,
    sessions, attendance: present?.n ?? 0, attendees: present?.people ?? 0,
  };
}

async function sessionsOfWeek(db: DbOrTx, groupId: number, from: Date, to: Date): Promise<WeeklyReadingSummary['sessions']> {
  const rows = await db
    .select({ sessionId: readingSessions.id, startsAt: readingSessions.startsAt, endsAt: readingSessions.endsAt })
    .from(readingSessions)
    .where(and(eq(readingSessions.groupId, groupId), isNull(readingSessions.cancelledAt), gte(readingSessions.startsAt, from), lt(readingSessions.startsAt, to)))
    .orderBy(asc(readingSessions.startsAt), asc(readingSessions.id));
  if (rows.length === 0) return [];
  const ids = rows.map((r) => r.sessionId);
  const seats = await db.select({ id: readingRsvps.sessionId, n: count() }).from(readingRsvps)
    .where(and(inArray(readingRsvps.sessionId, ids), eq(readingRsvps.status, 'yes'))).groupBy(readingRsvps.sessionId);
  const present = await db.select({ id: readingAttendance.sessionId, n: count() }).from(readingAttendance)
    .where(inArray(readingAttendance.sessionId, ids)).groupBy(readingAttendance.sessionId);
  const seatsOf = new Map(seats.map((s) => [s.id, s.n]));
  const presentOf = new Map(present.map((p) => [p.id, p.n]));
  return rows.map((r) => ({ ...r, confirmed: seatsOf.get(r.sessionId) ?? 0, attended: presentOf.get(r.sessionId) ?? 0 }));
}

/** Groups with a guide published or a session starting in [from, to): whose summary is worth sending. */
export async function readingGroupsWithActivity(db: DbOrTx, from: Date, to: Date): Promise<number[]> {
  const guides = await db.selectDistinct({ id: readingGuides.groupId }).from(readingGuides)
    .where(and(gte(readingGuides.publishAt, from), lt(readingGuides.publishAt, to)));
  const sessions = await db.selectDistinct({ id: readingSessions.groupId }).from(readingSessions)
    .where(and(isNull(readingSessions.cancelledAt), gte(readingSessions.startsAt, from), lt(readingSessions.startsAt, to)));
  return [...new Set([...guides, ...sessions].map((r) => r.id))].sort((a, b) => a - b);
}

/** How many featured comments the digest quotes; the rest are counted, not shown. */
const FEATURED_SHOWN = 5;

/**
 * The outbox row for a weekly summary: template 'reading.summary.digest'. Days are labelled in
 * `timeZone` (the zone the week was cut in). Featured comments are quoted as written; everything
 * else is rendered in the recipient's language at send time.
 */
export function weeklySummaryDelivery(summary: WeeklyReadingSummary, to: DeliveryRequest['to'], timeZone: string): DeliveryRequest {
  const first = DateTime.fromJSDate(summary.weekStart).setZone(timeZone).toISODate()!;
  const last = DateTime.fromJSDate(new Date(summary.weekEnd.getTime() - 1)).setZone(timeZone).toISODate()!;
  const quoted = summary.featured.slice(0, FEATURED_SHOWN).map((f) => `· ${f.memberName} — ${f.body}`).join('\n');
  return {
    kind: 'reading.summary', ref: `readinggroup:${summary.groupId}:week:${first}`, to,
    template: 'reading.summary.digest',
    params: {
      title: summary.title, from: day(first), to: day(last), guides: summary.guides.length,
      comments: summary.comments, commenters: summary.commenters, sessions: summary.sessions.length,
      attendance: summary.attendance,
      featured: quoted ? tk('reading.summary.featured', { list: quoted }) : tk('reading.summary.noFeatured'),
    },
  };
}

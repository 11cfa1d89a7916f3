/**
 * The weekly staff digest: the week's duty coverage and the gaps, notes waiting for review, seats
 * taken at this week's reading sessions, and notices members have not confirmed.
 */
import type { DbOrTx } from '../../store/db.js';
import { members } from '../../store/schema/index.js';
import { inArray } from 'drizzle-orm';
import { addDeliveries, type DeliveryRequest, type ListParam } from '../outbox.js';
import { day, dt } from '../../core/i18n.js';
import { localWeek, percent } from './periods.js';
import type { CoverageGap } from './coverage-alerts.js';

/** What the staff digest reads from the features; a missing one leaves its part empty. */
export interface StaffDigestSources {
  coverage?: (db: DbOrTx, from: Date, to: Date) => Promise<{ seats: number; filled: number; ratio: number }>;
  unfilledShifts?: (db: DbOrTx, from: Date, to: Date) => Promise<CoverageGap[]>;
  pendingReviewCount?: (db: DbOrTx, committee: string | null) => Promise<number>;
  /** Reading groups with sessions this week, and each group's week (sessions with seats taken). */
  readingGroupsWithActivity?: (db: DbOrTx, from: Date, to: Date) => Promise<number[]>;
  weeklyReadingSummary?: (db: DbOrTx, groupId: number, from: Date, to: Date) => Promise<{ title: string; sessions: Array<{ sessionId: number; startsAt: Date; confirmed: number }> } | undefined>;
  unconfirmedNoticesSummary?: (db: DbOrTx, since: Date) => Promise<Array<{ noticeId: number; excerpt: string; delivered: number; unconfirmed: number }>>;
}

export const STAFF_DIGEST_KIND = 'digest.staff';
const LISTED = 10;

/**
 * Writes this week's digest to every staff member and admin, once per ISO week of `zone`
 * (ref 'digest:staff:<week>'). Review counts follow each officer's committee when they have one.
 */
export async function staffDigests(db: DbOrTx, sources: StaffDigestSources, zone: string, now: Date): Promise<number> {
  const week = localWeek(now, zone);
  const staff = await db.select({ id: members.id, committee: members.committee }).from(members).where(inArray(members.role, ['staff', 'admin']));
  if (staff.length === 0) return 0;
  const cover = (await sources.coverage?.(db, week.from, week.to)) ?? { seats: 0, filled: 0, ratio: 1 };
  const gaps = (await sources.unfilledShifts?.(db, now, week.to)) ?? [];
  const sessions: ListParam['$list'] = [];
  for (const groupId of (await sources.readingGroupsWithActivity?.(db, week.from, week.to)) ?? []) {
    const summary = await sources.weeklyReadingSummary?.(db, groupId, week.from, week.to);
    for (const s of summary?.sessions ?? []) {
      sessions.push({ key: 'digest.staff.sessionLine', params: { at: dt(s.startsAt), id: s.sessionId, title: summary!.title, yes: s.confirmed } });
    }
  }
  const notices = (await sources.unconfirmedNoticesSummary?.(db, new Date(now.getTime() - 14 * 86_400_000))) ?? [];
  const reviews = new Map<string, number>();
  const requests: DeliveryRequest[] = [];
  for (const officer of staff) {
    const scope = officer.committee || '';
    if (!reviews.has(scope)) reviews.set(scope, (await sources.pendingReviewCount?.(db, scope || null)) ?? 0);
    requests.push({
      kind: STAFF_DIGEST_KIND, ref: `digest:staff:${week.id}`, to: { memberId: officer.id }, template: 'digest.staff.body',
      params: {
        from: day(week.firstDay), to: day(week.lastDay), seats: cover.seats, filled: cover.filled, ratio: percent(cover.seats ? cover.ratio : null),
        reviews: reviews.get(scope)!,
      },
      lists: {
        gaps: capped(gaps.map((g) => ({
          key: 'digest.staff.gapLine', params: { at: dt(g.startsAt), id: g.shiftId, theme: g.theme, filled: g.filled, capacity: g.capacity },
        }))),
        sessions: capped(sessions),
        notices: capped(notices.map((n) => ({
          key: 'digest.staff.noticeLine', params: { id: n.noticeId, excerpt: n.excerpt, unconfirmed: n.unconfirmed, delivered: n.delivered },
        }))),
      },
    });
  }
  return addDeliveries(db, requests);
}

function capped(items: ListParam['$list']): ListParam {
  const shown = items.slice(0, LISTED);
  if (items.length > LISTED) shown.push({ key: 'digest.more', params: { count: items.length - LISTED } });
  return { $list: shown, emptyKey: 'digest.none' };
}

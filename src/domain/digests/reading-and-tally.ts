/**
 * Recurring reading and notes messages: the daily guide posted to its group's chat at its publish
 * time, the weekly reading summary (一周一总结), and the monthly notes tally (定期通报).
 */
import { inArray } from 'drizzle-orm';
import type { DbOrTx } from '../../store/db.js';
import { members } from '../../store/schema/index.js';
import { addDeliveries, type DeliveryRequest, type ListParam } from '../outbox.js';
import { tk } from '../../core/i18n.js';
import { localWeek, percent, previousMonth } from './periods.js';
import type { WeeklyReadingSummary } from '../reading/index.js';

export interface ReadingDigestSources {
  guidesDue?: (db: DbOrTx, from: Date, to: Date) => Promise<Array<{ guideId: number }>>;
  /** Writes the guide's outbox row (to its group chat, not before its publish time); false when there is none. */
  queueGuideDelivery?: (db: DbOrTx, guideId: number) => Promise<boolean>;
  readingGroupsWithActivity?: (db: DbOrTx, from: Date, to: Date) => Promise<number[]>;
  weeklyReadingSummary?: (db: DbOrTx, groupId: number, from: Date, to: Date) => Promise<WeeklyReadingSummary | undefined>;
  weeklySummaryDelivery?: (summary: WeeklyReadingSummary, to: DeliveryRequest['to'], timeZone: string) => DeliveryRequest;
}

/** How far back a guide run looks, so guides whose time passed while nothing ran still go out. */
const GUIDE_CATCH_UP_MS = 24 * 3600_000;
/** Guides due this soon are queued now, as deliveries held until their publish time. */
const GUIDE_AHEAD_MS = 10 * 60_000;

/** Queues the daily guides whose publish time is near (or passed within the last day). */
export async function readingGuides(db: DbOrTx, sources: ReadingDigestSources, now: Date): Promise<number> {
  const { guidesDue, queueGuideDelivery } = sources;
  if (!guidesDue || !queueGuideDelivery) return 0;
  let queued = 0;
  for (const g of await guidesDue(db, new Date(now.getTime() - GUIDE_CATCH_UP_MS), new Date(now.getTime() + GUIDE_AHEAD_MS))) {
    if (await queueGuideDelivery(db, g.guideId)) queued++;
  }
  return queued;
}

/**
 * The weekly summary of each reading group that had guides or sessions this week (in `zone`),
 * to the group's chat, or to its lead reader when the group has none. Once per group and week.
 */
export async function readingSummaries(db: DbOrTx, sources: ReadingDigestSources, zone: string, now: Date): Promise<number> {
  const { readingGroupsWithActivity, weeklyReadingSummary, weeklySummaryDelivery } = sources;
  if (!readingGroupsWithActivity || !weeklyReadingSummary || !weeklySummaryDelivery) return 0;
  const week = localWeek(now, zone);
  const requests: DeliveryRequest[] = [];
  for (const groupId of await readingGroupsWithActivity(db, week.from, week.to)) {
    const summary = await weeklyReadingSummary(db, groupId, week.from, week.to);
    if (!summary) continue;
    const to = summary.chatKey ? { chatKey: summary.chatKey } : { memberId: summary.leadMemberId };
    requests.push(weeklySummaryDelivery(summary, to, zone));
  }
  return addDeliveries(db, requests);
}

/** The tally as notes' `monthlyTally` returns it (the parts the bulletin shows). */
export interface TallyForBulletin {
  members: Array<{ name: string; sector: string; submitted: number; adopted: number; points: number; adoptionRate: number | null }>;
  sectors: Array<{ sector: string; submitted: number; adopted: number; points: number; adoptionRate: number | null }>;
  total: { submitted: number; adopted: number; points: number; adoptionRate: number | null };
}

export interface TallySources {
  monthlyTally?: (db: DbOrTx, query: { year: number; month: number; timeZone: string }) => Promise<TallyForBulletin>;
}

const MEMBERS_LISTED = 10;

/**
 * The monthly notes bulletin (定期通报) on the 1st: last month's tally in `zone`, to every member,
 * staff officer and admin, unless the month had no notes. Once per month (ref 'tally:notes:<yyyy-MM>').
 */
export async function notesTally(db: DbOrTx, sources: TallySources, zone: string, now: Date): Promise<number> {
  if (!sources.monthlyTally) return 0;
  const period = previousMonth(now, zone);
  const tally = await sources.monthlyTally(db, { year: period.year, month: period.month, timeZone: zone });
  // A month without notes is not worth a message to everyone.
  if (tally.total.submitted === 0 && tally.total.adopted === 0 && tally.total.points === 0) return 0;
  const everyone = await db.select({ id: members.id }).from(members).where(inArray(members.role, ['member', 'staff', 'admin']));
  const membersList: ListParam = {
    $list: tally.members.slice(0, MEMBERS_LISTED).map((m, i) => ({
      key: 'notes.tally.memberLine',
      params: { rank: i + 1, name: m.name, sector: m.sector || '—', submitted: m.submitted, adopted: m.adopted, rate: percent(m.adoptionRate), points: m.points },
    })),
    emptyKey: 'digest.none',
  };
  if (tally.members.length > MEMBERS_LISTED) membersList.$list.push({ key: 'digest.more', params: { count: tally.members.length - MEMBERS_LISTED } });
  const sectors: ListParam = {
    $list: tally.sectors.map((s) => ({
      key: 'notes.tally.sectorLine', params: { sector: s.sector || '—', submitted: s.submitted, adopted: s.adopted, rate: percent(s.adoptionRate), points: s.points },
    })),
    emptyKey: 'digest.none',
  };
  return addDeliveries(db, everyone.map((m) => ({
    kind: 'digest.tally', ref: `tally:notes:${period.id}`, to: { memberId: m.id }, template: 'digest.tally.body',
    params: {
      period: tk('notes.tally.month', { month: period.month, year: period.year }),
      submitted: tally.total.submitted, adopted: tally.total.adopted, rate: percent(tally.total.adoptionRate), points: tally.total.points,
    },
    lists: { members: membersList, sectors },
  })));
}

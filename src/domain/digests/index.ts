/**
 * Recurring messages composed from what the features export: coverage alerts, daily guides,
 * weekly digests, the monthly notes tally. Each function takes the moment it runs and writes
 * deliveries whose refs are unique per period, so a run repeated (another process, a restart)
 * sends nothing twice. The delivery engine calls them from its job schedulers.
 */
import type { Db } from '../../store/db.js';
import type { DeliverySettings } from '../delivery/settings.js';
import { coverageAlerts, type UnfilledShifts } from './coverage-alerts.js';
import { memberDigests, type MemberDigestSources } from './member-digest.js';
import { staffDigests, type StaffDigestSources } from './staff-digest.js';
import { notesTally, readingGuides, readingSummaries, type ReadingDigestSources, type TallySources } from './reading-and-tally.js';

export { coverageAlerts, staffIds, type CoverageGap, type UnfilledShifts } from './coverage-alerts.js';
export { memberDigests, MEMBER_DIGEST_KIND, type MemberDigestSources } from './member-digest.js';
export { staffDigests, STAFF_DIGEST_KIND, type StaffDigestSources } from './staff-digest.js';
export { notesTally, readingGuides, readingSummaries, type ReadingDigestSources, type TallySources } from './reading-and-tally.js';

/** Everything the recurring work reads from the features; a missing function empties its part. */
export type DigestSources = MemberDigestSources & StaffDigestSources & ReadingDigestSources & TallySources & { unfilledShifts?: UnfilledShifts };

/** Recurring jobs by scheduler id, as the delivery engine's recurring worker runs them. */
export type RecurringWork = Partial<Record<'reading-guides' | 'member-digest' | 'staff-digest' | 'reading-summary' | 'notes-tally' | 'coverage', (now: Date) => Promise<number>>>;

/**
 * The recurring work this deployment can do with `sources`. A job whose essential source is
 * missing is left out (and its scheduler removed); digests compose whatever sections exist.
 * `zone` is the time zone of staff-facing schedules (members' digests use their own zones).
 */
export function recurringWork(db: Db, sources: DigestSources, settings: DeliverySettings, zone: string): RecurringWork {
  const work: RecurringWork = {
    'member-digest': (now) => memberDigests(db, sources, settings.memberDigest, now),
    'staff-digest': (now) => staffDigests(db, sources, zone, now),
  };
  const { unfilledShifts } = sources;
  if (unfilledShifts) work.coverage = (now) => coverageAlerts(db, unfilledShifts, settings.coverage.alertHours, now);
  if (sources.guidesDue && sources.queueGuideDelivery) work['reading-guides'] = (now) => readingGuides(db, sources, now);
  if (sources.readingGroupsWithActivity && sources.weeklyReadingSummary && sources.weeklySummaryDelivery) {
    work['reading-summary'] = (now) => readingSummaries(db, sources, zone, now);
  }
  if (sources.monthlyTally) work['notes-tally'] = (now) => notesTally(db, sources, zone, now);
  return work;
}

/**
 * The real fact sources, from the features' domain exports: what src/main.ts hands the engine.
 * Tests hand it their own instead.
 */
import type { Db } from '../src/store/db.js';
import type { DeliverySettings } from '../src/domain/delivery/settings.js';
import type { ReminderSources } from '../src/domain/delivery/reminders.js';
import { recurringWork, type DigestSources } from '../src/domain/digests/index.js';
import { coverage, openShiftsBetween, shiftsOfMembersBetween, shiftReminderFacts, unfilledShifts } from '../src/domain/shifts/index.js';
import {
  guidesDue, queueGuideDelivery, sessionsOfMembersBetween, readingGroupsWithActivity, readingReminderFacts, weeklyReadingSummary,
  weeklySummaryDelivery,
} from '../src/domain/reading/index.js';
import { monthlyTally, noteChangesOfMembers, pendingReviewCount } from '../src/domain/notes/index.js';
import { unconfirmedNoticesSummary } from '../src/domain/notices/index.js';
import type { RecurringHandlers } from './workers/digests.js';

export const featureReminderSources: ReminderSources = { shift: shiftReminderFacts, reading: readingReminderFacts };

export const featureDigestSources: DigestSources = {
  unfilledShifts, openShiftsBetween, shiftsOfMembersBetween, coverage,
  sessionsOfMembersBetween, guidesDue, queueGuideDelivery, readingGroupsWithActivity, weeklyReadingSummary, weeklySummaryDelivery,
  noteChangesOfMembers, pendingReviewCount, monthlyTally,
  unconfirmedNoticesSummary,
};

export function featureRecurringHandlers(db: Db, settings: DeliverySettings, zone: string): RecurringHandlers {
  return recurringWork(db, featureDigestSources, settings, zone);
}

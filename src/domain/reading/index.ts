/**
 * Reading sessions (读书活动): groups, sessions and RSVPs, daily guides and comments, check-in,
 * weekly summaries. What other parts of the system build on is exported here:
 * - the delivery engine: readingReminderFacts (reminders; listen for 'reminder.changed' events with
 *   ref 'reading:<sessionId>'), guidesDue + renderGuideDelivery/queueGuideDelivery (post a guide
 *   with template 'reading.guide.post'), readingGroupsWithActivity + weeklyReadingSummary +
 *   weeklySummaryDelivery (the weekly digest, template 'reading.summary.digest');
 * - the calendar and the performance record: memberSessionsBetween, readingActivityOf.
 * Outbox kinds written here: reading.lead, reading.promoted, reading.moved, reading.cancelled.
 */
export { readingReminderFacts, memberSessionsBetween, sessionsOfMembersBetween, readingActivityOf, whereOf, type MemberSession } from './member-facts.js';
export { guidesDue, renderGuideDelivery, queueGuideDelivery, localDay, type GuideDue } from './guides.js';
export { weeklyReadingSummary, readingGroupsWithActivity, weeklySummaryDelivery, type WeeklyReadingSummary } from './summary.js';
export { sessionRef, type RsvpAnswer, type RsvpStatus } from './rsvp.js';

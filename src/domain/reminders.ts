import type { Params } from '../core/i18n.js';

/**
 * What the delivery engine needs to remind members of something that starts at a set time (a duty
 * shift, a reading session). Features export a `…ReminderFacts(db, id)` function returning this;
 * the engine calls it when it schedules reminders and again just before sending one, so a reminder
 * for a cancelled sign-up or a moved start is never sent. Undefined when the thing is cancelled.
 * Features record a domain event `{ kind: 'reminder.changed', ref: 'shift:ID' | 'reading:ID' }`
 * whenever the start time or the list of people changes.
 */
export interface ReminderFacts {
  startsAt: Date;
  /** Everyone to remind: confirmed sign-ups / RSVP yes, not the waitlist. */
  memberIds: number[];
  /** Locale key of the reminder text, and its JSON-safe params (use dt() for times). */
  template: string;
  params: Params;
}

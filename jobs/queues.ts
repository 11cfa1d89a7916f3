/**
 * Queue names, job names and the zod schema of every job payload. Payloads carry ids only —
 * never names or texts — because Redis and the queue dashboard are not places for personal data.
 */
import { z } from 'zod';
import type { JobsOptions } from 'bullmq';
import type { Platform } from '../src/core/messages.js';
import type { DeliverySettings } from '../src/domain/delivery/settings.js';

export const PLATFORMS: readonly Platform[] = ['telegram', 'wecom', 'console'];

/** One outbound queue per platform, so a 429 or a limit on one platform never holds up the other. */
export function outboundQueueName(platform: Platform): string {
  return `outbound-${platform}`;
}

/** Delayed reminder jobs (shift and reading session reminders). */
export const REMINDERS_QUEUE = 'reminders';
/** Jobs made by the job schedulers: digests, guides, tallies, coverage alerts. */
export const RECURRING_QUEUE = 'recurring';

/** `send`: deliver one outbox row. */
export const outboundPayload = z.object({ deliveryId: z.number().int().positive() });
export type OutboundPayload = z.infer<typeof outboundPayload>;

/** `remind`: one reminder moment of one shift or session; the worker re-reads the facts. */
export const reminderPayload = z.object({
  /** 'shift:12' or 'reading:3'. */
  ref: z.string().regex(/^[a-z]+:\d+$/),
  offsetMinutes: z.number().int().positive(),
  /** The start time the job was planned for; a moved start makes the job stale. */
  startsAt: z.iso.datetime(),
});
export type ReminderPayload = z.infer<typeof reminderPayload>;

/** The recurring jobs and their scheduler ids (also the job names). */
export const RECURRING_JOBS = ['reading-guides', 'member-digest', 'staff-digest', 'reading-summary', 'notes-tally', 'coverage'] as const;
export type RecurringJob = (typeof RECURRING_JOBS)[number];
/** Recurring jobs carry nothing: what to do follows from the job name and the time it runs. */
export const recurringPayload = z.object({}).strict();

/** Outbound job id: derived from the delivery id, so a row is queued at most once at a time. */
export function outboundJobId(deliveryId: number): string {
  return `d${deliveryId}`;
}

/** Reminder job id, deterministic per thing, offset and start time (BullMQ ids may not hold ':'). */
export function reminderJobId(ref: string, offsetMinutes: number, startsAt: Date): string {
  return `rem-${ref.replace(':', '-')}-${offsetMinutes}-${Math.floor(startsAt.getTime() / 60_000)}`;
}

/** Job options of outbound sends: retries with backoff for `not-sent`, finished jobs cleaned up. */
export function outboundJobOptions(settings: DeliverySettings, deliveryId: number, delayMs: number): JobsOptions {
  return {
    jobId: outboundJobId(deliveryId),
    attempts: settings.retry.attempts,
    backoff: { type: 'exponential', delay: settings.retry.backoffMs },
    ...(delayMs > 0 ? { delay: delayMs } : {}),
    // The database holds the outcome; Redis keeps finished jobs only briefly for the dashboard.
    removeOnComplete: { age: 3600, count: 1000 },
    removeOnFail: { age: 7 * 24 * 3600 },
  };
}

export const reminderJobOptions = (jobId: string, delayMs: number): JobsOptions => ({
  jobId,
  delay: Math.max(0, delayMs),
  attempts: 5,
  backoff: { type: 'exponential', delay: 2000 },
  removeOnComplete: { age: 24 * 3600, count: 5000 },
  removeOnFail: { age: 7 * 24 * 3600 },
});

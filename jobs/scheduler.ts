/**
 * The cluster-wide recurring work as BullMQ job schedulers: upserted at every start by every
 * scheduler process (an upsert with the same id changes nothing), in the configured time zone.
 * BullMQ makes one job per period however many processes upsert; the deliveries' deterministic
 * refs (e.g. 'digest:member:2026-W49') make a job that runs twice send nothing twice.
 */
import type { Queue } from 'bullmq';
import type { DeliverySettings } from '../src/domain/delivery/settings.js';
import { RECURRING_JOBS, type RecurringJob } from './queues.js';

/** The cron pattern of each recurring job, from the settings. */
export function schedulePatterns(settings: DeliverySettings): Record<RecurringJob, string> {
  const s = settings.schedules;
  return {
    'reading-guides': s.readingGuides,
    'member-digest': s.memberDigest,
    'staff-digest': s.staffDigest,
    'reading-summary': s.readingSummary,
    'notes-tally': s.notesTally,
    coverage: s.coverage,
  };
}

/**
 * Upserts a scheduler for each recurring job this deployment can do (`enabled`), and removes the
 * schedulers of jobs it no longer does, so an old pattern does not linger in Redis.
 */
export async function upsertSchedulers(queue: Queue, settings: DeliverySettings, enabled: readonly string[], defaultTimeZone: string): Promise<void> {
  const patterns = schedulePatterns(settings);
  for (const job of RECURRING_JOBS) {
    if (!enabled.includes(job)) {
      await queue.removeJobScheduler(job);
      continue;
    }
    await queue.upsertJobScheduler(job, { pattern: patterns[job], tz: settings.schedules.timeZone ?? defaultTimeZone }, {
      name: job,
      data: {},
      opts: { attempts: 3, backoff: { type: 'exponential', delay: 10_000 }, removeOnComplete: { count: 200 }, removeOnFail: { count: 200 } },
    });
  }
}

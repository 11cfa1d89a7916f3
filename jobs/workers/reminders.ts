/**
 * The reminders worker: a delayed `remind` job has come due. It re-reads the facts and writes the
 * reminder deliveries (the outbox relay sends them); nothing stale is sent.
 */
import type { Job } from 'bullmq';
import { fireReminder, type FireResult, type ReminderSources } from '../../src/domain/delivery/reminders.js';
import { reminderJobId, reminderPayload } from '../queues.js';
import type { EngineContext } from '../context.js';

/** `onWritten` is told when a reminder wrote deliveries, so the outbox relay can run soon. */
export function reminderProcessor(engine: EngineContext, sources: ReminderSources, onWritten: () => void = () => {}) {
  return async (job: Job): Promise<FireResult> => {
    const payload = reminderPayload.parse(job.data);
    const startsAt = new Date(payload.startsAt);
    const jobId = job.id ?? reminderJobId(payload.ref, payload.offsetMinutes, startsAt);
    const result = await fireReminder(engine.db, sources, { jobId, ref: payload.ref, offsetMinutes: payload.offsetMinutes, startsAt }, engine.clock.now());
    if ('stale' in result) engine.logger.debug({ ref: payload.ref, jobId, stale: result.stale }, 'reminder not sent: stale');
    else if (result.sent > 0) onWritten();
    return result;
  };
}

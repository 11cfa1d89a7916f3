/**
 * The recurring worker: runs what a job scheduler's job asks for (digests, daily guides, the
 * monthly tally, coverage alerts). Each handler writes deliveries with refs unique per period,
 * so a job that runs twice, or in two processes, sends each message once.
 */
import type { Job } from 'bullmq';
import { RECURRING_JOBS, recurringPayload, type RecurringJob } from '../queues.js';
import type { EngineContext } from '../context.js';

/** What to do for each recurring job, given the moment it runs; returns the deliveries written. */
export type RecurringHandlers = Partial<Record<RecurringJob, (now: Date) => Promise<number>>>;

export function recurringProcessor(engine: EngineContext, handlers: RecurringHandlers) {
  return async (job: Job): Promise<number> => {
    recurringPayload.parse(job.data ?? {});
    const name = job.name as RecurringJob;
    const handler = RECURRING_JOBS.includes(name) ? handlers[name] : undefined;
    if (!handler) {
      engine.logger.warn({ job: job.name }, 'recurring job without a handler in this process');
      return 0;
    }
    const added = await handler(engine.clock.now());
    if (added > 0) engine.logger.info({ job: name, deliveries: added }, 'recurring job wrote deliveries');
    return added;
  };
}

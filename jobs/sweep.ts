/**
 * The per-process sweep (node-cron, every minute by default): finds outbox rows whose outbound job
 * went missing — Redis restarted without its last writes, a job failed on an outage — and hands
 * them back to the relay; a row left `sending` with no job running becomes `uncertain`. It also
 * restores lost reminder jobs. Every step is idempotent, so all processes may sweep at once.
 */
import type { Queue } from 'bullmq';
import type { Platform } from '../src/core/messages.js';
import { queuedBefore, releaseUnqueued } from '../src/domain/delivery/queueing.js';
import { markCrashedSend } from '../src/domain/delivery/status.js';
import { outboundJobId } from './queues.js';
import type { EngineContext } from './context.js';
import type { ReminderScheduling } from './reminder-scheduling.js';

export interface SweepResult {
  /** Pending rows given back to the relay. */
  requeued: number;
  /** Rows found `sending` with no job left, now `uncertain`. */
  uncertain: number;
  remindersRestored: number;
}

const LIVE_STATES = new Set(['waiting', 'active', 'delayed', 'prioritized', 'waiting-children']);

export class Sweep {
  constructor(
    private readonly engine: EngineContext,
    private readonly queues: ReadonlyMap<Platform, Queue>,
    private readonly reminders: ReminderScheduling | undefined,
  ) {}

  async run(limit = 5000): Promise<SweepResult> {
    const { db, clock, settings } = this.engine;
    const before = new Date(clock.now().getTime() - settings.sweep.graceSeconds * 1000);
    const rows = await queuedBefore(db, before, limit);
    const release: number[] = [];
    let uncertain = 0;
    for (let i = 0; i < rows.length; i += 50) {
      await Promise.all(rows.slice(i, i + 50).map(async (row) => {
        const queue = row.platform ? this.queues.get(row.platform as Platform) : undefined;
        const jobId = outboundJobId(row.id);
        const state = queue ? await queue.getJobState(jobId) : 'unknown';
        if (LIVE_STATES.has(state)) return;
        if (row.status === 'sending') {
          if (await markCrashedSend(db, row.id, row.claimToken)) uncertain++;
          return;
        }
        // A finished job with the row still pending: drop the job so the relay can queue the id again.
        if (queue && state !== 'unknown') await queue.remove(jobId);
        release.push(row.id);
      }));
    }
    const requeued = await releaseUnqueued(db, release);
    const restored = this.reminders ? (await this.reminders.sweep()).restored : 0;
    if (requeued + uncertain + restored > 0) this.engine.logger.info({ requeued, uncertain, remindersRestored: restored }, 'sweep repaired the queues');
    return { requeued, uncertain, remindersRestored: restored };
  }
}

/**
 * Turns `reminder.changed` domain events into delayed jobs on the reminders queue, one per
 * reminder moment with a deterministic id, and keeps the queue in step with reminder_jobs: a moved
 * start removes the old jobs and adds new ones, a cancellation removes them. Also the event relay:
 * it marks every domain event handled once acted on.
 */
import type { Queue } from 'bullmq';
import { parseRef, planReminders, lockRefs, unfiredReminders, type ReminderPlan, type ReminderSources } from '../src/domain/delivery/reminders.js';
import { isTransientError } from '../src/store/errors.js';
import { markHandled, unhandledEvents } from '../src/domain/delivery/events.js';
import { reminderJobId, reminderJobOptions, type ReminderPayload } from './queues.js';
import type { EngineContext } from './context.js';

/** The domain event features record when a start time or the people to remind change. */
export const REMINDER_CHANGED = 'reminder.changed';

export class ReminderScheduling {
  constructor(
    private readonly engine: EngineContext,
    private readonly queue: Queue,
    private readonly sources: ReminderSources,
  ) {}

  private offsetsFor(kind: string): number[] {
    const r = this.engine.settings.reminders;
    return kind === 'reading' ? r.readingOffsetsMinutes : r.shiftOffsetsMinutes;
  }

  /**
   * Re-plans the reminders of these things ('shift:12', …) from their current facts, in one
   * transaction that holds a lock per thing, and brings the reminders queue in line.
   */
  async replan(refs: string[]): Promise<ReminderPlan> {
    const known = refs.flatMap((ref) => {
      const parsed = parseRef(ref);
      const source = parsed ? this.sources[parsed[0]] : undefined;
      if (!parsed || !source) {
        this.engine.logger.warn({ ref }, 'reminder.changed for a kind without a reminder source');
        return [];
      }
      return [{ ref, kind: parsed[0], id: parsed[1], source }];
    });
    const { db, clock, settings } = this.engine;
    return db.transaction(async (tx) => {
      await lockRefs(tx, known.map((k) => k.ref));
      const now = clock.now();
      const things = [];
      for (const k of known) things.push({ ref: k.ref, facts: await k.source(tx, k.id), offsetsMinutes: this.offsetsFor(k.kind) });
      const plan = await planReminders(tx, things, { now, lateGraceMs: settings.reminders.lateGraceMinutes * 60_000, jobId: reminderJobId });
      // An active job cannot be removed; it re-reads the facts and finds itself stale.
      for (const jobId of plan.remove) await this.queue.remove(jobId);
      if (plan.add.length > 0) {
        await this.queue.addBulk(plan.add.map((m) => ({
          name: 'remind',
          data: { ref: m.ref, offsetMinutes: m.offsetMinutes, startsAt: m.startsAt.toISOString() } satisfies ReminderPayload,
          opts: reminderJobOptions(m.jobId, m.fireAt.getTime() - now.getTime()),
        })));
      }
      return plan;
    });
  }

  /**
   * One round of the event relay: acts on the oldest unhandled domain events and marks them handled.
   * Returns how many events it handled. Two relays may handle the same event; re-planning is idempotent.
   * A thing whose facts cannot be read for a reason other than an outage is logged and skipped,
   * so one bad record does not hold up everyone's reminders.
   */
  async relayEvents(limit = this.engine.settings.relay.batchSize): Promise<number> {
    const { db, clock, logger } = this.engine;
    const events = await unhandledEvents(db, limit);
    if (events.length === 0) return 0;
    const refs = [...new Set(events.filter((e) => e.kind === REMINDER_CHANGED).map((e) => e.ref))];
    try {
      await this.replan(refs);
    } catch (err) {
      if (isTransientError(err)) throw err;
      for (const ref of refs) {
        await this.replan([ref]).catch((e: unknown) => {
          if (isTransientError(e)) throw e;
          logger.error({ ref, err: e }, 'could not plan reminders; its events are marked handled');
        });
      }
    }
    await markHandled(db, events.map((e) => e.id), clock.now());
    return events.length;
  }

  /**
   * Puts back reminder jobs Redis lost (a restart without the last writes) and promotes delayed
   * jobs whose moment has come by the engine's clock. Looks `aheadMs` into the future.
   */
  async sweep(aheadMs = 10 * 60_000): Promise<{ restored: number; promoted: number }> {
    const { db, clock } = this.engine;
    const now = clock.now();
    let restored = 0;
    let promoted = 0;
    const rows = await unfiredReminders(db, new Date(now.getTime() + aheadMs));
    for (let i = 0; i < rows.length; i += 50) {
      await Promise.all(rows.slice(i, i + 50).map(async (r) => {
        const state = await this.queue.getJobState(r.jobId);
        if (state === 'unknown') {
          await this.queue.add('remind', { ref: r.ref, offsetMinutes: r.offsetMinutes, startsAt: r.startsAt.toISOString() } satisfies ReminderPayload,
            reminderJobOptions(r.jobId, r.fireAt.getTime() - now.getTime()));
          restored++;
        } else if (state === 'delayed' && r.fireAt.getTime() <= now.getTime()) {
          await (await this.queue.getJob(r.jobId))?.promote().catch(() => undefined);
          promoted++;
        } else if (state === 'failed') {
          await (await this.queue.getJob(r.jobId))?.retry('failed').catch(() => undefined);
          restored++;
        }
      }));
    }
    return { restored, promoted };
  }
}

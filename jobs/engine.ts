/**
 * The delivery engine of one process: the queues, and whichever of the relays, workers, job
 * schedulers and sweep this process's role runs. src/main.ts builds it once; tests build it with
 * their own clock, messengers and fact sources.
 */
import { Queue, Worker, type Processor } from 'bullmq';
import type { Redis } from 'ioredis';
import cron, { type ScheduledTask } from 'node-cron';
import type { Messenger, Platform } from '../src/core/messages.js';
import type { ReminderSources } from '../src/domain/delivery/reminders.js';
import { unsentDueCount } from '../src/domain/delivery/queueing.js';
import { outboundQueueName, RECURRING_QUEUE, REMINDERS_QUEUE } from './queues.js';
import type { EngineContext } from './context.js';
import { SendLimiter } from './limiter.js';
import { OutboxRelay } from './outbox-relay.js';
import { Poller } from './poller.js';
import { ReminderScheduling } from './reminder-scheduling.js';
import { Sweep } from './sweep.js';
import { outboundProcessor } from './workers/outbound.js';
import { reminderProcessor } from './workers/reminders.js';
import { recurringProcessor, type RecurringHandlers } from './workers/digests.js';
import { upsertSchedulers } from './scheduler.js';

/** What this process does. `npm start` (ROLE=all) turns everything on. */
export interface EngineRoles {
  /** Outbox relay poller: outbox rows → outbound queues. */
  relay: boolean;
  /** Outbound workers, one per messenger given. */
  outbound: boolean;
  /** Event relay, reminder and recurring workers, and the job schedulers (upserted at start). */
  scheduler: boolean;
  /** The per-process node-cron sweep. */
  sweep: boolean;
}

export const ALL_ROLES: EngineRoles = { relay: true, outbound: true, scheduler: true, sweep: true };

export interface EngineOptions {
  context: EngineContext;
  /** An ioredis connection without keyPrefix and with maxRetriesPerRequest null; shared by all queues. */
  connection: Redis;
  /** Prefix of every BullMQ key (tests use their own so they never meet). */
  prefix?: string;
  roles: EngineRoles;
  /** Messengers this process can send with; outbound workers run only for these platforms. */
  messengers?: readonly Messenger[];
  reminderSources?: ReminderSources;
  recurring?: RecurringHandlers;
  /** Off in tests that drive the relays and the sweep by hand. */
  timers?: boolean;
}

/** How soon the relay runs after a reminder wrote deliveries; a burst of reminders shares a run. */
const REMINDER_RELAY_WAKE_MS = 20;

/** A running engine; `close()` lets jobs in flight finish, then closes queues and connections it made. */
export class DeliveryEngine {
  readonly queues = new Map<Platform, Queue>();
  readonly workers: Worker[] = [];
  readonly pollers: Poller[] = [];
  /** The outbox relay's poller, when this process relays. */
  private outboxPoller: Poller | undefined;
  relay!: OutboxRelay;
  reminders!: ReminderScheduling;
  sweep!: Sweep;
  remindersQueue!: Queue;
  recurringQueue!: Queue;
  limiter!: SendLimiter;
  private cronTask: ScheduledTask | undefined;

  constructor(readonly options: EngineOptions) {}

  get prefix(): string {
    return this.options.prefix ?? 'tongxin';
  }

  /** Every queue, for the dashboard and /metrics. */
  allQueues(): Queue[] {
    return [...this.queues.values(), this.remindersQueue, this.recurringQueue];
  }

  async start(): Promise<this> {
    const { context, connection, roles } = this.options;
    const { settings, logger } = context;
    const base = { connection, prefix: this.prefix };
    const platforms = new Set<Platform>([...context.active, ...(this.options.messengers ?? []).map((m) => m.platform)]);
    for (const platform of platforms) this.queues.set(platform, new Queue(outboundQueueName(platform), base));
    this.remindersQueue = new Queue(REMINDERS_QUEUE, base);
    this.recurringQueue = new Queue(RECURRING_QUEUE, base);
    for (const queue of this.allQueues()) queue.on('error', (err) => logger.warn({ queue: queue.name, err: err.message }, 'queue error'));
    this.limiter = new SendLimiter(connection, this.prefix, settings);
    this.relay = new OutboxRelay(context, this.queues);
    this.reminders = new ReminderScheduling(context, this.remindersQueue, this.options.reminderSources ?? {});
    this.sweep = new Sweep(context, this.queues, roles.scheduler ? this.reminders : undefined);
    const workerOpts = {
      ...base,
      lockDuration: settings.worker.lockDurationMs,
      stalledInterval: settings.worker.stalledIntervalMs,
    };
    const addWorker = (name: string, processor: Processor, extra: Record<string, unknown>) => {
      const worker = new Worker(name, processor, { ...workerOpts, ...extra });
      worker.on('error', (err) => logger.warn({ queue: name, err: err.message }, 'queue worker error'));
      this.workers.push(worker);
    };
    if (roles.outbound) {
      for (const messenger of this.options.messengers ?? []) {
        const queue = this.queues.get(messenger.platform)!;
        const processor = outboundProcessor({ engine: context, messenger, limiter: this.limiter, queue });
        addWorker(queue.name, processor, {
          concurrency: settings.worker.concurrency,
          // The pace is kept by SendLimiter. BullMQ's limiter is a loose backstop here, and it has
          // to be set for queue.rateLimit() (a 429's pause) to stop the workers taking jobs.
          limiter: { max: 2 * settings.limits[messenger.platform].globalPerSecond, duration: 1000 },
        });
      }
    }
    if (roles.scheduler) {
      // A reminder is due now: its deliveries should not wait for the relay's next poll.
      const wakeRelay = () => this.outboxPoller?.wake(REMINDER_RELAY_WAKE_MS);
      addWorker(REMINDERS_QUEUE, reminderProcessor(context, this.options.reminderSources ?? {}, wakeRelay), { concurrency: settings.worker.reminderConcurrency });
      addWorker(RECURRING_QUEUE, recurringProcessor(context, this.options.recurring ?? {}), { concurrency: 1 });
      await upsertSchedulers(this.recurringQueue, settings, Object.keys(this.options.recurring ?? {}), context.groupReader.timeZone);
    }
    if (this.options.timers !== false) this.startTimers();
    await Promise.all(this.workers.map((w) => w.waitUntilReady()));
    return this;
  }

  private startTimers(): void {
    const { context, roles } = this.options;
    const { pollMs } = context.settings.relay;
    if (roles.relay) {
      // How far the relay runs ahead of the sends is kept by OutboxRelay (relay.aheadSeconds).
      const relayRound = async () => (await this.relay.relayOnce()) >= context.settings.relay.batchSize;
      this.outboxPoller = new Poller('outbox', pollMs, relayRound, context.logger).start();
      this.pollers.push(this.outboxPoller);
    }
    if (roles.scheduler) {
      this.pollers.push(new Poller('events', pollMs, async () => (await this.reminders.relayEvents()) >= context.settings.relay.batchSize, context.logger).start());
    }
    if (roles.sweep) {
      this.cronTask = cron.schedule(context.settings.sweep.cron, async () => {
        try {
          await this.sweep.run();
        } catch (err) {
          context.logger.warn({ err: err instanceof Error ? err.message : String(err) }, 'sweep failed');
        }
      }, { name: `tongxin-sweep-${this.prefix}`, noOverlap: true });
    }
  }

  /**
   * Relays and waits until nothing due is left unsent, or `timeoutMs` passed (a console session
   * ending: what its last commands caused should still be printed).
   */
  async flush(timeoutMs: number): Promise<void> {
    const { db, clock } = this.options.context;
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      await this.relay.relayOnce();
      if ((await unsentDueCount(db, clock.now())) === 0) return;
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  /** Stops polling, lets the workers finish the jobs they hold, then closes the queues. */
  async close(): Promise<void> {
    await this.cronTask?.destroy();
    await Promise.all(this.pollers.map((p) => p.stop()));
    await Promise.all(this.workers.map((w) => w.close()));
    await Promise.all(this.allQueues().map((q) => q.close()));
  }
}

/** Builds and starts an engine. */
export async function startDeliveryEngine(options: EngineOptions): Promise<DeliveryEngine> {
  return new DeliveryEngine(options).start();
}

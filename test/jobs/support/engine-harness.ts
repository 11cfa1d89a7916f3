import { inject } from 'vitest';
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { eq, sql } from 'drizzle-orm';
import { FixedClock } from '../../../src/core/clock.js';
import { createLogger } from '../../../src/core/logger.js';
import type { Messenger, Platform } from '../../../src/core/messages.js';
import { deepMerge, loadSettings } from '../../../src/settings.js';
import type { Database } from '../../../src/store/db.js';
import { deliveries, identities, members } from '../../../src/store/schema/index.js';
import { addDeliveries, type DeliveryRequest } from '../../../src/domain/outbox.js';
import type { ReminderSources } from '../../../src/domain/delivery/reminders.js';
import { startDeliveryEngine, ALL_ROLES, type DeliveryEngine, type EngineRoles } from '../../../jobs/engine.js';
import type { EngineContext } from '../../../jobs/context.js';
import type { RecurringHandlers } from '../../../jobs/workers/digests.js';
import { freshDatabase } from '../../support/db.js';
import { deleteKeys } from '../../support/redis-keys.js';

export interface EngineHarnessOptions {
  kind?: 'pglite' | 'postgres';
  /** An open database to share (the caller closes it). */
  database?: Database;
  at?: string;
  /** Overrides of the "delivery" settings section. */
  delivery?: unknown;
  messengers?: Messenger[];
  active?: Platform[];
  reminderSources?: ReminderSources;
  recurring?: RecurringHandlers;
  roles?: Partial<EngineRoles>;
  /** Pollers and the cron sweep on (default off: tests drive them). */
  timers?: boolean;
  redisUrl?: string;
  prefix?: string;
}

/** Settings fast enough for tests: short locks, no grace before the sweep acts. */
export const FAST = { worker: { lockDurationMs: 2000, stalledIntervalMs: 1000 }, relay: { pollMs: 50 }, sweep: { graceSeconds: 0 }, retry: { backoffMs: 50 } };

/** A delivery engine against a fresh database and the test Redis, under a private key prefix. */
export class EngineHarness {
  private seq = 0;
  private constructor(
    readonly database: Database,
    private readonly ownsDatabase: boolean,
    readonly connection: Redis,
    readonly clock: FixedClock,
    readonly context: EngineContext,
    readonly engine: DeliveryEngine,
  ) {}

  static async start(opts: EngineHarnessOptions = {}): Promise<EngineHarness> {
    const database = opts.database ?? (await freshDatabase(opts.kind ?? 'pglite'));
    const connection = new Redis(opts.redisUrl ?? inject('redisUrl'), { maxRetriesPerRequest: null });
    const clock = new FixedClock(new Date(opts.at ?? '2026-12-01T02:00:00Z'));
    const settings = loadSettings(undefined, { delivery: deepMerge(FAST, opts.delivery ?? {}) });
    const context: EngineContext = {
      db: database.db, clock, logger: createLogger('silent'), settings: settings.delivery,
      groupReader: { locale: 'zh-Hans', timeZone: 'Asia/Shanghai' },
      active: new Set(opts.active ?? (opts.messengers ?? []).map((m) => m.platform)),
    };
    const engine = await startDeliveryEngine({
      context, connection, prefix: opts.prefix ?? `t${randomBytes(5).toString('hex')}`,
      roles: { ...ALL_ROLES, ...opts.roles }, messengers: opts.messengers ?? [],
      reminderSources: opts.reminderSources ?? {}, recurring: opts.recurring ?? {}, timers: opts.timers ?? false,
    });
    return new EngineHarness(database, !opts.database, connection, clock, context, engine);
  }

  get db() {
    return this.database.db;
  }

  async addMember(values: Partial<typeof members.$inferInsert> & { name: string }) {
    const [row] = await this.db.insert(members).values({ rosterKey: `k-${values.name}-${++this.seq}`, ...values }).returning();
    return row!;
  }

  /** Links a platform account; later `seenAt` makes it the member's preferred channel. */
  async link(memberId: number, platform: Platform, userId: string, seenAt = new Date('2026-11-01T00:00:00Z')) {
    await this.db.insert(identities).values({ platform, platformUserId: userId, memberId, chatId: userId, lastSeenAt: seenAt });
  }

  async deliver(requests: DeliveryRequest[]): Promise<number> {
    return addDeliveries(this.db, requests);
  }

  async rows() {
    return this.db.select().from(deliveries).orderBy(deliveries.id);
  }

  async row(id: number) {
    const [r] = await this.db.select().from(deliveries).where(eq(deliveries.id, id));
    return r!;
  }

  async countByStatus(): Promise<Record<string, number>> {
    const rows = await this.db.select({ status: deliveries.status, n: sql<number>`count(*)::int` }).from(deliveries).groupBy(deliveries.status);
    return Object.fromEntries(rows.map((r) => [r.status, r.n]));
  }

  /** Relays the outbox until nothing is pending or being sent any more (or `timeoutMs` passes). */
  async drain(timeoutMs = 20_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      await this.engine.relay.relayOnce();
      const counts = await this.countByStatus();
      if (!counts.pending && !counts.sending) return;
      if (Date.now() > deadline) throw new Error(`drain: still ${JSON.stringify(counts)} after ${timeoutMs} ms`);
      await new Promise((r) => setTimeout(r, 150));
    }
  }

  async close(): Promise<void> {
    await this.engine.close();
    await deleteKeys(this.connection, `${this.engine.prefix}:*`);
    this.connection.disconnect();
    if (this.ownsDatabase) await this.database.close();
  }
}

/** Waits until `condition` holds, checking every `everyMs` (database checks compete with the workers: not too often). */
export async function waitFor(condition: () => boolean | Promise<boolean>, timeoutMs = 10_000, what = 'condition', everyMs = 50): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`waitFor: ${what} not met within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

export { deleteKeys };

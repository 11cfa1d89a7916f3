/**
 * The real delivery engine for the delivery benchmarks: system clock, a private BullMQ prefix,
 * settings overrides, and members bound on Telegram in bulk.
 */
import type { Redis } from 'ioredis';
import { systemClock } from '../src/core/clock.js';
import { createLogger } from '../src/core/logger.js';
import type { Messenger } from '../src/core/messages.js';
import { loadSettings } from '../src/settings.js';
import type { Db } from '../src/store/db.js';
import { identities, members } from '../src/store/schema/index.js';
import type { ReminderSources } from '../src/domain/delivery/reminders.js';
import { ALL_ROLES, startDeliveryEngine, type DeliveryEngine, type EngineRoles } from '../jobs/engine.js';
import type { EngineContext } from '../jobs/context.js';
import { benchRedis, deleteKeys, inChunks, uniquePrefix } from './support.js';

export interface BenchEngine {
  engine: DeliveryEngine;
  context: EngineContext;
  connection: Redis;
  close(): Promise<void>;
}

/** Starts the engine with timers on (relays poll by themselves), as a worker process runs it. */
export async function startBenchEngine(opts: {
  db: Db; redisUrl: string; name: string; delivery: unknown; messengers: Messenger[];
  roles?: Partial<EngineRoles>; reminderSources?: ReminderSources;
}): Promise<BenchEngine> {
  const connection = benchRedis(opts.redisUrl);
  const context: EngineContext = {
    db: opts.db, clock: systemClock, logger: createLogger('silent'),
    settings: loadSettings(undefined, { delivery: opts.delivery }).delivery,
    groupReader: { locale: 'zh-Hans', timeZone: 'Asia/Shanghai' },
    active: new Set(opts.messengers.map((m) => m.platform)),
  };
  const prefix = uniquePrefix(opts.name);
  const engine = await startDeliveryEngine({
    context, connection, prefix, roles: { ...ALL_ROLES, sweep: false, ...opts.roles }, messengers: opts.messengers,
    reminderSources: opts.reminderSources ?? {}, recurring: {}, timers: true,
  });
  return {
    engine, context, connection,
    async close() {
      await engine.close();
      await deleteKeys(connection, `${prefix}:*`);
      connection.disconnect();
    },
  };
}

/**
 * Adds `count` members (English, UTC) bound on Telegram; member i's private chat id is
 * `chatBase + i`. Returns their ids in order.
 */
export async function addTelegramMembers(db: Db, count: number, chatBase = 1_000_000): Promise<number[]> {
  const ids: number[] = [];
  await inChunks(Array.from({ length: count }, (_, i) => i), 2000, async (chunk) => {
    const rows = await db.insert(members).values(chunk.map((i) => ({
      rosterKey: `bench-${chatBase + i}`, name: `Member ${i}`, locale: 'en' as const, timeZone: 'UTC',
    }))).returning({ id: members.id });
    await db.insert(identities).values(rows.map((r, k) => ({
      platform: 'telegram' as const, platformUserId: String(chatBase + chunk[k]!), memberId: r.id, chatId: String(chatBase + chunk[k]!),
    })));
    ids.push(...rows.map((r) => r.id));
  });
  return ids;
}

import { describe, expect, inject, it } from 'vitest';
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { eq } from 'drizzle-orm';
import { openDatabase, type Database } from '../../src/store/db.js';
import { deliveries, members } from '../../src/store/schema/index.js';
import { loadSettings } from '../../src/settings.js';
import { DATABASE_KINDS, freshDatabase } from '../support/db.js';
import { deleteKeys, EngineHarness, waitFor } from './support/engine-harness.js';
import { serverDatabase, spawnEngine, stopEngine } from './support/processes.js';
import { testRecurringWork } from './support/test-digests.js';

const EVERY_SECOND = { schedules: { memberDigest: '* * * * * *' } };
const ZONES = ['Asia/Shanghai', 'Europe/London', 'America/New_York', 'Asia/Hong_Kong'];
/** Monday 14:00 UTC: past 08:30 on Monday in every zone above. */
const WEEK_1 = '2026-12-07T14:00:00Z';
const WEEK_2 = '2026-12-14T14:00:00Z';

/** Two scheduler processes: real child processes on PostgreSQL, two engines in one process on PGlite. */
interface Pair {
  stop(): Promise<void>;
}

async function startPair(kind: 'pglite' | 'postgres', at: string, ctx: { database: Database; url?: string; prefix: string }): Promise<Pair> {
  if (kind === 'postgres') {
    const env = {
      ENGINE_DATABASE_URL: ctx.url!, REDIS_URL: inject('redisUrl'), ENGINE_PREFIX: ctx.prefix, ENGINE_ROLE: 'scheduler',
      ENGINE_SETTINGS: JSON.stringify(EVERY_SECOND), CLOCK_AT: at,
    };
    const children = [spawnEngine(env), spawnEngine(env)];
    return { stop: async () => void (await Promise.all(children.map((c) => stopEngine(c)))) };
  }
  const settings = loadSettings(undefined, { delivery: EVERY_SECOND }).delivery;
  const engines = await Promise.all([0, 1].map(() => EngineHarness.start({
    database: ctx.database, prefix: ctx.prefix, at, delivery: EVERY_SECOND, recurring: testRecurringWork(ctx.database.db, settings),
    roles: { relay: false, outbound: false, scheduler: true, sweep: false },
  })));
  return { stop: async () => void (await Promise.all(engines.map((e) => e.engine.close()))) };
}

describe.each(DATABASE_KINDS)('two scheduler processes (%s)', (kind) => {
  it('each member gets one weekly digest per week, across restarts', async () => {
    const prefix = `sched${randomBytes(4).toString('hex')}`;
    const server = kind === 'postgres' ? await serverDatabase(process.env.DATABASE_URL!) : undefined;
    const database = server ? await openDatabase({ url: server.url, poolSize: 2 }) : await freshDatabase('pglite');
    const redis = new Redis(inject('redisUrl'), { maxRetriesPerRequest: null });
    const runs = async () => Number(await redis.zcard(`${prefix}:recurring:completed`));
    try {
      const db = database.db;
      await db.insert(members).values(ZONES.flatMap((timeZone, z) => Array.from({ length: 5 }, (_, i) => ({
        rosterKey: `d-${z}-${i}`, name: `D${z}${i}`, timeZone, locale: 'en' as const,
      }))));
      await db.insert(members).values({ rosterKey: 'staff', name: 'Staff', role: 'staff' });
      const digests = () => db.select().from(deliveries).where(eq(deliveries.kind, 'digest.member'));

      let pair = await startPair(kind, WEEK_1, { database, url: server?.url, prefix });
      await waitFor(async () => (await runs()) >= 4, 40_000, 'four scheduled runs', 250);
      await pair.stop();
      const first = await digests();
      expect(first).toHaveLength(20);
      expect(new Set(first.map((d) => d.memberId)).size).toBe(20);
      expect(new Set(first.map((d) => d.ref))).toEqual(new Set(['digest:member:2026-W50']));

      // Restarted in the same week: nothing new. Then the next week: one more each.
      pair = await startPair(kind, WEEK_1, { database, url: server?.url, prefix });
      const before = await runs();
      await waitFor(async () => (await runs()) >= before + 3, 40_000, 'three more runs', 250);
      await pair.stop();
      expect(await digests()).toHaveLength(20);
      pair = await startPair(kind, WEEK_2, { database, url: server?.url, prefix });
      await waitFor(async () => (await digests()).length >= 40, 40_000, 'second week digests', 250);
      const settled = await runs();
      await waitFor(async () => (await runs()) >= settled + 2, 40_000, 'two more runs', 250);
      await pair.stop();
      const all = await digests();
      expect(all).toHaveLength(40);
      expect(all.filter((d) => d.ref === 'digest:member:2026-W51')).toHaveLength(20);
    } finally {
      await deleteKeys(redis, `${prefix}:*`);
      redis.disconnect();
      await database.close();
      await server?.drop();
    }
  });
});

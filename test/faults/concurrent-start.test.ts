import { describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { startLocalRedis } from '../../src/store/local-redis.js';
import { DEMO_ROSTER } from '../../src/domain/members/demo-roster.js';
import { serverDatabase } from '../support/db.js';
import { MainProcess } from '../support/main-process.js';

const PROCESSES = 4;

/**
 * Item 14 of issue 15: a deployment's processes start together on an empty PostgreSQL database,
 * and each applies the migrations at start.
 */
describe.skipIf(!process.env.DATABASE_URL)('several processes started at once on an empty database', () => {
  it(`all ${PROCESSES} start, and the schema is migrated and the console demo seeded once`, { timeout: 180_000 }, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tongxin-together-'));
    const server = await serverDatabase(process.env.DATABASE_URL!);
    const redis = await startLocalRedis(join(dir, 'redis'));
    const bots: MainProcess[] = [];
    try {
      for (let i = 0; i < PROCESSES; i++) bots.push(MainProcess.start({ env: { DATABASE_URL: server.url, REDIS_URL: redis.url } }));
      // Each opens the console once migrated; end of input then ends it.
      const exits = await Promise.all(bots.map(async (bot) => {
        await bot.ready().catch(() => {});
        return bot.close();
      }));
      expect(exits, bots.map((b) => b.stderr.slice(-600)).join('\n---\n')).toEqual(Array(PROCESSES).fill(0));
      for (const bot of bots) expect(bot.stdout).toContain('同心 控制台');

      const client = new pg.Client({ connectionString: server.url });
      await client.connect();
      try {
        const applied = await client.query('SELECT count(*)::int AS n FROM drizzle.__drizzle_migrations');
        const journal = (await import('../../src/store/migrations/meta/_journal.json', { with: { type: 'json' } })).default as { entries: unknown[] };
        expect(applied.rows[0].n).toBe(journal.entries.length);
        // Each was a console chat, which seeds its demo into an empty database: once, not four times.
        const seeded = await client.query('SELECT (SELECT count(*)::int FROM members) AS members, (SELECT count(*)::int FROM shifts) AS shifts, (SELECT count(*)::int FROM notices) AS notices');
        expect(seeded.rows[0]).toEqual({ members: DEMO_ROSTER.length, shifts: 3, notices: 1 });
      } finally {
        await client.end();
      }
    } finally {
      for (const bot of bots) await bot.cleanup();
      await redis.stop();
      await server.drop();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

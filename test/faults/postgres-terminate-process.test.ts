import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { and, eq } from 'drizzle-orm';
import { openDatabase } from '../../src/store/db.js';
import { startLocalRedis, type LocalRedis } from '../../src/store/local-redis.js';
import { members, shiftSignups, shifts } from '../../src/store/schema/index.js';
import { serverDatabase } from '../support/db.js';
import { MainProcess, printed } from '../support/main-process.js';

const COMMANDS = 40;
const answer = (key: string) => printed('zh-Hans', key, { id: 1 });
const SIGNED_UP = [answer('shifts.signup.confirmed'), answer('shifts.error.alreadyConfirmed')];
const WITHDRAWN = [answer('shifts.withdraw.done'), answer('shifts.error.notSignedUp')];
const TRIED_AGAIN = printed('zh-Hans', 'errors.tryAgain');
const INTERNAL = printed('zh-Hans', 'errors.internal');
const HELP = printed('zh-Hans', 'help.title');

/**
 * Item 1 of issue 15 on the real process: the console chat on a real PostgreSQL database while
 * the test kills that database's backends (and no other database's) every 0.3 s.
 */
describe.skipIf(!process.env.DATABASE_URL)('the real process while its PostgreSQL connections are terminated', () => {
  let server: { url: string; drop(): Promise<void> };
  let redis: LocalRedis;
  let dir: string;
  let admin: pg.Client;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'tongxin-pg-kill-'));
    server = await serverDatabase(process.env.DATABASE_URL!);
    redis = await startLocalRedis(join(dir, 'redis'));
    // The member and a shift five days ahead (withdrawing is free until 24 h before the start).
    const database = await openDatabase({ url: server.url, poolSize: 1 });
    await database.db.insert(members).values({ rosterKey: 'k-wang', name: '王明' });
    const startsAt = new Date(Date.now() + 5 * 24 * 3600_000);
    await database.db.insert(shifts).values({ startsAt, endsAt: new Date(startsAt.getTime() + 3 * 3600_000), theme: '教育民生', level: 'city', capacity: 10 });
    await database.close();
    writeFileSync(join(dir, 'settings.json'), JSON.stringify({ flood: { limit: 10_000 } }));
    admin = new pg.Client({ connectionString: process.env.DATABASE_URL });
    await admin.connect();
  });

  afterAll(async () => {
    await admin?.end();
    await redis?.stop();
    await server?.drop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('answers every /signup and /withdraw with its result or "please try again", lives, and answers /help afterwards', { timeout: 180_000 }, async () => {
    const bot = MainProcess.start({ env: { DATABASE_URL: server.url, REDIS_URL: redis.url, SETTINGS_FILE: join(dir, 'settings.json') } });
    await bot.ready();
    // Kills start once the chat is open: a process whose database dies while it starts does not start.
    let killing = true;
    let terminated = 0;
    const dbName = new URL(server.url).pathname.slice(1);
    const killer = (async () => {
      while (killing) {
        const r = await admin.query('SELECT pg_terminate_backend(pid) AS done FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()', [dbName]);
        terminated += r.rows.filter((row: { done: boolean }) => row.done).length;
        await new Promise((res) => setTimeout(res, 300));
      }
    })();
    const said: string[] = [];
    try {
      for (let i = 0; i < COMMANDS; i++) {
        const signup = i % 2 === 0;
        bot.type(signup ? '/signup 1' : '/withdraw 1');
        said.push(await bot.reply([...(signup ? SIGNED_UP : WITHDRAWN), TRIED_AGAIN, INTERNAL], `the answer to command ${i + 1}`));
        await new Promise((res) => setTimeout(res, 300));
      }
    } finally {
      killing = false;
      await killer;
    }
    try {
      expect(terminated, 'backends of the bot were terminated').toBeGreaterThan(0);
      expect(said).toHaveLength(COMMANDS);
      expect(said.filter((s) => INTERNAL.test(s))).toEqual([]);

      // It recovers by itself: once the kills stop, commands do what they say again.
      let recovered: string | undefined;
      for (let attempt = 0; attempt < 5 && !recovered; attempt++) {
        bot.type('/withdraw 1');
        const r = await bot.reply([...WITHDRAWN, TRIED_AGAIN, INTERNAL], 'an answer after the kills stopped');
        if (WITHDRAWN.some((w) => w.test(r))) recovered = r;
      }
      expect(recovered, 'a /withdraw after the kills did its work').toBeDefined();
      bot.type('/signup 1');
      expect(await bot.reply([...SIGNED_UP, TRIED_AGAIN, INTERNAL], 'the sign-up after the kills')).toMatch(SIGNED_UP[0]!);
      bot.type('/help');
      await bot.reply([HELP], '/help after the kills');
      expect(bot.running).toBe(true);
      expect(await bot.close()).toBe(0);

      const database = await openDatabase({ url: server.url, poolSize: 1 });
      try {
        const [wang] = await database.db.select().from(members).where(eq(members.rosterKey, 'k-wang'));
        const seats = await database.db.select().from(shiftSignups).where(and(eq(shiftSignups.shiftId, 1), eq(shiftSignups.memberId, wang!.id)));
        expect(seats.map((s) => s.status)).toEqual(['confirmed']);
      } finally {
        await database.close();
      }
    } finally {
      await bot.cleanup();
    }
  });
});

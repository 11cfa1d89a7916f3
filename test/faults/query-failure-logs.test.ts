import { describe, expect, it } from 'vitest';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { openDatabase } from '../../src/store/db.js';
import { startLocalRedis } from '../../src/store/local-redis.js';
import { members } from '../../src/store/schema/index.js';
import { serverDatabase } from '../support/db.js';
import { MainProcess, printed } from '../support/main-process.js';

const TRY_AGAIN = printed('zh-Hans', 'errors.tryAgain');
const INTERNAL = printed('zh-Hans', 'errors.internal');
const PREVIEW = printed('zh-Hans', 'notes.compose.preview');

/**
 * Item 11 of issue 15 on the real process: a member types a note while the database refuses to
 * store it, once as a bug (a constraint that rejects every row: PostgreSQL quotes the row in its
 * detail) and once as a temporary failure (a trigger whose error quotes the row in its message).
 * The log (at debug level) must name the error, its SQLSTATE and the message, never the words.
 */
describe.skipIf(!process.env.DATABASE_URL)('the log when a query with a member\'s words fails', () => {
  it('has the error class, SQLSTATE and message id, and the typed text nowhere', { timeout: 180_000 }, async () => {
    const marker = `MARK${randomBytes(4).toString('hex')}`;
    const dir = mkdtempSync(join(tmpdir(), 'tongxin-log-'));
    const server = await serverDatabase(process.env.DATABASE_URL!);
    const redis = await startLocalRedis(join(dir, 'redis'));
    const admin = new pg.Client({ connectionString: server.url });
    let bot: MainProcess | undefined;
    try {
      const database = await openDatabase({ url: server.url, poolSize: 1 });
      await database.db.insert(members).values({ rosterKey: 'k-wang', name: '王明' });
      await database.close();
      await admin.connect();
      bot = MainProcess.start({ env: { DATABASE_URL: server.url, REDIS_URL: redis.url, LOG_LEVEL: 'debug' } });
      await bot.ready();
      const note = `/newnote 关于${marker}的建议 | 社会民生 | 社区养老服务站点少，${marker} 建议按常住人口配建并公开运营情况。`;

      await admin.query('ALTER TABLE dialogs ADD CONSTRAINT broken_for_the_test CHECK (false) NOT VALID');
      bot.type(note);
      expect(await bot.reply([INTERNAL, TRY_AGAIN, PREVIEW], 'the answer while every dialogue row is refused')).toMatch(INTERNAL);
      await admin.query('ALTER TABLE dialogs DROP CONSTRAINT broken_for_the_test');

      await admin.query(`CREATE FUNCTION broken_for_the_test() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN RAISE EXCEPTION 'could not serialize %', NEW.state USING ERRCODE = '40001'; END $$`);
      await admin.query('CREATE TRIGGER broken_for_the_test BEFORE INSERT OR UPDATE ON dialogs FOR EACH ROW EXECUTE FUNCTION broken_for_the_test()');
      bot.type(note);
      expect(await bot.reply([INTERNAL, TRY_AGAIN, PREVIEW], 'the answer while every dialogue write fails for a while')).toMatch(TRY_AGAIN);
      await admin.query('DROP TRIGGER broken_for_the_test ON dialogs');

      bot.type(note);
      expect(await bot.reply([INTERNAL, TRY_AGAIN, PREVIEW], 'the preview once the database is mended')).toMatch(PREVIEW);
      expect(await bot.close()).toBe(0);

      const log = bot.stderr.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as Record<string, unknown> & { err?: Record<string, unknown> });
      expect(bot.stderr).not.toContain(marker);
      const failed = log.find((l) => l.msg === 'handler failed');
      expect(failed).toMatchObject({ msgId: 'console-1', err: { sqlstate: '23514', constraint: 'broken_for_the_test', table: 'dialogs' } });
      expect(failed!.err!.type).toContain('DrizzleQueryError');
      expect(log.find((l) => l.msg === 'temporary failure while handling a message')).toMatchObject({ msgId: 'console-2', err: { sqlstate: '40001' } });
    } finally {
      await bot?.cleanup();
      await admin.end().catch(() => {});
      await redis.stop();
      await server.drop();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

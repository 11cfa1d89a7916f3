import { describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'drizzle-orm';
import { t } from '../../../src/core/i18n.js';
import { openDatabase } from '../../../src/store/db.js';
import { startLocalRedis } from '../../../src/store/local-redis.js';
import { members } from '../../../src/store/schema/index.js';
import { MainProcess, printed } from '../../support/main-process.js';
import { TelegramFake } from '../../support/telegram-fake.js';

const firstLine = (key: string) => printed('zh-Hans', key);

/** Item 15 of issue 15: the demo is the console chat's, and a deployment starts from its own roster. */
describe('the demo seed', () => {
  it('gives a newcomer of the console chat upcoming shifts, a reading session and a notice', { timeout: 120_000 }, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tongxin-demo-'));
    const redis = await startLocalRedis(join(dir, 'redis'));
    const bot = MainProcess.start({ env: { REDIS_URL: redis.url } });
    try {
      await bot.ready();
      bot.type('/shifts');
      const shifts = await bot.reply([firstLine('shifts.list.title'), firstLine('shifts.list.empty')], 'the answer to /shifts');
      expect(shifts).toMatch(firstLine('shifts.list.title'));
      bot.type('/readings');
      const readings = await bot.reply([firstLine('reading.list.title'), firstLine('reading.list.empty')], 'the answer to /readings');
      expect(readings).toMatch(firstLine('reading.list.title'));
      await bot.waitFor(() => bot.stdout.includes(t('zh-Hans', 'console.demo.notice')), 'the demo notice printed for 王明');
      expect(await bot.close()).toBe(0);
      for (const theme of ['教育民生', '营商环境', '生态环境保护']) expect(bot.stdout).toMatch(new RegExp(`#\\d+ .*${theme}`));
      expect(bot.stdout).toContain('《乡土中国》');
      expect(bot.stdout).toContain('📨 发给 王明：');
    } finally {
      await bot.cleanup();
      await redis.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('is never seeded when a platform is configured, also on the embedded database', { timeout: 120_000 }, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tongxin-no-demo-'));
    const redis = await startLocalRedis(join(dir, 'redis'));
    const telegram = new TelegramFake({ token: '123456789:TEST-fake-token-0123456789' });
    await telegram.start();
    const bot = MainProcess.start({
      dataDir: join(dir, 'data'),
      env: { REDIS_URL: redis.url, TELEGRAM_BOT_TOKEN: telegram.token, TELEGRAM_API_ROOT: telegram.apiRoot, HTTP_PORT: '0', LOG_LEVEL: 'info' },
    });
    try {
      await bot.waitFor(() => bot.stdout.includes('tongxin started'), 'the bot started', 90_000);
      expect(await bot.stop('SIGTERM')).toBe(0);
      const database = await openDatabase({ dataDir: join(dir, 'data') });
      try {
        const [row] = await database.db.select({ n: sql<number>`count(*)::int` }).from(members);
        expect(row!.n).toBe(0);
      } finally {
        await database.close();
      }
    } finally {
      await bot.cleanup();
      await telegram.stop();
      await redis.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

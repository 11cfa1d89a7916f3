import { describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RestartableRedis } from '../jobs/support/restartable-redis.js';
import { MainProcess, printed } from '../support/main-process.js';

const TRY_AGAIN = printed('zh-Hans', 'errors.tryAgain');
const HELP = printed('zh-Hans', 'help.title');

/**
 * Item 2 of issue 15 on the real process: its Redis (a private redis-server, never the shared
 * one) stops while a member talks to the console chat, and starts again.
 */
describe('the real process while its Redis is down', () => {
  it('answers "please try again" instead of nothing, and serves fully again once Redis is back, without a restart', { timeout: 180_000 }, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tongxin-redis-down-'));
    const redis = await RestartableRedis.start(join(dir, 'redis'));
    const bot = MainProcess.start({ env: { REDIS_URL: redis.url } });
    try {
      await bot.ready();
      bot.type('/help');
      await bot.reply([HELP, TRY_AGAIN], 'the first /help');

      await redis.stop();
      const asked = Date.now();
      bot.type('/help');
      // Without an answer this wait fails; the time it took is reported, not asserted.
      const down = await bot.reply([HELP, TRY_AGAIN], 'an answer while Redis is down', 30_000);
      console.info(`answer while Redis was down after ${Date.now() - asked} ms`);
      expect(down).toMatch(TRY_AGAIN);
      bot.type('/me');
      expect(await bot.reply([TRY_AGAIN, /./], 'a second command while Redis is down', 30_000)).toMatch(TRY_AGAIN);

      await redis.restart();
      // The connection comes back on its own (it retries with a back-off); ask until it has.
      let answer = '';
      for (let attempt = 0; attempt < 20 && !HELP.test(answer); attempt++) {
        if (attempt > 0) await new Promise((r) => setTimeout(r, 500));
        bot.type('/help');
        answer = await bot.reply([HELP, TRY_AGAIN], 'an answer after Redis came back');
      }
      expect(answer).toMatch(HELP);
      bot.type('/lang en');
      expect(await bot.reply([/^Language set to English\.$/, TRY_AGAIN], '/lang after Redis came back')).toBe('Language set to English.');
      expect(await bot.close()).toBe(0);
    } finally {
      await bot.cleanup();
      await redis.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

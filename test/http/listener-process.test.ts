import { describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startLocalRedis } from '../../src/store/local-redis.js';
import { MainProcess } from '../support/main-process.js';
import { TelegramFake } from '../support/telegram-fake.js';

const METRICS_TOKEN = 'metrics-token-0123456789abcdef';
const HOST = '127.0.0.2';

/** Whether anything accepts HTTP at `url` (a refused connection is false). */
const answers = (url: string, init?: RequestInit) => fetch(url, { ...init, signal: AbortSignal.timeout(10_000) }).then((r) => r.status, () => 0);

/** Item 17 of issue 15 on the real process: the listener's address (HTTP_HOST) and METRICS_TOKEN. */
describe('the HTTP listener of the real process', () => {
  it('listens only on HTTP_HOST, and /metrics needs METRICS_TOKEN', { timeout: 120_000 }, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tongxin-listen-'));
    const redis = await startLocalRedis(join(dir, 'redis'));
    const telegram = new TelegramFake({ token: '123456789:TEST-fake-token-0123456789' });
    await telegram.start();
    const bot = MainProcess.start({
      dataDir: join(dir, 'data'),
      env: {
        REDIS_URL: redis.url, TELEGRAM_BOT_TOKEN: telegram.token, TELEGRAM_API_ROOT: telegram.apiRoot,
        HTTP_HOST: HOST, HTTP_PORT: '0', METRICS_TOKEN, LOG_LEVEL: 'info',
      },
    });
    try {
      await bot.waitFor(() => bot.stdout.includes('tongxin started'), 'the bot started', 90_000);
      const port = Number(/Server listening at http:\/\/[\d.]+:(\d+)/.exec(bot.stdout)?.[1]);
      expect(port, bot.tail()).toBeGreaterThan(0);
      expect(await answers(`http://${HOST}:${port}/healthz`)).toBe(200);
      // Another loopback address of this machine: a listener on 0.0.0.0 would answer it too.
      expect(await answers(`http://127.0.0.1:${port}/healthz`)).toBe(0);
      expect(await answers(`http://${HOST}:${port}/metrics`)).toBe(401);
      expect(await answers(`http://${HOST}:${port}/metrics`, { headers: { authorization: `Bearer ${METRICS_TOKEN}` } })).toBe(200);
      expect(bot.stdout).not.toContain(METRICS_TOKEN);
      expect(await bot.stop('SIGTERM')).toBe(0);
    } finally {
      await bot.cleanup();
      await telegram.stop();
      await redis.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

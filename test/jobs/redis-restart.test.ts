import { describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { createLogger } from '../../src/core/logger.js';
import { loadSettings } from '../../src/settings.js';
import { Router } from '../../src/router/router.js';
import type { Deps } from '../../src/router/types.js';
import { features } from '../../handlers/index.js';
import { DATABASE_KINDS } from '../support/db.js';
import { EngineHarness, waitFor } from './support/engine-harness.js';
import { RecordingMessenger } from './support/recording-messenger.js';
import { RestartableRedis } from './support/restartable-redis.js';
import { TestFacts } from './support/test-facts.js';

describe.each(DATABASE_KINDS)('Redis stopped and restarted mid-run (%s)', (kind) => {
  it('the bot and the workers carry on without a restart, and nothing is lost', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tongxin-redis-restart-'));
    const redis = await RestartableRedis.start(join(dir, 'redis'));
    const telegram = new RecordingMessenger('telegram');
    const facts = new TestFacts();
    let h: EngineHarness | undefined;
    const botRedis = new Redis(redis.url, { maxRetriesPerRequest: null });
    botRedis.on('error', () => {});
    try {
      h = await EngineHarness.start({
        kind, redisUrl: redis.url, messengers: [telegram], reminderSources: facts.sources, timers: true,
        delivery: { sweep: { cron: '*/2 * * * * *' }, reminders: { shiftOffsetsMinutes: [60] }, limits: { telegram: { perChatPerSecond: 0 } } },
      });
      h.connection.on('error', () => {});
      const deps: Deps = {
        db: h.db, redis: botRedis, clock: h.clock, logger: createLogger('silent'), settings: loadSettings(undefined),
        defaultLocale: 'zh-Hans', defaultTimeZone: 'Asia/Shanghai',
      };
      const router = new Router(deps, features);
      const ask = (id: string) => router.handle({
        id, chat: { platform: 'telegram', chatId: '9100', kind: 'private' }, senderId: '9100', text: '/help', receivedAt: new Date(),
      });
      const people: Array<{ id: number }> = [];
      for (let i = 0; i < 30; i++) {
        const m = await h.addMember({ name: `P${i}`, locale: 'en', timeZone: 'UTC' });
        await h.link(m.id, 'telegram', String(9000 + i));
        people.push(m);
      }
      await h.link(people[0]!.id, 'telegram', '9100').catch(() => undefined);
      const send = (from: number, to: number, ref: string) => h!.deliver(people.slice(from, to).map((p) => ({
        kind: 'test.restart', ref, to: { memberId: p.id }, template: 'common.yes',
      })));
      expect((await ask('before')).length).toBeGreaterThan(0);
      await send(0, 10, 'before');
      await waitFor(() => telegram.sent.length === 10, 20_000, 'first ten sent');

      await redis.stop();
      // While Redis is down, the domain keeps writing: deliveries and a reminder to plan.
      await send(10, 20, 'during');
      await facts.set(h.db, [['shift:1', { startsAt: new Date(h.clock.now().getTime() + 3600_000), memberIds: [people[20]!.id] }]]);
      await new Promise((r) => setTimeout(r, 1500));
      await redis.restart();

      await send(21, 30, 'after');
      await waitFor(() => telegram.sent.length === 30, 40_000, 'everything sent after the restart', 100);
      expect((await ask('after')).length).toBeGreaterThan(0);
      await new Promise((r) => setTimeout(r, 500));
      const perChat = new Map<string, number>();
      for (const s of telegram.sent) perChat.set(s.to.chatId, (perChat.get(s.to.chatId) ?? 0) + 1);
      expect(perChat.size).toBe(30);
      expect([...perChat.values()].every((n) => n === 1)).toBe(true);
      expect(telegram.to('9020')[0]!.message.text).toContain('#1');
      expect((await h.rows()).every((r) => r.status === 'sent')).toBe(true);
    } finally {
      await h?.close();
      botRedis.disconnect();
      await redis.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

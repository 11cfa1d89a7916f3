import { describe, expect, inject, it } from 'vitest';
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { openDatabase } from '../../src/store/db.js';
import { deliveries, identities, members } from '../../src/store/schema/index.js';
import { addDeliveries } from '../../src/domain/outbox.js';
import { TelegramFake } from '../support/telegram-fake.js';
import { deleteKeys } from './support/engine-harness.js';
import { killMidBatchAndRestart, serverDatabase } from './support/processes.js';

const SERVER = process.env.DATABASE_URL;
const N = 200;
const CONCURRENCY = 8;

// Several processes need one database they can all reach: PostgreSQL (PGlite lives inside one process).
describe.skipIf(!SERVER)('a worker process killed with SIGKILL in the middle of a batch (postgres)', () => {
  it('after a restart every delivery is sent once; only sends in flight at the kill may be uncertain, none twice', async () => {
    const fake = new TelegramFake();
    await fake.start();
    fake.delay(10);
    const dbInfo = await serverDatabase(SERVER!);
    const database = await openDatabase({ url: dbInfo.url, poolSize: 2 });
    const redis = new Redis(inject('redisUrl'), { maxRetriesPerRequest: null });
    const prefix = `crash${randomBytes(4).toString('hex')}`;
    const env = {
      ENGINE_DATABASE_URL: dbInfo.url, REDIS_URL: inject('redisUrl'), ENGINE_PREFIX: prefix, ENGINE_ROLE: 'worker',
      TELEGRAM_TOKEN: fake.token, TELEGRAM_API_ROOT: fake.apiRoot,
      ENGINE_SETTINGS: JSON.stringify({
        limits: { telegram: { globalPerSecond: 1000 } }, worker: { concurrency: CONCURRENCY, lockDurationMs: 2000, stalledIntervalMs: 1000 },
        relay: { pollMs: 50 },
      }),
    };
    try {
      const db = database.db;
      const people = await db.insert(members)
        .values(Array.from({ length: N }, (_, i) => ({ rosterKey: `crash-${i}`, name: `C${i}`, locale: 'en' as const, timeZone: 'UTC' })))
        .returning({ id: members.id });
      await db.insert(identities).values(people.map((p, i) => ({ platform: 'telegram' as const, platformUserId: String(5000 + i), memberId: p.id, chatId: String(5000 + i) })));
      await addDeliveries(db, people.map((p, i) => ({
        kind: 'test.crash', ref: 'batch:1', to: { memberId: p.id }, template: 'digest.coverageAlert',
        params: { id: i, theme: 'crash', startsAt: '', filled: 0, capacity: 1, missing: 1, hours: 1 },
      })));

      let sentAtKill = 0;
      await killMidBatchAndRestart({
        env, db, timeoutMs: 40_000,
        killWhen: () => (sentAtKill = fake.sent.length) >= N / 3,
      });
      expect(sentAtKill).toBeLessThan(N);

      const perChat = new Map<string, number>();
      for (const s of fake.sent) perChat.set(s.chatId, (perChat.get(s.chatId) ?? 0) + 1);
      expect([...perChat.values()].every((n) => n === 1)).toBe(true);
      const rows = await db.select().from(deliveries);
      const byStatus = (s: string) => rows.filter((r) => r.status === s);
      const uncertain = byStatus('uncertain');
      expect(byStatus('sent').length + uncertain.length).toBe(N);
      expect(uncertain.length).toBeLessThanOrEqual(CONCURRENCY);
      for (const r of byStatus('sent')) {
        const got = fake.messagesTo(r.chatId!);
        expect(got).toHaveLength(1);
        expect(String(got[0]!.messageId)).toBe(r.platformMessageId);
      }
      // An uncertain row may or may not have arrived; it is never sent a second time.
      for (const r of uncertain) expect(fake.messagesTo(r.chatId!).length).toBeLessThanOrEqual(1);
      const lost = uncertain.filter((r) => fake.messagesTo(r.chatId!).length === 0).length;
      console.info(`SIGKILL after ${sentAtKill}/${N} sends: ${byStatus('sent').length} sent once, ${uncertain.length} uncertain (${lost} of them never arrived), 0 twice`);
    } finally {
      await deleteKeys(redis, `${prefix}:*`);
      redis.disconnect();
      await database.close();
      await dbInfo.drop();
      await fake.stop();
    }
  });
});

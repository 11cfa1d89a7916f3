import { describe, expect, inject, it } from 'vitest';
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { eq } from 'drizzle-orm';
import { openDatabase } from '../../src/store/db.js';
import { deliveries, identities, members } from '../../src/store/schema/index.js';
import { loadSettings } from '../../src/settings.js';
import { parseAudience } from '../../src/domain/notices/audience.js';
import { submitNotice } from '../../src/domain/notices/compose.js';
import { TelegramFake } from '../support/telegram-fake.js';
import { deleteKeys } from './support/engine-harness.js';
import { killMidBatchAndRestart, serverDatabase } from './support/processes.js';

const SERVER = process.env.DATABASE_URL;
const N = 5000;

// Several processes need one database they can all reach: PostgreSQL (PGlite lives inside one process).
describe.skipIf(!SERVER)('a 5,000-recipient notice with the worker killed half-way (postgres)', () => {
  it('after a restart no member gets it twice; only copies in flight at the kill may be uncertain', async () => {
    const fake = new TelegramFake();
    await fake.start();
    const dbInfo = await serverDatabase(SERVER!);
    const database = await openDatabase({ url: dbInfo.url, poolSize: 2 });
    const redis = new Redis(inject('redisUrl'), { maxRetriesPerRequest: null });
    const prefix = `ncrash${randomBytes(4).toString('hex')}`;
    const env = {
      ENGINE_DATABASE_URL: dbInfo.url, REDIS_URL: inject('redisUrl'), ENGINE_PREFIX: prefix, ENGINE_ROLE: 'worker',
      TELEGRAM_TOKEN: fake.token, TELEGRAM_API_ROOT: fake.apiRoot,
      ENGINE_SETTINGS: JSON.stringify({
        limits: { telegram: { globalPerSecond: 5000, perChatPerSecond: 0 } }, worker: { concurrency: 16, lockDurationMs: 2000, stalledIntervalMs: 1000 },
        relay: { pollMs: 50, batchSize: 500 },
      }),
    };
    try {
      const db = database.db;
      const [author] = await db.insert(members).values({ rosterKey: 'staff', name: 'Staff', role: 'staff', committee: '经济委员会' }).returning();
      const people = await db.insert(members)
        .values(Array.from({ length: N }, (_, i) => ({ rosterKey: `n-${i}`, name: `M${i}`, committee: '经济委员会', locale: (['zh-Hans', 'zh-Hant', 'en'] as const)[i % 3] })))
        .returning({ id: members.id });
      await db.insert(identities).values(people.map((p, i) => ({ platform: 'telegram' as const, platformUserId: String(100000 + i), memberId: p.id, chatId: String(100000 + i) })));
      // The notice reaches every member, which would wait for a second approval: this test is about the crash.
      const settings = loadSettings(undefined, { notices: { approveAllMembers: false } }).notices;
      const { members: addressed } = await submitNotice(db, {
        draftKey: 'crash-notice', text: '明天上午九点召开全体会议，请准时参加。', versions: {}, confirm: true, sendAt: null, correctsNoticeId: null,
        audience: await parseAudience(db, 'committee:经济委员会 role:member'),
      }, author!, settings, new Date());
      expect(addressed).toBe(N);

      let sentAtKill = 0;
      await killMidBatchAndRestart({
        env, db, timeoutMs: 90_000,
        killWhen: () => (sentAtKill = fake.sent.length) >= N / 2,
      });
      expect(sentAtKill).toBeLessThan(N);

      // Nobody has two copies; every copy carries the Received button.
      const perChat = new Map<string, number>();
      for (const s of fake.sent) perChat.set(s.chatId, (perChat.get(s.chatId) ?? 0) + 1);
      expect([...perChat.values()].filter((n) => n !== 1)).toEqual([]);
      const copy = fake.messagesTo(100000)[0]!;
      expect(copy.text).toContain('明天上午九点召开全体会议');
      expect(JSON.stringify(copy.replyMarkup)).toContain('收到');
      // Every sent row arrived; the only copies not known to have arrived are the few the killed
      // worker had claimed (at most its concurrency), and they are reported as uncertain.
      const rows = await db.select({ status: deliveries.status, chatId: deliveries.chatId }).from(deliveries).where(eq(deliveries.kind, 'notice'));
      expect(rows).toHaveLength(N);
      const sent = rows.filter((r) => r.status === 'sent');
      const uncertain = rows.filter((r) => r.status === 'uncertain');
      expect(sent.length + uncertain.length).toBe(N);
      expect(uncertain.length).toBeLessThanOrEqual(16);
      for (const r of sent) expect(perChat.get(r.chatId!)).toBe(1);
      const neverArrived = uncertain.filter((r) => !perChat.has(r.chatId!)).length;
      expect(perChat.size).toBe(N - neverArrived);
      console.info(`5,000-recipient notice, worker killed half-way: ${sent.length} sent, ${uncertain.length} uncertain (${neverArrived} never arrived), 0 twice`);
    } finally {
      await deleteKeys(redis, `${prefix}:*`);
      redis.disconnect();
      await database.close();
      await dbInfo.drop();
      await fake.stop();
    }
  }, 240_000);
});

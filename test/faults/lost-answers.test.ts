import { afterEach, describe, expect, it } from 'vitest';
import { createTelegramMessenger } from '../../src/platforms/telegram/messenger.js';
import { TelegramFake } from '../support/telegram-fake.js';
import { DATABASE_KINDS } from '../support/db.js';
import { EngineHarness } from '../jobs/support/engine-harness.js';
import { identities, members } from '../../src/store/schema/index.js';

const RECIPIENTS = 300;
const FIRST_CHAT = 9_100_000;

/** A seeded generator (mulberry32), so every run loses the same answers and stays reproducible. */
function seeded(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe.each(DATABASE_KINDS)('Telegram loses 5%% of answers after applying the send (%s)', (kind) => {
  let h: EngineHarness | undefined;
  let fake: TelegramFake | undefined;
  afterEach(async () => {
    await h?.close();
    await fake?.stop();
    h = fake = undefined;
  });

  it('sends nothing twice and counts every lost answer as uncertain', { timeout: 60_000 }, async () => {
    fake = new TelegramFake();
    await fake.start();
    // Count the fake's decisions: a draw below the probability is an answer it will drop.
    const draw = seeded(20261122);
    let lost = 0;
    fake.loseAnswers({
      probability: 0.05,
      methods: ['sendMessage'],
      random: () => {
        const r = draw();
        if (r < 0.05) lost++;
        return r;
      },
    });
    const telegram = createTelegramMessenger({ token: fake.token, apiRoot: fake.apiRoot, timeoutMs: 5000 });
    h = await EngineHarness.start({
      kind, messengers: [telegram],
      delivery: { worker: { concurrency: 8 }, limits: { telegram: { globalPerSecond: 1000, perChatPerSecond: 1 } } },
    });
    const people = await h.db.insert(members)
      .values(Array.from({ length: RECIPIENTS }, (_, i) => ({ rosterKey: `lost-${i}`, name: `Lost${i}`, locale: 'en' as const, timeZone: 'UTC' })))
      .returning({ id: members.id });
    await h.db.insert(identities).values(people.map((p, i) => ({
      platform: 'telegram' as const, platformUserId: String(FIRST_CHAT + i), memberId: p.id, chatId: String(FIRST_CHAT + i),
    })));
    await h.deliver(people.map((p) => ({ kind: 'test.lost', ref: `lost:${p.id}`, to: { memberId: p.id }, template: 'common.yes' })));
    await h.drain(45_000);

    const rows = await h.rows();
    expect(rows).toHaveLength(RECIPIENTS);
    const counts = await h.countByStatus();
    expect(Object.keys(counts).sort()).toEqual(lost > 0 ? ['sent', 'uncertain'] : ['sent']);
    expect(lost).toBeGreaterThan(0);
    expect(counts.uncertain).toBe(lost);
    expect(counts.sent! + counts.uncertain!).toBe(RECIPIENTS);

    // No chat got its message twice (an uncertain send is never retried), and every chat got it once.
    for (let i = 0; i < RECIPIENTS; i++) expect(fake.messagesTo(FIRST_CHAT + i)).toHaveLength(1);
    expect(fake.sent).toHaveLength(RECIPIENTS);
  });
});

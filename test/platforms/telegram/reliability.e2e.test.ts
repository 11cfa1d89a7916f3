/**
 * What goes wrong on Telegram, end to end through the fake and the real telegraf: a 429 storm,
 * a member who blocked the bot, and an update delivered twice.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { t } from '../../../src/core/i18n.js';
import { coreFeature } from '../../../handlers/core.js';
import { staffMembersFeature } from '../../../handlers/staff-members.js';
import { bindingCodes } from '../../../src/store/schema/index.js';
import { DATABASE_KINDS } from '../../support/db.js';
import { TelegramWorld, testApp, texts } from './support.js';

async function eventually(condition: () => Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe.each(DATABASE_KINDS)('Telegram adapter under faults on %s', { timeout: 60_000 }, (kind) => {
  let w: TelegramWorld;

  beforeAll(async () => {
    w = await TelegramWorld.start(await testApp(kind, [coreFeature, staffMembersFeature]));
  });
  afterAll(() => w?.close());
  beforeEach(() => {
    w.fake.clearFaults();
    w.fake.enforceLimits(false);
  });

  it('loses and duplicates nothing in a 429 storm, and keeps each chat in order', async () => {
    const users = Array.from({ length: 15 }, (_, i) => 6000 + i);
    for (const [i, userId] of users.entries()) {
      const m = await w.addMember({ name: `Storm${i}`, locale: 'en', localeChosen: true, timeZone: 'Europe/London' });
      await w.linkTelegram(m.id, userId);
    }
    // Telegram's own limits, 4× compressed (1 send per 250 ms per chat), plus 45 injected 429s.
    w.fake.enforceLimits({ scale: 4 });
    w.fake.rateLimit({ retryAfter: 0.05, count: 45, methods: ['sendMessage'] });
    const before = new Map(users.map((u) => [u, w.fake.messagesTo(u).length]));
    for (const userId of users) {
      for (const text of ['/tz', '/me', '/help']) w.fake.userSendsText({ userId, text });
    }
    await w.fake.waitUntil(() => users.every((u) => w.fake.messagesTo(u).length >= before.get(u)! + 3), 30_000);
    // A moment more, so a late duplicate would show.
    await new Promise((r) => setTimeout(r, 300));
    for (const userId of users) {
      const got = w.fake.messagesTo(userId).slice(before.get(userId)!).map((s) => s.text ?? '');
      expect(got).toHaveLength(3);
      expect(got[0]).toContain('Europe/London');
      expect(got[1]).toContain('Storm');
      expect(got[2]!.startsWith(t('en', 'help.title'))).toBe(true);
    }
    const refused = w.fake.calls.filter((c) => c.method === 'sendMessage').length - w.fake.sent.filter((s) => s.method === 'sendMessage').length;
    expect(refused).toBeGreaterThanOrEqual(45);
  });

  it('marks a member who blocked the bot unreachable, from a failed reply and from my_chat_member', async () => {
    const m = await w.addMember({ name: 'Blocker', locale: 'en', localeChosen: true });
    await w.linkTelegram(m.id, 6100);
    w.fake.blockUser(6100);
    w.fake.userSendsText({ userId: 6100, text: '/help' });
    await eventually(async () => (await w.member(m.id)).unreachableAt !== null);
    expect((await w.member(m.id)).unreachableAt).toEqual(w.app.clock.now());
    expect(w.fake.messagesTo(6100)).toHaveLength(0);

    // Unblocking (Telegram's my_chat_member "member") makes the member reachable again …
    w.fake.unblockUser(6100);
    w.fake.pushUpdate(chatMember(6100, 'member'));
    await eventually(async () => (await w.member(m.id)).unreachableAt === null);
    // … and blocking says so too, even with nothing to send.
    w.fake.pushUpdate(chatMember(6100, 'kicked'));
    await eventually(async () => (await w.member(m.id)).unreachableAt !== null);
  });

  it('acts once on an update delivered twice', async () => {
    const staff = await w.addMember({ name: 'Desk', role: 'staff', locale: 'en', localeChosen: true });
    await w.linkTelegram(staff.id, 6200);
    const target = await w.addMember({ name: 'Target' });
    const user = { userId: 6200 };
    let update = { update_id: 0 };
    const first = await w.exchange(6200, () => {
      update = w.fake.userSendsText({ ...user, text: `/bindcode #${target.id}` });
    });
    expect(texts(first)).toContain('Target');
    // Telegram re-sends it (as after a crash before confirmation); the next answer is to /help.
    const after = await w.exchange(6200, () => {
      w.fake.redeliver(update.update_id);
      w.fake.userSendsText({ ...user, text: '/help' });
    });
    expect(after).toHaveLength(1);
    expect(after[0]!.text!.startsWith(t('en', 'help.title'))).toBe(true);
    expect(await w.db.select().from(bindingCodes).where(eq(bindingCodes.memberId, target.id))).toHaveLength(1);
    expect(w.fake.calls.filter((c) => c.method === 'getUpdates').length).toBeGreaterThan(0);
  });
});

function chatMember(userId: number, status: 'member' | 'kicked') {
  const user = { id: userId, is_bot: false, first_name: 'U' };
  const bot = { id: 123456789, is_bot: true, first_name: 'Tongxin', username: 'tongxin_test_bot' };
  return {
    my_chat_member: {
      chat: { id: userId, type: 'private', first_name: 'U' }, from: user, date: Math.floor(Date.now() / 1000),
      old_chat_member: { user: bot, status: status === 'member' ? 'kicked' : 'member' },
      new_chat_member: { user: bot, status, ...(status === 'kicked' && { until_date: 0 }) },
    },
  };
}

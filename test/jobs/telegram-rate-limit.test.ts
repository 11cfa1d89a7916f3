import { afterEach, describe, expect, it } from 'vitest';
import { DeliveryError } from '../../src/core/delivery-errors.js';
import type { ChatRef, Messenger, OutgoingMessage, SendResult } from '../../src/core/messages.js';
import { createTelegramMessenger } from '../../src/platforms/telegram/messenger.js';
import { TelegramFake } from '../support/telegram-fake.js';
import { DATABASE_KINDS } from '../support/db.js';
import { EngineHarness, waitFor } from './support/engine-harness.js';

/** Wraps a messenger to record when each send was handed to the platform and how it ended. */
class Observed implements Messenger {
  readonly platform;
  readonly calls: Array<{ chatId: string; startedAt: number; endedAt?: number; outcome?: string }> = [];
  constructor(private readonly inner: Messenger) {
    this.platform = inner.platform;
  }
  async send(to: Omit<ChatRef, 'platform'>, message: OutgoingMessage): Promise<SendResult> {
    const call: Observed['calls'][number] = { chatId: to.chatId, startedAt: Date.now() };
    this.calls.push(call);
    try {
      const result = await this.inner.send(to, message);
      call.outcome = 'sent';
      return result;
    } catch (err) {
      call.outcome = err instanceof DeliveryError ? err.failure.kind : 'error';
      throw err;
    } finally {
      call.endedAt = Date.now();
    }
  }
  edit(to: Omit<ChatRef, 'platform'>, id: string, message: OutgoingMessage): Promise<void> {
    return this.inner.edit(to, id, message);
  }
}

describe.each(DATABASE_KINDS)('a 429 from Telegram (%s)', (kind) => {
  let h: EngineHarness | undefined;
  let fake: TelegramFake | undefined;
  afterEach(async () => {
    await h?.close();
    await fake?.stop();
    h = fake = undefined;
  });

  it('pauses every send to Telegram until retry_after has passed, and loses nothing', async () => {
    fake = new TelegramFake();
    await fake.start();
    const telegram = new Observed(createTelegramMessenger({ token: fake.token, apiRoot: fake.apiRoot, timeoutMs: 5000 }));
    h = await EngineHarness.start({ kind, messengers: [telegram], delivery: { worker: { concurrency: 4 }, limits: { telegram: { globalPerSecond: 100 } } } });
    const chats: string[] = [];
    for (let i = 0; i < 24; i++) {
      const m = await h.addMember({ name: `R${i}`, locale: 'en', timeZone: 'UTC' });
      await h.link(m.id, 'telegram', String(7000 + i));
      chats.push(String(7000 + i));
    }
    const batch = (from: number, to: number, ref: string) => h!.deliver(chats.slice(from, to).map((_, i) => ({
      kind: 'test.429', ref, to: { memberId: from + i + 1 }, template: 'common.yes',
    })));
    // Some go through; then Telegram answers the next send with 429, retry_after 2 s.
    await batch(0, 6, 'first');
    await h.drain();
    fake.rateLimit({ retryAfter: 2, count: 1 });
    await batch(6, 24, 'second');
    await h.drain(30_000);

    const limited = telegram.calls.find((c) => c.outcome === 'rate-limited');
    expect(limited).toBeDefined();
    const knownAt = limited!.endedAt!;
    // Nothing was handed to Telegram between learning of the 429 and retry_after later.
    const early = telegram.calls.filter((c) => c.startedAt >= knownAt && c.startedAt < knownAt + 2000);
    expect(early).toEqual([]);
    const after = telegram.calls.filter((c) => c.startedAt >= knownAt);
    expect(after.length).toBeGreaterThan(0);
    // Every message arrived exactly once.
    for (const chat of chats) expect(fake.messagesTo(chat)).toHaveLength(1);
    expect((await h.rows()).every((r) => r.status === 'sent')).toBe(true);
  });

  it('hands Telegram at most 30 sends in any second, evenly, so a notice to many chats meets no 429', async () => {
    fake = new TelegramFake();
    await fake.start();
    // The fake shares this process's event loop, which delays its own clock under test load; our
    // side of the limit is what is checked here, at the moment each send is handed over.
    const telegram = new Observed(createTelegramMessenger({ token: fake.token, apiRoot: fake.apiRoot, timeoutMs: 5000 }));
    h = await EngineHarness.start({ kind, messengers: [telegram], delivery: { worker: { concurrency: 8 } } });
    const chats = Array.from({ length: 75 }, (_, i) => String(9000 + i));
    const ids: number[] = [];
    for (const [i, chat] of chats.entries()) {
      const m = await h.addMember({ name: `P${i}`, locale: 'en', timeZone: 'UTC' });
      await h.link(m.id, 'telegram', chat);
      ids.push(m.id);
    }
    await h.deliver(ids.map((memberId) => ({ kind: 'test.pace', ref: 'pace', to: { memberId }, template: 'common.yes' })));
    await h.drain(30_000);
    for (const chat of chats) expect(fake.messagesTo(chat)).toHaveLength(1);
    const at = telegram.calls.map((c) => c.startedAt).sort((a, b) => a - b);
    expect(at).toHaveLength(chats.length);
    for (let i = 30; i < at.length; i++) expect(at[i]! - at[i - 30]!).toBeGreaterThanOrEqual(1000);
    // Paced, not throttled to a crawl: 75 sends at 30 a second take about 2.5 s.
    expect(at[at.length - 1]! - at[0]!).toBeLessThan(5000);
  });

  it('waits for per-chat limits without sleeping in the job: one chat gets at most one message a second', async () => {
    fake = new TelegramFake();
    await fake.start();
    fake.enforceLimits({});
    const telegram = createTelegramMessenger({ token: fake.token, apiRoot: fake.apiRoot, timeoutMs: 5000 });
    h = await EngineHarness.start({ kind, messengers: [telegram] });
    const m = await h.addMember({ name: 'Busy', locale: 'en', timeZone: 'UTC' });
    await h.link(m.id, 'telegram', '8001');
    await h.deliver([1, 2, 3].map((n) => ({ kind: 'test.chat', ref: `n:${n}`, to: { memberId: m.id }, template: 'common.yes' })));
    await h.drain();
    await waitFor(() => fake!.messagesTo('8001').length === 3);
    const at = fake.messagesTo('8001').map((s) => s.at);
    expect(at[1]! - at[0]!).toBeGreaterThanOrEqual(990);
    expect(at[2]! - at[1]!).toBeGreaterThanOrEqual(990);
    expect(fake.rejected429).toBe(0);
  });
});

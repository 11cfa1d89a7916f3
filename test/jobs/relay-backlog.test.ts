import { afterEach, describe, expect, it } from 'vitest';
import { and, eq, isNotNull, sql } from 'drizzle-orm';
import { deliveries } from '../../src/store/schema/index.js';
import { DATABASE_KINDS } from '../support/db.js';
import { EngineHarness } from './support/engine-harness.js';
import { RecordingMessenger } from './support/recording-messenger.js';

const PER_SECOND = 20;
const CONCURRENCY = 2;
const RECIPIENTS = 60;

describe.each(DATABASE_KINDS)('outbox relay keeps a platform queue only a little ahead (%s)', (kind) => {
  let h: EngineHarness | undefined;
  afterEach(async () => {
    await h?.close();
    h = undefined;
  });

  it('a large notice waits in the outbox, not in Redis, and still reaches everyone once', async () => {
    const telegram = new RecordingMessenger('telegram');
    h = await EngineHarness.start({
      kind, messengers: [telegram],
      delivery: { limits: { telegram: { globalPerSecond: PER_SECOND } }, relay: { aheadSeconds: 1 }, worker: { concurrency: CONCURRENCY } },
    });
    const ids: number[] = [];
    for (let i = 0; i < RECIPIENTS; i++) {
      const m = await h.addMember({ name: `M${i}` });
      await h.link(m.id, 'telegram', String(7000 + i));
      ids.push(m.id);
    }
    await h.deliver(ids.map((memberId) => ({ kind: 'notice', ref: 'notice:1', to: { memberId }, template: 'common.yes' })));

    // One second of Telegram's pace goes to the queue; the other rows stay in the outbox.
    expect(await h.engine.relay.relayOnce()).toBe(PER_SECOND);
    const inQueue = async () => {
      const [row] = await h!.db.select({ n: sql<number>`count(*)::int` }).from(deliveries)
        .where(and(eq(deliveries.status, 'pending'), isNotNull(deliveries.enqueuedAt)));
      return row!.n;
    };
    let mostInQueue = 0;
    const deadline = Date.now() + 20_000;
    while (telegram.sent.length < RECIPIENTS && Date.now() < deadline) {
      await h.engine.relay.relayOnce();
      mostInQueue = Math.max(mostInQueue, await inQueue());
      await new Promise((r) => setTimeout(r, 100));
    }

    // Queued and not yet sent: the second's worth waiting, plus the jobs the workers hold.
    expect(mostInQueue).toBeLessThanOrEqual(PER_SECOND + CONCURRENCY);
    expect(new Set(telegram.sent.map((s) => s.to.chatId)).size).toBe(RECIPIENTS);
    expect(telegram.sent).toHaveLength(RECIPIENTS);
    expect((await h.countByStatus()).sent).toBe(RECIPIENTS);
  });
});

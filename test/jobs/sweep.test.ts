import { afterEach, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { deliveries, reminderJobs } from '../../src/store/schema/index.js';
import { DATABASE_KINDS } from '../support/db.js';
import { deleteKeys, EngineHarness } from './support/engine-harness.js';
import { RecordingMessenger } from './support/recording-messenger.js';
import { TestFacts } from './support/test-facts.js';

describe.each(DATABASE_KINDS)('the sweep (%s)', (kind) => {
  let h: EngineHarness | undefined;
  afterEach(async () => {
    await h?.close();
    h = undefined;
  });

  it('re-queues rows whose job Redis lost, marks an orphaned send uncertain, and restores reminder jobs', async () => {
    const telegram = new RecordingMessenger('telegram');
    const facts = new TestFacts();
    // No outbound worker yet: the jobs stay queued so the test can lose them.
    h = await EngineHarness.start({ kind, messengers: [telegram], reminderSources: facts.sources, roles: { outbound: false } });
    const a = await h.addMember({ name: 'A' });
    const b = await h.addMember({ name: 'B' });
    await h.link(a.id, 'telegram', '11');
    await h.link(b.id, 'telegram', '12');
    await h.deliver([
      { kind: 'test.sweep', ref: 'x:1', to: { memberId: a.id }, template: 'common.yes' },
      { kind: 'test.sweep', ref: 'x:1', to: { memberId: b.id }, template: 'common.yes' },
    ]);
    expect(await h.engine.relay.relayOnce()).toBe(2);
    await facts.set(h.db, [['shift:5', { startsAt: new Date(h.clock.now().getTime() + 2 * 3600_000), memberIds: [a.id] }]]);
    await h.engine.reminders.relayEvents();
    const [first, second] = await h.rows();
    // A worker claimed B's row and died mid-send; then Redis lost every job (e.g. restored from an old AOF).
    await h.db.update(deliveries).set({ status: 'sending', claimToken: 'dead-worker' }).where(eq(deliveries.id, second!.id));
    await deleteKeys(h.connection, `${h.engine.prefix}:*`);

    const result = await h.engine.sweep.run();
    expect(result).toEqual({ requeued: 1, uncertain: 1, remindersRestored: 0 });
    expect((await h.row(first!.id)).enqueuedAt).toBeNull();
    expect((await h.row(second!.id)).status).toBe('uncertain');
    // Reminder jobs due within the sweep's look-ahead (10 min) come back; this one fires an hour from the start.
    h.clock.advance(55 * 60_000);
    expect((await h.engine.sweep.run()).remindersRestored).toBe(1);
    const [planned] = await h.db.select().from(reminderJobs);
    expect(await h.engine.remindersQueue.getJobState(planned!.jobId)).toBe('delayed');
  });
});

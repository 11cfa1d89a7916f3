import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isNull, sql } from 'drizzle-orm';
import { deliveries, members, reminderJobs } from '../../src/store/schema/index.js';
import type { Database } from '../../src/store/db.js';
import { DATABASE_KINDS, freshDatabase } from '../support/db.js';
import { EngineHarness, waitFor } from './support/engine-harness.js';
import { RecordingMessenger } from './support/recording-messenger.js';
import { TestFacts } from './support/test-facts.js';

const HOUR = 3600_000;
const MIN = 60_000;

/** Waits until every planned reminder moment due by the engine's clock has fired. */
async function fired(h: EngineHarness): Promise<void> {
  await h.engine.reminders.sweep();
  await waitFor(async () => {
    const [row] = await h.db.select({ n: sql<number>`count(*)::int` }).from(reminderJobs)
      .where(sql`${reminderJobs.firedAt} is null and ${reminderJobs.fireAt} <= ${h.clock.now()}`);
    return row!.n === 0;
  }, 30_000, 'due reminders fired');
}

describe.each(DATABASE_KINDS)('reminders (%s)', (kind) => {
  let database: Database;
  beforeAll(async () => {
    database = await freshDatabase(kind);
  });
  afterAll(async () => {
    await database.close();
  });

  async function start(facts: TestFacts, offsets: number[]) {
    const console_ = new RecordingMessenger('console');
    const h = await EngineHarness.start({
      database, messengers: [console_], reminderSources: facts.sources,
      delivery: { reminders: { shiftOffsetsMinutes: offsets, readingOffsetsMinutes: offsets }, limits: { console: { globalPerSecond: 5000 } } },
    });
    await h.db.delete(deliveries);
    await h.db.delete(reminderJobs);
    return { h, sent: console_ };
  }

  it('1,000 reminders fire exactly once each, at T-60 and T-30 minutes', async () => {
    const facts = new TestFacts();
    const { h, sent } = await start(facts, [60, 30]);
    try {
      const people = await h.db.insert(members)
        .values(Array.from({ length: 500 }, (_, i) => ({ rosterKey: `bulk-${i}`, name: `M${i}`, locale: 'en' as const, timeZone: 'UTC' })))
        .returning({ id: members.id });
      const startsAt = new Date(h.clock.now().getTime() + HOUR);
      const t0 = performance.now();
      await facts.set(h.db, people.map((p, i) => [`${i % 2 ? 'shift' : 'reading'}:${i + 1}`, { startsAt, memberIds: [p.id] }]));
      while ((await h.engine.reminders.relayEvents()) > 0);
      const planned = await h.db.select().from(reminderJobs);
      expect(planned).toHaveLength(1000);
      const t1 = performance.now();

      await fired(h);
      h.clock.advance(30 * MIN);
      await fired(h);
      const t2 = performance.now();
      await h.drain(40_000);
      expect(sent.sent).toHaveLength(1000);
      const t3 = performance.now();
      const s = (ms: number) => (ms / 1000).toFixed(1);
      console.info(`1,000 reminders (${kind}): planned ${s(t1 - t0)} s, fired ${s(t2 - t1)} s, sent ${s(t3 - t2)} s; ${Math.round(1000 / ((t3 - t0) / 1000))} reminders/s end to end`);
      const perMember = new Map<string, string[]>();
      for (const s of sent.sent) perMember.set(s.to.chatId, [...(perMember.get(s.to.chatId) ?? []), s.message.text]);
      expect(perMember.size).toBe(500);
      for (const texts of perMember.values()) {
        expect(texts).toHaveLength(2);
        expect(texts.some((t) => t.includes('#'))).toBe(true);
      }

      // Replanning, relaying and sweeping again changes nothing.
      await facts.set(h.db, people.map((p, i) => [`${i % 2 ? 'shift' : 'reading'}:${i + 1}`, { startsAt, memberIds: [p.id] }]));
      while ((await h.engine.reminders.relayEvents()) > 0);
      await h.engine.sweep.run();
      await h.engine.relay.relayOnce();
      await new Promise((r) => setTimeout(r, 300));
      expect(sent.sent).toHaveLength(1000);
      const [row] = await h.db.select({ n: sql<number>`count(*)::int` }).from(deliveries);
      expect(row!.n).toBe(1000);
    } finally {
      await h.close();
    }
  });

  it('a cancelled sign-up’s reminders never fire; a cancelled shift’s jobs are removed', async () => {
    const facts = new TestFacts();
    const { h, sent } = await start(facts, [1440, 60]);
    try {
      const stays = await h.addMember({ name: 'Stays', locale: 'en', timeZone: 'UTC' });
      const leaves = await h.addMember({ name: 'Leaves', locale: 'en', timeZone: 'UTC' });
      const startsAt = new Date(h.clock.now().getTime() + 48 * HOUR);
      await facts.set(h.db, [['shift:1', { startsAt, memberIds: [stays.id, leaves.id] }], ['shift:2', { startsAt, memberIds: [leaves.id] }]]);
      await h.engine.reminders.relayEvents();
      expect(await h.engine.remindersQueue.getDelayedCount()).toBe(4);

      // Leaves cancels the sign-up to shift 1; shift 2 is cancelled altogether.
      await facts.set(h.db, [['shift:1', { startsAt, memberIds: [stays.id] }], ['shift:2', undefined]]);
      await h.engine.reminders.relayEvents();
      expect(await h.engine.remindersQueue.getDelayedCount()).toBe(2);

      h.clock.advance(24 * HOUR);
      await fired(h);
      h.clock.advance(23 * HOUR);
      await fired(h);
      await h.drain();
      expect(sent.sent.map((s) => s.to.chatId)).toEqual([`console-${stays.id}`, `console-${stays.id}`]);
      expect(sent.sent[0]!.message.text).toContain('#1');
    } finally {
      await h.close();
    }
  });

  it('the worker re-reads the facts: a sign-up cancelled after planning gets nothing even without an event', async () => {
    const facts = new TestFacts();
    const { h, sent } = await start(facts, [60]);
    try {
      const a = await h.addMember({ name: 'A' });
      const startsAt = new Date(h.clock.now().getTime() + 2 * HOUR);
      await facts.set(h.db, [['reading:7', { startsAt, memberIds: [a.id] }]]);
      await h.engine.reminders.relayEvents();
      await facts.set(h.db, [['reading:7', { startsAt, memberIds: [] }]], false);
      h.clock.advance(HOUR);
      await fired(h);
      await h.drain();
      expect(sent.sent).toHaveLength(0);
      expect(facts.reads.get('reading:7')).toBe(2);
    } finally {
      await h.close();
    }
  });

  it('a moved shift’s reminders fire at the new time only', async () => {
    const facts = new TestFacts();
    const { h, sent } = await start(facts, [60]);
    try {
      const a = await h.addMember({ name: 'Mover', locale: 'en', timeZone: 'UTC' });
      const first = new Date(h.clock.now().getTime() + 2 * HOUR);
      const moved = new Date(h.clock.now().getTime() + 5 * HOUR);
      await facts.set(h.db, [['shift:9', { startsAt: first, memberIds: [a.id] }]]);
      await h.engine.reminders.relayEvents();
      await facts.set(h.db, [['shift:9', { startsAt: moved, memberIds: [a.id] }]]);
      await h.engine.reminders.relayEvents();
      const planned = await h.db.select().from(reminderJobs).where(isNull(reminderJobs.firedAt));
      expect(planned.map((p) => p.fireAt.toISOString())).toEqual([new Date(moved.getTime() - HOUR).toISOString()]);

      h.clock.set(new Date(first.getTime() - HOUR));
      await fired(h);
      await h.drain();
      expect(sent.sent).toHaveLength(0);

      h.clock.set(new Date(moved.getTime() - HOUR));
      await fired(h);
      await h.drain();
      expect(sent.sent).toHaveLength(1);
      expect(sent.sent[0]!.message.text).toContain('07:00');
    } finally {
      await h.close();
    }
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { and, eq } from 'drizzle-orm';
import { Harness } from '../support/harness.js';
import { DATABASE_KINDS } from '../support/db.js';
import { readingAttendance, readingRsvps } from '../../src/store/schema/index.js';
import { createGroup, createSessions, eventsFor, outbox, readingCast } from '../domain/reading/fixtures.js';

const text = Harness.text;

/**
 * Presses that arrive together. On PostgreSQL the harness's pool has 10 connections, so these
 * really run side by side; PGlite runs them one after another through its single connection.
 */
describe.each(DATABASE_KINDS)('reading under concurrent presses (%s)', (kind) => {
  let h: Harness;
  let cast: Awaited<ReturnType<typeof readingCast>>;
  let groupId: number;
  let crowd: { id: number }[];
  beforeAll(async () => {
    h = await Harness.start({ kind, at: '2026-12-01T02:00:00Z', settings: { flood: { limit: 1000 } } });
    cast = await readingCast(h);
    groupId = await createGroup(h, cast.staff, `"Concurrency" #${cast.lead.id}`);
    crowd = [];
    for (let i = 0; i < 8; i++) crowd.push(await h.addMember({ name: `Reader ${i}`, locale: 'en' }));
  });
  afterAll(() => h.close());

  it('keeps one answer when the same member presses "yes" many times at once', async () => {
    const [s] = await createSessions(h, cast.staff, `${groupId} 2026-12-05 19:30 21:00 place=Hall cap=5`);
    const replies = await Promise.all(Array.from({ length: 8 }, () => h.as(cast.alice).press(`rd:r:${s!.id}:y`)));
    for (const r of replies) expect(text(r)).toMatch(/^You have a seat/);
    const rows = await h.db.select().from(readingRsvps).where(eq(readingRsvps.sessionId, s!.id));
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ memberId: cast.alice.id, status: 'yes', changes: 1 });
    expect((await eventsFor(h, `reading:${s!.id}`)).filter((e) => e.kind === 'reminder.changed')).toHaveLength(1);
  });

  it('never gives more seats than the capacity when many members press "yes" at once', async () => {
    const [s] = await createSessions(h, cast.staff, `${groupId} 2026-12-06 19:30 21:00 place=Hall cap=3`);
    const replies = await Promise.all(crowd.map((m) => h.as(m).press(`rd:r:${s!.id}:y`)));
    const texts = replies.map(text);
    expect(texts.filter((t) => t.startsWith('You have a seat'))).toHaveLength(3);
    const positions = texts.map((t) => /number (\d+) on the waitlist/.exec(t)?.[1]).filter(Boolean).map(Number).sort();
    expect(positions).toEqual([1, 2, 3, 4, 5]);
    const rows = await h.db.select().from(readingRsvps).where(eq(readingRsvps.sessionId, s!.id));
    expect(rows.filter((r) => r.status === 'yes')).toHaveLength(3);
    expect(rows.filter((r) => r.status === 'waitlist')).toHaveLength(5);

    // Two seat holders leave at once: exactly the first two in line are promoted and told.
    const seated = rows.filter((r) => r.status === 'yes').slice(0, 2).map((r) => ({ id: r.memberId }));
    const line = rows.filter((r) => r.status === 'waitlist').sort((a, b) => a.queueSeq - b.queueSeq).map((r) => r.memberId);
    await Promise.all(seated.map((m) => h.as(m).press(`rd:r:${s!.id}:n`)));
    const after = await h.db.select().from(readingRsvps).where(eq(readingRsvps.sessionId, s!.id));
    expect(after.filter((r) => r.status === 'yes')).toHaveLength(3);
    const promoted = (await outbox(h, 'reading.promoted')).filter((d) => (d.params as { sessionId: number }).sessionId === s!.id);
    expect(promoted.map((d) => d.memberId).sort()).toEqual(line.slice(0, 2).sort());
  });

  it('checks a member in once when the button is pressed many times at once', async () => {
    const [s] = await createSessions(h, cast.staff, `${groupId} 2026-12-01 10:15 11:00 place=Hall`);
    // The button is for members who answered yes.
    await h.as(cast.bob).send(`/rsvp ${s!.id} yes`);
    const replies = (await Promise.all(Array.from({ length: 6 }, () => h.as(cast.bob).press(`rd:c:${s!.id}`)))).map(text);
    expect(replies.filter((t) => t.startsWith('Checked in'))).toHaveLength(1);
    expect(replies.filter((t) => t.startsWith('You have already checked in'))).toHaveLength(5);
    const rows = await h.db.select().from(readingAttendance).where(and(eq(readingAttendance.sessionId, s!.id), eq(readingAttendance.memberId, cast.bob.id)));
    expect(rows).toHaveLength(1);
  });
});

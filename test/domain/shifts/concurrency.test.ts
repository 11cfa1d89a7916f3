import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { and, asc, eq, sql } from 'drizzle-orm';
import { freshDatabase, DATABASE_KINDS } from '../../support/db.js';
import type { Database } from '../../../src/store/db.js';
import { members, shiftSignups, shifts } from '../../../src/store/schema/index.js';
import { shiftsSettings } from '../../../src/domain/shifts/settings.js';
import { createShift, editShift } from '../../../src/domain/shifts/shifts.js';
import { signUp, withdraw } from '../../../src/domain/shifts/signup.js';
import type { ShiftRules } from '../../../src/domain/shifts/records.js';

const now = new Date('2026-12-01T02:00:00Z');
const rules: ShiftRules = { settings: shiftsSettings.parse({}), monthZone: 'Asia/Shanghai' };

async function addMembers(db: Database['db'], prefix: string, n: number): Promise<number[]> {
  const rows = await db.insert(members)
    .values(Array.from({ length: n }, (_, i) => ({ rosterKey: `${prefix}-${i}`, name: `${prefix}${i}` })))
    .returning({ id: members.id });
  return rows.map((r) => r.id);
}

async function newShift(db: Database['db'], theme: string, capacity: number) {
  const { shift } = await createShift(db, {
    date: '2026-12-10', start: '09:00', end: '12:00', zone: 'Asia/Shanghai', theme, level: 'city', capacity,
  }, null, now);
  return shift.id;
}

async function seats(db: Database['db'], shiftId: number) {
  return db.select().from(shiftSignups).where(eq(shiftSignups.shiftId, shiftId)).orderBy(asc(shiftSignups.id));
}

describe.each(DATABASE_KINDS)('shift sign-ups under concurrency on %s', (kind) => {
  let database: Database;
  beforeAll(async () => {
    database = await freshDatabase(kind, 10);
  });
  afterAll(() => database.close());

  it('gives 200 concurrent sign-ups for 3 seats exactly 3 seats and a waitlist in arrival order, nobody twice', async () => {
    const { db } = database;
    const shiftId = await newShift(db, '200 at once', 3);
    const ids = await addMembers(db, 'crowd', 200);
    const outcomes = await Promise.all(ids.map((id) => signUp(db, shiftId, id, rules, now).then((o) => ({ id, ...o }))));

    expect(outcomes.filter((o) => o.status === 'confirmed')).toHaveLength(3);
    const waiting = outcomes.filter((o) => o.status === 'waitlisted').sort((a, b) => a.position - b.position);
    expect(waiting.map((o) => o.position)).toEqual(Array.from({ length: 197 }, (_, i) => i + 1));

    const rows = await seats(db, shiftId);
    expect(rows).toHaveLength(200);
    expect(new Set(rows.map((r) => r.memberId)).size).toBe(200);
    // Arrival order is the order sign-ups got the shift lock: the first three hold the seats,
    // and each waitlisted member's reported position is their place in that order.
    expect(rows.slice(0, 3).every((r) => r.status === 'confirmed')).toBe(true);
    expect(rows.slice(3).map((r) => r.memberId)).toEqual(waiting.map((o) => o.id));

    // Signing up again changes nothing.
    await expect(signUp(db, shiftId, ids[0]!, rules, now)).rejects.toMatchObject({ key: expect.stringMatching(/^shifts\.error\.already/) });
    expect(await seats(db, shiftId)).toHaveLength(200);
  });

  it('never confirms more than capacity while sign-ups, withdrawals and capacity changes race', async () => {
    const { db } = database;
    const shiftId = await newShift(db, 'race', 3);
    const staff = (await addMembers(db, 'staff', 1))[0]!;
    const early = await addMembers(db, 'early', 20);
    for (const id of early) await signUp(db, shiftId, id, rules, now);
    const late = await addMembers(db, 'late', 40);

    let done = false;
    let worst = 0;
    const observer = (async () => {
      while (!done) {
        const [row] = await db.select({
          over: sql<number>`(select count(*) from ${shiftSignups} where ${shiftSignups.shiftId} = ${shiftId} and ${shiftSignups.status} = 'confirmed')::int - ${shifts.capacity}`,
        }).from(shifts).where(eq(shifts.id, shiftId));
        worst = Math.max(worst, row!.over);
        await new Promise((r) => setTimeout(r, 1));
      }
    })();
    const capacities = [2, 5, 1, 4, 3, 6, 2];
    await Promise.all([
      ...late.map((id) => signUp(db, shiftId, id, rules, now)),
      ...early.filter((_, i) => i % 2 === 0).map((id) => withdraw(db, shiftId, id, rules, now)),
      ...capacities.map((capacity) => editShift(db, shiftId, { field: 'capacity', value: capacity }, staff, now)),
    ]);
    done = true;
    await observer;

    expect(worst).toBeLessThanOrEqual(0);
    const [shift] = await db.select().from(shifts).where(eq(shifts.id, shiftId));
    const rows = await seats(db, shiftId);
    expect(rows).toHaveLength(20 - 10 + 40);
    expect(new Set(rows.map((r) => r.memberId)).size).toBe(rows.length);
    // The seats are held by the earliest arrivals, exactly as many as the final capacity.
    expect(rows.map((r) => r.status)).toEqual(rows.map((_, i) => (i < shift!.capacity ? 'confirmed' : 'waitlisted')));
  });

  it('serializes one member signing up for two overlapping shifts at once: one succeeds', async () => {
    const { db } = database;
    const [a, b] = [await newShift(db, 'overlap A', 3), await newShift(db, 'overlap B', 3)];
    const [member] = await addMembers(db, 'both', 1);
    const results = await Promise.allSettled([signUp(db, a, member!, rules, now), signUp(db, b, member!, rules, now)]);
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    expect(results.find((r) => r.status === 'rejected')).toMatchObject({ reason: { key: 'shifts.error.overlap' } });
    const held = await db.select().from(shiftSignups).where(and(eq(shiftSignups.memberId, member!)));
    expect(held).toHaveLength(1);
  });
});

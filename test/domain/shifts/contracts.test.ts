import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { asc, eq, sql } from 'drizzle-orm';
import { freshDatabase, DATABASE_KINDS } from '../../support/db.js';
import type { Database } from '../../../src/store/db.js';
import { deliveries, domainEvents, members, shiftSignups } from '../../../src/store/schema/index.js';
import { hasKey } from '../../../src/core/i18n.js';
import { shiftsSettings } from '../../../src/domain/shifts/settings.js';
import {
  acceptSwap, cancelShift, coverage, createShift, editShift, memberShiftsBetween, shiftsOfMembersBetween, offerSwap, openShiftsBetween,
  recordDutyLog, shiftReminderFacts, shiftsServedBy, signUp, unfilledShifts, withdraw, type ShiftRules,
} from '../../../src/domain/shifts/index.js';

const now = new Date('2026-12-01T02:00:00Z');
const rules: ShiftRules = { settings: shiftsSettings.parse({}), monthZone: 'Asia/Shanghai' };
const at = (iso: string) => new Date(iso);

describe.each(DATABASE_KINDS)('what the shifts domain offers other features on %s', (kind) => {
  let database: Database;
  let db: Database['db'];
  let people: number[];
  beforeAll(async () => {
    database = await freshDatabase(kind, 10);
    db = database.db;
    people = (await db.insert(members).values(Array.from({ length: 6 }, (_, i) => ({ rosterKey: `p${i}`, name: `P${i}` }))).returning()).map((m) => m.id);
  });
  afterAll(() => database.close());

  const make = async (date: string, capacity: number, theme: string) =>
    (await createShift(db, { date, start: '09:00', end: '12:00', zone: 'Asia/Shanghai', theme, level: 'city', capacity }, null, now)).shift.id;
  const reminderEvents = async (shiftId: number) =>
    (await db.select().from(domainEvents).where(eq(domainEvents.ref, `shift:${shiftId}`))).filter((e) => e.kind === 'reminder.changed').length;

  it('answers the views: unfilled, open, a member’s shifts, coverage and service record', async () => {
    const full = await make('2026-12-03', 1, 'full');
    const half = await make('2026-12-04', 2, 'half');
    const gone = await make('2026-12-05', 2, 'gone');
    const later = await make('2026-12-20', 2, 'later');
    await signUp(db, full, people[0]!, rules, now);
    await signUp(db, full, people[1]!, rules, now);
    await signUp(db, half, people[0]!, rules, now);
    await cancelShift(db, gone, '', people[5]!, now);
    const week = [at('2026-12-01T00:00:00Z'), at('2026-12-08T00:00:00Z')] as const;

    expect(await unfilledShifts(db, ...week)).toEqual([
      expect.objectContaining({ shiftId: half, startsAt: at('2026-12-04T01:00:00Z'), endsAt: at('2026-12-04T04:00:00Z'), theme: 'half', capacity: 2, filled: 1 }),
    ]);
    expect((await openShiftsBetween(db, at('2026-12-01T00:00:00Z'), at('2026-12-31T00:00:00Z'))).map((s) => s.shiftId)).toEqual([half, later]);
    expect(await memberShiftsBetween(db, people[1]!, ...week)).toEqual([
      { shiftId: full, startsAt: at('2026-12-03T01:00:00Z'), endsAt: at('2026-12-03T04:00:00Z'), theme: 'full', status: 'waitlisted' },
    ]);
    // The digest asks for many members at once; each row says whose it is.
    expect((await shiftsOfMembersBetween(db, [people[0]!, people[1]!, people[2]!], ...week)).map((s) => [s.memberId, s.shiftId, s.status])).toEqual([
      [people[0], full, 'confirmed'], [people[1], full, 'waitlisted'], [people[0], half, 'confirmed'],
    ]);
    expect(await coverage(db, ...week)).toEqual({ seats: 3, filled: 2, ratio: 2 / 3 });
    expect(await coverage(db, at('2027-01-01T00:00:00Z'), at('2027-01-08T00:00:00Z'))).toEqual({ seats: 0, filled: 0, ratio: 1 });

    const after = at('2026-12-05T00:00:00Z');
    expect(await shiftsServedBy(db, people[0]!, now, after)).toEqual({ served: 2, logged: 0 });
    await recordDutyLog(db, full, people[0]!, 4, '四条留言', after);
    expect(await shiftsServedBy(db, people[0]!, now, after)).toEqual({ served: 2, logged: 1 });
    expect(await shiftsServedBy(db, people[1]!, now, after)).toEqual({ served: 0, logged: 0 });
  });

  it('gives reminder facts for the confirmed members and records reminder.changed on every change to them', async () => {
    const id = await make('2026-12-10', 1, 'reminded');
    expect(await shiftReminderFacts(db, id)).toMatchObject({ startsAt: at('2026-12-10T01:00:00Z'), memberIds: [], template: 'shifts.reminder' });
    expect(hasKey('shifts.reminder')).toBe(true);

    const steps: [string, () => Promise<unknown>, boolean][] = [
      ['sign-up', () => signUp(db, id, people[2]!, rules, now), true],
      ['waitlisted', () => signUp(db, id, people[3]!, rules, now), false],
      ['waitlisted again', () => signUp(db, id, people[4]!, rules, now), false],
      ['withdrawal and promotion', () => withdraw(db, id, people[2]!, rules, now), true],
      ['more seats', () => editShift(db, id, { field: 'capacity', value: 2 }, people[5]!, now), true],
      ['fewer seats', () => editShift(db, id, { field: 'capacity', value: 1 }, people[5]!, now), true],
      ['theme', () => editShift(db, id, { field: 'theme', value: 'still reminded' }, people[5]!, now), false],
      ['time', () => editShift(db, id, { field: 'time', start: '10:00', end: '12:00', zone: 'Asia/Shanghai' }, people[5]!, now), true],
    ];
    for (const [name, step, changes] of steps) {
      const before = await reminderEvents(id);
      await step();
      expect({ name, recorded: (await reminderEvents(id)) > before }).toEqual({ name, recorded: changes });
    }
    expect(await shiftReminderFacts(db, id)).toMatchObject({ startsAt: at('2026-12-10T02:00:00Z'), memberIds: [people[3]] });

    const offer = await offerSwap(db, id, people[3]!, people[1]!, rules, now);
    const before = await reminderEvents(id);
    await acceptSwap(db, offer.swapId, people[1]!, rules, now);
    expect(await reminderEvents(id)).toBeGreaterThan(before);
    expect((await shiftReminderFacts(db, id))!.memberIds).toEqual([people[1]]);

    await cancelShift(db, id, 'weather', people[5]!, now);
    expect(await shiftReminderFacts(db, id)).toBeUndefined();
    expect(await shiftReminderFacts(db, 999_999)).toBeUndefined();
    const kinds = (await db.select().from(domainEvents).where(eq(domainEvents.ref, `shift:${id}`))).map((e) => e.kind);
    expect(new Set(kinds)).toEqual(new Set(['shift.created', 'shift.signup', 'shift.waitlisted', 'shift.withdrawn', 'shift.promoted', 'shift.changed',
      'shift.movedToWaitlist', 'shift.swapOffered', 'shift.swapped', 'shift.cancelled', 'reminder.changed']));
  });

  it('writes only outbox templates that exist in the locale files', async () => {
    const templates = await db.selectDistinct({ template: deliveries.template }).from(deliveries);
    expect(templates.length).toBeGreaterThan(3);
    expect(templates.filter((t) => !hasKey(t.template))).toEqual([]);
  });

  it('keeps the seats with the earliest arrivals through any sequence of sign-ups, withdrawals and capacity changes', async () => {
    const crowd = (await db.insert(members).values(Array.from({ length: 8 }, (_, i) => ({ rosterKey: `c${i}`, name: `C${i}` }))).returning()).map((m) => m.id);
    let n = 0;
    const op = fc.oneof(
      fc.record({ kind: fc.constant('signup' as const), who: fc.integer({ min: 0, max: 7 }) }),
      fc.record({ kind: fc.constant('withdraw' as const), who: fc.integer({ min: 0, max: 7 }) }),
      fc.record({ kind: fc.constant('capacity' as const), value: fc.integer({ min: 1, max: 5 }) }),
    );
    await fc.assert(fc.asyncProperty(fc.array(op, { minLength: 1, maxLength: 20 }), async (ops) => {
      const id = await make('2026-12-15', 2, `property ${++n}`);
      let capacity = 2;
      for (const o of ops) {
        if (o.kind === 'capacity') {
          await editShift(db, id, { field: 'capacity', value: o.value }, people[5]!, now);
          capacity = o.value;
        } else {
          await (o.kind === 'signup' ? signUp : withdraw)(db, id, crowd[o.who]!, rules, now).catch((e: { key?: string }) => {
            if (!e.key) throw e;
          });
        }
        const rows = await db.select().from(shiftSignups).where(eq(shiftSignups.shiftId, id)).orderBy(asc(shiftSignups.id));
        expect(rows.map((r) => r.status)).toEqual(rows.map((_, i) => (i < capacity ? 'confirmed' : 'waitlisted')));
        expect(new Set(rows.map((r) => r.memberId)).size).toBe(rows.length);
      }
      await cancelShift(db, id, '', people[5]!, now);
    }), { numRuns: 15 });
    const [left] = await db.select({ n: sql<number>`count(*)::int` }).from(shiftSignups);
    expect(left!.n).toBeGreaterThan(0);
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Harness } from '../support/harness.js';
import { DATABASE_KINDS } from '../support/db.js';
import { createShift, signUp } from '../../src/domain/shifts/index.js';
import { createGroup, createSessions, readingCast } from '../domain/reading/fixtures.js';
import { parseIcs } from '../domain/calendar/ics-parse.js';

const text = Harness.text;

describe.each(DATABASE_KINDS)('/calendar (%s)', (kind) => {
  let h: Harness;
  let cast: Awaited<ReturnType<typeof readingCast>>;
  let vera: { id: number };
  const ids: Record<string, number> = {};
  beforeAll(async () => {
    h = await Harness.start({ kind, at: '2026-12-01T02:00:00Z', settings: { flood: { limit: 1000 } } });
    cast = await readingCast(h);
    vera = await h.addMember({ name: 'Vera', locale: 'en', timeZone: 'America/Vancouver' });
    const groupId = await createGroup(h, cast.staff, `"From the Soil" #${cast.lead.id}`);
    const [yes, maybe, full, no, cancelled] = await createSessions(h, cast.staff, `${groupId} 2026-12-05 19:30 21:00 place="Room 3, east wing" url=https://meet.example/abc cap=1 weeks=5`);
    Object.assign(ids, { yes: yes!.id, maybe: maybe!.id, full: full!.id, no: no!.id, cancelled: cancelled!.id });
    await h.as(vera).send(`/rsvp ${ids.yes} yes`);
    await h.as(vera).send(`/rsvp ${ids.maybe} maybe`);
    await h.as(cast.bob).send(`/rsvp ${ids.full} yes`);
    await h.as(vera).send(`/rsvp ${ids.full} yes`); // waitlisted
    await h.as(vera).send(`/rsvp ${ids.no} no`);
    await h.as(vera).send(`/rsvp ${ids.cancelled} yes`);
    await h.as(cast.staff).send(`/readingcancel ${ids.cancelled}`);
    const rules = { settings: h.deps.settings.shifts, monthZone: 'Asia/Shanghai' };
    const now = h.clock.now();
    const { shift } = await createShift(h.db, { date: '2026-12-03', start: '09:00', end: '11:00', zone: 'Asia/Shanghai', theme: 'Housing', level: 'city', capacity: 2 }, cast.staff.id, now);
    const { shift: taken } = await createShift(h.db, { date: '2026-12-04', start: '09:00', end: '11:00', zone: 'Asia/Shanghai', theme: 'Schools', level: 'city', capacity: 1 }, cast.staff.id, now);
    await signUp(h.db, shift.id, vera.id, rules, now);
    await signUp(h.db, taken.id, cast.bob.id, rules, now);
    await signUp(h.db, taken.id, vera.id, rules, now); // waitlisted: not on the calendar
    ids.shift = shift.id;
  });
  afterAll(() => h.close());

  it('sends an .ics file whose events read back to the member’s shifts and sessions, in UTC', async () => {
    const [reply] = await h.as(vera).send('/calendar');
    expect(reply!.text).toBe('Here are your next 4 events (duty shifts and reading sessions) for your phone or computer calendar. Times are stored in UTC; your calendar shows them in your time zone (America/Vancouver).');
    expect(reply!.file).toMatchObject({ name: 'tongxin.ics', mimeType: 'text/calendar' });
    const { header, events } = parseIcs(reply!.file!.data.toString('utf8'));
    expect(header['X-WR-TIMEZONE']).toBe('America/Vancouver');
    expect(header['X-WR-CALNAME']).toBe('Tongxin schedule');
    const session = (id: number, day: number, status: string, description: string) => ({
      uid: `reading-session-${id}@tongxin`, summary: 'Reading: From the Soil',
      start: new Date(Date.UTC(2026, 11, day, 11, 30)), end: new Date(Date.UTC(2026, 11, day, 13, 0)),
      status, location: 'Room 3, east wing', url: 'https://meet.example/abc', description,
    });
    expect(events).toEqual([
      { uid: `shift-${ids.shift}@tongxin`, summary: 'Online duty: Housing', start: new Date('2026-12-03T01:00:00Z'), end: new Date('2026-12-03T03:00:00Z'), status: 'CONFIRMED', description: 'Your answer: yes' },
      session(ids.yes!, 5, 'CONFIRMED', 'Your answer: yes'),
      session(ids.maybe!, 12, 'TENTATIVE', 'Your answer: maybe'),
      session(ids.full!, 19, 'TENTATIVE', 'You are on the waitlist'),
    ]);
  });

  it('leaves out what has ended, and says so when nothing is left', async () => {
    h.clock.set('2026-12-05T12:00:00Z'); // during the first session
    const { events } = parseIcs((await h.as(vera).send('/calendar'))[0]!.file!.data.toString('utf8'));
    expect(events.map((e) => e.uid)).toEqual([`reading-session-${ids.yes}@tongxin`, `reading-session-${ids.maybe}@tongxin`, `reading-session-${ids.full}@tongxin`]);
    expect(text(await h.as(cast.wang).send('/calendar'))).toBe('您接下来没有值班或读书活动。');
    h.clock.set('2026-12-01T02:00:00Z');
  });

  it('answers only in a private chat', async () => {
    const [reply] = await h.as(vera, { kind: 'group', chatId: 'g1' }).send('/calendar');
    expect(reply!.file).toBeUndefined();
    expect(reply!.text).toBe('/calendar is personal: please use it in a private chat with me.');
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Harness } from '../support/harness.js';
import { DATABASE_KINDS } from '../support/db.js';
import { createGroup, createSessions, eventsFor, outbox, readingCast } from '../domain/reading/fixtures.js';

const text = Harness.text;

describe.each(DATABASE_KINDS)('reading sessions and RSVP (%s)', (kind) => {
  let h: Harness;
  let cast: Awaited<ReturnType<typeof readingCast>>;
  let groupId: number;
  beforeAll(async () => {
    // Tuesday 1 December 2026, 10:00 in Shanghai.
    h = await Harness.start({ kind, at: '2026-12-01T02:00:00Z', settings: { flood: { limit: 1000 } } });
    cast = await readingCast(h);
    groupId = await createGroup(h, cast.staff, `"From the Soil" #${cast.lead.id} Culture`);
  });
  afterAll(() => h.close());

  it('lets staff create a group and tells the lead reader through the outbox', async () => {
    const [notice] = (await outbox(h, 'reading.lead')).filter((d) => d.ref === `readinggroup:${groupId}`);
    expect(notice).toMatchObject({ memberId: cast.lead.id, template: 'reading.notice.lead' });
    expect(text(await h.as(cast.alice).send('/readinggroups'))).toContain(`${groupId}. From the Soil · lead reader: Li Lead · Culture`);
  });

  it('moves through yes, maybe, no and back, and shows each answer in /readings', async () => {
    const [s] = await createSessions(h, cast.staff, `${groupId} 2026-12-05 19:30 21:00 place="Room 3" url=https://meet.example/abc`);
    expect(text(await h.as(cast.alice).send(`/rsvp ${s!.id} yes`))).toBe(`You have a seat: #${s!.id} From the Soil, Sat 5 Dec, 11:30 GMT.`);
    expect(text(await h.as(cast.alice).press(`rd:r:${s!.id}:m`))).toBe(`Noted as maybe for #${s!.id} From the Soil. You can change it until the session starts.`);
    expect(text(await h.as(cast.alice).send(`/rsvp ${s!.id} no`))).toBe(`Noted that you will not come to #${s!.id} From the Soil.`);
    expect(text(await h.as(cast.alice).press(`rd:r:${s!.id}:y`))).toMatch(/^You have a seat/);
    const list = text(await h.as(cast.alice).send('/readings'));
    expect(list).toContain(`#${s!.id} From the Soil\nSat 5 Dec, 11:30 GMT to 13:00\nRoom 3 · https://meet.example/abc · 1 going (no limit) · your answer: yes`);
    // In Chinese, for a member in Shanghai.
    expect(text(await h.as(cast.wang).send(`/rsvp ${s!.id} 参加`))).toBe(`已为您保留名额：#${s!.id} 《From the Soil》，12月5日周六 GMT+8 19:30。`);
    // Only changes of a seat are reminder facts: yes, (maybe: seat left), (no: nothing), yes again, wang's yes.
    expect((await eventsFor(h, `reading:${s!.id}`)).filter((e) => e.kind === 'reminder.changed')).toHaveLength(4);
  });

  it('fills to capacity, waitlists, and promotes the first in line who is told through the outbox', async () => {
    const [s] = await createSessions(h, cast.staff, `${groupId} 2026-12-06 19:30 90m place="Room 3" cap=2`);
    const id = s!.id;
    expect(text(await h.as(cast.alice).send(`/rsvp ${id} yes`))).toMatch(/^You have a seat/);
    expect(text(await h.as(cast.bob).send(`/rsvp ${id} yes`))).toMatch(/^You have a seat/);
    expect(text(await h.as(cast.carol).send(`/rsvp ${id} yes`))).toBe(
      `#${id} From the Soil is full. You are number 1 on the waitlist; you will get a seat and a message as soon as one frees up.`);
    expect(text(await h.as(cast.wang).send(`/rsvp ${id} yes`))).toMatch(/您是第 2 位候补/);
    // Pressing yes again while waiting keeps the place in line.
    expect(text(await h.as(cast.carol).press(`rd:r:${id}:y`))).toMatch(/number 1 on the waitlist/);
    expect(await outbox(h, 'reading.promoted')).toHaveLength(0);

    expect(text(await h.as(cast.bob).send(`/rsvp ${id} no`))).toMatch(/will not come/);
    const promoted = await outbox(h, 'reading.promoted');
    expect(promoted).toHaveLength(1);
    expect(promoted[0]).toMatchObject({ memberId: cast.carol.id, template: 'reading.notice.promoted' });
    expect(promoted[0]!.params).toMatchObject({ title: 'From the Soil', sessionId: id, startsAt: { $dt: '2026-12-06T11:30:00.000Z' } });
    expect(text(await h.as(cast.carol).send('/myreadings'))).toContain(`#${id} From the Soil\nSun 6 Dec, 19:30 GMT+8 to 21:00\nRoom 3 · 2/2 seats taken · your answer: yes`);
    expect(text(await h.as(cast.wang).send(`/rsvp ${id} 参加`))).toMatch(/您是第 1 位候补/);

    // Bob wants back in: the session is full again, so he waits behind Wang.
    expect(text(await h.as(cast.bob).send(`/rsvp ${id} yes`))).toMatch(/number 2 on the waitlist/);
    // Staff raise the capacity: both waiting members get seats, in order.
    expect(text(await h.as(cast.staff).send(`/readingcap ${id} 4`))).toBe(`Capacity of #${id} set to 4; 2 promoted from the waitlist.`);
    expect((await outbox(h, 'reading.promoted')).map((d) => d.memberId)).toEqual([cast.carol.id, cast.wang.id, cast.bob.id]);
    const show = text(await h.as(cast.lead).send(`/readingshow ${id}`));
    expect(show).toMatch(/Capacity: 4 · check-in code: \d{6}\n/);
    expect(show).toContain('Yes: Alice, Carol, Wang'.replace('Wang', '王明'));
  });

  it('closes answers when the session starts, and refuses sessions of other committees as not found', async () => {
    const [s] = await createSessions(h, cast.staff, `${groupId} 2026-12-02 09:00 10:00 place=Library`);
    const other = await createGroup(h, cast.staff, `"Budget Law" #${cast.staff.id} Finance`);
    const [hidden] = await createSessions(h, cast.staff, `${other} 2026-12-03 09:00 10:00 place=Hall`);
    expect(text(await h.as(cast.alice).send(`/rsvp ${hidden!.id} yes`))).toBe(`There is no reading session #${hidden!.id}.`);
    expect(text(await h.as(cast.alice).send('/readings'))).not.toContain('Budget Law');
    h.clock.set('2026-12-02T01:00:00Z');
    expect(text(await h.as(cast.alice).send(`/rsvp ${s!.id} yes`))).toBe(`Reading session #${s!.id} started at Wed 2 Dec, 01:00 GMT; answers can no longer change.`);
    h.clock.set('2026-12-01T02:00:00Z');
  });

  it('lists upcoming sessions a page at a time with answer and paging buttons', async () => {
    const many = await createSessions(h, cast.staff, `${groupId} 2026-12-10 19:30 21:00 url=https://meet.example/w weeks=4`);
    expect(many).toHaveLength(4);
    const page1 = await h.as(cast.bob).send('/readings');
    expect(text(page1)).toMatch(/^Upcoming reading sessions \(page 1 of 2\):/);
    const buttons = page1[0]!.buttons!;
    expect(buttons.at(-1)!.map((b) => b.data)).toEqual(['rd:p:2']);
    expect(buttons[0]!.map((b) => b.label)).toEqual([expect.stringMatching(/^#\d+ Yes$/), expect.stringMatching(/^#\d+ Maybe$/), expect.stringMatching(/^#\d+ No$/)]);
    const page2 = await h.as(cast.bob).press('rd:p:2');
    expect(text(page2)).toMatch(/^Upcoming reading sessions \(page 2 of 2\):/);
    expect(page2[0]!.buttons!.at(-1)!.map((b) => b.data)).toEqual(['rd:p:1']);
    // Weekly sessions keep their Shanghai wall-clock time.
    expect(text(page2)).toContain('Thu 31 Dec, 19:30 GMT+8 to 21:00');
  });

  it('answers bad input with a clear message and changes nothing', async () => {
    const before = (await outbox(h, 'reading.lead')).length;
    const cases: [string, string][] = [
      [`/rsvp 1 perhaps`, 'The answer is yes, maybe or no.\nUsage: /rsvp SESSION yes|maybe|no'],
      [`/rsvp abc yes`, 'An id is a number, for example 12.\nUsage: /rsvp SESSION yes|maybe|no'],
      [`/rsvp 999 yes`, 'There is no reading session #999.'],
      [`/readings x`, 'A page is a whole number, for example 2.\nUsage: /readings [PAGE]'],
    ];
    for (const [input, expected] of cases) expect(text(await h.as(cast.alice).send(input))).toBe(expected);
    const staffCases: [string, RegExp][] = [
      [`/readingsession ${groupId} 2026-12-20 19:30 18:00 place=X`, /^The end must come after the start\.$/],
      [`/readingsession ${groupId} 2026-11-20 19:30 21:00 place=X`, /^The start, .* is in the past\.$/],
      [`/readingsession ${groupId} 2026-12-20 19:30 21:00`, /^Give an online link/],
      [`/readingsession ${groupId} 2026-12-20 19:30 21:00 url=ftp://x`, /^"ftp:\/\/x" is not a valid http\(s\) link\.$/],
      [`/readingsession ${groupId} 2026-12-20 19:30 21:00 place=X cap=0`, /^Capacity is a whole number from 1 to 10000/],
      [`/readingsession ${groupId} 2026-12-20 19:30 21:00 place=X weeks=99`, /^Weeks is a whole number from 1 to 12/],
      [`/readingsession ${groupId} 2026-12-20 19:30 21:00 place=X colour=red`, /^Unknown option "colour"/],
      [`/readingsession ${groupId} 2026-13-20 19:30 21:00 place=X`, /^A date is written year-month-day.*\nUsage: \/readingsession GROUP/],
      [`/readingsession ${groupId} 2026-12-20 19:30 later place=X`, /^The end is a time \(21:00\) or a length/],
      [`/readingsession 999 2026-12-20 19:30 21:00 place=X`, /^There is no reading group 999\.$/],
      [`/readinggroup "T" #${cast.lead.id} Culture slack:abc`, /^"slack:abc" is not a group chat/],
      [`/readinggroup "T" Nobody`, /^No member called "Nobody"\.$/],
      [`/readingcap 1 lots`, /^Capacity is a whole number, or none for no limit\./],
    ];
    const countSessions = async () => (text(await h.as(cast.staff).send('/readings')).match(/^#\d+/gm) ?? []).length;
    const sessionsBefore = await countSessions();
    for (const [input, expected] of staffCases) expect(text(await h.as(cast.staff).send(input))).toMatch(expected);
    expect(await countSessions()).toBe(sessionsBefore);
    expect((await outbox(h, 'reading.lead')).length).toBe(before);
    expect(text(await h.as(cast.alice).send(`/readingsession ${groupId} 2026-12-20 19:30 21:00 place=X`))).toBe('Sorry, you are not allowed to use this.');
  });
});

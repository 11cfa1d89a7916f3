import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Harness } from '../support/harness.js';
import { DATABASE_KINDS } from '../support/db.js';
import { readingComments } from '../../src/store/schema/index.js';
import { createGroup, readingCast } from '../domain/reading/fixtures.js';

const text = Harness.text;

describe.each(DATABASE_KINDS)('daily guides and comments (%s)', (kind) => {
  let h: Harness;
  let cast: Awaited<ReturnType<typeof readingCast>>;
  let vera: { id: number };
  let groupId: number;
  beforeAll(async () => {
    h = await Harness.start({ kind, at: '2026-12-01T02:00:00Z', settings: { flood: { limit: 1000 } } });
    cast = await readingCast(h);
    vera = await h.addMember({ name: 'Vera', locale: 'en', timeZone: 'America/Vancouver', committee: 'Culture' });
    groupId = await createGroup(h, cast.staff, `"From the Soil" #${cast.lead.id} telegram:-100200300`);
  });
  afterAll(() => h.close());

  const comments = () => h.db.select().from(readingComments);

  it('lets the lead reader schedule guides and rewrite them until they publish', async () => {
    expect(text(await h.as(cast.lead).send(`/writeguide ${groupId} 2026-12-05 Chapter one: the soil and its people.`))).toBe(
      'Saved the Sat, 5 Dec 2026 guide of From the Soil; it publishes at Sat 5 Dec, 08:00 GMT+8.');
    expect(text(await h.as(cast.lead).send(`/writeguide ${groupId} 2026-12-06 07:30 Chapter two: draft`))).toMatch(/^Saved the Sun, 6 Dec 2026 guide/);
    expect(text(await h.as(cast.staff).send(`/writeguide ${groupId} 2026-12-06 07:30 Chapter two: kinship.\nRead pages 20–41.`))).toBe(
      'Updated the Sun, 6 Dec 2026 guide of From the Soil; it publishes at Sun 6 Dec, 07:30 GMT+8.');
    const list = text(await h.as(cast.lead).send(`/guides ${groupId}`));
    expect(list).toContain('Sun, 6 Dec 2026 · publishes Sun 6 Dec, 07:30 GMT+8 · Chapter two: kinship. Read pages 20–41.');
  });

  it('refuses guides from others, in the past, empty or too long, and changes nothing', async () => {
    const before = text(await h.as(cast.lead).send(`/guides ${groupId}`));
    const cases: [{ id: number }, string, string | RegExp][] = [
      [cast.alice, `/writeguide ${groupId} 2026-12-07 Mine`, `Only staff and the lead reader of reading group ${groupId} may do this.`],
      [cast.lead, `/writeguide ${groupId} 2026-11-30 Late`, 'The publish time, Mon 30 Nov, 08:00 GMT+8, has passed; please give a later time.'],
      [cast.lead, `/writeguide ${groupId} 2026-12-07`, 'The guide cannot be empty.'],
      [cast.lead, `/writeguide ${groupId} 2026-12-07 ${'x'.repeat(2001)}`, 'The guide is too long: 2001 characters, at most 2000.'],
      [cast.lead, `/writeguide ${groupId} 2026-12-32 Text`, /^A date is written year-month-day/],
      [cast.lead, `/writeguide ${groupId} 2026-12-07 25:00 Text`, /^A time is written hours:minutes/],
      [cast.lead, `/writeguide 999 2026-12-07 Text`, 'There is no reading group 999.'],
    ];
    for (const [who, input, expected] of cases) {
      const reply = text(await h.as(who).send(input));
      if (typeof expected === 'string') expect(reply).toBe(expected);
      else expect(reply).toMatch(expected);
    }
    expect(text(await h.as(cast.lead).send(`/guides ${groupId}`))).toBe(before);
  });

  it('puts a comment written at 23:30 in Vancouver on that local day’s guide', async () => {
    // 07:30 UTC on 6 December: 23:30 on the 5th in Vancouver, 15:30 on the 6th in Shanghai.
    h.clock.set('2026-12-06T07:30:00Z');
    expect(text(await h.as(vera).send('/comment The village is the unit of society.'))).toBe(
      'Thank you! Your comment on the Sat, 5 Dec 2026 guide of From the Soil is saved.');
    expect(text(await h.as(cast.bob).send(`/comment ${groupId} Kinship shapes everything.`))).toBe(
      'Thank you! Your comment on the Sun, 6 Dec 2026 guide of From the Soil is saved.');
    const fifth = text(await h.as(cast.lead).send(`/comments ${groupId} 2026-12-05`));
    expect(fifth).toMatch(/^Comments on the Sat, 5 Dec 2026 guide of From the Soil \(1\):\n#\d+ Vera: The village is the unit of society\.$/);
    const sixth = text(await h.as(cast.lead).send(`/comments ${groupId}`));
    expect(sixth).toMatch(/\n#\d+ Bob: Kinship shapes everything\.$/);
  });

  it('refuses over-long and empty comments and edits of a published guide, changing nothing', async () => {
    const before = await comments();
    expect(text(await h.as(cast.carol).send(`/comment ${'y'.repeat(501)}`))).toBe('The comment is too long: 501 characters, at most 500.');
    expect(text(await h.as(cast.carol).send('/comment')).startsWith('The comment cannot be empty.\nUsage: /comment [GROUP] TEXT')).toBe(true);
    expect(text(await h.as(cast.lead).send(`/writeguide ${groupId} 2026-12-06 23:00 New text`))).toBe(
      'The guide for Sun, 6 Dec 2026 is published and can no longer be changed.');
    expect(await comments()).toEqual(before);
  });

  it('takes a comment through the button dialogue, replacing the earlier one, and closes it when the day is over', async () => {
    const shown = await h.as(vera).send('/guide');
    expect(text(shown)).toMatch(/^📖 From the Soil · guide for Sat, 5 Dec 2026\n\nChapter one: the soil and its people\./);
    const button = shown[0]!.buttons![0]![0]!;
    expect(button.label).toBe('✍ Comment');
    expect(text(await h.as(vera).press(button.data!))).toBe('Send your comment (at most 500 characters). Send /cancel to stop.');
    expect(text(await h.as(vera).send('On reflection: the family is the unit.'))).toBe(
      'Your comment on the Sat, 5 Dec 2026 guide of From the Soil is updated.');
    expect((await comments()).filter((c) => c.memberId === vera.id).map((c) => c.body)).toEqual(['On reflection: the family is the unit.']);

    await h.as(vera).press(button.data!);
    h.clock.set('2026-12-06T08:30:00Z'); // 00:30 on the 6th in Vancouver
    expect(text(await h.as(vera).send('Too late?'))).toBe(
      'The day of the Sat, 5 Dec 2026 guide is over; comments are closed. Send /guide for today\'s guide.');
    expect(text(await h.as(vera).send('Still there?'))).toBe('Please send a command; /help lists what you can do.');
    h.clock.set('2026-12-06T07:30:00Z');
  });

  it('lets the lead reader and staff feature comments, but not other members', async () => {
    const [bobs] = (await comments()).filter((c) => c.memberId === cast.bob.id);
    expect(text(await h.as(cast.alice).send(`/feature ${bobs!.id}`))).toBe(`Only staff and the lead reader of reading group ${groupId} may do this.`);
    expect(text(await h.as(cast.lead).send(`/feature ${bobs!.id}`))).toBe(`Comment #${bobs!.id} is now featured.`);
    const listed = await h.as(cast.staff).send(`/comments ${groupId}`);
    expect(text(listed)).toContain(`#${bobs!.id} ★ Bob: Kinship shapes everything.`);
    expect(listed[0]!.buttons).toEqual([[{ label: `☆ Unfeature #${bobs!.id}`, data: `rd:f:${bobs!.id}:0` }]]);
    expect(text(await h.as(cast.staff).press(`rd:f:${bobs!.id}:0`))).toBe(`Comment #${bobs!.id} is no longer featured.`);
    expect(text(await h.as(cast.staff).send('/feature 99999'))).toBe('There is no comment #99999.');
  });
});

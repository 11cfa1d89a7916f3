import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Harness } from '../../support/harness.js';
import { DATABASE_KINDS } from '../../support/db.js';
import { t } from '../../../src/core/i18n.js';
import {
  guidesDue, memberSessionsBetween, sessionsOfMembersBetween, queueGuideDelivery, readingActivityOf, readingGroupsWithActivity, readingReminderFacts,
  renderGuideDelivery, weeklyReadingSummary, weeklySummaryDelivery,
} from '../../../src/domain/reading/index.js';
import { createGroup, createSessions, eventsFor, outbox, readingCast } from './fixtures.js';

const text = Harness.text;

/** The functions other engineers build on, fed through the commands members and staff use. */
describe.each(DATABASE_KINDS)('reading contracts (%s)', (kind) => {
  let h: Harness;
  let cast: Awaited<ReturnType<typeof readingCast>>;
  let groupId: number;
  let quiet: number;
  let s1: { id: number; code: string };
  let s2: { id: number; code: string };
  beforeAll(async () => {
    h = await Harness.start({ kind, at: '2026-12-01T02:00:00Z', settings: { flood: { limit: 1000 } } });
    cast = await readingCast(h);
    groupId = await createGroup(h, cast.staff, `"From the Soil" #${cast.lead.id} telegram:-100200300`);
    quiet = await createGroup(h, cast.staff, `"Quiet Group" #${cast.lead.id}`);
    // Week of Monday 7 December (Shanghai): two sessions, 19:30–21:00 local.
    [s1, s2] = (await createSessions(h, cast.staff, `${groupId} 2026-12-08 19:30 21:00 place=Hall cap=2 weeks=2`)) as [typeof s1, typeof s2];
    for (const m of [cast.alice, cast.bob, cast.carol]) await h.as(m).send(`/rsvp ${s1.id} yes`);
    await h.as(cast.wang).send(`/rsvp ${s1.id} maybe`);
    await h.as(cast.alice).send(`/rsvp ${s2.id} maybe`);
    await h.as(cast.lead).send(`/writeguide ${groupId} 2026-12-07 Guide seven`);
    await h.as(cast.lead).send(`/writeguide ${groupId} 2026-12-08 Guide eight`);
    await h.as(cast.lead).send(`/writeguide ${quiet} 2026-12-20 Later guide`);
  });
  afterAll(() => h.close());

  it('gives reminder facts for members with a seat, and records reminder.changed on moves and cancellations', async () => {
    const facts = await readingReminderFacts(h.db, s1.id);
    expect(facts).toEqual({
      startsAt: new Date('2026-12-08T11:30:00Z'), memberIds: [cast.alice.id, cast.bob.id].sort((a, b) => a - b),
      template: 'reading.reminder', params: { title: 'From the Soil', sessionId: s1.id, startsAt: { $dt: '2026-12-08T11:30:00.000Z' }, where: 'Hall' },
    });
    expect(t('en', facts!.template, facts!.params, 'Europe/London')).toBe(
      `Reminder: reading session #${s1.id}, From the Soil, starts at Tue 8 Dec, 11:30 GMT.\nHall\nCheck in with /checkin CODE when you are there.`);
    const before = (await eventsFor(h, `reading:${s2.id}`)).length;
    expect(text(await h.as(cast.staff).send(`/readingmove ${s2.id} 2026-12-16 20:00 1h`))).toBe(
      `#${s2.id} From the Soil moved to Wed 16 Dec, 20:00 GMT+8 to 21:00; everyone who answered has been told.`);
    expect((await readingReminderFacts(h.db, s2.id))!.startsAt).toEqual(new Date('2026-12-16T12:00:00Z'));
    const [moved] = await outbox(h, 'reading.moved');
    expect(moved).toMatchObject({ memberId: cast.alice.id, template: 'reading.notice.moved', ref: `reading:${s2.id}:v2` });
    expect(text(await h.as(cast.staff).send(`/readingcancel ${s2.id}`))).toMatch(new RegExp(`^Cancelled #${s2.id} From the Soil`));
    expect(await readingReminderFacts(h.db, s2.id)).toBeUndefined();
    expect((await outbox(h, 'reading.cancelled')).map((d) => d.memberId)).toEqual([cast.alice.id]);
    const events = (await eventsFor(h, `reading:${s2.id}`)).slice(before);
    expect(events.map((e) => e.kind)).toEqual(['reminder.changed', 'reminder.changed']);
    expect(text(await h.as(cast.alice).send(`/rsvp ${s2.id} yes`))).toBe(`Reading session #${s2.id} was cancelled.`);
    expect(await readingReminderFacts(h.db, 999_999)).toBeUndefined();
  });

  it('lists guides due in a window and renders them for the group chat', async () => {
    const due = await guidesDue(h.db, new Date('2026-12-06T00:00:00Z'), new Date('2026-12-08T00:00:00Z'));
    // The window is half-open: the guide publishing at 08:00 on the 8th (00:00 UTC) is not in it.
    expect(due).toEqual([{ guideId: expect.any(Number), groupId, publishAt: new Date('2026-12-07T00:00:00Z'), chatKey: 'telegram:-100200300' }]);
    const request = await renderGuideDelivery(h.db, due[0]!.guideId);
    expect(request).toMatchObject({
      kind: 'reading.guide', to: { chatKey: 'telegram:-100200300' }, template: 'reading.guide.post', notBefore: new Date('2026-12-07T00:00:00Z'),
      params: { title: 'From the Soil', day: { $d: '2026-12-07' }, body: 'Guide seven', groupId, lead: 'Li Lead' },
    });
    expect(t('zh-Hant', request!.template, request!.params)).toBe(
      `📖 《From the Soil》 · 2026年12月7日週一 導讀（導讀委員：Li Lead）\n\nGuide seven\n\n歡迎私訊我傳送 /comment ${groupId} 點評內容。`);
    expect(await queueGuideDelivery(h.db, due[0]!.guideId)).toBe(true);
    expect(await queueGuideDelivery(h.db, due[0]!.guideId)).toBe(false);
    const [quietGuide] = await guidesDue(h.db, new Date('2026-12-19T00:00:00Z'), new Date('2026-12-21T00:00:00Z'));
    expect(quietGuide).toMatchObject({ groupId: quiet, chatKey: null });
    expect(await renderGuideDelivery(h.db, quietGuide!.guideId)).toBeUndefined();
  });

  it('composes the weekly summary: guides, comments and commenters, featured comments, attendance', async () => {
    h.clock.set('2026-12-08T04:00:00Z'); // 12:00 on the 8th in Shanghai
    await h.as(cast.alice).send(`/comment ${groupId} A`);
    await h.as(cast.bob).send(`/comment ${groupId} B`);
    await h.as(cast.bob).send(`/comment ${groupId} B, rewritten`);
    const listed = text(await h.as(cast.lead).send(`/comments ${groupId}`));
    const bobs = /#(\d+) Bob/.exec(listed)![1];
    await h.as(cast.lead).send(`/feature ${bobs}`);
    h.clock.set('2026-12-08T11:10:00Z');
    await h.as(cast.alice).send(`/checkin ${s1.code}`);
    await h.as(cast.carol).press(`rd:c:${s1.id}`);

    const weekStart = new Date('2026-12-06T16:00:00Z'); // Monday 7 December, 00:00 in Shanghai
    const weekEnd = new Date('2026-12-13T16:00:00Z');
    const summary = await weeklyReadingSummary(h.db, groupId, weekStart, weekEnd);
    expect(summary).toMatchObject({
      groupId, title: 'From the Soil', leadMemberId: cast.lead.id, leadName: 'Li Lead', chatKey: 'telegram:-100200300',
      guides: [{ day: '2026-12-07', comments: 0 }, { day: '2026-12-08', comments: 2 }],
      comments: 2, commenters: 2, featured: [{ memberId: cast.bob.id, memberName: 'Bob', body: 'B, rewritten', day: '2026-12-08' }],
      sessions: [{ sessionId: s1.id, confirmed: 2, attended: 2 }], attendance: 2, attendees: 2,
    });
    expect(await weeklyReadingSummary(h.db, 999_999, weekStart, weekEnd)).toBeUndefined();
    const digest = weeklySummaryDelivery(summary!, { chatKey: summary!.chatKey! }, 'Asia/Shanghai');
    expect(digest.ref).toBe(`readinggroup:${groupId}:week:2026-12-07`);
    expect(t('en', digest.template, digest.params)).toBe(
      '📚 From the Soil: the week Mon, 7 Dec 2026 to Sun, 13 Dec 2026\nGuides: 2 · comments: 2 from 2 members\nSessions: 1 · check-ins: 2\nFeatured comments:\n· Bob — B, rewritten');
    expect(await readingGroupsWithActivity(h.db, weekStart, weekEnd)).toEqual([groupId]);
    expect(await readingGroupsWithActivity(h.db, new Date('2026-12-19T00:00:00Z'), new Date('2026-12-21T00:00:00Z'))).toEqual([quiet]);
  });

  it('gives a member’s sessions and reading activity for the calendar and the performance record', async () => {
    const from = new Date('2026-12-01T00:00:00Z');
    const to = new Date('2027-01-01T00:00:00Z');
    expect(await memberSessionsBetween(h.db, cast.carol.id, from, to)).toEqual([
      { sessionId: s1.id, startsAt: new Date('2026-12-08T11:30:00Z'), endsAt: new Date('2026-12-08T13:00:00Z'), title: 'From the Soil', rsvp: 'waitlist', place: 'Hall', onlineUrl: null },
    ]);
    // Alice's second session was cancelled: it is no longer on her schedule.
    expect((await memberSessionsBetween(h.db, cast.alice.id, from, to)).map((s) => [s.sessionId, s.rsvp])).toEqual([[s1.id, 'yes']]);
    expect((await sessionsOfMembersBetween(h.db, [cast.alice.id, cast.carol.id], from, to)).map((s) => [s.memberId, s.sessionId, s.rsvp]).sort())
      .toEqual([[cast.alice.id, s1.id, 'yes'], [cast.carol.id, s1.id, 'waitlist']].sort());
    expect(await readingActivityOf(h.db, cast.alice.id, from, to)).toEqual({ attended: 1, comments: 1 });
    expect(await readingActivityOf(h.db, cast.carol.id, from, to)).toEqual({ attended: 1, comments: 0 });
    expect(await readingActivityOf(h.db, cast.alice.id, to, new Date('2027-02-01T00:00:00Z'))).toEqual({ attended: 0, comments: 0 });
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { Harness } from '../support/harness.js';
import { DATABASE_KINDS } from '../support/db.js';
import { readingAttendance } from '../../src/store/schema/index.js';
import { createGroup, createSessions, readingCast } from '../domain/reading/fixtures.js';

const text = Harness.text;

describe.each(DATABASE_KINDS)('reading check-in (%s)', (kind) => {
  let h: Harness;
  let cast: Awaited<ReturnType<typeof readingCast>>;
  let session: { id: number; code: string };
  const wrong = () => (session.code === '000000' ? '111111' : '000000');
  beforeAll(async () => {
    h = await Harness.start({ kind, at: '2026-12-01T02:00:00Z', settings: { flood: { limit: 1000 } } });
    cast = await readingCast(h);
    const groupId = await createGroup(h, cast.staff, `"Check-in" #${cast.lead.id}`);
    // 19:30–21:00 in Shanghai = 11:30–13:00 UTC; check-in opens 30 minutes early.
    [session] = (await createSessions(h, cast.staff, `${groupId} 2026-12-01 19:30 21:00 place=Hall`)) as [{ id: number; code: string }];
    await h.as(cast.bob).send(`/rsvp ${session.id} yes`);
  });
  afterAll(() => h.close());

  const attendance = async () => h.db.select().from(readingAttendance).where(eq(readingAttendance.sessionId, session.id));

  it('refuses check-in before the window opens, by button and by code', async () => {
    h.clock.set('2026-12-01T10:59:00Z');
    expect(text(await h.as(cast.bob).press(`rd:c:${session.id}`))).toBe(
      `Check-in for #${session.id} is open from Tue 1 Dec, 19:00 GMT+8 to Tue 1 Dec, 21:00 GMT+8; not now.`);
    expect(text(await h.as(cast.bob).send(`/checkin ${session.code}`))).toBe('No reading session is open for check-in now.');
    expect(text(await h.as(cast.bob).send('/myreadings'))).not.toContain('Check in');
    expect(await attendance()).toEqual([]);
  });

  it('refuses a wrong code, then accepts the right one once only', async () => {
    h.clock.set('2026-12-01T11:05:00Z');
    expect(text(await h.as(cast.bob).send(`/checkin ${wrong()}`))).toBe('That check-in code is not right; please check the code announced at the session.');
    expect(await attendance()).toEqual([]);
    const mine = await h.as(cast.bob).send('/myreadings');
    expect(mine[0]!.buttons).toEqual([[{ label: `Check in to #${session.id}`, data: `rd:c:${session.id}` }]]);
    expect(text(await h.as(cast.bob).send(`/checkin ${session.code}`))).toBe(`Checked in to #${session.id} Check-in. Thank you for coming!`);
    expect(text(await h.as(cast.bob).send(`/checkin ${session.code}`))).toBe(`You have already checked in to #${session.id} Check-in.`);
    expect(text(await h.as(cast.bob).press(`rd:c:${session.id}`))).toBe(`You have already checked in to #${session.id} Check-in.`);
    expect(await attendance()).toEqual([expect.objectContaining({ memberId: cast.bob.id, method: 'code' })]);
    expect((await h.as(cast.bob).send('/myreadings'))[0]!.buttons).toBeUndefined();
  });

  it('offers the check-in button only to a member who answered yes; anyone else needs the code, and a forged press checks in nobody', async () => {
    const carol = h.as(cast.carol);
    await carol.send(`/rsvp ${session.id} maybe`);
    const asked = await carol.send('/checkin');
    expect(text(asked)).toBe('Please send /checkin CODE with the code announced at the session.');
    expect(asked[0]!.buttons).toBeUndefined();
    expect((await carol.send('/myreadings'))[0]!.buttons).toBeUndefined();
    // The button data anyone could forge from another member's message.
    expect(text(await carol.press(`rd:c:${session.id}`))).toBe(
      `Check-in by button is for members who answered yes to session #${session.id}. Please send /checkin CODE with the code announced at the session.`);
    expect((await attendance()).map((a) => a.memberId)).not.toContain(cast.carol.id);

    await carol.send(`/rsvp ${session.id} yes`);
    const reply = await carol.send('/checkin');
    expect(text(reply)).toBe('Choose the session to check in to, or send /checkin CODE:');
    expect(reply[0]!.buttons).toEqual([[{ label: `Check in: #${session.id} Check-in`, data: `rd:c:${session.id}` }]]);
    expect(text(await carol.press(reply[0]!.buttons![0]![0]!.data!))).toMatch(/^Checked in/);
    expect(await attendance()).toContainEqual(expect.objectContaining({ memberId: cast.carol.id, method: 'button' }));
  });

  it('stops checking codes after five wrong ones', async () => {
    for (let i = 0; i < 5; i++) expect(text(await h.as(cast.alice).send(`/checkin ${wrong()}`))).toMatch(/^That check-in code is not right/);
    expect(text(await h.as(cast.alice).send(`/checkin ${session.code}`))).toBe('Too many wrong codes. Please try again in 15 minutes.');
    expect((await attendance()).map((a) => a.memberId)).not.toContain(cast.alice.id);
  });

  it('gives 20 wrong codes sent at once exactly the five tries of the limit', async () => {
    const dave = await h.addMember({ name: 'Dave', locale: 'en', committee: 'Culture' });
    const replies = await Promise.all(Array.from({ length: 20 }, () => h.as(dave).send(`/checkin ${wrong()}`)));
    const said = replies.map((r) => text(r));
    expect(said.filter((s) => s.startsWith('That check-in code is not right'))).toHaveLength(5);
    expect(said.filter((s) => s === 'Too many wrong codes. Please try again in 15 minutes.')).toHaveLength(15);
  });

  it('refuses check-in after the session ended and badly formed codes', async () => {
    h.clock.set('2026-12-01T13:00:01Z');
    expect(text(await h.as(cast.wang).press(`rd:c:${session.id}`))).toBe(
      `#${session.id} 的签到时间是 12月1日周二 GMT+8 19:00 至 12月1日周二 GMT+8 21:00，现在不能签到。`);
    expect(text(await h.as(cast.wang).send(`/checkin ${session.code}`))).toBe('现在没有可以签到的读书活动。');
    expect(text(await h.as(cast.wang).send('/checkin 12ab'))).toBe('签到码是 6 位数字。\n用法：/checkin [签到码]');
    expect(text(await h.as(cast.wang).press('rd:c:99999'))).toBe('找不到读书活动 #99999。');
    expect((await attendance()).map((a) => a.memberId)).not.toContain(cast.wang.id);
  });
});

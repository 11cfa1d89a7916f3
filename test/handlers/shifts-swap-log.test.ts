import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { Harness } from '../support/harness.js';
import { DATABASE_KINDS } from '../support/db.js';
import { dutyLogs, shiftSwaps } from '../../src/store/schema/index.js';
import { eventsOf, inbox, inboxButtons, seatsOf, shiftState } from '../domain/shifts/support.js';

const text = Harness.text;

describe.each(DATABASE_KINDS)('swaps and duty logs on %s', (kind) => {
  let h: Harness;
  let staff: { id: number };
  beforeEach(async () => {
    h = await Harness.start({ kind, at: '2026-12-01T02:00:00Z' });
    staff = await h.addMember({ name: '赵敏', role: 'staff' });
  });
  afterEach(() => h.close());

  it('hands a seat to a named member who accepts with a button; both are told and the roster changes at once', async () => {
    await h.as(staff).send('/newshift 2026-12-10 09:00 12:00 市 2 教育民生');
    const [wang, alice, li] = [
      await h.addMember({ name: '王明' }), await h.addMember({ name: 'Alice Smith', locale: 'en', timeZone: 'Europe/London' }), await h.addMember({ name: '李华' }),
    ];
    await h.as(wang).send('/signup 1');
    await h.as(li).send('/signup 1');
    expect(text(await h.as(wang).send('/swap 1 Alice'))).toBe('已将值班 #1 的换班请求发给 Alice Smith，对方接受后会通知您。在此之前您仍在班上。');
    expect(await inbox(h, alice.id)).toEqual([
      '王明 offers you shift #1:\nWhen: Thu 10 Dec, 01:00 GMT to Thu 10 Dec, 04:00 GMT\nTheme: 教育民生 (city linkage)\nPlace or link: not given\nPress the button below to take it.',
    ]);
    const [accept] = await inboxButtons(h, alice.id);
    // Only the named member may take it.
    expect(text(await h.as(li).press(accept!))).toBe('这个换班请求已失效（已被接受、撤回或班次有变）。');

    expect(text(await h.as(alice).press(accept!))).toBe('Done: you have taken over shift #1 from 王明, Thu 10 Dec, 01:00 GMT–04:00, 教育民生.');
    expect(await seatsOf(h, 1)).toEqual({ confirmed: [alice.id, li.id], waitlisted: [] });
    expect(await inbox(h, wang.id)).toEqual(['换班完成：Alice Smith 已接替您的值班 #1（12月10日周四 GMT+8 09:00，教育民生），您已不在此班。']);
    expect(await inbox(h, alice.id, 'shifts.notify.swapTaken')).toHaveLength(1);
    expect(await eventsOf(h, 1)).toEqual(expect.arrayContaining([`shift.swapped@${wang.id}`, `shift.swapped@${alice.id}`, 'reminder.changed']));
    // The offer is used up, and it was withdrawn from the outbox.
    expect(text(await h.as(alice).press(accept!))).toBe('This swap offer is no longer open (taken, withdrawn, or the shift changed).');
    expect(await inbox(h, alice.id, 'shifts.notify.swapOffer')).toEqual([]);
    expect(text(await h.as(wang).send('/swap 1'))).toBe('您没有报名值班 #1。');
  });

  it('offers a seat to every eligible member; the first to accept gets it', async () => {
    await h.as(staff).send('/newshift 2026-12-10 09:00 12:00 市 1 教育民生');
    await h.as(staff).send('/newshift 2026-12-10 10:00 11:00 市 1 医疗卫生');
    const [a, b, c, d] = [await h.addMember({ name: '甲' }), await h.addMember({ name: '乙' }), await h.addMember({ name: '丙' }), await h.addMember({ name: '丁' })];
    await h.as(a).send('/signup 1');
    await h.as(b).send('/signup 1'); // waitlisted: on the shift already
    await h.as(c).send('/signup 2'); // busy at that time
    expect(text(await h.as(a).send('/swap 1'))).toBe('已将值班 #1 的换班请求发给 1 位有空的委员，有人接受后会通知您。在此之前您仍在班上。');
    expect(await inbox(h, d.id, 'shifts.notify.swapOffer')).toHaveLength(1);
    expect(await inbox(h, c.id, 'shifts.notify.swapOffer')).toEqual([]);
    expect(await inbox(h, staff.id, 'shifts.notify.swapOffer')).toEqual([]);
    const [accept] = await inboxButtons(h, d.id);
    // Staff and admins are not among the eligible members: the button does nothing for them.
    const admin = await h.addMember({ name: '孙立', role: 'admin' });
    for (const officer of [admin, staff]) expect(text(await h.as(officer).press(accept!))).toBe('这个换班请求已失效（已被接受、撤回或班次有变）。');
    expect(await seatsOf(h, 1)).toEqual({ confirmed: [a.id], waitlisted: [b.id] });
    expect(text(await h.as(c).press(accept!))).toBe('不能报名值班 #1：与您的值班 #2（12月10日周四 GMT+8 10:00）时间重叠。');
    expect(text(await h.as(d).press(accept!))).toMatch(/^换班成功：您已接替 甲 的值班 #1/);
    expect(await seatsOf(h, 1)).toEqual({ confirmed: [d.id], waitlisted: [b.id] });
    // A waitlisted member cannot offer a seat they do not hold.
    expect(text(await h.as(b).send('/swap 1'))).toBe('只有已确认的班次才能换给他人；您在值班 #1 的候补名单中。');
    expect(text(await h.as(d).send('/swap 1 丁'))).toBe('不能把班次换给自己。');
    expect(text(await h.as(d).send('/swap 1 丙'))).toBe('丙 在值班 #1 的时间已有其他值班。');
  });

  it('withdraws an open offer when the seat is given up, and a withdrawal cancels the offer rows', async () => {
    await h.as(staff).send('/newshift 2026-12-10 09:00 12:00 市 1 教育民生');
    const [a, b] = [await h.addMember({ name: '甲' }), await h.addMember({ name: '乙' })];
    await h.as(a).send('/signup 1');
    await h.as(a).send('/swap 1 乙');
    const [accept] = await inboxButtons(h, b.id);
    expect(await inbox(h, b.id, 'shifts.notify.swapOffer')).toHaveLength(1);
    await h.as(a).send('/withdraw 1');
    expect(await h.db.select().from(shiftSwaps)).toEqual([]);
    expect(await inbox(h, b.id, 'shifts.notify.swapOffer')).toEqual([]);
    expect(text(await h.as(b).press(accept!))).toBe('这个换班请求已失效（已被接受、撤回或班次有变）。');
    expect(await seatsOf(h, 1)).toEqual({ confirmed: [], waitlisted: [] });
  });

  it('takes a duty log only from a member on duty, after the shift, and shows staff what is missing', async () => {
    await h.as(staff).send('/newshift 2026-12-10 09:00 12:00 市 2 教育民生');
    const [a, b, c] = [await h.addMember({ name: '王明' }), await h.addMember({ name: 'Alice', locale: 'en' }), await h.addMember({ name: '李华' })];
    await h.as(a).send('/signup 1');
    await h.as(b).send('/signup 1');
    expect(text(await h.as(a).send('/dutylog 1 5 答复了三条关于学位的问题'))).toBe('值班 #1 还没结束（12月10日周四 GMT+8 12:00 结束），结束后再填写记录。');
    h.clock.set('2026-12-10T05:00:00Z');
    expect(text(await h.as(c).send('/dutylog 1 5 冒名'))).toBe('您没有在值班 #1 上值班，不能填写它的记录。');
    expect(text(await h.as(a).send(`/dutylog 1 5 ${'长'.repeat(1001)}`))).toBe('小结最多 1000 个字，您写了 1001 个字。');
    expect(await h.db.select().from(dutyLogs)).toEqual([]);

    // Before any log: staff see both missing.
    expect(text(await h.as(staff).send('/dutylogs 2026-12-10'))).toBe([
      '值班记录 2026年12月10日周四 至 2026年12月10日周四：',
      '缺少记录：2 份',
      '#1 12月10日周四 GMT+8 09:00–12:00 教育民生',
      '  ✘ 王明：未填写记录',
      '  ✘ Alice：未填写记录',
    ].join('\n'));
    const owed = await h.as(a).send('/myshifts');
    expect(text(owed)).toContain('待填写的值班记录：\n#1 12月10日周四 GMT+8 09:00–12:00 教育民生');
    expect(owed[0]!.buttons).toEqual([[{ label: '填写 #1 值班记录', data: 'shl:1' }]]);

    expect(text(await h.as(a).send(`/dutylog 1 5 答复了三条关于学位的问题。\n另有两条转交教育局。`))).toBe('值班 #1 的记录已保存，谢谢！');
    // Alice logs through the guided dialogue, started by the button.
    expect(text(await h.as(b).press('shl:1'))).toBe('Duty log for #1 Thu 10 Dec, 09:00 GMT+8–12:00 教育民生. Send /cancel at any time to stop.\nHow many messages from the public did you handle? (a number)');
    expect(text(await h.as(b).send('many'))).toBe('The number handled must be a whole number from 0 to 100000.\nHow many messages from the public did you handle? (a number)');
    expect(text(await h.as(b).send('2'))).toBe('Please write a short summary (at most 1000 characters).');
    expect(text(await h.as(b).send('Two questions on transport.'))).toBe('The log for shift #1 is saved. Thank you!');
    expect(text(await h.as(a).send('/dutylog 1 6 更正：共六条'))).toBe('值班 #1 的记录已更新。');

    expect(text(await h.as(staff).send('/dutylogs 2026-12-04 week'))).toBe([
      '值班记录 2026年12月4日周五 至 2026年12月10日周四：',
      '缺少记录：0 份',
      '#1 12月10日周四 GMT+8 09:00–12:00 教育民生',
      '  ✔ 王明：处理 6 条。更正：共六条',
      '  ✔ Alice：处理 2 条。Two questions on transport.',
    ].join('\n'));
    expect(text(await h.as(a).send('/dutylog'))).toBe('您没有待填写的值班记录。');
    const [row] = await h.db.select().from(dutyLogs).where(eq(dutyLogs.memberId, a.id));
    expect(row).toMatchObject({ handled: 6, summary: '更正：共六条' });
  });

  it('does not show the duty logs to members', async () => {
    await h.as(staff).send('/newshift 2026-12-10 09:00 12:00 市 2 教育民生');
    const m = await h.addMember({ name: '王明' });
    const before = await shiftState(h);
    expect(text(await h.as(m).send('/dutylogs'))).toBe('抱歉，您没有使用这个功能的权限。');
    expect(await shiftState(h)).toEqual(before);
  });
});

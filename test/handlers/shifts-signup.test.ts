import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Harness } from '../support/harness.js';
import { DATABASE_KINDS } from '../support/db.js';
import { eventsOf, inbox, inboxButtons, seatsOf, shiftState } from '../domain/shifts/support.js';

const text = Harness.text;

describe.each(DATABASE_KINDS)('duty shift sign-up on %s', (kind) => {
  let h: Harness;
  let staff: { id: number };
  beforeEach(async () => {
    // 2026-12-01 10:00 in Shanghai.
    h = await Harness.start({ kind, at: '2026-12-01T02:00:00Z' });
    staff = await h.addMember({ name: '赵敏', role: 'staff' });
  });
  afterEach(() => h.close());

  /** Staff create a shift on 2026-12-DD 09:00–12:00 Shanghai time; returns its id. */
  async function shift(dayOfMonth: number, capacity: number, theme = '教育民生', times = '09:00 12:00'): Promise<number> {
    const reply = text(await h.as(staff).send(`/newshift 2026-12-${String(dayOfMonth).padStart(2, '0')} ${times} 市 ${capacity} ${theme}`));
    const id = /#(\d+)/.exec(reply)?.[1];
    if (!id) throw new Error(reply);
    return Number(id);
  }

  it('lets staff create a shift in one line and members see it with seats left and sign up by button', async () => {
    expect(text(await h.as(staff).send('/newshift 2026-12-10 09:00 12:00 市 3 教育民生 https://meet.example/a "赵敏 010-1234"')))
      .toBe('已创建值班 #1：12月10日周四 GMT+8 09:00–12:00，教育民生。');
    const wang = await h.addMember({ name: '王明' });
    const list = await h.as(wang).send('/shifts');
    expect(text(list)).toContain('#1 12月10日周四 GMT+8 09:00–12:00 教育民生（市级联动）· 余 3/3 个名额');
    expect(list[0]!.buttons).toEqual([[{ label: '报名 #1', data: 'sh:su:1' }]]);

    expect(text(await h.as(wang).press('sh:su:1'))).toBe('报名成功：值班 #1，12月10日周四 GMT+8 09:00–12:00，教育民生。开始前会提醒您。');
    expect(text(await h.as(wang).send('/shifts'))).toContain('余 2/3 个名额 —— 您已报名');
    expect(text(await h.as(wang).send('/signup 1'))).toBe('您已报名值班 #1。');
    expect(await seatsOf(h, 1)).toEqual({ confirmed: [wang.id], waitlisted: [] });
    expect(await eventsOf(h, 1)).toEqual(['shift.created', `shift.signup@${wang.id}`, 'reminder.changed']);

    const card = text(await h.as(wang).send('/shift 1'));
    expect(card).toContain('地点/链接：https://meet.example/a');
    expect(card).toContain('联系人：赵敏 010-1234');
    expect(card).toContain('名额：1/3，候补 0 人');
    expect(card).toContain('您已报名此班。');
  });

  it('puts latecomers on the waitlist in arrival order and promotes its head when a seat frees', async () => {
    await shift(10, 2);
    const [a, b, c, d] = [
      await h.addMember({ name: '甲' }), await h.addMember({ name: '乙' }),
      await h.addMember({ name: '陳大文', locale: 'zh-Hant', timeZone: 'Asia/Hong_Kong' }),
      await h.addMember({ name: 'Alice', locale: 'en', timeZone: 'Europe/London' }),
    ];
    await h.as(a).send('/signup 1');
    await h.as(b).send('/signup 1');
    expect(text(await h.as(c).send('/signup 1'))).toBe('值班 #1（12月10日週四 09:00 [GMT+8]–12:00，教育民生）名額已滿，您已進入候補名單第 1 位。有人退出時按順序遞補，並會通知您。');
    expect(text(await h.as(d).send('/signup 1'))).toContain('You are number 2 on the waitlist');
    expect(text(await h.as(d).send('/shift 1'))).toContain('You are number 2 on the waitlist.');

    expect(text(await h.as(a).send('/withdraw 1'))).toBe('您已退出值班 #1。');
    expect(await seatsOf(h, 1)).toEqual({ confirmed: [b.id, c.id], waitlisted: [d.id] });
    expect(await inbox(h, c.id)).toEqual([
      '好消息：值班 #1 有空位，您已從候補轉為正式值班。\n時間：12月10日週四 09:00 [GMT+8] 至 12月10日週四 12:00 [GMT+8]\n主題：教育民生\n地點／連結：未填寫\n不能參加請發送 /withdraw 1。',
    ]);
    expect(await inbox(h, d.id)).toEqual([]);
    expect(await eventsOf(h, 1)).toEqual(expect.arrayContaining([`shift.withdrawn@${a.id}`, `shift.promoted@${c.id}`]));

    // Leaving the waitlist moves nobody and tells nobody.
    expect(text(await h.as(d).send('/withdraw 1'))).toBe('You have left the waitlist of shift #1.');
    expect(await seatsOf(h, 1)).toEqual({ confirmed: [b.id, c.id], waitlisted: [] });
    expect(text(await h.as(d).send('/withdraw 1'))).toBe('You are not signed up for shift #1.');
  });

  it('turns a withdrawal after the cut-off into a request that staff approve or deny', async () => {
    await shift(10, 1);
    const [a, b, c] = [await h.addMember({ name: '甲' }), await h.addMember({ name: '乙' }), await h.addMember({ name: '丙' })];
    await h.as(a).send('/signup 1');
    await h.as(b).send('/signup 1');
    // 2026-12-09 10:00 Shanghai: 23 hours before the start, past the 24-hour cut-off.
    h.clock.set('2026-12-09T02:00:00Z');
    expect(text(await h.as(a).send('/withdraw 1'))).toBe(
      '值班开始前 24 小时内（自 12月9日周三 GMT+8 09:00 起）不能直接退出。您的退出申请已转交工作人员审批，结果会通知您；在此之前您仍在班上。');
    expect(await seatsOf(h, 1)).toEqual({ confirmed: [a.id], waitlisted: [b.id] });
    expect(text(await h.as(a).send('/withdraw 1'))).toBe('您退出值班 #1 的申请正在等待工作人员审批。');
    expect(await inbox(h, staff.id)).toEqual(['甲 申请退出值班 #1（12月10日周四 GMT+8 09:00，教育民生），已过自行退出的截止时间，请审批。']);
    const [approve, deny] = await inboxButtons(h, staff.id);
    expect(text(await h.as(staff).send('/cancelrequests'))).toContain('甲 申请退出 #1 12月10日周四 GMT+8 09:00–12:00 教育民生');

    // A member cannot press the staff button.
    expect(text(await h.as(c).press(approve!))).toBe('抱歉，您没有使用这个功能的权限。');
    expect(text(await h.as(staff).press(deny!))).toBe('已拒绝 甲 退出值班 #1 的申请，已通知本人。');
    expect(await inbox(h, a.id)).toEqual([expect.stringMatching(/^工作人员未同意您退出值班 #1/)]);
    expect(await seatsOf(h, 1)).toEqual({ confirmed: [a.id], waitlisted: [b.id] });
    expect(text(await h.as(staff).press(deny!))).toBe('这个退出申请已处理或已不存在。');

    // Asked again, and approved this time: the waitlist moves up and both are told.
    await h.as(a).send('/withdraw 1');
    const approveAgain = (await inboxButtons(h, staff.id)).at(-2)!;
    expect(text(await h.as(staff).press(approveAgain))).toBe('已同意 甲 退出值班 #1，已通知本人；候补名单（如有）已递补。');
    expect(await seatsOf(h, 1)).toEqual({ confirmed: [b.id], waitlisted: [] });
    expect(await inbox(h, a.id, 'shifts.notify.cancelApproved')).toEqual(['工作人员已同意您退出值班 #1（12月10日周四 GMT+8 09:00，教育民生）。']);
    expect(await inbox(h, b.id, 'shifts.notify.promoted')).toHaveLength(1);
    expect(text(await h.as(staff).send('/cancelrequests'))).toBe('没有待审批的退出申请。');
  });

  it('refuses a sign-up that overlaps another of the member’s shifts, with a clear message', async () => {
    await shift(10, 3, '教育民生', '09:00 12:00');
    await shift(10, 3, '医疗卫生', '11:00 13:00');
    await shift(10, 3, '乡村振兴', '12:00 14:00');
    const m = await h.addMember({ name: 'Alice', locale: 'en', timeZone: 'Europe/London' });
    await h.as(m).send('/signup 1');
    const before = await shiftState(h);
    expect(text(await h.as(m).send('/signup 2'))).toBe('You cannot take shift #2: it overlaps your shift #1 (Thu 10 Dec, 01:00 GMT).');
    expect(await shiftState(h)).toEqual(before);
    // Back to back is not an overlap.
    expect(text(await h.as(m).send('/signup 3'))).toMatch(/^You are signed up for duty shift #3/);
  });

  it('opens sign-up only N days ahead and keeps to a monthly limit when one is set', async () => {
    await h.close();
    h = await Harness.start({ kind, at: '2026-12-01T02:00:00Z', settings: { shifts: { signupOpensDays: 7, maxPerMonth: 2 } } });
    staff = await h.addMember({ name: '赵敏', role: 'staff' });
    for (const d of [5, 6, 7, 12]) await shift(d, 3);
    const m = await h.addMember({ name: '王明' });
    expect(text(await h.as(m).send('/signup 4'))).toBe('值班 #4 尚未开放报名，12月5日周六 GMT+8 09:00 开放。');
    const list = await h.as(m).send('/shifts');
    expect(text(list)).toContain('#4 12月12日周六 GMT+8 09:00–12:00 教育民生（市级联动）· 余 3/3 个名额\n  （12月5日周六 GMT+8 09:00 开放报名）');
    expect(list[0]!.buttons!.flat().map((b) => b.data)).toEqual(['sh:su:1', 'sh:su:2', 'sh:su:3']);
    await h.as(m).send('/signup 1');
    await h.as(m).send('/signup 2');
    expect(text(await h.as(m).send('/signup 3'))).toBe('每人每月最多 2 个班次，您这个月已达上限。');
    await h.as(m).send('/withdraw 2');
    expect(text(await h.as(m).send('/signup 3'))).toMatch(/^报名成功/);
  });

  it('pages the list of open shifts with buttons and shows full shifts with their waitlist', async () => {
    for (let d = 2; d <= 8; d++) await shift(d, 1);
    const [a, b] = [await h.addMember({ name: '甲' }), await h.addMember({ name: '乙' })];
    await h.as(a).send('/signup 1');
    const first = await h.as(b).send('/shifts');
    expect(text(first)).toMatch(/^未来 14 天的网上值班（第 1\/2 页）：/);
    expect(text(first)).toContain('#1 12月2日周三 GMT+8 09:00–12:00 教育民生（市级联动）· 已满，候补 0 人');
    expect(first[0]!.buttons!.at(0)).toEqual([{ label: '候补 #1', data: 'sh:su:1' }]);
    expect(first[0]!.buttons!.at(-1)).toEqual([{ label: '下一页 ▶', data: 'sh:pg:2' }]);
    const second = await h.as(b).press('sh:pg:2');
    expect(text(second)).toMatch(/^未来 14 天的网上值班（第 2\/2 页）：\n#6 /);
    expect(second[0]!.buttons!.at(-1)).toEqual([{ label: '◀ 上一页', data: 'sh:pg:1' }]);
    expect(text(await h.as(b).press('sh:su:1'))).toContain('您已进入候补名单第 1 位');
  });

  it('shows a member’s own shifts and waitlist places in /myshifts, privately', async () => {
    await shift(10, 1);
    await shift(11, 1);
    const [a, b] = [await h.addMember({ name: '甲' }), await h.addMember({ name: 'Bob', locale: 'en', timeZone: 'America/Vancouver' })];
    expect(text(await h.as(b).send('/myshifts'))).toBe('You have no duty shifts. Send /shifts to see the open ones.');
    await h.as(a).send('/signup 1');
    await h.as(b).send('/signup 1');
    await h.as(b).send('/signup 2');
    const mine = await h.as(b).send('/myshifts');
    expect(text(mine)).toBe([
      'My duty shifts:',
      '#1 Wed 9 Dec, 17:00 GMT-8–20:00 教育民生 — on the waitlist',
      '#2 Thu 10 Dec, 17:00 GMT-8–20:00 教育民生 — confirmed',
    ].join('\n'));
    expect(mine[0]!.buttons).toEqual([[{ label: 'Withdraw from #1', data: 'sh:wd:1' }], [{ label: 'Withdraw from #2', data: 'sh:wd:2' }]]);
    expect(text(await h.as(b, { chatId: 'g1', kind: 'group' }).send('/myshifts'))).toBe('/myshifts is personal: please use it in a private chat with me.');
  });
});

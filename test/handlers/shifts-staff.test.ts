import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import ExcelJS from 'exceljs';
import { Harness } from '../support/harness.js';
import { DATABASE_KINDS } from '../support/db.js';
import { members, shifts } from '../../src/store/schema/index.js';
import { t } from '../../src/core/i18n.js';
import { eventsOf, inbox, seatsOf } from '../domain/shifts/support.js';

const text = Harness.text;

describe.each(DATABASE_KINDS)('staff work on duty shifts on %s', (kind) => {
  let h: Harness;
  let staff: { id: number };
  beforeEach(async () => {
    h = await Harness.start({ kind, at: '2026-12-01T02:00:00Z' });
    staff = await h.addMember({ name: '赵敏', role: 'staff' });
  });
  afterEach(() => h.close());

  it('creates a shift through a guided dialogue that re-asks a bad answer and can be left with /cancel', async () => {
    const me = h.as(staff);
    expect(text(await me.send('/newshift'))).toBe('新建值班。时间按您的时区（Asia/Shanghai）填写；随时发送 /cancel 放弃。\n值班日期？（例如 2026-12-10）');
    expect(text(await me.send('2026-11-30'))).toBe('2026年11月30日周一 已经过去，请填写今天或以后的日期。\n值班日期？（例如 2026-12-10）');
    expect(text(await me.send('2026/12/12'))).toBe('开始和结束时间？（例如 09:00 12:00）');
    expect(text(await me.send('14:00 - 13:00'))).toBe('结束时间须晚于开始时间。\n开始和结束时间？（例如 09:00 12:00）');
    expect(text(await me.send('14:00 至 17:00'))).toBe('联动层级？省 / 市 / 县（province / city / county）');
    expect(text(await me.send('州'))).toMatch(/^层级须为 省/);
    expect(text(await me.send('县'))).toBe('名额（1 至 10 人）？');
    expect(text(await me.send('0'))).toBe('名额须为 1 至 10 之间的整数。\n名额（1 至 10 人）？');
    expect(text(await me.send('2'))).toBe('值班主题？');
    expect(text(await me.send('乡村振兴'))).toBe('地点或线上链接？（没有请发 -）');
    expect(text(await me.send('https://meet.example/x'))).toBe('工作人员联系方式？（没有请发 -）');
    expect(text(await me.send('-'))).toBe('已创建值班 #1：12月12日周六 GMT+8 14:00–17:00，乡村振兴。');
    const [row] = await h.db.select().from(shifts);
    expect(row).toMatchObject({ level: 'county', capacity: 2, place: 'https://meet.example/x', contact: '', createdBy: staff.id });
    expect(row!.startsAt.toISOString()).toBe('2026-12-12T06:00:00.000Z');

    // A dialogue left half-way creates nothing.
    await me.send('/newshift');
    await me.send('2026-12-13');
    expect(text(await me.send('/cancel'))).toBe('已退出，未保存的内容已丢弃。');
    expect(text(await me.send('10:00 11:00'))).toBe(t('zh-Hans', 'errors.notACommand'));
    expect(await h.db.select().from(shifts)).toHaveLength(1);
  });

  it('tells everyone on a shift about a new time in their own zone, and moves seats when capacity changes', async () => {
    await h.as(staff).send('/newshift 2026-12-10 09:00 12:00 市 3 教育民生');
    const people = [
      await h.addMember({ name: '甲' }),
      await h.addMember({ name: '陳大文', locale: 'zh-Hant', timeZone: 'Asia/Hong_Kong' }),
      await h.addMember({ name: 'Alice', locale: 'en', timeZone: 'Europe/London' }),
      await h.addMember({ name: 'Bob', locale: 'en', timeZone: 'America/Vancouver' }),
    ];
    for (const p of people) await h.as(p).send('/signup 1');
    expect(text(await h.as(staff).send('/editshift 1 time 14:00-17:00'))).toBe('已修改值班 #1：12月10日周四 GMT+8 14:00–17:00，教育民生。已通知 4 人。');
    expect(await inbox(h, people[2]!.id, 'shifts.notify.changed')).toEqual([
      'Shift #1 (教育民生) has a new time:\nwas Thu 10 Dec, 01:00 GMT to Thu 10 Dec, 04:00 GMT\nnow Thu 10 Dec, 06:00 GMT to Thu 10 Dec, 09:00 GMT\nIf you cannot come, send /withdraw 1.',
    ]);
    expect(await inbox(h, people[3]!.id, 'shifts.notify.changed')).toEqual([
      'Shift #1 (教育民生) has a new time:\nwas Wed 9 Dec, 17:00 GMT-8 to Wed 9 Dec, 20:00 GMT-8\nnow Wed 9 Dec, 22:00 GMT-8 to Thu 10 Dec, 01:00 GMT-8\nIf you cannot come, send /withdraw 1.',
    ]);
    expect(await inbox(h, people[1]!.id, 'shifts.notify.changed')).toEqual([
      '值班 #1（教育民生）時間變更：\n原為 12月10日週四 09:00 [GMT+8] 至 12月10日週四 12:00 [GMT+8]\n現為 12月10日週四 14:00 [GMT+8] 至 12月10日週四 17:00 [GMT+8]\n不能參加請發送 /withdraw 1。',
    ]);
    expect(await eventsOf(h, 1)).toContain('shift.changed');

    // Two seats: the latest sign-up goes back to the head of the waitlist and is told.
    expect(text(await h.as(staff).send('/editshift 1 capacity 2'))).toContain('名额减少：最晚报名的 1 人已移回候补名单并收到通知。');
    expect(await seatsOf(h, 1)).toEqual({ confirmed: [people[0]!.id, people[1]!.id], waitlisted: [people[2]!.id, people[3]!.id] });
    expect(await inbox(h, people[2]!.id, 'shifts.notify.movedToWaitlist')).toEqual([
      'Shift #1 (Thu 10 Dec, 06:00 GMT, 教育民生) now has fewer seats, and you are back at the head of its waitlist; you will get the next free seat and be told.',
    ]);
    expect(text(await h.as(people[2]!).send('/shift 1'))).toContain('You are number 1 on the waitlist.');
    // Four seats again: the waitlist moves up in order.
    expect(text(await h.as(staff).send('/editshift 1 名额 4'))).toContain('名额增加：候补名单前 2 人已递补并收到通知。');
    expect(await seatsOf(h, 1)).toEqual({ confirmed: people.map((p) => p.id), waitlisted: [] });
    expect(await inbox(h, people[3]!.id, 'shifts.notify.promoted')).toHaveLength(1);

    expect(text(await h.as(staff).send('/editshift 1 place 会议室 A'))).toContain('已通知 4 人');
    expect(await inbox(h, people[0]!.id, 'shifts.notify.placeChanged')).toEqual(['值班 #1（12月10日周四 GMT+8 14:00，教育民生）地点/链接变更为：会议室 A']);
    expect(text(await h.as(staff).send('/editshift 1 theme 医疗卫生'))).toContain('医疗卫生。已通知 0 人');
    expect(text(await h.as(staff).send('/editshift 1 date 2026-12-11'))).toBe('已修改值班 #1：12月11日周五 GMT+8 14:00–17:00，医疗卫生。已通知 4 人。');
  });

  it('cancels a shift: everyone on it is told, and nobody can sign up for it any more', async () => {
    await h.as(staff).send('/newshift 2026-12-10 09:00 12:00 市 1 教育民生');
    const [a, b, c] = [await h.addMember({ name: '甲' }), await h.addMember({ name: 'Alice', locale: 'en' }), await h.addMember({ name: '丙' })];
    await h.as(a).send('/signup 1');
    await h.as(b).send('/signup 1');
    expect(text(await h.as(staff).send('/cancelshift 1 平台维护'))).toBe('已取消值班 #1，已通知 2 人。');
    expect(await inbox(h, a.id)).toEqual(['值班 #1（12月10日周四 GMT+8 09:00，教育民生）已取消。原因：平台维护']);
    expect(await inbox(h, b.id)).toEqual(['Shift #1 (Thu 10 Dec, 09:00 GMT+8, 教育民生) has been cancelled. Reason: 平台维护']);
    expect(await eventsOf(h, 1)).toEqual(expect.arrayContaining(['shift.cancelled', `shift.cancelled@${a.id}`, `shift.cancelled@${b.id}`, 'reminder.changed']));
    expect(text(await h.as(c).send('/signup 1'))).toBe('值班 #1 已取消。');
    expect(text(await h.as(c).send('/shifts'))).toBe('未来 14 天没有可报名的值班。');
    expect(text(await h.as(staff).send('/cancelshift 1'))).toBe('值班 #1 已取消。');
    expect(text(await h.as(a).send('/shift 1'))).toContain('此值班已取消。');
  });

  it('shows the roster with names, the coverage of a week and the unfilled shifts', async () => {
    await h.as(staff).send('/newshift 2026-12-02 09:00 12:00 市 2 教育民生');
    await h.as(staff).send('/newshift 2026-12-03 09:00 12:00 省 1 医疗卫生');
    await h.as(staff).send('/newshift 2026-12-09 09:00 12:00 县 3 乡村振兴');
    const [a, b, c] = [await h.addMember({ name: '王明' }), await h.addMember({ name: '李华' }), await h.addMember({ name: '张伟' })];
    await h.as(a).send('/signup 1');
    await h.as(b).send('/signup 2');
    await h.as(c).send('/signup 2');
    expect(text(await h.as(staff).send('/shiftroster'))).toBe([
      '值班表 2026年12月1日周二 至 2026年12月7日周一：',
      '#1 12月2日周三 GMT+8 09:00–12:00 教育民生（市级联动）· 余 1/2 个名额',
      '  值班：王明',
      '#2 12月3日周四 GMT+8 09:00–12:00 医疗卫生（省级联动）· 已满，候补 1 人',
      '  值班：李华',
      '  候补：张伟',
    ].join('\n'));
    expect(text(await h.as(staff).send('/shiftroster 2026-12-09 2026-12-09'))).toContain('  值班：未填写');
    expect(text(await h.as(staff).send('/coverage 2026-12-01'))).toBe([
      '2026年12月1日周二 至 2026年12月7日周一 值班覆盖率：2/3 个名额已满（67%）。',
      '未满的班次（1）：',
      '#1 12月2日周三 GMT+8 09:00–12:00 教育民生（市级联动）· 余 1/2 个名额',
    ].join('\n'));
    expect(text(await h.as(staff).send('/coverage 2026-12-20'))).toBe('2026年12月20日周日 至 2026年12月26日周六 没有安排值班。');
    expect(text(await h.as(staff).send('/unfilled'))).toBe([
      '未来 7 天未满的班次（1）：',
      '#1 12月2日周三 GMT+8 09:00–12:00 教育民生（市级联动）· 余 1/2 个名额',
    ].join('\n'));
    expect(text(await h.as(staff).send('/shiftroster 2026-12-09 2026-12-01'))).toBe('结束日期须不早于起始日期。');
  });

  const CSV = [
    '日期,开始,结束,值班主题,层级,名额,地点,联系人',
    '2026-12-14,09:00,12:00,教育民生,市,2,https://meet.example/a,赵敏',
    '2026-12-15,14:00,17:00,医疗卫生,省,3,,',
    '2026-12-16,12:00,09:00,乡村振兴,县,2,,',
    '2026-12-17,09:00,12:00,营商环境,镇,2,,',
    '2026-12-18,09:00,12:00,营商环境,市,11,,',
    '2026-11-18,09:00,12:00,营商环境,市,1,,',
    '2026-12-19,9:00,12:00,生态环保,county,1,,',
  ].join('\n');

  it('bulk-creates shifts from a CSV roster, reports bad rows by line and changes nothing on a re-import', async () => {
    const reply = text(await h.as(staff).sendFile('12月值班.csv', Buffer.from(CSV)));
    expect(reply.split('\n').slice(0, 5)).toEqual([
      '值班表导入完成：新增 3，已存在 0，拒绝 4。',
      '第 4 行：结束时间须晚于开始时间。',
      '第 5 行：层级须为 省 / 市 / 县（province / city / county）。',
      '第 6 行：名额须为 1 至 10 之间的整数。',
      '第 7 行：开始时间 11月18日周三 GMT+8 09:00 已经过去，请填写将来的时间。',
    ]);
    expect(reply).toContain('#3 12月19日周六 GMT+8 09:00–12:00 生态环保（县级联动）· 余 1/1 个名额');
    const before = await h.db.select().from(shifts);
    expect(before).toHaveLength(3);
    expect(text(await h.as(staff).sendFile('roster-shifts.csv', Buffer.from(CSV)))).toMatch(/^值班表导入完成：新增 0，已存在 3，拒绝 4。/);
    expect(await h.db.select().from(shifts)).toEqual(before);
    // A member roster is still the member import's.
    expect(text(await h.as(staff).sendFile('roster.csv', Buffer.from('姓名\n新人')))).toMatch(/^名单导入完成/);
  });

  it('reads an XLSX roster with real date and time cells in the importing staff member’s zone', async () => {
    await h.db.update(members).set({ timeZone: 'Europe/London', locale: 'en' });
    const book = new ExcelJS.Workbook();
    const sheet = book.addWorksheet('shifts');
    sheet.addRow(['date', 'start', 'end', 'theme', 'level', 'capacity', 'place', 'contact']);
    sheet.addRow([new Date(Date.UTC(2026, 11, 14)), new Date(Date.UTC(1899, 11, 30, 9, 0)), new Date(Date.UTC(1899, 11, 30, 12, 0)), 'Education', 'city', 2, 'Room 1', 'Zhao']);
    const reply = text(await h.as(staff).sendFile('shifts-december.xlsx', Buffer.from(await book.xlsx.writeBuffer())));
    expect(reply).toBe('Shift roster imported: 1 added, 0 already there, 0 rejected.\n#1 Mon 14 Dec, 09:00 GMT–12:00 Education (city linkage) · 2 of 2 seats left');
    const [row] = await h.db.select().from(shifts);
    expect(row!.startsAt.toISOString()).toBe('2026-12-14T09:00:00.000Z');
  });
});

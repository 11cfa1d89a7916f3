import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Harness } from '../support/harness.js';
import { DATABASE_KINDS } from '../support/db.js';
import { shiftState } from '../domain/shifts/support.js';

const text = Harness.text;

describe.each(DATABASE_KINDS)('bad input to the shifts feature on %s', (kind) => {
  let h: Harness;
  const who: Record<string, { id: number }> = {};
  beforeAll(async () => {
    // The clock stands still here, so the flood limit must allow every refusal below.
    h = await Harness.start({ kind, at: '2026-12-01T02:00:00Z', settings: { flood: { limit: 1000 } } });
    who.staff = await h.addMember({ name: '赵敏', role: 'staff' });
    who.staffHant = await h.addMember({ name: '黃志強', role: 'staff', locale: 'zh-Hant', timeZone: 'Asia/Hong_Kong' });
    who.staffEn = await h.addMember({ name: 'Grace', role: 'staff', locale: 'en', timeZone: 'Europe/London' });
    who.member = await h.addMember({ name: '王明' });
    who.memberHant = await h.addMember({ name: '陳大文', locale: 'zh-Hant', timeZone: 'Asia/Hong_Kong' });
    who.memberEn = await h.addMember({ name: 'Alice', locale: 'en', timeZone: 'America/Vancouver' });
    await h.as(who.staff).send('/newshift 2026-12-10 09:00 12:00 市 2 教育民生');
    await h.as(who.member).send('/signup 1');
  });
  afterAll(() => h.close());

  const refusals: [string, string, string][] = [
    ['member', '/signup 99', '没有编号为 #99 的值班。发送 /shifts 查看现有班次。'],
    ['memberEn', '/withdraw 99', 'There is no duty shift #99. Send /shifts to see the shifts there are.'],
    ['memberHant', '/shift 99', '沒有編號為 #99 的值班。發送 /shifts 查看現有班次。'],
    ['memberEn', '/signup abc', 'An id is a number, for example 12.\nUsage: /signup ID'],
    ['memberEn', '/withdraw 1', 'You are not signed up for shift #1.'],
    ['memberHant', '/swap 1', '您沒有報名值班 #1。'],
    ['memberEn', '/swap 1 Nobody', 'No member called "Nobody".'],
    ['memberEn', '/dutylog 1 3 notes', 'You were not on duty on shift #1, so you cannot log it.'],
    ['member', '/dutylog 1 3 记录', '值班 #1 还没结束（12月10日周四 GMT+8 12:00 结束），结束后再填写记录。'],
    ['memberEn', '/shifts x', 'A page is a number, for example 2.\nUsage: /shifts [PAGE]'],
    ['memberEn', '/shift', 'Those words are not in the expected form.\nUsage: /shift ID'],
    ['staff', '/newshift 2026-11-30 09:00 12:00 市 2 教育民生', '开始时间 11月30日周一 GMT+8 09:00 已经过去，请填写将来的时间。'],
    ['staffEn', '/newshift 2026-12-01 01:00 02:00 city 2 Education', 'The start, Tue 1 Dec, 01:00 GMT, is in the past. Please give a time in the future.'],
    ['staffHant', '/newshift 2026-12-10 12:00 09:00 市 2 教育民生', '結束時間須晚於開始時間。'],
    ['staffEn', '/newshift 2026-12-10 09:00 09:00 city 2 Education', 'The end must be later than the start.'],
    ['staff', '/newshift 2026-12-10 09:00 12:00 市 0 教育民生', '名额须为 1 至 10 之间的整数。\n用法：/newshift 日期 开始 结束 层级 名额 主题 [地点或链接] [联系人]，例如 /newshift 2026-12-10 09:00 12:00 市 3 教育民生 https://meet.example/a "赵敏 010-1234"'],
    ['staffEn', '/newshift 2026-12-10 09:00 12:00 city 11 Education', 'Seats must be a whole number from 1 to 10.\nUsage: /newshift DATE START END LEVEL SEATS THEME [PLACE-OR-LINK] [CONTACT], e.g. /newshift 2026-12-10 09:00 12:00 city 3 Education https://meet.example/a "Zhao Min 010-1234"'],
    ['staffHant', '/newshift 2026-12-10 09:00 12:00 州 2 教育民生', '層級須為 省／市／縣（province / city / county）。\n用法：/newshift 日期 開始 結束 層級 名額 主題 [地點或連結] [聯絡人]，例如 /newshift 2026-12-10 09:00 12:00 市 3 教育民生 https://meet.example/a "趙敏 010-1234"'],
    ['staffEn', '/newshift 2026-02-30 09:00 12:00 city 2 Education', expect.stringMatching(/^A date is written year-month-day/) as unknown as string],
    ['staffEn', '/newshift 2026-12-10 25:00 12:00 city 2 Education', expect.stringMatching(/^A time is written hours:minutes/) as unknown as string],
    ['staffEn', '/newshift 2026-12-10 09:00 12:00 city 2 Education a b c', expect.stringMatching(/^Too many words: put quotes around/) as unknown as string],
    ['staff', '/newshift 2026-12-10 09:00 12:00 市 2 教育民生', '相同时间、层级和主题的值班已存在：#1。'],
    ['staff', `/newshift 2026-12-10 09:00 12:00 市 2 ${'题'.repeat(101)}`, '值班主题太长：最多 100 个字。'],
    ['staffEn', '/editshift 99 capacity 2', 'There is no duty shift #99. Send /shifts to see the shifts there are.'],
    ['staffEn', '/editshift 1 capacity 0', expect.stringMatching(/^Seats must be a whole number from 1 to 10\.\nUsage: \/editshift/) as unknown as string],
    ['staffHant', '/editshift 1 time 12:00 09:00', '結束時間須晚於開始時間。'],
    ['staff', '/editshift 1 date 2026-11-01', '开始时间 11月1日周日 GMT+8 09:00 已经过去，请填写将来的时间。'],
    ['staffEn', '/editshift 1 colour red', expect.stringMatching(/^You can change: date, time, theme/) as unknown as string],
    ['staffEn', '/editshift 1 theme', 'The theme cannot be empty.'],
    ['staffEn', '/cancelshift 99', 'There is no duty shift #99. Send /shifts to see the shifts there are.'],
    ['staffEn', '/shiftroster 2026-12-01 2026-06-01', 'The end date must not be before the start date.'],
    ['staffEn', '/shiftroster 2026-01-01 2026-12-31', 'At most 62 days at a time.'],
    ['staff', '/coverage 明天', expect.stringMatching(/^日期格式应为/) as unknown as string],
  ];

  it.each(refusals)('%s: %s', async (sender, command, message) => {
    const before = await shiftState(h);
    const reply = text(await h.as(who[sender]!).send(command));
    if (typeof message === 'string') expect(reply).toBe(message);
    else expect(reply).toEqual(message);
    expect(await shiftState(h)).toEqual(before);
  });

  const staffOnly = ['/newshift', '/newshift 2026-12-10 09:00 12:00 市 2 X', '/editshift 1 capacity 3', '/cancelshift 1', '/shiftroster', '/coverage', '/unfilled', '/dutylogs', '/cancelrequests'];
  it.each(staffOnly)('refuses a member running %s', async (command) => {
    const before = await shiftState(h);
    expect(text(await h.as(who.memberEn!).send(command))).toBe('Sorry, you are not allowed to use this.');
    expect(text(await h.as(who.memberHant!).send(command))).toBe('抱歉，您沒有使用這個功能的權限。');
    expect(await shiftState(h)).toEqual(before);
  });

  it('refuses staff buttons, broken buttons and shift files from a member', async () => {
    const before = await shiftState(h);
    expect(text(await h.as(who.memberEn!).press('shs:ra:1'))).toBe('Sorry, you are not allowed to use this.');
    expect(text(await h.as(who.memberEn!).press('sh:zz:1'))).toBe('This button has expired. Please look it up again.');
    expect(text(await h.as(who.memberEn!).press('sh:su:abc'))).toBe('This button has expired. Please look it up again.');
    expect(text(await h.as(who.memberEn!).press('sh:su:99'))).toBe('There is no duty shift #99. Send /shifts to see the shifts there are.');
    expect(text(await h.as(who.memberEn!).sendFile('shifts.csv', Buffer.from('date\n2026-12-10')))).toBe('Sorry, you are not allowed to use this.');
    expect(text(await h.as(who.staffEn!).sendFile('shifts.pdf', Buffer.from('%PDF')))).toBe('Cannot read shifts.pdf: please send a CSV or XLSX file.');
    expect(text(await h.as(who.staffEn!).sendFile('shifts.csv', Buffer.from('date,start\n')))).toBe('The file has no data rows.');
    expect(await shiftState(h)).toEqual(before);
  });
});

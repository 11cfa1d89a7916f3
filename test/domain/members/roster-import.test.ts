import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import ExcelJS from 'exceljs';
import { Harness } from '../../support/harness.js';
import { DATABASE_KINDS } from '../../support/db.js';
import { members } from '../../../src/store/schema/index.js';
import { importRoster } from '../../../src/domain/members/roster-import.js';

const CSV = [
  '姓名,专委会,界别,地区,角色,语言,时区,企业微信账号,Telegram用户名',
  '王明,社会和法制委员会,经济界,上海,委员,zh-Hans,Asia/Shanghai,wangming,',
  '陳大文,港澳台侨委员会,特邀香港人士,香港,委员,zh-Hant,Asia/Hong_Kong,,@chantaiman',
  ',港澳台侨委员会,,,委员,,,,',
  '赵敏,社会和法制委员会,,上海,工作人员,zh-Hans,Mars/Base,zhaomin,',
  'Alice Smith,港澳台侨委员会,海外列席,London,member,en,Europe/London,,',
  '李华,社会和法制委员会,教育界,北京,主席,zh-Hans,Asia/Shanghai,lihua,',
  '王明二,社会和法制委员会,经济界,上海,委员,zh-Hans,Asia/Shanghai,wangming,',
].join('\n');

/** Import options of the operator at the shell, who may set every role. */
const OPERATOR = (h: Harness) => ({ defaultTimeZone: 'Asia/Shanghai', importer: 'operator' as const, limits: h.deps.settings.imports });

describe.each(DATABASE_KINDS)('roster import on %s', (kind) => {
  let h: Harness;
  beforeEach(async () => {
    h = await Harness.start({ kind });
  });
  afterEach(() => h.close());

  it('imports good rows, reports each bad row with its line, and changes nothing the second time', async () => {
    const first = await importRoster(h.db, 'roster.csv', Buffer.from(CSV), OPERATOR(h));
    expect(first).toMatchObject({ added: 3, updated: 0, unchanged: 0 });
    expect(first.rejected).toEqual([
      { line: 4, reasonKey: 'roster.reason.noName' },
      { line: 5, reasonKey: 'roster.reason.badTimeZone' },
      { line: 7, reasonKey: 'roster.reason.badRole' },
      { line: 8, reasonKey: 'roster.reason.duplicate', value: '2' },
    ]);
    const before = await h.db.select().from(members).orderBy(members.id);

    const second = await importRoster(h.db, 'roster.csv', Buffer.from(CSV), OPERATOR(h));
    expect(second).toMatchObject({ added: 0, updated: 0, unchanged: 3 });
    expect(await h.db.select().from(members).orderBy(members.id)).toEqual(before);
    expect(before.find((m) => m.name === '陳大文')).toMatchObject({ locale: 'zh-Hant', telegramUsername: 'chantaiman', timeZone: 'Asia/Hong_Kong' });
  });

  it('reads XLSX the same way', async () => {
    const book = new ExcelJS.Workbook();
    const sheet = book.addWorksheet('名单');
    for (const line of CSV.split('\n')) sheet.addRow(line.split(','));
    const data = Buffer.from(await book.xlsx.writeBuffer());
    const report = await importRoster(h.db, 'roster.xlsx', data, OPERATOR(h));
    expect(report).toMatchObject({ added: 3 });
    expect(report.rejected.map((r) => r.line)).toEqual([4, 5, 7, 8]);
  });

  it('takes the roster as a file sent to the bot by staff, and refuses it from a member', async () => {
    const staff = await h.addMember({ name: '黃志強', role: 'staff', locale: 'zh-Hant' });
    const member = await h.addMember({ name: '林美玲' });
    expect(Harness.text(await h.as(member).sendFile('roster.csv', Buffer.from(CSV)))).toBe('抱歉，您没有使用这个功能的权限。');
    expect(await h.db.select().from(members)).toHaveLength(2);

    const reply = Harness.text(await h.as(staff).sendFile('roster.csv', Buffer.from(CSV)));
    expect(reply).toContain('名單匯入完成：新增 3，更新 0，未變 0，拒絕 4。');
    expect(reply).toContain('第 5 列：時區無效');
    expect(reply).toContain('第 8 列：與第 2 列重複');
  });

  it('keeps a language and a time zone the member chose when the roster is imported again', async () => {
    await importRoster(h.db, 'roster.csv', Buffer.from(CSV), OPERATOR(h));
    const [wang] = await h.db.select().from(members).where(eq(members.name, '王明'));
    await h.as(wang!).send('/lang en');
    await h.as(wang!).send('/tz Europe/Paris');
    const again = await importRoster(h.db, 'roster.csv', Buffer.from(CSV), OPERATOR(h));
    expect(again.unchanged).toBe(3);
    expect(await h.reload(wang!.id)).toMatchObject({ locale: 'en', timeZone: 'Europe/Paris' });

    // A zone the member never chose follows the roster.
    const moved = CSV.replace('Alice Smith,港澳台侨委员会,海外列席,London,member,en,Europe/London', 'Alice Smith,港澳台侨委员会,海外列席,London,member,en,America/New_York');
    expect(await importRoster(h.db, 'roster.csv', Buffer.from(moved), OPERATOR(h))).toMatchObject({ updated: 1, unchanged: 2 });
    const [alice] = await h.db.select().from(members).where(eq(members.name, 'Alice Smith'));
    expect(alice!.timeZone).toBe('America/New_York');
  });
});

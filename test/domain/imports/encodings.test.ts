import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import ExcelJS from 'exceljs';
import iconv from 'iconv-lite';
import { members, shifts } from '../../../src/store/schema/index.js';
import { Harness } from '../../support/harness.js';
import { DATABASE_KINDS } from '../../support/db.js';

const text = Harness.text;

/** What Excel on Chinese Windows writes for "CSV (逗号分隔)": the system code page, GBK. */
const GBK_ROSTER = iconv.encode(['姓名,专委会,界别,地区', '王明,社会和法制委员会,经济界,上海', '陈小红,港澳台侨委员会,特邀香港人士,香港'].join('\r\n'), 'gbk');

/**
 * Spreadsheets as staff really save them: a GBK CSV reads as Chinese, not mojibake; bytes that
 * are no text encoding we know are refused with advice; Excel error cells refuse their row by line.
 */
describe.each(DATABASE_KINDS)('import encodings and error cells (%s)', (kind) => {
  let h: Harness;
  let staff: { id: number };

  beforeAll(async () => {
    h = await Harness.start({ kind });
    staff = await h.addMember({ name: '赵敏', role: 'staff' });
  });
  afterAll(() => h.close());

  it('imports a roster CSV saved in GBK with its Chinese names and committees', async () => {
    expect(text(await h.as(staff).sendFile('roster.csv', GBK_ROSTER))).toBe('名单导入完成：新增 2，更新 0，未变 0，拒绝 0。');
    const [wang] = await h.db.select().from(members).where(eq(members.name, '王明'));
    expect(wang).toMatchObject({ committee: '社会和法制委员会', sector: '经济界', region: '上海' });
    expect((await h.db.select().from(members).where(eq(members.name, '陈小红')))[0]?.region).toBe('香港');
  });

  it('refuses a CSV that is neither UTF-8 nor GB18030, and changes nothing', async () => {
    const before = await h.db.select().from(members);
    const reply = text(await h.as(staff).sendFile('roster.csv', Buffer.from([...Buffer.from('name,committee\r\n'), 0x80, 0xff, 0x2c, 0x41])));
    expect(reply).toBe('无法识别文件的文字编码。请在 Excel 中选择“另存为”→“CSV UTF-8”，或以 XLSX 格式发送。');
    expect(await h.db.select().from(members)).toEqual(before);
  });

  it('refuses XLSX rows whose cells show #N/A or #REF!, by line, and imports the others', async () => {
    const book = new ExcelJS.Workbook();
    const sheet = book.addWorksheet('名单');
    sheet.addRow(['姓名', '专委会']);
    sheet.addRow(['李华', '教育委员会']);
    sheet.addRow([{ error: '#N/A' }, '教育委员会']);
    sheet.addRow(['周杰', { formula: 'VLOOKUP(1,Z1:Z2,2,0)', result: { error: '#REF!' } }]);
    const reply = text(await h.as(staff).sendFile('roster.xlsx', Buffer.from(await book.xlsx.writeBuffer())));
    expect(reply).toContain('名单导入完成：新增 1，更新 0，未变 0，拒绝 2。');
    expect(reply).toContain('第 3 行：“姓名”列的单元格显示 Excel 错误 #N/A，而不是数据');
    expect(reply).toContain('第 4 行：“专委会”列的单元格显示 Excel 错误 #REF!，而不是数据');
    const stored = JSON.stringify(await h.db.select().from(members));
    expect(stored).not.toContain('[object Object]');
    expect(stored).not.toContain('周杰');
  });

  it('refuses a shift row with an error cell by line too', async () => {
    const book = new ExcelJS.Workbook();
    const sheet = book.addWorksheet('值班');
    sheet.addRow(['date', 'start', 'end', 'theme', 'level', 'capacity']);
    sheet.addRow(['2026-12-10', '09:00', '12:00', '教育民生', '市', 2]);
    sheet.addRow([{ error: '#VALUE!' }, '09:00', '12:00', '医疗卫生', '市', 2]);
    const reply = text(await h.as(staff).sendFile('shifts-2026-12.xlsx', Buffer.from(await book.xlsx.writeBuffer())));
    expect(reply).toContain('第 3 行：“date”列的单元格显示 Excel 错误 #VALUE!，而不是数据');
    expect((await h.db.select().from(shifts)).map((s) => s.theme)).toEqual(['教育民生']);
  });
});

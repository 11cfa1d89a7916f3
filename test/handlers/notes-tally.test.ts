import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import ExcelJS from 'exceljs';
import { and, eq } from 'drizzle-orm';
import { Harness } from '../support/harness.js';
import { DATABASE_KINDS } from '../support/db.js';
import { auditLog } from '../../src/store/schema/index.js';
import { button, QUIET } from './notes-support.js';

const text = Harness.text;
type Row = Awaited<ReturnType<Harness['addMember']>>;

describe.each(DATABASE_KINDS)('the notes tally for staff on %s', (kind) => {
  let h: Harness;
  let zhao: Row;
  let admin: Row;
  let wang: Row;
  beforeAll(async () => {
    h = await Harness.start({ kind, at: '2026-11-20T02:00:00Z', settings: QUIET });
    wang = await h.addMember({ name: '王明', committee: '社会和法制委员会', sector: '经济界' });
    const evil = await h.addMember({ name: '=HYPERLINK("http://evil.example","点我")', committee: '社会和法制委员会', sector: '+SUM(A1:A9)' });
    const other = await h.addMember({ name: '张伟', committee: '经济委员会', sector: '经济界' });
    zhao = await h.addMember({ name: '赵敏', role: 'staff', committee: '社会和法制委员会' });
    admin = await h.addMember({ name: '孙立', role: 'admin' });
    for (const [who, line] of [[wang, '停车难 | urban | 建议增设停车位。'], [evil, '@公式 | other | 正文'], [other, '融资难 | economy | 建议设立担保基金。']] as const) {
      await h.as(who).press(button(await h.as(who).send(`/newnote ${line}`), 'sqd:ok'));
    }
    await h.as(zhao).send('/noteadopt 1 市级 单篇采用');
  });
  afterAll(() => h.close());

  it('shows the month of the committees the officer serves as text', async () => {
    const reply = text(await h.as(zhao).send('/notetally'));
    expect(reply).toContain('社情民意信息通报：2026 年 11 月（社会和法制委员会）');
    expect(reply).toContain('合计：报送 2 篇，采用 1 篇，采用率 50%，积分 7');
    expect(reply).toContain('1. 王明（经济界）：报送 1，采用 1，采用率 100%，积分 6');
    expect(reply).not.toContain('张伟');
    const all = text(await h.as(admin).send('/notetally 2026'));
    expect(all).toContain('社情民意信息通报：2026 年（全部委员会）');
    expect(all).toContain('· 经济界：报送 2，采用 1，采用率 50%，积分 7');
    expect(text(await h.as(admin).send('/notetally 2026-10'))).toContain('这一期没有报送或采用。');
  });

  it('exports XLSX and CSV with formula cells neutralised, and writes each export to the audit log', async () => {
    const [xlsx] = await h.as(zhao).send('/notetally 2026-11 xlsx');
    expect(xlsx!.text).toBe('已生成 notes-tally-2026-11.xlsx（2 行）。');
    const book = new ExcelJS.Workbook();
    await book.xlsx.load(xlsx!.file!.data as unknown as ArrayBuffer);
    const members = book.getWorksheet('按委员')!;
    expect(members.getRow(1).values).toEqual([undefined, '名次', '姓名', '委员会', '界别', '报送', '采用', '采用率（%）', '积分']);
    expect(members.getRow(2).values).toEqual([undefined, 1, '王明', '社会和法制委员会', '经济界', 1, 1, 100, 6]);
    expect(members.getRow(3).values).toEqual([undefined, 2, `'=HYPERLINK("http://evil.example","点我")`, '社会和法制委员会', "'+SUM(A1:A9)", 1, 0, 0, 1]);

    const [csv] = await h.as(zhao).send('/notetally csv 2026-11');
    expect(csv!.file!.name).toBe('notes-tally-2026-11.csv');
    const content = csv!.file!.data.toString('utf8');
    expect(content).toContain(`2,"'=HYPERLINK(""http://evil.example"",""点我"")",社会和法制委员会,'+SUM(A1:A9),1,0,0,1`);

    const audits = await h.db.select().from(auditLog).where(and(eq(auditLog.actorId, zhao.id), eq(auditLog.action, 'notes.tally.export'))).orderBy(auditLog.id);
    expect(audits.map((a) => [a.action, a.subject, (a.detail as { format: string }).format])).toEqual([
      ['notes.tally.export', 'tally:2026-11', 'xlsx'], ['notes.tally.export', 'tally:2026-11', 'csv'],
    ]);
  });

  it('refuses a bad period and keeps members out', async () => {
    expect(text(await h.as(zhao).send('/notetally 2026-13'))).toBe('看不懂“2026-13”：期间写作 2026 或 2026-11，格式写 csv 或 xlsx。\n用法：/notetally [2026 或 2026-11] [csv 或 xlsx]');
    expect(text(await h.as(wang).send('/notetally'))).toBe('抱歉，您没有使用这个功能的权限。');
    expect(await h.db.select().from(auditLog).where(eq(auditLog.actorId, wang.id))).toEqual([]);
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import ExcelJS from 'exceljs';
import { parse as parseCsv } from 'csv-parse/sync';
import { eq } from 'drizzle-orm';
import { Harness } from '../support/harness.js';
import { DATABASE_KINDS } from '../support/db.js';
import { QUIET } from './notes-support.js';
import {
  auditLog, dutyLogs, readingAttendance, readingComments, readingGroups, readingGuides, readingSessions, shiftSignups, shifts,
} from '../../src/store/schema/index.js';
import { day, t } from '../../src/core/i18n.js';
import { defaultNotesSettings } from '../../src/domain/notes/index.js';
import { newDraftKey, submitNote } from '../../src/domain/notes/submission.js';
import { adoptNote } from '../../src/domain/notes/review.js';

const text = Harness.text;
type Row = Awaited<ReturnType<Harness['addMember']>>;
const at = (iso: string) => new Date(iso);

/** Activity rows as the shifts and reading features write them. */
async function seedActivity(h: Harness, who: Row, admin: Row) {
  const shift = async (start: string, end: string, status: 'confirmed' | 'waitlisted', log: boolean) => {
    const [s] = await h.db.insert(shifts).values({ startsAt: at(start), endsAt: at(end), theme: `值班 ${start}`, level: 'city', capacity: 2 }).returning();
    await h.db.insert(shiftSignups).values({ shiftId: s!.id, memberId: who.id, status, signedUpAt: at(start) });
    if (log) await h.db.insert(dutyLogs).values({ shiftId: s!.id, memberId: who.id, handled: 3, summary: '接待群众来信', createdAt: at(end), updatedAt: at(end) });
  };
  await shift('2026-03-01T01:00:00Z', '2026-03-01T03:00:00Z', 'confirmed', true);
  await shift('2025-06-01T01:00:00Z', '2025-06-01T03:00:00Z', 'confirmed', false);
  await shift('2026-05-01T01:00:00Z', '2026-05-01T03:00:00Z', 'waitlisted', false);
  await shift('2026-12-01T01:00:00Z', '2026-12-01T03:00:00Z', 'confirmed', false);

  const [group] = await h.db.insert(readingGroups).values({ title: '《乡土中国》', leadMemberId: admin.id }).returning();
  for (const start of ['2026-04-01T11:00:00Z', '2024-09-01T11:00:00Z']) {
    const [s] = await h.db.insert(readingSessions).values({ groupId: group!.id, startsAt: at(start), endsAt: at(start.replace('T11', 'T12')), place: '图书馆', checkinCode: 'ABC123' }).returning();
    await h.db.insert(readingAttendance).values({ sessionId: s!.id, memberId: who.id, checkedInAt: at(start), method: 'code' });
  }
  for (const when of ['2026-04-02T01:00:00Z', '2025-01-01T01:00:00Z']) {
    const [g] = await h.db.insert(readingGuides).values({ groupId: group!.id, day: when.slice(0, 10), publishAt: at(when), body: '导读' }).returning();
    await h.db.insert(readingComments).values({ guideId: g!.id, memberId: who.id, body: '很受启发', createdAt: at(when) });
  }

  const settings = defaultNotesSettings();
  const file = async (title: string, when: string) => (await submitNote(h.db, who, newDraftKey(), { title, category: 'other', body: '正文' }, settings, at(when))).note.id;
  await file('关于社区食堂的建议', '2025-05-01T02:00:00Z');
  const adopted = await file('关于老年助餐的建议', '2026-02-01T02:00:00Z');
  await adoptNote(h.db, admin, adopted, 'municipal', 'single', settings, at('2026-03-01T02:00:00Z'));
}

describe.each(DATABASE_KINDS)('the performance record on %s', (kind) => {
  let h: Harness;
  let wang: Row;
  let zhang: Row;
  let zhao: Row;
  let admin: Row;
  beforeAll(async () => {
    h = await Harness.start({ kind, at: '2026-11-20T02:00:00Z', settings: QUIET });
    wang = await h.addMember({ name: '王明', committee: '社会和法制委员会', sector: '经济界' });
    await h.addMember({ name: "=cmd|' /C calc'!A0", committee: '社会和法制委员会', sector: '@界别' });
    zhang = await h.addMember({ name: '张伟', committee: '经济委员会', sector: '经济界', locale: 'en' });
    zhao = await h.addMember({ name: '赵敏', role: 'staff', committee: '社会和法制委员会' });
    admin = await h.addMember({ name: '孙立', role: 'admin' });
    await seedActivity(h, wang, admin);
  });
  afterAll(() => h.close());

  it('shows a member this year and this term, computed from the activity tables', async () => {
    expect(text(await h.as(wang).send('/myrecord'))).toBe([
      '王明 的履职档案',
      '',
      '2026 年度：',
      '· 网上值班：参加 1 次，提交值班记录 1 次',
      '· 社情民意信息：报送 1 篇，采用 1 篇，积分 6',
      '· 读书活动：参加 1 次，点评 1 条',
      '',
      t('zh-Hans', 'record.termHead', { from: day('2023-01-01'), to: day('2027-12-31') }),
      '· 网上值班：参加 2 次，提交值班记录 1 次',
      '· 社情民意信息：报送 2 篇，采用 1 篇，积分 7',
      '· 读书活动：参加 2 次，点评 2 条',
      '',
      t('zh-Hans', 'record.asOf', { at: h.clock.now() }, 'Asia/Shanghai'),
    ].join('\n'));
    expect(text(await h.as(zhang).send('/myrecord'))).toContain('· Public-opinion notes: 0 submitted, 0 adopted, 0 points');
  });

  it('lets staff read the record of a member of their committee only, and audits it', async () => {
    expect(text(await h.as(zhao).send('/record 王明'))).toContain('· 社情民意信息：报送 2 篇，采用 1 篇，积分 7');
    expect(text(await h.as(zhao).send('/record 张伟'))).toBe(text(await h.as(zhao).send('/record 无此人')).replace('无此人', '张伟'));
    expect(text(await h.as(wang).send('/record 张伟'))).toBe('抱歉，您没有使用这个功能的权限。');
    const audits = await h.db.select().from(auditLog).where(eq(auditLog.actorId, zhao.id));
    expect(audits.map((a) => [a.action, a.subject])).toEqual([['record.view', `member:${wang.id}`]]);
  });

  it('exports the committee’s records as CSV and XLSX with formula cells neutralised, each export audited', async () => {
    const [csv] = await h.as(zhao).send('/recordexport csv');
    expect(csv!.text).toBe('已生成 records-2026.csv（2 行）。');
    expect(parseCsv(csv!.file!.data, { bom: true })).toEqual([
      ['姓名', '委员会', '界别', '值班次数', '值班记录', '报送信息', '采用信息', '信息积分', '读书活动', '读书点评'],
      ["'=cmd|' /C calc'!A0", '社会和法制委员会', "'@界别", '0', '0', '0', '0', '0', '0', '0'],
      ['王明', '社会和法制委员会', '经济界', '1', '1', '1', '1', '6', '1', '1'],
    ]);

    const [xlsx] = await h.as(admin).send('/recordexport term');
    expect(xlsx!.file!.name).toBe('records-term-2023.xlsx');
    const book = new ExcelJS.Workbook();
    await book.xlsx.load(xlsx!.file!.data as unknown as ArrayBuffer);
    const sheet = book.worksheets[0]!;
    expect(sheet.rowCount).toBe(4);
    const rows = [2, 3, 4].map((n) => (sheet.getRow(n).values as unknown[]).slice(1));
    expect(rows).toContainEqual(["'=cmd|' /C calc'!A0", '社会和法制委员会', "'@界别", 0, 0, 0, 0, 0, 0, 0]);
    expect(rows).toContainEqual(['王明', '社会和法制委员会', '经济界', 2, 1, 2, 1, 7, 2, 2]);
    expect(rows.map((r) => r[0])).toContain('张伟');

    const audits = await h.db.select().from(auditLog).where(eq(auditLog.action, 'record.export')).orderBy(auditLog.id);
    expect(audits.map((a) => [a.actorId, a.subject, a.detail])).toEqual([
      [zhao.id, 'records:2026', { format: 'csv', committee: '社会和法制委员会', members: 2 }],
      [admin.id, 'records:term-2023', { format: 'xlsx', committee: null, members: 3 }],
    ]);
  });

  it('refuses a period it cannot read and keeps members out, writing nothing to the audit log', async () => {
    const before = (await h.db.select().from(auditLog)).length;
    expect(text(await h.as(zhao).send('/recordexport 2030'))).toMatch(/^看不懂“2030”/);
    expect(text(await h.as(zhao).send('/recordexport pdf'))).toMatch(/^看不懂“pdf”/);
    expect(text(await h.as(wang).send('/recordexport'))).toBe('抱歉，您没有使用这个功能的权限。');
    expect((await h.db.select().from(auditLog)).length).toBe(before);
  });

  it('finds a member whose name has several words without quotes, and answers an empty name with the usage', async () => {
    await h.addMember({ name: 'Alice Smith', committee: '社会和法制委员会' });
    expect(text(await h.as(zhao).send('/record Alice Smith')).split('\n')[0]).toBe('Alice Smith 的履职档案');
    expect(text(await h.as(zhao).send('/record'))).toContain(t('zh-Hans', 'record.viewUsage'));
  });
});

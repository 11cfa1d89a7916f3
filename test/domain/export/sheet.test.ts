import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import ExcelJS from 'exceljs';
import { parse as parseCsv } from 'csv-parse/sync';
import { exportFile, neutraliseCell, toCsv, toXlsx, type ExportSheet } from '../../../src/domain/export/index.js';

const sheet: ExportSheet = {
  name: '按委员',
  headers: ['姓名', '界别', '积分'],
  rows: [
    ['=HYPERLINK("http://evil.example","点我")', '+SUM(A1:A9)', 5],
    ['-2+3', '@cmd', -4],
    ['\tTab', '\rCR', 0],
    ['王明, "老王"', '经济界\n第二行', null],
  ],
};

describe('export writer', () => {
  it('neutralises every text cell a spreadsheet would read as a formula', () => {
    for (const v of ['=1+1', '+1', '-1', '@A1', '\t=1', '\r=1']) expect(neutraliseCell(v)).toBe(`'${v}`);
    for (const v of ['王明', '1+1', ' =1', '', "'=1"]) expect(neutraliseCell(v)).toBe(v);
  });

  it('writes CSV with a BOM, quoting, neutralised text and numbers left as numbers', () => {
    const csv = toCsv([sheet]).toString('utf8');
    expect(csv.startsWith('\uFEFF')).toBe(true);
    const rows = parseCsv(csv, { bom: true }) as string[][];
    expect(rows).toEqual([
      ['姓名', '界别', '积分'],
      [`'=HYPERLINK("http://evil.example","点我")`, "'+SUM(A1:A9)", '5'],
      ["'-2+3", "'@cmd", '-4'],
      ["'\tTab", "'\rCR", '0'],
      ['王明, "老王"', '经济界\n第二行', ''],
    ]);
  });

  it('puts several sheets in one CSV as titled sections', () => {
    const csv = toCsv([sheet, { name: '=合计', headers: ['a'], rows: [[1]] }]).toString('utf8');
    expect(csv).toContain("\r\n\r\n'=合计\r\na\r\n1\r\n");
  });

  it('writes XLSX whose text cells are neutralised strings, never formulas', async () => {
    const book = new ExcelJS.Workbook();
    await book.xlsx.load((await toXlsx([sheet, { name: 'a/b*c?[d]', headers: ['x'], rows: [] }])) as unknown as ArrayBuffer);
    const ws = book.worksheets[0]!;
    expect(ws.name).toBe('按委员');
    expect(book.worksheets[1]!.name).toBe('a b c  d');
    expect(ws.getCell('A2').value).toBe(`'=HYPERLINK("http://evil.example","点我")`);
    expect(ws.getCell('B2').value).toBe("'+SUM(A1:A9)");
    expect(ws.getCell('C3').value).toBe(-4);
    ws.eachRow((row) => row.eachCell((cell) => expect(cell.type).not.toBe(ExcelJS.ValueType.Formula)));
  });

  it('never lets a member-written text start a cell with a formula character', () => {
    fc.assert(fc.property(fc.string(), (s) => {
      const rows = parseCsv(toCsv([{ name: 's', headers: ['h'], rows: [[s]] }]), { bom: true, from_line: 2 }) as string[][];
      return !/^[=+\-@\t\r]/.test(rows[0]?.[0] ?? '');
    }));
  });

  it('names the file and its type', async () => {
    expect(await exportFile('records-2026', 'csv', [sheet])).toMatchObject({ name: 'records-2026.csv', mimeType: 'text/csv; charset=utf-8' });
    expect((await exportFile('records-2026', 'xlsx', [sheet])).name).toBe('records-2026.xlsx');
  });
});

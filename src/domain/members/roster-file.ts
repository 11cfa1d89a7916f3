import { parse as parseCsv } from 'csv-parse/sync';
import ExcelJS from 'exceljs';
import { UserError } from '../../core/errors.js';

/** One data row of a spreadsheet: its line number as the person sees it, and cells by header. */
export interface SheetRow {
  line: number;
  cells: Record<string, string>;
}

/**
 * Reads a CSV or XLSX file into rows keyed by the (trimmed, lower-cased) header of the first
 * row. Shared by every staff import: roster, shifts.
 */
export async function readSheet(fileName: string, data: Buffer): Promise<SheetRow[]> {
  const lower = fileName.toLowerCase();
  if (lower.endsWith('.csv') || lower.endsWith('.txt')) return readCsv(data);
  if (lower.endsWith('.xlsx')) return readXlsx(data);
  throw new UserError('import.badFileType', { name: fileName });
}

function readCsv(data: Buffer): SheetRow[] {
  let records: string[][];
  try {
    records = parseCsv(data, { bom: true, relax_column_count: true, skip_empty_lines: false, trim: true }) as string[][];
  } catch {
    throw new UserError('import.unreadable');
  }
  return toRows(records);
}

async function readXlsx(data: Buffer): Promise<SheetRow[]> {
  const book = new ExcelJS.Workbook();
  try {
    await book.xlsx.load(data as unknown as ArrayBuffer);
  } catch {
    throw new UserError('import.unreadable');
  }
  const sheet = book.worksheets[0];
  if (!sheet) throw new UserError('import.unreadable');
  const records: string[][] = [];
  sheet.eachRow({ includeEmpty: true }, (row, n) => {
    const values: string[] = [];
    row.eachCell({ includeEmpty: true }, (cell, col) => {
      values[col - 1] = cellText(cell.value);
    });
    records[n - 1] = values;
  });
  return toRows(Array.from(records, (r) => Array.from(r ?? [], (v) => v ?? '')));
}

function cellText(v: ExcelJS.CellValue): string {
  if (v === null || v === undefined) return '';
  if (v instanceof Date) return v.toISOString();
  if (typeof v === 'object') {
    if ('text' in v && typeof v.text === 'string') return v.text.trim();
    if ('result' in v) return String(v.result ?? '').trim();
    if ('richText' in v) return v.richText.map((r) => r.text).join('').trim();
  }
  return String(v).trim();
}

function toRows(records: string[][]): SheetRow[] {
  const [header, ...rest] = records;
  if (!header) throw new UserError('import.empty');
  const names = header.map((h) => h.trim().toLowerCase());
  return rest
    .map((values, i) => ({
      line: i + 2,
      cells: Object.fromEntries(names.map((n, c) => [n, (values[c] ?? '').trim()])),
    }))
    .filter((r) => Object.values(r.cells).some((v) => v !== ''));
}

/** The first cell whose header is one of `names` (headers may be English or Chinese). */
export function cell(row: SheetRow, ...names: string[]): string {
  for (const n of names) {
    const v = row.cells[n.toLowerCase()];
    if (v !== undefined && v !== '') return v;
  }
  return '';
}

import { parse as parseCsv } from 'csv-parse/sync';
import ExcelJS from 'exceljs';
import { UserError } from '../../core/errors.js';
import type { ImportLimits } from '../imports/settings.js';
import { checkXlsx } from '../imports/zip-guard.js';
import { decodeCsv } from '../imports/text-encoding.js';

/** One data row of a spreadsheet: its line number as the person sees it, and cells by header. */
export interface SheetRow {
  line: number;
  cells: Record<string, string>;
  /** The first cell that holds an Excel error (#N/A, #REF! …) instead of a value: the row cannot be read. */
  errorCell?: { column: string; value: string };
}

/**
 * Reads a CSV or XLSX file into rows keyed by the (trimmed, lower-cased) header of the first
 * row. Shared by every staff import: roster, shifts. The file is held to `limits` (size, what an
 * XLSX unpacks to, rows) before and while it is read.
 */
export async function readSheet(fileName: string, data: Buffer, limits: ImportLimits): Promise<SheetRow[]> {
  const lower = fileName.toLowerCase();
  const csv = lower.endsWith('.csv') || lower.endsWith('.txt');
  if (!csv && !lower.endsWith('.xlsx')) throw new UserError('import.badFileType', { name: fileName });
  if (data.length > limits.maxFileBytes) throw new UserError('import.tooLarge', { mb: Math.round((limits.maxFileBytes / 1024 / 1024) * 10) / 10 });
  const rows = csv ? readCsv(data, limits) : await readXlsx(data, limits);
  if (rows.length > limits.maxRows) throw new UserError('import.tooManyRows', { max: limits.maxRows });
  return rows;
}

function readCsv(data: Buffer, limits: ImportLimits): SheetRow[] {
  const text = decodeCsv(data);
  let records: string[][];
  try {
    // `to` stops the parser one record past the limit: enough to know the file is over it.
    records = parseCsv(text, { relax_column_count: true, skip_empty_lines: false, trim: true, to: limits.maxRows + 2 }) as string[][];
  } catch {
    throw new UserError('import.unreadable');
  }
  if (records.length > limits.maxRows + 1) throw new UserError('import.tooManyRows', { max: limits.maxRows });
  return toRows(records.map((values) => ({ values })));
}

/** A row of cell texts, and the first Excel error among its cells. */
interface RawRecord {
  values: string[];
  error?: { col: number; value: string };
}

async function readXlsx(data: Buffer, limits: ImportLimits): Promise<SheetRow[]> {
  await checkXlsx(data, limits);
  const book = new ExcelJS.Workbook();
  try {
    await book.xlsx.load(data as unknown as ArrayBuffer);
  } catch {
    throw new UserError('import.unreadable');
  }
  const sheet = book.worksheets[0];
  if (!sheet) throw new UserError('import.unreadable');
  const records: RawRecord[] = [];
  sheet.eachRow({ includeEmpty: true }, (row, n) => {
    const record: RawRecord = { values: [] };
    row.eachCell({ includeEmpty: true }, (cell, col) => {
      const read = cellText(cell.value);
      if (typeof read === 'string') record.values[col - 1] = read;
      else record.error ??= { col: col - 1, value: read.error };
    });
    records[n - 1] = record;
  });
  return toRows(Array.from(records, (r) => ({ ...r, values: Array.from(r?.values ?? [], (v) => v ?? '') })));
}

/** A cell's text, or the Excel error it shows (also as a formula's result). */
function cellText(v: ExcelJS.CellValue): string | { error: string } {
  if (v === null || v === undefined) return '';
  if (v instanceof Date) return v.toISOString();
  if (typeof v !== 'object') return String(v).trim();
  if ('error' in v) return { error: String(v.error) };
  if ('richText' in v) return v.richText.map((r) => r.text).join('').trim();
  if ('text' in v && typeof v.text === 'string') return v.text.trim();
  if ('result' in v) {
    const result = v.result as unknown;
    if (result && typeof result === 'object' && 'error' in result) return { error: String((result as { error: unknown }).error) };
    if (result instanceof Date) return result.toISOString();
    return String(result ?? '').trim();
  }
  // Any other kind of object would be imported as "[object Object]": refuse the row instead.
  return { error: '?' };
}

function toRows(records: RawRecord[]): SheetRow[] {
  const [header, ...rest] = records;
  if (!header) throw new UserError('import.empty');
  const names = header.values.map((h) => h.trim().toLowerCase());
  return rest
    .map((record, i) => {
      const row: SheetRow = { line: i + 2, cells: Object.fromEntries(names.map((n, c) => [n, (record.values[c] ?? '').trim()])) };
      if (record.error) row.errorCell = { column: header.values[record.error.col] || String(record.error.col + 1), value: record.error.value };
      return row;
    })
    .filter((r) => r.errorCell || Object.values(r.cells).some((v) => v !== ''));
}

/** The first cell whose header is one of `names` (headers may be English or Chinese). */
export function cell(row: SheetRow, ...names: string[]): string {
  for (const n of names) {
    const v = row.cells[n.toLowerCase()];
    if (v !== undefined && v !== '') return v;
  }
  return '';
}

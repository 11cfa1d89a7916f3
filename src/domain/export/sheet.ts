import ExcelJS from 'exceljs';
import type { FileAttachment } from '../../core/messages.js';

/** What a cell of an export may hold; numbers stay numbers, everything else is text. */
export type ExportCell = string | number | null | undefined;

/** One table of an export: a sheet of an XLSX file, a section of a CSV file. */
export interface ExportSheet {
  /** Sheet name (and the section title in a CSV with several sections). */
  name: string;
  headers: string[];
  rows: ExportCell[][];
}

export const EXPORT_FORMATS = ['csv', 'xlsx'] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

/** Characters that make a spreadsheet read a cell as a formula (CSV injection). */
const FORMULA_START = /^[=+\-@\t\r]/;

/**
 * Text that a spreadsheet will show as text: a cell starting with = + - @, a tab or a carriage
 * return gets a leading apostrophe, so "=HYPERLINK(…)" in a member's title is never run.
 */
export function neutraliseCell(value: string): string {
  return FORMULA_START.test(value) ? `'${value}` : value;
}

function cellText(value: ExportCell): string {
  if (value === null || value === undefined) return '';
  return typeof value === 'number' ? String(value) : neutraliseCell(value);
}

function csvField(text: string): string {
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/**
 * CSV as Excel opens it: UTF-8 with a byte-order mark (so Chinese shows), CRLF line ends, every
 * text cell neutralised. Several sheets become sections separated by a blank line, each under
 * its name.
 */
export function toCsv(sheets: ExportSheet[]): Buffer {
  const lines: string[] = [];
  for (const [i, sheet] of sheets.entries()) {
    if (i > 0) lines.push('');
    if (sheets.length > 1) lines.push(csvField(cellText(sheet.name)));
    for (const row of [sheet.headers, ...sheet.rows]) lines.push(row.map((v) => csvField(cellText(v))).join(','));
  }
  return Buffer.from(`\uFEFF${lines.join('\r\n')}\r\n`, 'utf8');
}

/** A sheet name Excel accepts: no []:*?/\ and at most 31 characters, unique in the book. */
function sheetName(name: string, taken: Set<string>): string {
  const base = name.replace(/[[\]:*?/\\]/g, ' ').trim().slice(0, 28) || 'Sheet';
  let candidate = base;
  for (let n = 2; taken.has(candidate.toLowerCase()); n++) candidate = `${base} ${n}`;
  taken.add(candidate.toLowerCase());
  return candidate;
}

/** An XLSX workbook, one sheet per table, header row bold and frozen, text cells neutralised. */
export async function toXlsx(sheets: ExportSheet[]): Promise<Buffer> {
  const book = new ExcelJS.Workbook();
  const taken = new Set<string>();
  for (const sheet of sheets) {
    const ws = book.addWorksheet(sheetName(sheet.name, taken), { views: [{ state: 'frozen', ySplit: 1 }] });
    ws.addRow(sheet.headers.map(cellText)).font = { bold: true };
    for (const row of sheet.rows) ws.addRow(row.map((v) => (typeof v === 'number' ? v : cellText(v))));
    ws.columns.forEach((col, i) => {
      const widest = Math.max(...[sheet.headers[i], ...sheet.rows.map((r) => r[i])].map((v) => [...String(v ?? '')].length));
      col.width = Math.min(60, Math.max(8, widest * 2));
    });
  }
  return Buffer.from(await book.xlsx.writeBuffer());
}

const MIME: Record<ExportFormat, string> = {
  csv: 'text/csv; charset=utf-8',
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
};

/** The file to send back in a chat reply: `baseName.csv` or `baseName.xlsx`. */
export async function exportFile(baseName: string, format: ExportFormat, sheets: ExportSheet[]): Promise<FileAttachment> {
  const data = format === 'csv' ? toCsv(sheets) : await toXlsx(sheets);
  return { name: `${baseName}.${format}`, mimeType: MIME[format], data };
}

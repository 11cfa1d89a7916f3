import { DateTime, IANAZone } from 'luxon';
import type { Db } from '../../store/db.js';
import { UserError } from '../../core/errors.js';
import { cleanInput } from '../../core/input.js';
import type { Params } from '../../core/i18n.js';
import { readSheet, cell, type SheetRow } from '../members/roster-file.js';
import type { ImportLimits } from '../imports/settings.js';
import { createShift, parseLevel, type ShiftDraft } from './shifts.js';

/**
 * Which staff uploads are shift rosters: a name with "shift", "值班" or "排班" in it
 * (e.g. shifts-2026-12.xlsx, roster-shifts.csv, 十二月值班.csv). The shifts feature is asked
 * before the member-roster import, so such a name is never taken for a member list.
 */
export const SHIFT_FILE_NAME = /shift|值班|排班/i;

/** A row turned away: its spreadsheet line and why (a locale key with its params). */
export interface RejectedShiftRow {
  line: number;
  reasonKey: string;
  params: Params;
}

export interface ShiftImportReport {
  added: number;
  /** Rows whose slot was on the roster already (re-imports change nothing). */
  unchanged: number;
  rejected: RejectedShiftRow[];
  /** Ids of the shifts added, in file order. */
  addedIds: number[];
}

const COLUMNS = {
  date: ['date', '日期'],
  start: ['start', 'start time', '开始', '开始时间', '開始', '開始時間'],
  end: ['end', 'end time', '结束', '结束时间', '結束', '結束時間'],
  theme: ['theme', '主题', '值班主题', '主題', '值班主題'],
  level: ['level', '级别', '層級', '层级', '級別', '联动', '聯動'],
  capacity: ['capacity', 'seats', '名额', '名額', '人数', '人數'],
  place: ['place', 'link', 'place or link', '地点', '地點', '链接', '連結', '地点或链接', '地點或連結'],
  contact: ['contact', 'staff contact', '联系人', '聯絡人', '聯繫人'],
  zone: ['time zone', 'timezone', 'time_zone', '时区', '時區'],
} as const;

/** A date cell: 2026-12-10, 2026/12/10, or the ISO moment an XLSX date cell reads as. */
function dateOf(raw: string): string {
  const v = raw.trim().replace(/\//g, '-');
  const iso = /^(\d{4}-\d{2}-\d{2})T/.exec(v);
  const d = iso ? DateTime.fromISO(iso[1]!) : DateTime.fromFormat(v, 'yyyy-M-d');
  if (!d.isValid) throw new UserError('errors.badDate');
  return d.toISODate()!;
}

/** A time cell: 09:00, 9:00:00, an XLSX time (an ISO moment on 1899-12-30) or a day fraction. */
function timeOf(raw: string): string {
  const v = raw.trim().replace('：', ':');
  const hm = /^([01]?\d|2[0-3]):([0-5]\d)(?::[0-5]\d)?$/.exec(v);
  if (hm) return `${hm[1]!.padStart(2, '0')}:${hm[2]}`;
  const iso = /^\d{4}-\d{2}-\d{2}T(\d{2}):(\d{2})/.exec(v);
  if (iso) return `${iso[1]}:${iso[2]}`;
  const fraction = Number(v);
  if (v !== '' && Number.isFinite(fraction) && fraction >= 0 && fraction < 1) {
    const minutes = Math.round(fraction * 1440);
    return `${String(Math.floor(minutes / 60)).padStart(2, '0')}:${String(minutes % 60).padStart(2, '0')}`;
  }
  throw new UserError('errors.badTime');
}

function draftOf(row: SheetRow, defaultZone: string): ShiftDraft {
  const get = (k: keyof typeof COLUMNS) => cleanInput(cell(row, ...COLUMNS[k]));
  const level = parseLevel(get('level'));
  if (!level) throw new UserError('shifts.error.badLevel');
  const capacityText = get('capacity');
  const capacity = /^\d{1,3}$/.test(capacityText) ? Number(capacityText) : NaN;
  const zone = get('zone') || defaultZone;
  if (!IANAZone.isValidZone(zone)) throw new UserError('tz.invalid', { zone });
  return {
    date: dateOf(get('date')), start: timeOf(get('start')), end: timeOf(get('end')), zone,
    theme: get('theme'), level, capacity, place: get('place'), contact: get('contact'),
  };
}

/**
 * Creates a month's roster from a CSV or XLSX file. Dates and times are read in `zone` (the
 * importing staff member's) unless a row names its own time zone. Good rows are added, rows
 * already on the roster are left alone, each bad row is reported with its line; all in one
 * transaction, so a failure half-way adds nothing.
 */
export async function importShifts(
  db: Db, file: { name: string; data: Buffer }, zone: string, staffId: number, now: Date, limits: ImportLimits,
): Promise<ShiftImportReport> {
  const rows = await readSheet(file.name, file.data, limits);
  if (rows.length === 0) throw new UserError('import.empty');
  return db.transaction(async (tx) => {
    const report: ShiftImportReport = { added: 0, unchanged: 0, rejected: [], addedIds: [] };
    for (const row of rows) {
      if (row.errorCell) {
        report.rejected.push({ line: row.line, reasonKey: 'import.errorCell', params: row.errorCell });
        continue;
      }
      try {
        const { shift, created } = await createShift(tx, draftOf(row, zone), staffId, now);
        if (created) {
          report.added++;
          report.addedIds.push(shift.id);
        } else report.unchanged++;
      } catch (err) {
        if (!(err instanceof UserError)) throw err;
        report.rejected.push({ line: row.line, reasonKey: err.key, params: err.params });
      }
    }
    return report;
  });
}

import { inArray } from 'drizzle-orm';
import type { DbOrTx } from '../../store/db.js';
import { members } from '../../store/schema/index.js';
import { addDeliveries, type DeliveryRequest } from '../outbox.js';
import { dt } from '../../core/i18n.js';

/** An upcoming shift with seats nobody holds (what shifts' `unfilledShifts` returns). */
export interface CoverageGap {
  shiftId: number;
  startsAt: Date;
  theme: string;
  capacity: number;
  filled: number;
}

export type UnfilledShifts = (db: DbOrTx, from: Date, to: Date) => Promise<CoverageGap[]>;

/** Staff and admins: who hears about gaps in the roster. */
export async function staffIds(db: DbOrTx): Promise<number[]> {
  const rows = await db.select({ id: members.id }).from(members).where(inArray(members.role, ['staff', 'admin']));
  return rows.map((r) => r.id);
}

/**
 * Tells staff about unfilled shifts starting within the alert windows (T-72h, T-24h by default).
 * Each shift gets one alert per window, the narrowest it is in: a shift found 50 h ahead gets the
 * 72 h alert now and the 24 h one later; one created 10 h ahead gets only the 24 h one. Runs hourly
 * and catches up after downtime; refs like 'shift:12:T-24h' make every alert go once.
 */
export async function coverageAlerts(db: DbOrTx, unfilledShifts: UnfilledShifts, alertHours: number[], now: Date): Promise<number> {
  const windows = [...new Set(alertHours)].sort((a, b) => a - b);
  const widest = windows[windows.length - 1];
  if (widest === undefined) return 0;
  const gaps = await unfilledShifts(db, now, new Date(now.getTime() + widest * 3600_000));
  if (gaps.length === 0) return 0;
  const staff = await staffIds(db);
  const requests: DeliveryRequest[] = [];
  for (const gap of gaps) {
    const hoursLeft = (gap.startsAt.getTime() - now.getTime()) / 3600_000;
    const window = windows.find((h) => hoursLeft <= h);
    if (window === undefined || gap.filled >= gap.capacity) continue;
    for (const memberId of staff) {
      requests.push({
        kind: 'coverage.alert', ref: `shift:${gap.shiftId}:T-${window}h`, to: { memberId }, template: 'digest.coverageAlert',
        params: { id: gap.shiftId, theme: gap.theme, startsAt: dt(gap.startsAt), filled: gap.filled, capacity: gap.capacity, missing: gap.capacity - gap.filled, hours: window },
      });
    }
  }
  return addDeliveries(db, requests);
}

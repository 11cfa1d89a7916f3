import { and, eq, ne } from 'drizzle-orm';
import { DateTime } from 'luxon';
import type { Db, DbOrTx } from '../../store/db.js';
import { shiftSwaps, shifts, type ShiftLevel } from '../../store/schema/index.js';
import { UserError } from '../../core/errors.js';
import { charLength } from '../../core/input.js';
import { dt, tk } from '../../core/i18n.js';
import { cancelPendingDeliveries } from '../outbox.js';
import { assertUpcoming, bumpVersion, lockShift, signupsOf, type Shift } from './records.js';
import { notifyMembers, shiftEvents } from './notify.js';
import { demoteOverCapacity, fillSeats } from './signup.js';

/** Longest theme, place/link and contact a shift may carry (characters). */
export const SHIFT_TEXT_LIMITS = { theme: 100, place: 300, contact: 100, reason: 300 } as const;
export const MIN_CAPACITY = 1;
export const MAX_CAPACITY = 10;

/** A shift as staff describe it: a calendar date and times of day in their own time zone. */
export interface ShiftDraft {
  date: string;
  start: string;
  end: string;
  zone: string;
  theme: string;
  level: ShiftLevel;
  capacity: number;
  place?: string;
  contact?: string;
}

/** The moment a local date (YYYY-MM-DD) and time (HH:MM) name in `zone`. */
export function localMoment(date: string, time: string, zone: string): Date {
  const at = DateTime.fromISO(`${date}T${time}`, { zone });
  if (!at.isValid) throw new UserError('errors.badDate');
  return at.toJSDate();
}

export function checkCapacity(capacity: number): number {
  if (!Number.isInteger(capacity) || capacity < MIN_CAPACITY || capacity > MAX_CAPACITY) {
    throw new UserError('shifts.error.capacity', { min: MIN_CAPACITY, max: MAX_CAPACITY });
  }
  return capacity;
}

export function checkTimes(startsAt: Date, endsAt: Date, now: Date): void {
  if (startsAt.getTime() <= now.getTime()) throw new UserError('shifts.error.past', { start: startsAt });
  if (endsAt.getTime() <= startsAt.getTime()) throw new UserError('shifts.error.endBeforeStart');
}

export function checkText(field: keyof typeof SHIFT_TEXT_LIMITS, value: string, required: boolean): string {
  const v = value.trim();
  if (required && v === '') throw new UserError('shifts.error.emptyTheme');
  if (charLength(v) > SHIFT_TEXT_LIMITS[field]) throw new UserError('shifts.error.tooLong', { field: tk(`shifts.field.${field}`), max: SHIFT_TEXT_LIMITS[field] });
  return v;
}

/** The row a draft becomes, or a UserError naming the first problem. */
export function checkedShift(draft: ShiftDraft, now: Date) {
  const startsAt = localMoment(draft.date, draft.start, draft.zone);
  const endsAt = localMoment(draft.date, draft.end, draft.zone);
  checkTimes(startsAt, endsAt, now);
  return {
    startsAt, endsAt, level: draft.level, capacity: checkCapacity(draft.capacity),
    theme: checkText('theme', draft.theme, true),
    place: checkText('place', draft.place ?? '', false),
    contact: checkText('contact', draft.contact ?? '', false),
  };
}

/** An open shift with the same slot, if any (the same start, end, level and theme). */
async function sameSlot(db: DbOrTx, v: { startsAt: Date; endsAt: Date; level: ShiftLevel; theme: string }, exceptId = 0) {
  const [row] = await db.select({ id: shifts.id }).from(shifts).where(and(
    eq(shifts.status, 'open'), eq(shifts.startsAt, v.startsAt), eq(shifts.endsAt, v.endsAt),
    eq(shifts.level, v.level), eq(shifts.theme, v.theme), ne(shifts.id, exceptId),
  ));
  return row?.id;
}

/**
 * Creates a shift, or returns `existing` when the same slot is already on the roster (imports
 * rely on this to be idempotent). Refuses a time in the past, an end before the start, a
 * capacity outside 1–10.
 */
export async function createShift(db: DbOrTx, draft: ShiftDraft, staffId: number | null, now: Date): Promise<{ shift: Shift; created: boolean }> {
  const values = checkedShift(draft, now);
  return db.transaction(async (tx) => {
    const [row] = await tx.insert(shifts).values({ ...values, createdBy: staffId, createdAt: now, updatedAt: now }).onConflictDoNothing().returning();
    if (row) {
      await shiftEvents(tx, row.id, [{ kind: 'shift.created', ...(staffId ? { payload: { by: staffId } } : {}) }], false);
      return { shift: row, created: true };
    }
    const existing = await sameSlot(tx, values);
    const [shift] = await tx.select().from(shifts).where(eq(shifts.id, existing ?? 0));
    if (!shift) throw new Error('shift insert conflicted, but no same slot was found');
    return { shift, created: false };
  });
}

/** One change staff make to a shift. Dates and times are in the editor's zone. */
export type ShiftEdit =
  | { field: 'date'; date: string; zone: string }
  | { field: 'time'; start: string; end: string; zone: string }
  | { field: 'theme' | 'place' | 'contact'; value: string }
  | { field: 'level'; value: ShiftLevel }
  | { field: 'capacity'; value: number };

export interface EditOutcome {
  before: Shift;
  shift: Shift;
  /** Members told about a new time or place. */
  notified: number;
  promoted: number[];
  demoted: number[];
}

function applyEdit(shift: Shift, edit: ShiftEdit, now: Date): Partial<Shift> {
  switch (edit.field) {
    case 'date':
    case 'time': {
      const local = (d: Date) => DateTime.fromJSDate(d).setZone(edit.zone);
      const date = edit.field === 'date' ? edit.date : local(shift.startsAt).toISODate()!;
      const start = edit.field === 'time' ? edit.start : local(shift.startsAt).toFormat('HH:mm');
      const end = edit.field === 'time' ? edit.end : local(shift.endsAt).toFormat('HH:mm');
      const startsAt = localMoment(date, start, edit.zone);
      const endsAt = localMoment(date, end, edit.zone);
      checkTimes(startsAt, endsAt, now);
      return { startsAt, endsAt };
    }
    case 'capacity':
      return { capacity: checkCapacity(edit.value) };
    case 'level':
      return { level: edit.value };
    case 'theme':
      return { theme: checkText('theme', edit.value, true) };
    default:
      return { [edit.field]: checkText(edit.field, edit.value, false) };
  }
}

/**
 * Changes one thing about an upcoming shift. A new time or place is sent to everyone signed up
 * (each reads it in their own zone); a lower capacity moves the latest sign-ups to the waitlist,
 * a higher one promotes from it.
 */
export async function editShift(db: Db, shiftId: number, edit: ShiftEdit, staffId: number, now: Date): Promise<EditOutcome> {
  return db.transaction(async (tx) => {
    const before = await lockShift(tx, shiftId);
    assertUpcoming(before, now);
    const change = applyEdit(before, edit, now);
    const next = { ...before, ...change };
    const clash = await sameSlot(tx, next, shiftId);
    if (clash) throw new UserError('shifts.error.duplicate', { id: clash });
    await tx.update(shifts).set(change).where(eq(shifts.id, shiftId));
    const shift = await bumpVersion(tx, shiftId, now);
    const demoted = shift.capacity < before.capacity ? await demoteOverCapacity(tx, shift) : [];
    const promoted = shift.capacity > before.capacity ? await fillSeats(tx, shift, now) : [];
    const timeChanged = shift.startsAt.getTime() !== before.startsAt.getTime() || shift.endsAt.getTime() !== before.endsAt.getTime();
    let notified = 0;
    if (timeChanged || shift.place !== before.place) {
      const everyone = (await signupsOf(tx, shiftId)).map((s) => s.memberId);
      await notifyMembers(tx, shift, 'shift.changed', everyone, timeChanged ? 'shifts.notify.changed' : 'shifts.notify.placeChanged',
        { oldStart: dt(before.startsAt), oldEnd: dt(before.endsAt) });
      notified = everyone.length;
    }
    await shiftEvents(tx, shiftId, [{ kind: 'shift.changed', payload: { field: edit.field, by: staffId } }], timeChanged);
    return { before, shift, notified, promoted, demoted };
  });
}

/**
 * Cancels an upcoming shift: everyone signed up is told (with the reason, if given), open swap
 * offers are withdrawn and reminders are dropped.
 */
export async function cancelShift(db: Db, shiftId: number, reason: string, staffId: number, now: Date): Promise<{ shift: Shift; notified: number }> {
  const why = checkText('reason', reason, false);
  return db.transaction(async (tx) => {
    assertUpcoming(await lockShift(tx, shiftId), now);
    await tx.update(shifts).set({ status: 'cancelled', cancelledAt: now, cancelReason: why || null }).where(eq(shifts.id, shiftId));
    const shift = await bumpVersion(tx, shiftId, now);
    const open = await tx.update(shiftSwaps).set({ status: 'withdrawn', decidedAt: now })
      .where(and(eq(shiftSwaps.shiftId, shiftId), eq(shiftSwaps.status, 'open'))).returning({ id: shiftSwaps.id });
    for (const s of open) await cancelPendingDeliveries(tx, 'shift.swapOffer', `swap:${s.id}`);
    const everyone = (await signupsOf(tx, shiftId)).map((s) => s.memberId);
    await notifyMembers(tx, shift, 'shift.cancelled', everyone, 'shifts.notify.cancelled', { reason: why || tk('shifts.none') });
    await shiftEvents(tx, shiftId, [
      { kind: 'shift.cancelled', payload: { by: staffId } },
      ...everyone.map((memberId) => ({ kind: 'shift.cancelled', memberId })),
    ], true);
    return { shift, notified: everyone.length };
  });
}

/** Staff may name a level in English or Chinese: province/省, city/市, county/县/区. */
export function parseLevel(word: string): ShiftLevel | undefined {
  return LEVEL_WORDS[word.trim().toLowerCase()];
}

const LEVEL_WORDS: Record<string, ShiftLevel> = {
  province: 'province', provincial: 'province', 省: 'province', 省级: 'province', 省級: 'province',
  city: 'city', municipal: 'city', 市: 'city', 市级: 'city', 市級: 'city',
  county: 'county', district: 'county', 县: 'county', 縣: 'county', 区: 'county', 區: 'county',
  县级: 'county', 縣級: 'county', 区级: 'county', 區級: 'county',
};

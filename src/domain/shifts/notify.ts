import { inArray } from 'drizzle-orm';
import type { DbOrTx } from '../../store/db.js';
import { members } from '../../store/schema/index.js';
import { dt, tk, type Params } from '../../core/i18n.js';
import { addDeliveries, recordEvents, type DeliveryButton, type DomainEvent } from '../outbox.js';
import type { Shift } from './records.js';

/** The ref every event and reminder of a shift carries. */
export const shiftRef = (shiftId: number): string => `shift:${shiftId}`;

/**
 * What every shift message shows, JSON-safe for an outbox row: the times are rendered later in
 * each recipient's own zone and language.
 */
export function shiftParams(shift: Shift): Params {
  return {
    id: shift.id,
    theme: shift.theme,
    start: dt(shift.startsAt),
    end: dt(shift.endsAt),
    level: tk(`shifts.level.${shift.level}`),
    place: shift.place || tk('shifts.none'),
    contact: shift.contact || tk('shifts.none'),
  };
}

/**
 * Writes one outbox row per member about this version of the shift. The kind names the message
 * ('shift.promoted'…); the version in the ref lets a later change notify the same member again.
 */
export async function notifyMembers(
  tx: DbOrTx, shift: Shift, kind: string, memberIds: number[], template: string,
  extra: Params = {}, buttons?: DeliveryButton[][],
): Promise<void> {
  await addDeliveries(
    tx,
    [...new Set(memberIds)].map((memberId) => ({
      kind, ref: `${shiftRef(shift.id)}:v${shift.version}`, to: { memberId }, template,
      params: { ...shiftParams(shift), ...extra }, ...(buttons ? { buttons } : {}),
    })),
  );
}

/** Staff and admins: who is told about requests that need a decision. */
export async function staffIds(db: DbOrTx): Promise<number[]> {
  const rows = await db.select({ id: members.id }).from(members).where(inArray(members.role, ['staff', 'admin']));
  return rows.map((r) => r.id);
}

/**
 * Records what happened to members of a shift, and — when the start time or the confirmed
 * members changed — the 'reminder.changed' fact the delivery engine reschedules reminders from.
 */
export async function shiftEvents(
  tx: DbOrTx, shiftId: number, events: { kind: string; memberId?: number; payload?: Record<string, unknown> }[],
  remindersChanged: boolean,
): Promise<void> {
  const ref = shiftRef(shiftId);
  const all: DomainEvent[] = events.map((e) => ({ ...e, ref }));
  if (remindersChanged) all.push({ kind: 'reminder.changed', ref });
  await recordEvents(tx, all);
}

import { and, asc, eq } from 'drizzle-orm';
import type { DbOrTx } from '../../store/db.js';
import { shiftSignups, shifts } from '../../store/schema/index.js';
import type { ReminderFacts } from '../reminders.js';
import { shiftParams } from './notify.js';

/**
 * What the delivery engine needs to remind the members on duty of a shift: its start, the
 * confirmed members (not the waitlist) and the reminder text. Undefined for a cancelled or
 * unknown shift. The engine hears of changes through 'reminder.changed' events on 'shift:ID'.
 */
export async function shiftReminderFacts(db: DbOrTx, shiftId: number): Promise<ReminderFacts | undefined> {
  const [shift] = await db.select().from(shifts).where(eq(shifts.id, shiftId));
  if (!shift || shift.status !== 'open') return undefined;
  const seats = await db
    .select({ memberId: shiftSignups.memberId })
    .from(shiftSignups)
    .where(and(eq(shiftSignups.shiftId, shiftId), eq(shiftSignups.status, 'confirmed')))
    .orderBy(asc(shiftSignups.id));
  return {
    startsAt: shift.startsAt,
    memberIds: seats.map((s) => s.memberId),
    template: 'shifts.reminder',
    params: shiftParams(shift),
  };
}

import { and, asc, eq, isNotNull } from 'drizzle-orm';
import type { Db, DbOrTx } from '../../store/db.js';
import { members, shiftSignups, shifts } from '../../store/schema/index.js';
import { UserError } from '../../core/errors.js';
import { bumpVersion, lockShift, type Shift } from './records.js';
import { notifyMembers, shiftEvents } from './notify.js';
import { removeSignup } from './signup.js';

/** A late withdrawal waiting for staff: who, which shift, since when. */
export interface CancelRequest {
  signupId: number;
  memberId: number;
  name: string;
  shift: Shift;
  requestedAt: Date;
}

/** Late withdrawal requests not decided yet, soonest shift first (staff view). */
export async function pendingCancelRequests(db: DbOrTx, now: Date): Promise<CancelRequest[]> {
  const rows = await db
    .select({ signupId: shiftSignups.id, memberId: shiftSignups.memberId, name: members.name, shift: shifts, requestedAt: shiftSignups.cancelRequestedAt })
    .from(shiftSignups)
    .innerJoin(shifts, eq(shifts.id, shiftSignups.shiftId))
    .innerJoin(members, eq(members.id, shiftSignups.memberId))
    .where(and(isNotNull(shiftSignups.cancelRequestedAt), eq(shifts.status, 'open')))
    .orderBy(asc(shifts.startsAt), asc(shiftSignups.id));
  return rows.filter((r) => r.shift.endsAt > now).map((r) => ({ ...r, requestedAt: r.requestedAt! }));
}

/**
 * Staff approve (the member leaves, the waitlist moves up) or deny (the member stays on duty) a
 * late withdrawal. Either way the member is told. A request already decided is "not found".
 */
export async function decideCancelRequest(db: Db, signupId: number, approve: boolean, staffId: number, now: Date): Promise<CancelRequest> {
  const [found] = await db.select({ shiftId: shiftSignups.shiftId }).from(shiftSignups).where(eq(shiftSignups.id, signupId));
  if (!found) throw new UserError('shifts.error.noRequest');
  return db.transaction(async (tx) => {
    const shift = await lockShift(tx, found.shiftId);
    const [signup] = await tx.select().from(shiftSignups).where(eq(shiftSignups.id, signupId));
    if (!signup?.cancelRequestedAt || signup.status !== 'confirmed' || shift.status !== 'open') throw new UserError('shifts.error.noRequest');
    const [member] = await tx.select({ name: members.name }).from(members).where(eq(members.id, signup.memberId));
    const request: CancelRequest = { signupId, memberId: signup.memberId, name: member?.name ?? '', shift, requestedAt: signup.cancelRequestedAt };
    if (approve) {
      await removeSignup(tx, shift, signup, now, 'shift.withdrawn');
      const current = await lockShift(tx, shift.id);
      await notifyMembers(tx, current, 'shift.cancelApproved', [signup.memberId], 'shifts.notify.cancelApproved');
    } else {
      await tx.update(shiftSignups).set({ cancelRequestedAt: null }).where(eq(shiftSignups.id, signupId));
      const current = await bumpVersion(tx, shift.id, now);
      await notifyMembers(tx, current, 'shift.cancelDenied', [signup.memberId], 'shifts.notify.cancelDenied');
      await shiftEvents(tx, shift.id, [{ kind: 'shift.cancelDenied', memberId: signup.memberId, payload: { by: staffId } }], false);
    }
    return request;
  });
}

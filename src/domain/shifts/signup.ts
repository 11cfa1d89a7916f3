import { and, asc, desc, eq, inArray } from 'drizzle-orm';
import type { Db, DbOrTx, Tx } from '../../store/db.js';
import { shiftSignups, shiftSwaps } from '../../store/schema/index.js';
import { UserError } from '../../core/errors.js';
import { dt } from '../../core/i18n.js';
import { cancelPendingDeliveries } from '../outbox.js';
import {
  assertUpcoming, bumpVersion, eligibilityProblem, lockMembers, lockShift, shiftById, signupCounts, signupOf, waitlistPosition,
  type Shift, type ShiftRules, type Signup,
} from './records.js';
import { notifyMembers, shiftEvents, staffIds } from './notify.js';
import { memberById } from '../members/members.js';

/** Where a sign-up landed: a seat, or a place on the waitlist (1 = next in line). */
export interface SignupOutcome {
  shiftId: number;
  signupId: number;
  status: 'confirmed' | 'waitlisted';
  /** Waitlist position, 0 when confirmed. */
  position: number;
}

const DAY_MS = 24 * 3600 * 1000;
const HOUR_MS = 3600 * 1000;

/**
 * Signs a member up for a shift: a seat while there is one, else the waitlist, in arrival order.
 * The shift row lock serializes sign-ups, so confirmed seats never exceed capacity and arrival
 * order is the order in which sign-ups got the lock.
 */
export async function signUp(db: Db, shiftId: number, memberId: number, rules: ShiftRules, now: Date): Promise<SignupOutcome> {
  // A second sign-up (a double press) is refused without queueing for the shift's lock, which
  // everyone signing up for the shift takes in turn; the locked checks below repeat this one.
  await refuseUnavailable(db, await shiftById(db, shiftId), memberId, rules, now);
  return db.transaction(async (tx) => {
    const shift = await lockShift(tx, shiftId);
    await lockMembers(tx, [memberId]);
    await refuseUnavailable(tx, shift, memberId, rules, now);
    const problem = await eligibilityProblem(tx, memberId, shift, rules, 'self');
    if (problem) throw problem;
    const { confirmed } = await signupCounts(tx, shiftId);
    const status = confirmed < shift.capacity ? 'confirmed' : 'waitlisted';
    const [row] = await tx
      .insert(shiftSignups)
      .values({ shiftId, memberId, status, signedUpAt: now, confirmedAt: status === 'confirmed' ? now : null })
      .returning();
    await bumpVersion(tx, shiftId, now);
    await shiftEvents(tx, shiftId, [{ kind: status === 'confirmed' ? 'shift.signup' : 'shift.waitlisted', memberId }], status === 'confirmed');
    return { shiftId, signupId: row!.id, status, position: await waitlistPosition(tx, row!) };
  });
}

/** Refuses a sign-up for a shift that has started or is not open yet, or that the member is on already. */
async function refuseUnavailable(db: DbOrTx, shift: Shift, memberId: number, rules: ShiftRules, now: Date): Promise<void> {
  assertUpcoming(shift, now);
  const opensAt = new Date(shift.startsAt.getTime() - rules.settings.signupOpensDays * DAY_MS);
  if (now < opensAt) throw new UserError('shifts.error.notOpenYet', { id: shift.id, opensAt });
  const existing = await signupOf(db, shift.id, memberId);
  if (existing) {
    throw new UserError(existing.status === 'confirmed' ? 'shifts.error.alreadyConfirmed' : 'shifts.error.alreadyWaitlisted', {
      id: shift.id, position: await waitlistPosition(db, existing),
    });
  }
}

/** What a withdrawal did: left at once, or (after the cut-off) asked staff to approve. */
export type WithdrawOutcome = { kind: 'withdrawn'; wasConfirmed: boolean } | { kind: 'requested'; cutoff: Date };

/**
 * Takes a member off a shift. The waitlist may be left at any time; a seat may be given up until
 * the cut-off, after which the withdrawal becomes a request to staff. A freed seat goes to the
 * head of the waitlist at once.
 */
export async function withdraw(db: Db, shiftId: number, memberId: number, rules: ShiftRules, now: Date): Promise<WithdrawOutcome> {
  return db.transaction(async (tx) => {
    const shift = await lockShift(tx, shiftId);
    assertUpcoming(shift, now);
    const signup = await signupOf(tx, shiftId, memberId);
    if (!signup) throw new UserError('shifts.error.notSignedUp', { id: shiftId });
    const cutoff = new Date(shift.startsAt.getTime() - rules.settings.cancelCutoffHours * HOUR_MS);
    if (signup.status === 'confirmed' && now >= cutoff) {
      if (signup.cancelRequestedAt) throw new UserError('shifts.error.requestPending', { id: shiftId });
      await tx.update(shiftSignups).set({ cancelRequestedAt: now }).where(eq(shiftSignups.id, signup.id));
      const current = await bumpVersion(tx, shiftId, now);
      const member = await memberById(tx, memberId);
      await notifyMembers(tx, current, 'shift.cancelRequest', await staffIds(tx), 'shifts.notify.cancelRequest',
        { name: member?.name ?? `#${memberId}`, memberId, requestedAt: dt(now) }, requestButtons(signup.id));
      await shiftEvents(tx, shiftId, [{ kind: 'shift.cancelRequested', memberId }], false);
      return { kind: 'requested', cutoff };
    }
    await removeSignup(tx, shift, signup, now, 'shift.withdrawn');
    return { kind: 'withdrawn', wasConfirmed: signup.status === 'confirmed' };
  });
}

/** Approve / deny buttons staff get with a late withdrawal request. */
export function requestButtons(signupId: number) {
  return [[
    { labelKey: 'shifts.button.approve', data: `shs:ra:${signupId}` },
    { labelKey: 'shifts.button.deny', data: `shs:rd:${signupId}` },
  ]];
}

/** Deletes a sign-up, records it, and hands a freed seat on. Call with the shift locked. */
export async function removeSignup(tx: Tx, shift: Shift, signup: Signup, now: Date, eventKind: string): Promise<void> {
  const offers = await tx.select({ id: shiftSwaps.id }).from(shiftSwaps).where(and(eq(shiftSwaps.signupId, signup.id), eq(shiftSwaps.status, 'open')));
  for (const o of offers) await cancelPendingDeliveries(tx, 'shift.swapOffer', `swap:${o.id}`);
  // Deleting the sign-up deletes its swap offers too (foreign key cascade).
  await tx.delete(shiftSignups).where(eq(shiftSignups.id, signup.id));
  await shiftEvents(tx, shift.id, [{ kind: eventKind, memberId: signup.memberId }], signup.status === 'confirmed');
  const current = await bumpVersion(tx, shift.id, now);
  if (signup.status === 'confirmed') await fillSeats(tx, current, now);
}

/**
 * Promotes the head of the waitlist while seats are free, telling each promoted member through
 * the outbox. Call with the shift locked and its version already raised for this change.
 */
export async function fillSeats(tx: Tx, shift: Shift, now: Date): Promise<number[]> {
  const { confirmed } = await signupCounts(tx, shift.id);
  const free = shift.capacity - confirmed;
  if (free <= 0) return [];
  const heads = await tx
    .select({ id: shiftSignups.id, memberId: shiftSignups.memberId })
    .from(shiftSignups)
    .where(and(eq(shiftSignups.shiftId, shift.id), eq(shiftSignups.status, 'waitlisted')))
    .orderBy(asc(shiftSignups.id))
    .limit(free);
  if (heads.length === 0) return [];
  await tx.update(shiftSignups).set({ status: 'confirmed', confirmedAt: now }).where(inArray(shiftSignups.id, heads.map((h) => h.id)));
  const ids = heads.map((h) => h.memberId);
  await notifyMembers(tx, shift, 'shift.promoted', ids, 'shifts.notify.promoted');
  await shiftEvents(tx, shift.id, ids.map((memberId) => ({ kind: 'shift.promoted', memberId })), true);
  return ids;
}

/**
 * After capacity was lowered: the latest confirmed sign-ups go back to the head of the waitlist
 * (they keep their arrival place) and are told. Call with the shift locked and updated.
 */
export async function demoteOverCapacity(tx: Tx, shift: Shift): Promise<number[]> {
  const { confirmed } = await signupCounts(tx, shift.id);
  const over = confirmed - shift.capacity;
  if (over <= 0) return [];
  const latest = await tx
    .select({ id: shiftSignups.id, memberId: shiftSignups.memberId })
    .from(shiftSignups)
    .where(and(eq(shiftSignups.shiftId, shift.id), eq(shiftSignups.status, 'confirmed')))
    .orderBy(desc(shiftSignups.id))
    .limit(over);
  const signupIds = latest.map((l) => l.id);
  await tx.update(shiftSignups).set({ status: 'waitlisted', confirmedAt: null, cancelRequestedAt: null }).where(inArray(shiftSignups.id, signupIds));
  const offers = await tx.update(shiftSwaps).set({ status: 'withdrawn' })
    .where(and(inArray(shiftSwaps.signupId, signupIds), eq(shiftSwaps.status, 'open'))).returning({ id: shiftSwaps.id });
  for (const o of offers) await cancelPendingDeliveries(tx, 'shift.swapOffer', `swap:${o.id}`);
  const ids = latest.map((l) => l.memberId);
  await notifyMembers(tx, shift, 'shift.movedToWaitlist', ids, 'shifts.notify.movedToWaitlist');
  await shiftEvents(tx, shift.id, ids.map((memberId) => ({ kind: 'shift.movedToWaitlist', memberId })), true);
  return ids;
}

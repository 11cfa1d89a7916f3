import { and, eq, notExists, sql } from 'drizzle-orm';
import type { Db, DbOrTx, Tx } from '../../store/db.js';
import { members, shiftSignups, shiftSwaps, shifts } from '../../store/schema/index.js';
import { UserError } from '../../core/errors.js';
import { addDeliveries, cancelPendingDeliveries } from '../outbox.js';
import { memberById } from '../members/members.js';
import { assertUpcoming, bumpVersion, eligibilityProblem, lockMembers, lockShift, signupOf, type Shift, type ShiftRules } from './records.js';
import { notifyMembers, shiftEvents, shiftParams } from './notify.js';

/** Button data a member presses to take an offered seat. */
export const acceptSwapData = (swapId: number): string => `sh:sa:${swapId}`;

/** An offer made: to whom it went (one named member, or everyone eligible). */
export interface SwapOffer {
  swapId: number;
  shift: Shift;
  recipients: number;
  toName?: string;
}

/**
 * Offers a member's confirmed seat to a named member, or (to = null) to every member who could
 * take it: not on this shift, free at that time, under the monthly limit. Replaces an earlier
 * open offer for the same seat. The offer goes out through the outbox with an accept button.
 */
export async function offerSwap(db: Db, shiftId: number, fromId: number, toId: number | null, rules: ShiftRules, now: Date): Promise<SwapOffer> {
  return db.transaction(async (tx) => {
    const shift = await lockShift(tx, shiftId);
    assertUpcoming(shift, now);
    const signup = await signupOf(tx, shiftId, fromId);
    if (!signup) throw new UserError('shifts.error.notSignedUp', { id: shiftId });
    if (signup.status !== 'confirmed') throw new UserError('shifts.error.swapNotConfirmed', { id: shiftId });
    let recipients: number[];
    let toName: string | undefined;
    if (toId !== null) {
      if (toId === fromId) throw new UserError('shifts.error.swapSelf');
      const target = await memberById(tx, toId);
      if (!target) throw new UserError('members.notFound', { ref: `#${toId}` });
      toName = target.name;
      if (await signupOf(tx, shiftId, toId)) throw new UserError('shifts.error.targetOnShift', { name: target.name, id: shiftId });
      const problem = await eligibilityProblem(tx, toId, shift, rules, { name: target.name });
      if (problem) throw problem;
      recipients = [toId];
    } else {
      recipients = await eligibleMembers(tx, shift, rules);
      if (recipients.length === 0) throw new UserError('shifts.error.swapNoOne', { id: shiftId });
    }
    const old = await tx.update(shiftSwaps).set({ status: 'withdrawn', decidedAt: now })
      .where(and(eq(shiftSwaps.signupId, signup.id), eq(shiftSwaps.status, 'open'))).returning({ id: shiftSwaps.id });
    for (const o of old) await cancelPendingDeliveries(tx, 'shift.swapOffer', `swap:${o.id}`);
    const [swap] = await tx.insert(shiftSwaps).values({ shiftId, signupId: signup.id, fromMemberId: fromId, toMemberId: toId, createdAt: now }).returning();
    const from = await memberById(tx, fromId);
    const current = await bumpVersion(tx, shiftId, now);
    await addOfferRows(tx, current, swap!.id, recipients, from?.name ?? '');
    await shiftEvents(tx, shiftId, [{ kind: 'shift.swapOffered', memberId: fromId, payload: { swapId: swap!.id, to: toId } }], false);
    return { swapId: swap!.id, shift: current, recipients: recipients.length, ...(toName ? { toName } : {}) };
  });
}

/** The offer rows; their ref is the offer, so withdrawing an offer withdraws exactly its rows. */
async function addOfferRows(tx: Tx, shift: Shift, swapId: number, recipients: number[], fromName: string): Promise<void> {
  await addDeliveries(tx, recipients.map((memberId) => ({
    kind: 'shift.swapOffer', ref: `swap:${swapId}`, to: { memberId }, template: 'shifts.notify.swapOffer',
    params: { ...shiftParams(shift), from: fromName, swapId },
    buttons: [[{ labelKey: 'shifts.button.acceptSwap', data: acceptSwapData(swapId) }]],
  })));
}

/** Members who could take a seat on `shift` right now (role member, not on it, free, under the limit). */
export async function eligibleMembers(db: DbOrTx, shift: Shift, rules: ShiftRules): Promise<number[]> {
  const onShift = db.select({ one: sql`1` }).from(shiftSignups)
    .where(and(eq(shiftSignups.shiftId, shift.id), eq(shiftSignups.memberId, members.id)));
  const busy = db.select({ one: sql`1` }).from(shiftSignups)
    .innerJoin(shifts, eq(shifts.id, shiftSignups.shiftId))
    .where(and(
      eq(shiftSignups.memberId, members.id), eq(shifts.status, 'open'),
      sql`${shifts.startsAt} < ${shift.endsAt.toISOString()}`, sql`${shifts.endsAt} > ${shift.startsAt.toISOString()}`,
    ));
  const candidates = await db.select({ id: members.id }).from(members)
    .where(and(eq(members.role, 'member'), notExists(onShift), notExists(busy)))
    .orderBy(members.id);
  if (rules.settings.maxPerMonth === null) return candidates.map((c) => c.id);
  const out: number[] = [];
  for (const c of candidates) {
    if (!(await eligibilityProblem(db, c.id, shift, rules, 'self'))) out.push(c.id);
  }
  return out;
}

/**
 * Takes an offered seat. Atomic: under the shift lock the seat moves from the offering member to
 * the acceptor, the offer closes, both are told and reminders follow the new member. An offer
 * that is gone, taken, or meant for someone else (another member, or for an open offer anyone
 * who is not an eligible member) is refused without changing anything.
 */
export async function acceptSwap(db: Db, swapId: number, memberId: number, rules: ShiftRules, now: Date): Promise<{ shift: Shift; fromName: string }> {
  const [offer] = await db.select().from(shiftSwaps).where(eq(shiftSwaps.id, swapId));
  if (!offer || (offer.toMemberId !== null && offer.toMemberId !== memberId)) throw new UserError('shifts.error.swapGone');
  // An open offer goes to the members who could take the seat (eligibleMembers): staff and admins are not among them.
  if (offer.toMemberId === null && (await memberById(db, memberId))?.role !== 'member') throw new UserError('shifts.error.swapGone');
  return db.transaction(async (tx) => {
    const shift = await lockShift(tx, offer.shiftId);
    const [swap] = await tx.select().from(shiftSwaps).where(eq(shiftSwaps.id, swapId)).for('update');
    if (!swap || swap.status !== 'open') throw new UserError('shifts.error.swapGone');
    assertUpcoming(shift, now);
    if (swap.fromMemberId === memberId) throw new UserError('shifts.error.swapSelf');
    await lockMembers(tx, [swap.fromMemberId, memberId]);
    const [seat] = await tx.select().from(shiftSignups).where(eq(shiftSignups.id, swap.signupId));
    if (!seat || seat.memberId !== swap.fromMemberId || seat.status !== 'confirmed') throw new UserError('shifts.error.swapGone');
    if (await signupOf(tx, shift.id, memberId)) throw new UserError('shifts.error.alreadyOnShift', { id: shift.id });
    const problem = await eligibilityProblem(tx, memberId, shift, rules, 'self');
    if (problem) throw problem;
    await tx.update(shiftSignups).set({ memberId, confirmedAt: now, cancelRequestedAt: null }).where(eq(shiftSignups.id, seat.id));
    await tx.update(shiftSwaps).set({ status: 'accepted', acceptedBy: memberId, decidedAt: now }).where(eq(shiftSwaps.id, swapId));
    await cancelPendingDeliveries(tx, 'shift.swapOffer', `swap:${swapId}`);
    const current = await bumpVersion(tx, shift.id, now);
    const [from, to] = await Promise.all([memberById(tx, swap.fromMemberId), memberById(tx, memberId)]);
    await notifyMembers(tx, current, 'shift.swapDone', [swap.fromMemberId], 'shifts.notify.swapGiven', { other: to?.name ?? '' });
    await notifyMembers(tx, current, 'shift.swapDone', [memberId], 'shifts.notify.swapTaken', { other: from?.name ?? '' });
    await shiftEvents(tx, shift.id, [
      { kind: 'shift.swapped', memberId: swap.fromMemberId, payload: { swapId, role: 'gave', other: memberId } },
      { kind: 'shift.swapped', memberId, payload: { swapId, role: 'took', other: swap.fromMemberId } },
    ], true);
    return { shift: current, fromName: from?.name ?? '' };
  });
}

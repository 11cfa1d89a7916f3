import { asc, eq } from 'drizzle-orm';
import { t } from '../../../src/core/i18n.js';
import type { Params } from '../../../src/core/i18n.js';
import { deliveries, domainEvents, dutyLogs, members, shiftSignups, shiftSwaps, shifts } from '../../../src/store/schema/index.js';
import type { Harness } from '../../support/harness.js';

/**
 * What a member will read from the outbox: every delivery addressed to them, rendered in their
 * language and time zone as the delivery engine will at send time. Optionally only one template.
 */
export async function inbox(h: Harness, memberId: number, template?: string): Promise<string[]> {
  const member = await h.reload(memberId);
  const rows = await h.db.select().from(deliveries).where(eq(deliveries.memberId, memberId)).orderBy(asc(deliveries.id));
  return rows
    .filter((r) => r.status === 'pending' && (!template || r.template === template))
    .map((r) => t(member.locale, r.template, r.params as Params, member.timeZone));
}

/** The buttons of a member's pending deliveries, as data strings. */
export async function inboxButtons(h: Harness, memberId: number): Promise<string[]> {
  const rows = await h.db.select().from(deliveries).where(eq(deliveries.memberId, memberId)).orderBy(asc(deliveries.id));
  return rows.filter((r) => r.status === 'pending').flatMap((r) => ((r.buttons ?? []) as { data: string }[][]).flat().map((b) => b.data));
}

/** Everything the shifts feature stores plus the outbox and events: to show a refusal changed nothing. */
export async function shiftState(h: Harness) {
  return {
    shifts: await h.db.select().from(shifts).orderBy(asc(shifts.id)),
    signups: await h.db.select().from(shiftSignups).orderBy(asc(shiftSignups.id)),
    swaps: await h.db.select().from(shiftSwaps).orderBy(asc(shiftSwaps.id)),
    logs: await h.db.select().from(dutyLogs),
    deliveries: await h.db.select().from(deliveries).orderBy(asc(deliveries.id)),
    events: await h.db.select().from(domainEvents).orderBy(asc(domainEvents.id)),
    members: await h.db.select().from(members).orderBy(asc(members.id)),
  };
}

/** Who holds the seats and who waits on a shift, by member id in arrival order. */
export async function seatsOf(h: Harness, shiftId: number) {
  const rows = await h.db.select().from(shiftSignups).where(eq(shiftSignups.shiftId, shiftId)).orderBy(asc(shiftSignups.id));
  return {
    confirmed: rows.filter((r) => r.status === 'confirmed').map((r) => r.memberId),
    waitlisted: rows.filter((r) => r.status === 'waitlisted').map((r) => r.memberId),
  };
}

/** Domain events recorded about one shift, as "kind" or "kind@memberId". */
export async function eventsOf(h: Harness, shiftId: number): Promise<string[]> {
  const rows = await h.db.select().from(domainEvents).where(eq(domainEvents.ref, `shift:${shiftId}`)).orderBy(asc(domainEvents.id));
  return rows.map((r) => (r.memberId ? `${r.kind}@${r.memberId}` : r.kind));
}

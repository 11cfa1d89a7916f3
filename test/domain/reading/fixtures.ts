import { expect } from 'vitest';
import { eq } from 'drizzle-orm';
import { Harness } from '../../support/harness.js';
import { deliveries, domainEvents } from '../../../src/store/schema/index.js';

const text = Harness.text;

/** Staff (English, Shanghai), a lead reader and members, as the reading tests use them. */
export async function readingCast(h: Harness) {
  const staff = await h.addMember({ name: 'Zhao Min', role: 'staff', locale: 'en', committee: 'Culture' });
  const lead = await h.addMember({ name: 'Li Lead', locale: 'en', committee: 'Culture' });
  const alice = await h.addMember({ name: 'Alice', locale: 'en', timeZone: 'Europe/London', committee: 'Culture' });
  const bob = await h.addMember({ name: 'Bob', locale: 'en', committee: 'Culture' });
  const carol = await h.addMember({ name: 'Carol', locale: 'en', committee: 'Culture' });
  const wang = await h.addMember({ name: '王明', committee: 'Culture' });
  return { staff, lead, alice, bob, carol, wang };
}

/** Creates a group through the staff command and returns its id. */
export async function createGroup(h: Harness, staff: { id: number }, args: string): Promise<number> {
  const reply = text(await h.as(staff).send(`/readinggroup ${args}`));
  const id = /Reading group (\d+) created/.exec(reply)?.[1];
  expect(id, reply).toBeDefined();
  return Number(id);
}

/** Schedules sessions through the staff command; returns their ids and check-in codes. */
export async function createSessions(h: Harness, staff: { id: number }, args: string): Promise<{ id: number; code: string }[]> {
  const reply = text(await h.as(staff).send(`/readingsession ${args}`));
  const found = [...reply.matchAll(/#(\d+) .* check-in code (\d{6})/g)].map((m) => ({ id: Number(m[1]), code: m[2]! }));
  expect(found.length, reply).toBeGreaterThan(0);
  return found;
}

/** Outbox rows of a kind, oldest first. */
export async function outbox(h: Harness, kind: string) {
  return (await h.db.select().from(deliveries).where(eq(deliveries.kind, kind))).sort((a, b) => a.id - b.id);
}

/** Domain events about a ref. */
export async function eventsFor(h: Harness, ref: string) {
  return h.db.select().from(domainEvents).where(eq(domainEvents.ref, ref));
}

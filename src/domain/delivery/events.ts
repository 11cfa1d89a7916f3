import { and, asc, inArray, isNull } from 'drizzle-orm';
import type { DbOrTx } from '../../store/db.js';
import { domainEvents } from '../../store/schema/index.js';

export type DomainEventRow = typeof domainEvents.$inferSelect;

/** The oldest domain events nobody has handled yet. */
export async function unhandledEvents(db: DbOrTx, limit: number): Promise<DomainEventRow[]> {
  return db.select().from(domainEvents).where(isNull(domainEvents.handledAt)).orderBy(asc(domainEvents.id)).limit(limit);
}

/** Marks events handled once what they ask for is done (handling is idempotent, so a repeat is harmless). */
export async function markHandled(db: DbOrTx, ids: number[], now: Date): Promise<void> {
  if (ids.length === 0) return;
  await db.update(domainEvents).set({ handledAt: now }).where(and(inArray(domainEvents.id, ids), isNull(domainEvents.handledAt)));
}

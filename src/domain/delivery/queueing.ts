import { and, asc, eq, inArray, isNull, lte, or, sql, type Placeholder } from 'drizzle-orm';
import type { Db } from '../../store/db.js';
import { deliveries } from '../../store/schema/index.js';
import type { Platform } from '../../core/messages.js';
import { groupRoute, memberChannels, pickChannel, type Route } from './routing.js';

/** An outbox row the relay routed and now puts on the outbound queue of `route.platform`. */
export interface QueuedDelivery {
  id: number;
  route: Route;
  /** Milliseconds until it may be sent (0 for now). */
  delayMs: number;
}

/**
 * Whether a row is due at `now`. Rows written without `notBefore` carry their insert time there
 * (the same transaction time as createdAt) and are always due, whatever clock the engine runs on;
 * a scheduled row is due when the engine's clock reaches it. Equality, not "≤ createdAt": a row
 * scheduled on a clock behind the database's (a test's fixed clock) would otherwise count as unscheduled.
 */
export function dueCondition(now: Date | Placeholder) {
  return or(lte(deliveries.notBefore, now), eq(deliveries.notBefore, deliveries.createdAt));
}

/** Whether a row was written with its own `notBefore` (see dueCondition). */
export function isScheduled(row: { notBefore: Date; createdAt: Date }): boolean {
  return row.notBefore.getTime() !== row.createdAt.getTime();
}

/**
 * Takes up to `limit` pending rows not yet queued and due within `horizonMs`, and routes each:
 * a group chat by its chatKey, a member to the channel they used last. Concurrent relays skip
 * each other's rows (FOR UPDATE SKIP LOCKED). Rows with no way to reach the recipient fail here.
 * The caller queues the result and calls `releaseUnqueued` for what it could not queue.
 *
 * Each row is written once (queued, with its platform and chat): a large notice rewrites
 * thousands of rows here, and writing them twice slowed the first sends of the notice.
 */
export async function takeUnqueued(
  db: Db,
  opts: { now: Date; horizonMs: number; limit: number; active: ReadonlySet<Platform> },
): Promise<QueuedDelivery[]> {
  const { now } = opts;
  const horizon = new Date(now.getTime() + opts.horizonMs);
  return db.transaction(async (tx) => {
    const taken = await tx
      .select({
        id: deliveries.id, memberId: deliveries.memberId, chatKey: deliveries.chatKey, notBefore: deliveries.notBefore,
        createdAt: deliveries.createdAt, unreachableOn: deliveries.unreachableOn,
      })
      .from(deliveries)
      .where(and(eq(deliveries.status, 'pending'), isNull(deliveries.enqueuedAt), dueCondition(horizon)))
      .orderBy(asc(deliveries.notBefore), asc(deliveries.id))
      .limit(opts.limit)
      .for('update', { skipLocked: true });
    if (taken.length === 0) return [];
    const channels = await memberChannels(tx, taken.flatMap((r) => (r.memberId === null ? [] : [r.memberId])), opts.active);
    const routed: QueuedDelivery[] = [];
    const unroutable: number[] = [];
    for (const row of taken) {
      const route = row.chatKey !== null ? groupRoute(row.chatKey, opts.active) : pickChannel(channels.get(row.memberId!) ?? [], row.unreachableOn);
      if (!route) {
        unroutable.push(row.id);
        continue;
      }
      routed.push({ id: row.id, route, delayMs: isScheduled(row) ? Math.max(0, row.notBefore.getTime() - now.getTime()) : 0 });
    }
    if (routed.length > 0) {
      // Arrays joined by id: each row's route is looked up once, not parsed from a document per row.
      await tx.execute(sql`
        update ${deliveries} set enqueued_at = ${now}, platform = r.platform, chat_id = r.chat_id
        from unnest(${sql.param(routed.map((r) => r.id))}::int[], ${sql.param(routed.map((r) => r.route.platform))}::text[],
          ${sql.param(routed.map((r) => r.route.chatId))}::text[])
          as r(id, platform, chat_id)
        where ${deliveries.id} = r.id`);
    }
    if (unroutable.length > 0) {
      await tx
        .update(deliveries)
        .set({ status: 'failed', enqueuedAt: now, lastError: 'no channel: the recipient has no platform this deployment runs' })
        .where(inArray(deliveries.id, unroutable));
    }
    return routed;
  });
}

/** Puts rows back for the relay (queueing failed, or the sweep found their job missing). */
export async function releaseUnqueued(db: Db, ids: number[]): Promise<number> {
  if (ids.length === 0) return 0;
  const rows = await db
    .update(deliveries)
    .set({ enqueuedAt: null })
    .where(and(inArray(deliveries.id, ids), eq(deliveries.status, 'pending')))
    .returning({ id: deliveries.id });
  return rows.length;
}

/** Rows the relay queued before `before` that are still pending or being sent; the sweep checks their jobs. */
export async function queuedBefore(db: Db, before: Date, limit: number) {
  return db
    .select({ id: deliveries.id, status: deliveries.status, platform: deliveries.platform, claimToken: deliveries.claimToken })
    .from(deliveries)
    .where(and(inArray(deliveries.status, ['pending', 'sending']), lte(deliveries.enqueuedAt, before)))
    .orderBy(asc(deliveries.enqueuedAt))
    .limit(limit);
}

/** Rows still to send that are due by `now` (or being sent): what a console session waits for before it exits. */
export async function unsentDueCount(db: Db, now: Date): Promise<number> {
  const [row] = await db
    .select({ n: sql<number>`count(*)::int` })
    .from(deliveries)
    .where(or(eq(deliveries.status, 'sending'), and(eq(deliveries.status, 'pending'), dueCondition(now))));
  return row?.n ?? 0;
}

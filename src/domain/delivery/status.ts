/**
 * The status changes of one outbox row while it is sent, each a single guarded UPDATE so that
 * concurrent or repeated processing of the same job cannot send a row twice:
 *
 *   pending ──claim──► sending ──► sent | failed | uncertain
 *      ▲                  │
 *      └── release ───────┘   (the platform refused before accepting anything: 429, network down)
 *
 * `claim` is the last database write before the platform call. A worker that dies after it
 * leaves the row in `sending`; whoever finds it there later (the same job re-run after its lock
 * expired, or the sweep) marks it `uncertain` — the message may have arrived, and Telegram has no
 * idempotency key, so it is never resent automatically. The final UPDATE names the claim token,
 * so a slow worker that comes back after that still records `sent` with the message id.
 */
import { and, eq, inArray, isNotNull, sql } from 'drizzle-orm';
import { randomUUID } from 'node:crypto';
import type { Db, DbOrTx } from '../../store/db.js';
import { preparedQuery } from '../../store/prepared.js';
import { deliveries, members } from '../../store/schema/index.js';
import type { Locale } from '../../core/i18n.js';
import type { Platform } from '../../core/messages.js';
import { dueCondition } from './queueing.js';

export type DeliveryRow = typeof deliveries.$inferSelect;

/** A row with what rendering needs about its recipient (absent for group chats). */
export interface SendableDelivery {
  row: DeliveryRow;
  recipient: { locale: Locale; timeZone: string; unreachableAt: Date | null } | undefined;
}

export async function loadDelivery(db: DbOrTx, id: number): Promise<SendableDelivery | undefined> {
  const [found] = await loadDeliveryQuery(db, { id });
  if (!found) return undefined;
  const recipient = found.locale && found.timeZone ? { locale: found.locale, timeZone: found.timeZone, unreachableAt: found.unreachableAt } : undefined;
  return { row: found.row, recipient };
}

/** Claims a due pending row for one send; returns the claim token, or undefined if it is not ours to send. */
export async function claimDelivery(db: DbOrTx, id: number, now: Date): Promise<string | undefined> {
  const token = randomUUID();
  const rows = await claimQuery(db, { id, token, now });
  return rows.length > 0 ? token : undefined;
}

/** A placeholder where drizzle's set() wants a value or SQL. */
const param = (name: string) => sql`${sql.placeholder(name)}`;

// The three statements of every send, prepared (store/prepared.ts): a fan-out runs them
// thousands of times a minute.
const loadDeliveryQuery = preparedQuery('delivery_load', (db) => db
  .select({ row: deliveries, locale: members.locale, timeZone: members.timeZone, unreachableAt: members.unreachableAt })
  .from(deliveries)
  .leftJoin(members, eq(deliveries.memberId, members.id))
  .where(eq(deliveries.id, sql.placeholder('id'))));

const claimQuery = preparedQuery('delivery_claim', (db) => db
  .update(deliveries)
  .set({ status: 'sending', claimToken: param('token'), claimedAt: param('now'), attempts: sql`${deliveries.attempts} + 1` })
  .where(and(eq(deliveries.id, sql.placeholder('id')), eq(deliveries.status, 'pending'), dueCondition(sql.placeholder('now'))))
  .returning({ id: deliveries.id }));

const markSentQuery = preparedQuery('delivery_sent', (db) => db
  .update(deliveries)
  .set({
    status: 'sent', platform: param('platform'), platformMessageId: param('messageId'), sentAt: param('now'), lastError: null,
  })
  .where(and(
    eq(deliveries.id, sql.placeholder('id')), eq(deliveries.claimToken, sql.placeholder('token')),
    inArray(deliveries.status, ['sending', 'uncertain']),
  ))
  .returning({ memberId: deliveries.memberId }));

/**
 * Records the platform's message id. With `clearUnreachable` it also clears the member's
 * unreachable mark: they can be reached again.
 */
export async function markSent(
  db: Db, id: number, token: string, platform: Platform, messageId: string, now: Date, clearUnreachable = true,
): Promise<boolean> {
  const rows = await markSentQuery(db, { id, token, platform, messageId, now });
  const memberId = rows[0]?.memberId;
  if (memberId != null && clearUnreachable) {
    await db.update(members).set({ unreachableAt: null }).where(and(eq(members.id, memberId), isNotNull(members.unreachableAt)));
  }
  return rows.length > 0;
}

/** Puts a claimed row back to pending: the platform accepted nothing (rate limit, connection refused). */
export async function releaseClaim(db: DbOrTx, id: number, token: string, error: string): Promise<void> {
  await db
    .update(deliveries)
    .set({ status: 'pending', claimToken: null, lastError: error })
    .where(and(eq(deliveries.id, id), eq(deliveries.claimToken, token), eq(deliveries.status, 'sending')));
}

/** Ends a claimed row as `failed` (refused for good) or `uncertain` (may have arrived). */
export async function finishClaim(db: DbOrTx, id: number, token: string, status: 'failed' | 'uncertain', error: string): Promise<void> {
  await db
    .update(deliveries)
    .set({ status, lastError: error })
    .where(and(eq(deliveries.id, id), eq(deliveries.claimToken, token), eq(deliveries.status, 'sending')));
}

/** Fails a row that is pending and was never claimed (e.g. the retries for `not-sent` ran out). */
export async function failPending(db: DbOrTx, id: number, error: string): Promise<void> {
  await db.update(deliveries).set({ status: 'failed', lastError: error }).where(and(eq(deliveries.id, id), eq(deliveries.status, 'pending')));
}

/**
 * A row found in `sending` whose send is no longer running (the worker died or lost its job):
 * it may have reached the platform, so it becomes `uncertain`. Returns whether it changed.
 */
export async function markCrashedSend(db: DbOrTx, id: number, token: string | null): Promise<boolean> {
  const rows = await db
    .update(deliveries)
    .set({ status: 'uncertain', lastError: 'the worker stopped during the send; it may have arrived' })
    .where(and(eq(deliveries.id, id), eq(deliveries.status, 'sending'), token === null ? sql`true` : eq(deliveries.claimToken, token)))
    .returning({ id: deliveries.id });
  return rows.length > 0;
}

/**
 * The platform says the member cannot be reached there (blocked the bot, account gone). When the
 * member has `otherChannels`, the row goes back to the relay, which routes it to the next one;
 * otherwise it fails and the member is marked unreachable, which staff see. Group chats just fail.
 */
export async function markUnreachable(
  db: Db,
  id: number,
  token: string,
  platform: Platform,
  reason: string,
  opts: { memberId: number | null; otherChannels: boolean; now: Date },
): Promise<'rerouted' | 'failed'> {
  return db.transaction(async (tx) => {
    if (opts.memberId !== null && opts.otherChannels) {
      await tx
        .update(deliveries)
        .set({
          status: 'pending', claimToken: null, enqueuedAt: null, platform: null, chatId: null,
          lastError: `unreachable on ${platform}: ${reason}`, unreachableOn: sql`array_append(${deliveries.unreachableOn}, ${platform})`,
        })
        .where(and(eq(deliveries.id, id), eq(deliveries.claimToken, token), eq(deliveries.status, 'sending')));
      return 'rerouted';
    }
    await tx
      .update(deliveries)
      .set({ status: 'failed', lastError: `unreachable on ${platform}: ${reason}` })
      .where(and(eq(deliveries.id, id), eq(deliveries.claimToken, token), eq(deliveries.status, 'sending')));
    if (opts.memberId !== null) await tx.update(members).set({ unreachableAt: opts.now }).where(eq(members.id, opts.memberId));
    return 'failed';
  });
}

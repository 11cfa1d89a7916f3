import { sql } from 'drizzle-orm';
import { bigserial, index, integer, jsonb, pgTable, text, timestamp, uniqueIndex } from 'drizzle-orm/pg-core';
import { members } from './members.js';

/**
 * The outbox: one row per message the bot sends on its own (reminders, digests, notices, status
 * changes), written in the same transaction as the change that causes it. The delivery engine
 * renders `template` with `params` in the recipient's language and time zone at send time.
 */
export const deliveries = pgTable(
  'deliveries',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    /** What this is, e.g. 'shift.promoted', 'notice', 'reminder.shift'. */
    kind: text('kind').notNull(),
    /** What it is about, e.g. 'shift:12' or 'notice:3'; with kind and recipient, the dedupe key. */
    ref: text('ref').notNull(),
    /** A member, or null for a group chat (then `chatKey` is set). */
    memberId: integer('member_id').references(() => members.id, { onDelete: 'cascade' }),
    /** platform:chatId for group chats; for members the channel is chosen at send time. */
    chatKey: text('chat_key'),
    /** Recipient key used for uniqueness: 'm:<memberId>' or 'c:<chatKey>'. */
    recipient: text('recipient').notNull(),
    template: text('template').notNull(),
    params: jsonb('params').notNull().default(sql`'{}'::jsonb`),
    /** Buttons to attach, as [{labelKey, data}] rows; rendered like the text. */
    buttons: jsonb('buttons'),
    /**
     * pending → sending (claimed by one worker just before the platform call) → sent | failed |
     * uncertain. A row left in `sending` by a crash becomes `uncertain`, never `pending` again:
     * the platform may have the message already. `cancelled` rows were withdrawn before sending.
     */
    status: text('status', { enum: ['pending', 'sending', 'sent', 'failed', 'uncertain', 'cancelled'] })
      .notNull()
      .default('pending'),
    /** Not before this moment (scheduled notices, reminders). */
    notBefore: timestamp('not_before', { withTimezone: true }).notNull().defaultNow(),
    /** The platform the delivery engine routed it to (set when it is queued), then sent on. */
    platform: text('platform'),
    /** The chat on `platform` it goes to (a member's private chat, or the group of `chatKey`). */
    chatId: text('chat_id'),
    platformMessageId: text('platform_message_id'),
    attempts: integer('attempts').notNull().default(0),
    lastError: text('last_error'),
    /** When the outbox relay put it on an outbound queue; null while it waits in the database. */
    enqueuedAt: timestamp('enqueued_at', { withTimezone: true }),
    /** Which processing of the job claimed it for sending (guards the final status update). */
    claimToken: text('claim_token'),
    claimedAt: timestamp('claimed_at', { withTimezone: true }),
    /** Platforms that said the member cannot be reached there; the engine tries the others. */
    unreachableOn: text('unreachable_on').array().notNull().default(sql`'{}'::text[]`),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    sentAt: timestamp('sent_at', { withTimezone: true }),
  },
  (t) => [
    uniqueIndex('deliveries_once').on(t.kind, t.ref, t.recipient),
    index('deliveries_pending').on(t.status, t.notBefore),
    // Ordered like the relay takes rows, so taking a batch reads the batch, not every waiting row.
    index('deliveries_unqueued').on(t.notBefore, t.id).where(sql`${t.status} = 'pending' and ${t.enqueuedAt} is null`),
    index('deliveries_in_queue').on(t.enqueuedAt).where(sql`${t.status} in ('pending', 'sending') and ${t.enqueuedAt} is not null`),
  ],
);

/**
 * Reminder jobs the delivery engine put on the `reminders` queue, one per thing (ref), offset and
 * start time. Redis holds the delayed job; this row lets the engine find and remove it when the
 * time changes, and re-create it if Redis lost it.
 */
export const reminderJobs = pgTable(
  'reminder_jobs',
  {
    /** Deterministic BullMQ job id, e.g. 'rem-shift-12-60-29413800' (no ':' allowed). */
    jobId: text('job_id').primaryKey(),
    /** What it reminds of: 'shift:12', 'reading:3'. */
    ref: text('ref').notNull(),
    offsetMinutes: integer('offset_minutes').notNull(),
    startsAt: timestamp('starts_at', { withTimezone: true }).notNull(),
    fireAt: timestamp('fire_at', { withTimezone: true }).notNull(),
    /** Set once the worker wrote the reminder deliveries (or found them stale). */
    firedAt: timestamp('fired_at', { withTimezone: true }),
  },
  (t) => [index('reminder_jobs_ref').on(t.ref), index('reminder_jobs_unfired').on(t.fireAt).where(sql`${t.firedAt} is null`)],
);

/**
 * Domain events (sign-up confirmed, shift changed, note adopted…), recorded in the same
 * transaction as the change, for the delivery engine to schedule or cancel reminders from.
 */
export const domainEvents = pgTable(
  'domain_events',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    kind: text('kind').notNull(),
    /** What it is about, e.g. 'shift:12'. */
    ref: text('ref').notNull(),
    memberId: integer('member_id'),
    payload: jsonb('payload').notNull().default(sql`'{}'::jsonb`),
    at: timestamp('at', { withTimezone: true }).notNull().defaultNow(),
    handledAt: timestamp('handled_at', { withTimezone: true }),
  },
  (t) => [index('domain_events_unhandled').on(t.handledAt, t.id)],
);

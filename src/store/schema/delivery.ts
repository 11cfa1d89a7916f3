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
    status: text('status', { enum: ['pending', 'sent', 'failed', 'uncertain', 'cancelled'] })
      .notNull()
      .default('pending'),
    /** Not before this moment (scheduled notices, reminders). */
    notBefore: timestamp('not_before', { withTimezone: true }).notNull().defaultNow(),
    platform: text('platform'),
    platformMessageId: text('platform_message_id'),
    attempts: integer('attempts').notNull().default(0),
    lastError: text('last_error'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    sentAt: timestamp('sent_at', { withTimezone: true }),
  },
  (t) => [
    uniqueIndex('deliveries_once').on(t.kind, t.ref, t.recipient),
    index('deliveries_pending').on(t.status, t.notBefore),
  ],
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

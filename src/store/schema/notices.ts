import { sql } from 'drizzle-orm';
import {
  boolean, check, index, integer, jsonb, pgTable, primaryKey, serial, text, timestamp, uniqueIndex, type AnyPgColumn,
} from 'drizzle-orm/pg-core';
import { members } from './members.js';

/** Where a notice stands: waiting for a second approval, handed to the outbox, or withdrawn. */
export const NOTICE_STATUSES = ['awaiting_approval', 'queued', 'cancelled'] as const;
export type NoticeStatus = (typeof NOTICE_STATUSES)[number];

/** Platforms an audience may filter on; 'none' means bound on neither. */
export const AUDIENCE_PLATFORMS = ['telegram', 'wecom', 'none'] as const;
export type AudiencePlatform = (typeof AUDIENCE_PLATFORMS)[number];

/**
 * Who a notice is for, as staff chose it. Members match when `allMembers` is set, or when every
 * non-empty filter kind matches (several values of one kind: any of them). Group chats are added
 * by id on top of the members.
 */
export interface AudienceSpec {
  allMembers: boolean;
  committees: string[];
  sectors: string[];
  regions: string[];
  roles: ('member' | 'staff' | 'admin')[];
  platforms: AudiencePlatform[];
  groupIds: number[];
}

/** Per-language versions of a notice's text; a language without one reads `text`. */
export type NoticeVersions = Partial<Record<'zh-Hans' | 'zh-Hant' | 'en', string>>;

/**
 * A staff notice (通知公告). Its outbox rows (kind 'notice', ref 'notice:<id>') are written when it
 * is queued — at once, or after the second approval an all-member notice needs.
 */
export const notices = pgTable(
  'notices',
  {
    id: serial('id').primaryKey(),
    /** The composing dialogue that created it: a second "send" of the same draft is recognised. */
    draftKey: text('draft_key').notNull(),
    createdBy: integer('created_by').notNull().references(() => members.id),
    /** The text everyone reads unless their language has its own version. */
    text: text('text').notNull(),
    versions: jsonb('versions').$type<NoticeVersions>().notNull().default({}),
    audience: jsonb('audience').$type<AudienceSpec>().notNull(),
    /** Whether members are asked to press “收到 / Received”. */
    confirm: boolean('confirm').notNull().default(false),
    /** When it should go out; null means as soon as it is queued. */
    sendAt: timestamp('send_at', { withTimezone: true }),
    status: text('status', { enum: NOTICE_STATUSES }).notNull(),
    /** Set on a correction: the notice it corrects. */
    correctsNoticeId: integer('corrects_notice_id').references((): AnyPgColumn => notices.id),
    approvedBy: integer('approved_by').references(() => members.id),
    approvedAt: timestamp('approved_at', { withTimezone: true }),
    queuedAt: timestamp('queued_at', { withTimezone: true }),
    cancelledBy: integer('cancelled_by').references(() => members.id),
    cancelledAt: timestamp('cancelled_at', { withTimezone: true }),
    /** Recipients written to the outbox when queued. */
    memberCount: integer('member_count').notNull().default(0),
    chatCount: integer('chat_count').notNull().default(0),
    /** Reminders sent to those who have not confirmed; the next one's ref is ':nudge:<nudges+1>'. */
    nudges: integer('nudges').notNull().default(0),
    lastNudgedAt: timestamp('last_nudged_at', { withTimezone: true }),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull(),
  },
  (t) => [
    uniqueIndex('notices_draft_key').on(t.draftKey),
    index('notices_created_at').on(t.createdAt),
    check('notices_text_length', sql`char_length(${t.text}) between 1 and 2000`),
  ],
);

/** A member's “收到”: at most one per member per notice, wherever they pressed it. */
export const noticeConfirmations = pgTable(
  'notice_confirmations',
  {
    noticeId: integer('notice_id').notNull().references(() => notices.id, { onDelete: 'cascade' }),
    memberId: integer('member_id').notNull().references(() => members.id, { onDelete: 'cascade' }),
    confirmedAt: timestamp('confirmed_at', { withTimezone: true }).notNull(),
    /** platform:chatId of the chat the button was pressed in (a private chat or a group). */
    chatKey: text('chat_key').notNull(),
  },
  (t) => [primaryKey({ columns: [t.noticeId, t.memberId] })],
);

/**
 * Group chats staff registered as notice audiences, with tags to find them by. `chatKey` is
 * 'platform:chatId', the outbox's address for a group.
 */
export const registeredGroupChats = pgTable(
  'registered_group_chats',
  {
    id: serial('id').primaryKey(),
    chatKey: text('chat_key').notNull(),
    name: text('name').notNull(),
    committee: text('committee').notNull().default(''),
    sector: text('sector').notNull().default(''),
    region: text('region').notNull().default(''),
    registeredBy: integer('registered_by').references(() => members.id, { onDelete: 'set null' }),
    registeredAt: timestamp('registered_at', { withTimezone: true }).notNull(),
  },
  (t) => [
    uniqueIndex('registered_group_chats_chat').on(t.chatKey),
    uniqueIndex('registered_group_chats_name').on(sql`lower(${t.name})`),
  ],
);

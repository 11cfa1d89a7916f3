import { sql } from 'drizzle-orm';
import {
  boolean, check, index, integer, jsonb, pgTable, primaryKey, serial, text, timestamp, uniqueIndex,
} from 'drizzle-orm/pg-core';

/** Every member, staff officer and admin, as imported from the roster. */
export const members = pgTable(
  'members',
  {
    id: serial('id').primaryKey(),
    /** What a re-import matches on: the WeCom userid, or name@committee when there is none. */
    rosterKey: text('roster_key').notNull(),
    name: text('name').notNull(),
    committee: text('committee').notNull().default(''),
    sector: text('sector').notNull().default(''),
    region: text('region').notNull().default(''),
    role: text('role', { enum: ['member', 'staff', 'admin'] }).notNull().default('member'),
    locale: text('locale', { enum: ['zh-Hans', 'zh-Hant', 'en'] }).notNull().default('zh-Hans'),
    /** True once the member chose a language; until then a platform's hint may set it. */
    localeChosen: boolean('locale_chosen').notNull().default(false),
    timeZone: text('time_zone').notNull().default('Asia/Shanghai'),
    /** True once the member chose a zone with /tz; a roster re-import then leaves it alone. */
    timeZoneChosen: boolean('time_zone_chosen').notNull().default(false),
    wecomUserId: text('wecom_user_id'),
    telegramUsername: text('telegram_username'),
    /** Set when a platform said the member cannot be reached (blocked the bot, left). */
    unreachableAt: timestamp('unreachable_at', { withTimezone: true }),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex('members_roster_key').on(t.rosterKey),
    uniqueIndex('members_wecom_user_id').on(t.wecomUserId),
    index('members_committee').on(t.committee),
  ],
);

/** A platform account linked to a member; one per platform per member. */
export const identities = pgTable(
  'identities',
  {
    platform: text('platform', { enum: ['telegram', 'wecom', 'console'] }).notNull(),
    platformUserId: text('platform_user_id').notNull(),
    memberId: integer('member_id').notNull().references(() => members.id, { onDelete: 'cascade' }),
    /** The private chat to reach the member in, when the platform has one. */
    chatId: text('chat_id'),
    boundAt: timestamp('bound_at', { withTimezone: true }).notNull().defaultNow(),
    lastSeenAt: timestamp('last_seen_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    primaryKey({ columns: [t.platform, t.platformUserId] }),
    uniqueIndex('identities_member_platform').on(t.memberId, t.platform),
  ],
);

/** One-time codes staff give a member to link a platform account. Only the hash is kept. */
export const bindingCodes = pgTable(
  'binding_codes',
  {
    id: serial('id').primaryKey(),
    memberId: integer('member_id').notNull().references(() => members.id, { onDelete: 'cascade' }),
    codeHash: text('code_hash').notNull(),
    createdBy: integer('created_by').references(() => members.id),
    expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
    usedAt: timestamp('used_at', { withTimezone: true }),
  },
  (t) => [uniqueIndex('binding_codes_hash').on(t.codeHash)],
);

/** A guided dialogue in progress; kept in the database so it survives a restart. */
export const dialogs = pgTable(
  'dialogs',
  {
    memberId: integer('member_id').notNull().references(() => members.id, { onDelete: 'cascade' }),
    /** platform:chatId — a member may be in one dialogue per chat. */
    chatKey: text('chat_key').notNull(),
    kind: text('kind').notNull(),
    state: jsonb('state').notNull(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.memberId, t.chatKey] })],
);

/** Who read or changed personal data, and what; written for every staff export and read. */
export const auditLog = pgTable(
  'audit_log',
  {
    id: serial('id').primaryKey(),
    actorId: integer('actor_id').references(() => members.id),
    action: text('action').notNull(),
    subject: text('subject').notNull(),
    detail: jsonb('detail').notNull().default(sql`'{}'::jsonb`),
    at: timestamp('at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index('audit_log_at').on(t.at), check('audit_action_nonempty', sql`${t.action} <> ''`)],
);

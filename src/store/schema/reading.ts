import { sql } from 'drizzle-orm';
import {
  bigserial, boolean, check, date, index, integer, pgTable, primaryKey, serial, text, timestamp, uniqueIndex,
} from 'drizzle-orm/pg-core';
import { members } from './members.js';

/**
 * A reading group (读书小组): one book or theme, led by a lead reader (导读委员). When `committee`
 * is set, only that committee's members (and staff) see it; `chatKey` ('platform:chatId') is the
 * group chat its daily guides are posted to.
 */
export const readingGroups = pgTable('reading_groups', {
  id: serial('id').primaryKey(),
  title: text('title').notNull(),
  leadMemberId: integer('lead_member_id').notNull().references(() => members.id),
  committee: text('committee').notNull().default(''),
  chatKey: text('chat_key'),
  createdBy: integer('created_by').references(() => members.id),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
});

/**
 * One meeting of a group, online (`onlineUrl`), offline (`place`) or both. `version` grows with
 * every move, so notices about a later move are not taken for repeats of an earlier one.
 */
export const readingSessions = pgTable(
  'reading_sessions',
  {
    id: serial('id').primaryKey(),
    groupId: integer('group_id').notNull().references(() => readingGroups.id, { onDelete: 'cascade' }),
    startsAt: timestamp('starts_at', { withTimezone: true }).notNull(),
    endsAt: timestamp('ends_at', { withTimezone: true }).notNull(),
    onlineUrl: text('online_url'),
    place: text('place'),
    /** Seats for RSVP "yes"; null means no limit. */
    capacity: integer('capacity'),
    /** Announced at the session; members check in with it. */
    checkinCode: text('checkin_code').notNull(),
    version: integer('version').notNull().default(1),
    cancelledAt: timestamp('cancelled_at', { withTimezone: true }),
    createdBy: integer('created_by').references(() => members.id),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    index('reading_sessions_starts').on(t.startsAt),
    index('reading_sessions_group').on(t.groupId, t.startsAt),
    check('reading_sessions_order', sql`${t.endsAt} > ${t.startsAt}`),
    check('reading_sessions_capacity', sql`${t.capacity} is null or ${t.capacity} > 0`),
    check('reading_sessions_where', sql`${t.onlineUrl} is not null or ${t.place} is not null`),
  ],
);

/**
 * A member's answer for one session. 'waitlist' is a "yes" that found the session full; the
 * lowest `queueSeq` is promoted first. Every change of status draws a new `queueSeq` under the
 * session's lock, so the order is the order of the answers even within one millisecond.
 * `changes` counts answers, to version notices.
 */
export const readingRsvps = pgTable(
  'reading_rsvps',
  {
    sessionId: integer('session_id').notNull().references(() => readingSessions.id, { onDelete: 'cascade' }),
    memberId: integer('member_id').notNull().references(() => members.id, { onDelete: 'cascade' }),
    status: text('status', { enum: ['yes', 'no', 'maybe', 'waitlist'] }).notNull(),
    queuedAt: timestamp('queued_at', { withTimezone: true }).notNull(),
    queueSeq: bigserial('queue_seq', { mode: 'number' }).notNull(),
    changes: integer('changes').notNull().default(1),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.sessionId, t.memberId] }), index('reading_rsvps_member').on(t.memberId)],
);

/** The daily guide (导读) of a group for one calendar day, visible from `publishAt`. */
export const readingGuides = pgTable(
  'reading_guides',
  {
    id: serial('id').primaryKey(),
    groupId: integer('group_id').notNull().references(() => readingGroups.id, { onDelete: 'cascade' }),
    day: date('day', { mode: 'string' }).notNull(),
    publishAt: timestamp('publish_at', { withTimezone: true }).notNull(),
    body: text('body').notNull(),
    authorId: integer('author_id').references(() => members.id),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [uniqueIndex('reading_guides_group_day').on(t.groupId, t.day), index('reading_guides_publish').on(t.publishAt)],
);

/** A member's comment (点评) on a day's guide; one per member per guide, rewritten in place. */
export const readingComments = pgTable(
  'reading_comments',
  {
    id: serial('id').primaryKey(),
    guideId: integer('guide_id').notNull().references(() => readingGuides.id, { onDelete: 'cascade' }),
    memberId: integer('member_id').notNull().references(() => members.id, { onDelete: 'cascade' }),
    body: text('body').notNull(),
    featured: boolean('featured').notNull().default(false),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [uniqueIndex('reading_comments_once').on(t.guideId, t.memberId), index('reading_comments_member').on(t.memberId, t.createdAt)],
);

/** Attendance: a member checked in to a session, once. */
export const readingAttendance = pgTable(
  'reading_attendance',
  {
    sessionId: integer('session_id').notNull().references(() => readingSessions.id, { onDelete: 'cascade' }),
    memberId: integer('member_id').notNull().references(() => members.id, { onDelete: 'cascade' }),
    checkedInAt: timestamp('checked_in_at', { withTimezone: true }).notNull(),
    method: text('method', { enum: ['code', 'button'] }).notNull(),
  },
  (t) => [primaryKey({ columns: [t.sessionId, t.memberId] }), index('reading_attendance_member').on(t.memberId)],
);

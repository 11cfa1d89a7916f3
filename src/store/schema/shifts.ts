import { sql } from 'drizzle-orm';
import { bigint, bigserial, check, index, integer, pgTable, primaryKey, serial, text, timestamp, uniqueIndex } from 'drizzle-orm/pg-core';
import { members } from './members.js';

/** The linkage level a duty shift belongs to (省 / 市 / 县 联动). */
export const SHIFT_LEVELS = ['province', 'city', 'county'] as const;
export type ShiftLevel = (typeof SHIFT_LEVELS)[number];

/**
 * One online duty slot (网上值班): when, on which theme, at which linkage level, for how many
 * members. Times are moments (UTC); staff enter them in their own time zone.
 */
export const shifts = pgTable(
  'shifts',
  {
    id: serial('id').primaryKey(),
    startsAt: timestamp('starts_at', { withTimezone: true }).notNull(),
    endsAt: timestamp('ends_at', { withTimezone: true }).notNull(),
    /** 值班主题 */
    theme: text('theme').notNull(),
    level: text('level', { enum: SHIFT_LEVELS }).notNull(),
    capacity: integer('capacity').notNull(),
    /** A place or an online link; empty when not given. */
    place: text('place').notNull().default(''),
    /** The staff contact for members on duty; empty when not given. */
    contact: text('contact').notNull().default(''),
    status: text('status', { enum: ['open', 'cancelled'] }).notNull().default('open'),
    /**
     * Raised under the row lock by every change to the shift or its sign-ups, so each change's
     * outbox rows get their own ref (the outbox sends a kind+ref+recipient only once).
     */
    version: integer('version').notNull().default(1),
    createdBy: integer('created_by').references(() => members.id, { onDelete: 'set null' }),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
    cancelledAt: timestamp('cancelled_at', { withTimezone: true }),
    cancelReason: text('cancel_reason'),
  },
  (t) => [
    check('shifts_capacity_range', sql`${t.capacity} between 1 and 10`),
    check('shifts_ends_after_start', sql`${t.endsAt} > ${t.startsAt}`),
    index('shifts_starts_at').on(t.startsAt),
    // The same slot twice is a mistake (or a re-imported file): refused, so imports are idempotent.
    uniqueIndex('shifts_same_slot').on(t.startsAt, t.endsAt, t.level, t.theme).where(sql`${t.status} = 'open'`),
  ],
);

/**
 * A member on a shift: confirmed (holds a seat) or waitlisted. `id` is the arrival order; the
 * confirmed sign-ups are always the earliest `capacity` of them. A withdrawn sign-up is deleted.
 */
export const shiftSignups = pgTable(
  'shift_signups',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    shiftId: integer('shift_id').notNull().references(() => shifts.id, { onDelete: 'cascade' }),
    memberId: integer('member_id').notNull().references(() => members.id, { onDelete: 'cascade' }),
    status: text('status', { enum: ['confirmed', 'waitlisted'] }).notNull(),
    signedUpAt: timestamp('signed_up_at', { withTimezone: true }).notNull(),
    /** When the seat was last given (sign-up, promotion, swap). */
    confirmedAt: timestamp('confirmed_at', { withTimezone: true }),
    /** Set when the member asked to withdraw after the cut-off; staff approve or deny. */
    cancelRequestedAt: timestamp('cancel_requested_at', { withTimezone: true }),
  },
  (t) => [
    uniqueIndex('shift_signups_once').on(t.shiftId, t.memberId),
    index('shift_signups_member').on(t.memberId),
  ],
);

/** A member's offer to hand their seat to a named member, or to anyone eligible (toMemberId null). */
export const shiftSwaps = pgTable(
  'shift_swaps',
  {
    id: serial('id').primaryKey(),
    shiftId: integer('shift_id').notNull().references(() => shifts.id, { onDelete: 'cascade' }),
    signupId: bigint('signup_id', { mode: 'number' }).notNull().references(() => shiftSignups.id, { onDelete: 'cascade' }),
    fromMemberId: integer('from_member_id').notNull().references(() => members.id, { onDelete: 'cascade' }),
    toMemberId: integer('to_member_id').references(() => members.id, { onDelete: 'cascade' }),
    status: text('status', { enum: ['open', 'accepted', 'withdrawn'] }).notNull().default('open'),
    acceptedBy: integer('accepted_by').references(() => members.id, { onDelete: 'set null' }),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull(),
    decidedAt: timestamp('decided_at', { withTimezone: true }),
  },
  (t) => [uniqueIndex('shift_swaps_one_open').on(t.signupId).where(sql`${t.status} = 'open'`)],
);

/** What a member on duty recorded after the shift: messages handled and a short summary. */
export const dutyLogs = pgTable(
  'duty_logs',
  {
    shiftId: integer('shift_id').notNull().references(() => shifts.id, { onDelete: 'cascade' }),
    memberId: integer('member_id').notNull().references(() => members.id, { onDelete: 'cascade' }),
    handled: integer('handled').notNull(),
    summary: text('summary').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.shiftId, t.memberId] }),
    check('duty_logs_handled_range', sql`${t.handled} >= 0`),
    check('duty_logs_summary_length', sql`char_length(${t.summary}) <= 1000`),
  ],
);

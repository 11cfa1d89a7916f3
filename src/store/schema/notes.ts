import { sql } from 'drizzle-orm';
import { bigserial, check, index, integer, pgTable, serial, text, timestamp, uniqueIndex } from 'drizzle-orm/pg-core';
import { members } from './members.js';

/** Where a public-opinion note stands: submitted → reviewing → returned (→ submitted) → adopted | rejected. */
export const NOTE_STATUSES = ['submitted', 'reviewing', 'returned', 'adopted', 'rejected'] as const;
/** What happened to a note; one row per transition (and per 批示), with who and when. */
export const NOTE_EVENT_KINDS = ['submitted', 'claimed', 'returned', 'resubmitted', 'adopted', 'rejected', 'instruction'] as const;
/** Levels at which a note is adopted or a leader's instruction (批示) is given. */
export const NOTE_LEVELS = ['district', 'municipal', 'provincial', 'national'] as const;

export type NoteStatus = (typeof NOTE_STATUSES)[number];
export type NoteEventKind = (typeof NOTE_EVENT_KINDS)[number];
export type NoteLevel = (typeof NOTE_LEVELS)[number];

/**
 * A public-opinion note (社情民意信息) as it stands now. Its history, and everything points and
 * tallies are computed from, is in note_events. `committee` and `sector` are the author's at
 * submission: the committee's staff review it and the tally counts it for that sector.
 */
export const notes = pgTable(
  'notes',
  {
    id: serial('id').primaryKey(),
    memberId: integer('member_id').notNull().references(() => members.id),
    committee: text('committee').notNull(),
    sector: text('sector').notNull(),
    title: text('title').notNull(),
    body: text('body').notNull(),
    /** The id of a category from the notes settings. */
    category: text('category').notNull(),
    status: text('status', { enum: NOTE_STATUSES }).notNull().default('submitted'),
    /** The staff officer who claimed the note for review. */
    reviewerId: integer('reviewer_id').references(() => members.id),
    /** The draft that last (re)submitted this note; a second confirmation of the same draft is recognised by it. */
    draftKey: text('draft_key').notNull(),
    /** 1 for the first submission, +1 for each resubmission after a return. */
    revision: integer('revision').notNull().default(1),
    submittedAt: timestamp('submitted_at', { withTimezone: true }).notNull(),
    /** When it last entered the review queue (first submission or resubmission); the queue is oldest first. */
    queuedAt: timestamp('queued_at', { withTimezone: true }).notNull(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull(),
  },
  (t) => [
    uniqueIndex('notes_member_draft').on(t.memberId, t.draftKey),
    index('notes_member').on(t.memberId, t.id),
    index('notes_queue').on(t.committee, t.status, t.queuedAt),
  ],
);

/**
 * Every transition of a note, with who and when. Points and tallies are computed from these rows.
 * A note is submitted once and adopted at most once; a 批示 is recorded at most once per level.
 */
export const noteEvents = pgTable(
  'note_events',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    noteId: integer('note_id').notNull().references(() => notes.id, { onDelete: 'cascade' }),
    kind: text('kind', { enum: NOTE_EVENT_KINDS }).notNull(),
    actorId: integer('actor_id').notNull().references(() => members.id),
    /** Status before and after; equal for a 批示, which does not change the status. */
    fromStatus: text('from_status', { enum: NOTE_STATUSES }),
    toStatus: text('to_status', { enum: NOTE_STATUSES }).notNull(),
    /** Adoption level, or the level of a 批示. */
    level: text('level', { enum: NOTE_LEVELS }),
    /** Adoption kind id from the notes settings (单篇采用, 综合采用, 转送 …). */
    adoptionKind: text('adoption_kind'),
    /** Reason for a return or rejection; what the 批示 said. */
    reason: text('reason'),
    at: timestamp('at', { withTimezone: true }).notNull(),
  },
  (t) => [
    index('note_events_note').on(t.noteId, t.id),
    index('note_events_at').on(t.at),
    uniqueIndex('note_events_submitted_once').on(t.noteId).where(sql`${t.kind} = 'submitted'`),
    uniqueIndex('note_events_adopted_once').on(t.noteId).where(sql`${t.kind} = 'adopted'`),
    uniqueIndex('note_events_instruction_per_level').on(t.noteId, t.level).where(sql`${t.kind} = 'instruction'`),
    check('note_events_level_given', sql`${t.kind} not in ('adopted', 'instruction') or ${t.level} is not null`),
  ],
);

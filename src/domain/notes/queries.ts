import { and, asc, desc, eq, gte, inArray, notInArray, sql } from 'drizzle-orm';
import { alias } from 'drizzle-orm/pg-core';
import type { DbOrTx } from '../../store/db.js';
import { members, noteEvents, notes, type NoteEventKind, type NoteLevel, type NoteStatus } from '../../store/schema/index.js';
import { inCommittee, type Note, type NoteEvent } from './access.js';

/** A member's own notes, newest first. */
export async function notesOf(db: DbOrTx, memberId: number, limit = 30): Promise<Note[]> {
  return db.select().from(notes).where(eq(notes.memberId, memberId)).orderBy(desc(notes.id)).limit(limit);
}

/** A note's history in order, with the name of whoever acted. */
export async function noteHistory(db: DbOrTx, noteId: number): Promise<(NoteEvent & { actorName: string })[]> {
  const rows = await db
    .select({ event: noteEvents, actorName: members.name })
    .from(noteEvents)
    .innerJoin(members, eq(noteEvents.actorId, members.id))
    .where(eq(noteEvents.noteId, noteId))
    .orderBy(asc(noteEvents.at), asc(noteEvents.id));
  return rows.map((r) => ({ ...r.event, actorName: r.actorName }));
}

/** A note in the review queue, with its author's and reviewer's names. */
export interface QueuedNote extends Note {
  authorName: string;
  reviewerName: string | null;
}

const reviewer = alias(members, 'reviewer');
const WAITING: NoteStatus[] = ['submitted', 'reviewing'];

/**
 * Notes waiting for staff (submitted or under review) in the committee served (null: all), the
 * longest-waiting first, and how many there are in all.
 */
export async function reviewQueue(db: DbOrTx, committee: string | null, limit: number): Promise<{ notes: QueuedNote[]; total: number }> {
  const where = and(inArray(notes.status, WAITING), inCommittee(committee));
  const rows = await db
    .select({ note: notes, authorName: members.name, reviewerName: reviewer.name })
    .from(notes)
    .innerJoin(members, eq(notes.memberId, members.id))
    .leftJoin(reviewer, eq(notes.reviewerId, reviewer.id))
    .where(where)
    .orderBy(asc(notes.queuedAt), asc(notes.id))
    .limit(limit);
  return { notes: rows.map((r) => ({ ...r.note, authorName: r.authorName, reviewerName: r.reviewerName })), total: await pendingReviewCount(db, committee) };
}

/** How many notes wait for staff (submitted or under review); `committee` null counts every committee. For digests. */
export async function pendingReviewCount(db: DbOrTx, committee: string | null): Promise<number> {
  const [row] = await db.select({ n: sql<number>`count(*)::int` }).from(notes).where(and(inArray(notes.status, WAITING), inCommittee(committee)));
  return row?.n ?? 0;
}

/** A change staff made to one of a member's notes; for the weekly digest. */
export interface NoteChange {
  noteId: number;
  title: string;
  event: NoteEventKind;
  /** The status after the change. */
  status: NoteStatus;
  /** Adoption level, or the level of a 批示. */
  level: NoteLevel | null;
  adoptionKind: string | null;
  at: Date;
}

/**
 * What happened to `memberId`'s notes since `since` (inclusive), oldest first: claims, returns,
 * adoptions, rejections and 批示. The member's own submissions and resubmissions are left out.
 */
export async function noteChangesFor(db: DbOrTx, memberId: number, since: Date): Promise<NoteChange[]> {
  return (await noteChangesOfMembers(db, [memberId], since)).map(({ memberId: _, ...change }) => change);
}

/** noteChangesFor for many members in one query (the weekly digest), each row with its member. */
export async function noteChangesOfMembers(db: DbOrTx, memberIds: number[], since: Date): Promise<Array<NoteChange & { memberId: number }>> {
  if (memberIds.length === 0) return [];
  return db
    .select({
      memberId: notes.memberId, noteId: notes.id, title: notes.title, event: noteEvents.kind, status: noteEvents.toStatus,
      level: noteEvents.level, adoptionKind: noteEvents.adoptionKind, at: noteEvents.at,
    })
    .from(noteEvents)
    .innerJoin(notes, eq(noteEvents.noteId, notes.id))
    .where(and(inArray(notes.memberId, memberIds), gte(noteEvents.at, since), notInArray(noteEvents.kind, ['submitted', 'resubmitted'])))
    .orderBy(asc(noteEvents.at), asc(noteEvents.id));
}

/** The adoption event of each of `noteIds` that has one, for showing "adopted (municipal · single)". */
export async function adoptionsOf(db: DbOrTx, noteIds: number[]): Promise<Map<number, NoteEvent>> {
  if (noteIds.length === 0) return new Map();
  const rows = await db.select().from(noteEvents).where(and(inArray(noteEvents.noteId, noteIds), eq(noteEvents.kind, 'adopted')));
  return new Map(rows.map((e) => [e.noteId, e]));
}

import { eq, sql } from 'drizzle-orm';
import type { DbOrTx } from '../../store/db.js';
import { noteEvents, notes } from '../../store/schema/index.js';
import { UserError } from '../../core/errors.js';
import type { Member } from '../members/members.js';

/** A note as stored. */
export type Note = typeof notes.$inferSelect;
/** One row of a note's history. */
export type NoteEvent = typeof noteEvents.$inferSelect;

/**
 * The committee whose notes `viewer` reviews: an admin serves every committee (null), a staff
 * officer their own committee, a member none (undefined).
 */
export function servedCommittee(viewer: Pick<Member, 'role' | 'committee'>): string | null | undefined {
  if (viewer.role === 'admin') return null;
  if (viewer.role === 'staff') return viewer.committee;
  return undefined;
}

/** Whether `viewer` reviews notes of `committee` (staff of that committee, or an admin). */
export function servesCommittee(viewer: Pick<Member, 'role' | 'committee'>, committee: string): boolean {
  const served = servedCommittee(viewer);
  return served === null || (served !== undefined && served === committee);
}

/** Whether `viewer` may read `note`: its author, staff of its committee, or an admin. */
export function maySee(viewer: Member, note: Pick<Note, 'memberId' | 'committee'>): boolean {
  return note.memberId === viewer.id || servesCommittee(viewer, note.committee);
}

/** "Not found", exactly as for a note that does not exist: a guessed id reveals nothing. */
export const noteNotFound = (id: number) => new UserError('notes.notFound', { id });

/**
 * The note `id` as `viewer` may see it; anyone else gets "not found". With `forReview` only staff
 * serving its committee (or an admin) get it; with `lock` the row is locked for the transaction.
 */
export async function visibleNote(
  db: DbOrTx,
  viewer: Member,
  id: number,
  opts: { forReview?: boolean; lock?: boolean } = {},
): Promise<Note> {
  const query = db.select().from(notes).where(eq(notes.id, id));
  const [note] = opts.lock ? await query.for('update') : await query;
  if (!note) throw noteNotFound(id);
  const allowed = opts.forReview ? servesCommittee(viewer, note.committee) : maySee(viewer, note);
  if (!allowed) throw noteNotFound(id);
  return note;
}

/** A SQL condition limiting notes to the committee served (null: all). */
export const inCommittee = (committee: string | null) => (committee === null ? sql`true` : eq(notes.committee, committee));

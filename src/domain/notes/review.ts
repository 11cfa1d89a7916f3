import { and, eq } from 'drizzle-orm';
import type { Db, Tx } from '../../store/db.js';
import { NOTE_LEVELS, noteEvents, notes, type NoteEventKind, type NoteLevel, type NoteStatus } from '../../store/schema/index.js';
import { UserError } from '../../core/errors.js';
import { charLength } from '../../core/input.js';
import { LOCALES, t, tk } from '../../core/i18n.js';
import { addDeliveries } from '../outbox.js';
import { memberById, type Member } from '../members/members.js';
import { visibleNote, type Note, type NoteEvent } from './access.js';
import { authorNotice } from './notify.js';
import type { NotesSettings } from './settings.js';

/** Longest reason for a return or rejection, and longest 批示 summary, in characters. */
export const REASON_MAX = 500;

/** What one staff action does to a note: the event to record and the status after it. */
interface Change {
  kind: NoteEventKind;
  toStatus: NoteStatus;
  level?: NoteLevel;
  adoptionKind?: string;
  reason?: string | null;
}

/** The result of a staff action: the note as it is now and the event recorded. */
export interface Reviewed {
  note: Note;
  event: NoteEvent;
}

/**
 * Applies one staff action under a lock on the note: checks it is allowed, records the event,
 * updates the status and tells the author (an outbox row), all in one transaction. Staff who do
 * not serve the note's committee get "not found".
 */
async function changeNote(db: Db, actor: Member, noteId: number, now: Date, decide: (note: Note, tx: Tx) => Promise<Change>): Promise<Reviewed> {
  return db.transaction(async (tx) => {
    const note = await visibleNote(tx, actor, noteId, { forReview: true, lock: true });
    const change = await decide(note, tx);
    const [event] = await tx
      .insert(noteEvents)
      .values({
        noteId, kind: change.kind, actorId: actor.id, fromStatus: note.status, toStatus: change.toStatus,
        level: change.level ?? null, adoptionKind: change.adoptionKind ?? null, reason: change.reason ?? null, at: now,
      })
      .returning();
    const [updated] = await tx
      .update(notes)
      .set({ status: change.toStatus, reviewerId: change.kind === 'instruction' ? note.reviewerId : actor.id, updatedAt: now })
      .where(eq(notes.id, noteId))
      .returning();
    const notice = authorNotice(updated!, event!);
    if (notice) await addDeliveries(tx, [notice]);
    return { note: updated!, event: event! };
  });
}

/** Refuses a decision on a note that is not waiting for one, or that another officer has claimed. */
async function requireDecidable(tx: Tx, note: Note, actor: Member): Promise<void> {
  const id = note.id;
  if (note.status === 'adopted') throw new UserError('notes.alreadyAdopted', { id });
  if (note.status === 'rejected') throw new UserError('notes.alreadyRejected', { id });
  if (note.status === 'returned') throw new UserError('notes.awaitingRevision', { id });
  if (note.status === 'reviewing' && note.reviewerId !== actor.id && actor.role !== 'admin') {
    const reviewer = note.reviewerId ? await memberById(tx, note.reviewerId) : undefined;
    throw new UserError('notes.claimedByOther', { id, name: reviewer?.name ?? '—' });
  }
}

/** A reason as stored: trimmed, at most REASON_MAX characters; empty is refused when required. */
export function cleanReason(raw: string | undefined, required: boolean): string | null {
  const reason = (raw ?? '').trim();
  if (reason === '') {
    if (required) throw new UserError('notes.reasonEmpty');
    return null;
  }
  if (charLength(reason) > REASON_MAX) throw new UserError('notes.reasonTooLong', { max: REASON_MAX, length: charLength(reason) });
  return reason;
}

/** Staff take a submitted note for review; the author is told it is under review. */
export async function claimNote(db: Db, actor: Member, noteId: number, now: Date): Promise<Reviewed> {
  return changeNote(db, actor, noteId, now, async (note, tx) => {
    await requireDecidable(tx, note, actor);
    if (note.status === 'reviewing') throw new UserError('notes.alreadyClaimed', { id: noteId });
    return { kind: 'claimed', toStatus: 'reviewing' };
  });
}

/** Staff send a note back for revision with a reason; the author may revise and resubmit it. */
export async function returnNote(db: Db, actor: Member, noteId: number, reason: string, now: Date): Promise<Reviewed> {
  const why = cleanReason(reason, true);
  return changeNote(db, actor, noteId, now, async (note, tx) => {
    await requireDecidable(tx, note, actor);
    return { kind: 'returned', toStatus: 'returned', reason: why };
  });
}

/** Staff record that a note was not adopted, with an optional reason. Final. */
export async function rejectNote(db: Db, actor: Member, noteId: number, reason: string | undefined, now: Date): Promise<Reviewed> {
  const why = cleanReason(reason, false);
  return changeNote(db, actor, noteId, now, async (note, tx) => {
    await requireDecidable(tx, note, actor);
    return { kind: 'rejected', toStatus: 'rejected', reason: why };
  });
}

/** Staff record adoption at a level (区/市/省/全国) and of a kind (单篇采用, 综合采用, 转送 …). Final; once per note. */
export async function adoptNote(
  db: Db, actor: Member, noteId: number, level: NoteLevel, adoptionKind: string, settings: NotesSettings, now: Date,
): Promise<Reviewed> {
  if (!settings.adoptionKinds.includes(adoptionKind)) {
    throw new UserError('notes.unknownAdoptionKind', { input: adoptionKind, choices: settings.adoptionKinds.join(' / ') });
  }
  return changeNote(db, actor, noteId, now, async (note, tx) => {
    await requireDecidable(tx, note, actor);
    return { kind: 'adopted', toStatus: 'adopted', level, adoptionKind };
  });
}

/** Staff record a leader's instruction (批示) on an adopted note; at most one per level. */
export async function recordInstruction(db: Db, actor: Member, noteId: number, level: NoteLevel, text: string | undefined, now: Date): Promise<Reviewed> {
  const summary = cleanReason(text, false);
  return changeNote(db, actor, noteId, now, async (note, tx) => {
    if (note.status !== 'adopted') throw new UserError('notes.instructionNeedsAdoption', { id: noteId, status: tk(`notes.status.${note.status}`) });
    const [existing] = await tx
      .select({ id: noteEvents.id })
      .from(noteEvents)
      .where(and(eq(noteEvents.noteId, noteId), eq(noteEvents.kind, 'instruction'), eq(noteEvents.level, level)));
    if (existing) throw new UserError('notes.instructionExists', { id: noteId, level: tk(`notes.level.${level}`) });
    return { kind: 'instruction', toStatus: 'adopted', level, reason: summary };
  });
}

const LEVEL_WORDS: Record<string, NoteLevel> = {
  district: 'district', 区: 'district', 区级: 'district', 區: 'district', 區級: 'district', 县: 'district', 县级: 'district', 縣: 'district', 縣級: 'district',
  municipal: 'municipal', city: 'municipal', 市: 'municipal', 市级: 'municipal', 市級: 'municipal',
  provincial: 'provincial', province: 'provincial', 省: 'provincial', 省级: 'provincial', 省級: 'provincial',
  national: 'national', 全国: 'national', 全國: 'national', 国家: 'national', 國家: 'national', 国家级: 'national', 國家級: 'national',
};

/** A level as a member or officer may write it: "municipal", "市", "市级", "市級" …; undefined when unknown. */
export function parseLevel(word: string): NoteLevel | undefined {
  const w = word.trim().toLowerCase();
  return (NOTE_LEVELS as readonly string[]).includes(w) ? (w as NoteLevel) : LEVEL_WORDS[w];
}

/** An adoption kind named by its id or its name in any language ("单篇采用", "single" …); undefined when unknown. */
export function parseAdoptionKind(word: string, settings: Pick<NotesSettings, 'adoptionKinds'>): string | undefined {
  const w = word.trim().toLowerCase();
  return settings.adoptionKinds.find((id) => id === w || LOCALES.some((l) => t(l, `notes.adoptionKind.${id}`).toLowerCase() === w));
}

import { and, eq, sql } from 'drizzle-orm';
import { randomBytes } from 'node:crypto';
import type { Db } from '../../store/db.js';
import { noteEvents, notes } from '../../store/schema/index.js';
import { UserError } from '../../core/errors.js';
import { charLength } from '../../core/input.js';
import { tk, type Locale } from '../../core/i18n.js';
import type { Member } from '../members/members.js';
import { noteNotFound, type Note } from './access.js';
import type { NoteCategory, NotesSettings } from './settings.js';

/** What a member writes: one issue per note (一事一议). `category` is a category id. */
export interface NoteDraft {
  title: string;
  body: string;
  category: string;
}

/** A fresh key for a draft; a second confirmation of the same draft is recognised by it. */
export const newDraftKey = (): string => randomBytes(6).toString('base64url');

/** The title as stored: one line, spaces collapsed, 1..titleMax characters. */
export function cleanTitle(raw: string, settings: Pick<NotesSettings, 'titleMax'>): string {
  const title = raw.replace(/\s+/gu, ' ').trim();
  if (title === '') throw new UserError('notes.titleEmpty');
  const length = charLength(title);
  if (length > settings.titleMax) throw new UserError('notes.titleTooLong', { max: settings.titleMax, length });
  return title;
}

/** The body as stored: trimmed, 1..bodyMax characters, line breaks kept. */
export function cleanBody(raw: string, settings: Pick<NotesSettings, 'bodyMax'>): string {
  const body = raw.trim();
  if (body === '') throw new UserError('notes.bodyEmpty');
  const length = charLength(body);
  if (length > settings.bodyMax) throw new UserError('notes.bodyTooLong', { max: settings.bodyMax, length });
  return body;
}

/** A category's name in `locale` (Simplified Chinese when it has none in that language). */
export const categoryName = (c: NoteCategory, locale: Locale): string => c.names[locale] ?? c.names['zh-Hans'];

/** The name of the category with `id`, or the id itself for a category no longer configured. */
export function categoryLabel(id: string, settings: Pick<NotesSettings, 'categories'>, locale: Locale): string {
  const c = settings.categories.find((x) => x.id === id);
  return c ? categoryName(c, locale) : id;
}

/**
 * The category a member named: by its number in the list, its id, or its name in any language.
 * An unknown one is refused with the list of choices in the member's language.
 */
export function findCategory(input: string, settings: Pick<NotesSettings, 'categories'>, locale: Locale): NoteCategory {
  const wanted = input.trim().toLowerCase();
  const { categories } = settings;
  const byNumber = /^\d{1,2}$/.test(wanted) ? categories[Number(wanted) - 1] : undefined;
  const found = byNumber ?? categories.find((c) => c.id === wanted || Object.values(c.names).some((n) => n?.toLowerCase() === wanted));
  if (found) return found;
  const choices = categories.map((c) => categoryName(c, locale)).join(' / ');
  throw new UserError('notes.unknownCategory', { input: input.trim(), choices });
}

/** Checks a whole draft (also one read back from a stored dialogue) and returns it cleaned. */
export function checkDraft(draft: Partial<NoteDraft>, settings: NotesSettings, locale: Locale): NoteDraft {
  return {
    title: cleanTitle(draft.title ?? '', settings),
    category: findCategory(draft.category ?? '', settings, locale).id,
    body: cleanBody(draft.body ?? '', settings),
  };
}

const ONE_LINE = /^([^|｜]*)[|｜]([^|｜]*)[|｜]([\s\S]*)$/u;

/** The one-line form "TITLE | CATEGORY | BODY" (half- or full-width bars); the body may hold more bars. */
export function parseOneLine(text: string, settings: NotesSettings, locale: Locale): NoteDraft {
  const m = ONE_LINE.exec(text);
  if (!m) throw new UserError('errors.usage', { problem: tk('notes.oneLineForm'), usage: tk('notes.newUsage') });
  return checkDraft({ title: m[1], category: m[2], body: m[3] }, settings, locale);
}

/** The outcome of a confirmation: the note, and whether this confirmation made the change. */
export interface Submitted {
  note: Note;
  created: boolean;
}

/**
 * Files a new note for `author`. Confirming the same draft twice (a double press, a retry after a
 * crash) returns the note filed the first time.
 */
export async function submitNote(db: Db, author: Member, draftKey: string, draft: NoteDraft, settings: NotesSettings, now: Date): Promise<Submitted> {
  const checked = checkDraft(draft, settings, author.locale);
  return db.transaction(async (tx) => {
    const [note] = await tx
      .insert(notes)
      .values({
        memberId: author.id, committee: author.committee, sector: author.sector, ...checked,
        status: 'submitted', draftKey, submittedAt: now, queuedAt: now, updatedAt: now,
      })
      .onConflictDoNothing({ target: [notes.memberId, notes.draftKey] })
      .returning();
    if (!note) {
      const [existing] = await tx.select().from(notes).where(and(eq(notes.memberId, author.id), eq(notes.draftKey, draftKey)));
      return { note: existing!, created: false };
    }
    await tx.insert(noteEvents).values({ noteId: note.id, kind: 'submitted', actorId: author.id, toStatus: 'submitted', at: now });
    return { note, created: true };
  });
}

/**
 * Files the revision of a note staff returned: it goes back into the review queue as submitted.
 * Only its author may, and only while it is returned; the same draft twice changes nothing more.
 */
export async function resubmitNote(
  db: Db, author: Member, noteId: number, draftKey: string, draft: NoteDraft, settings: NotesSettings, now: Date,
): Promise<Submitted> {
  const checked = checkDraft(draft, settings, author.locale);
  return db.transaction(async (tx) => {
    const [note] = await tx.select().from(notes).where(and(eq(notes.id, noteId), eq(notes.memberId, author.id))).for('update');
    if (!note) throw noteNotFound(noteId);
    if (note.draftKey === draftKey) return { note, created: false };
    if (note.status !== 'returned') throw new UserError('notes.notReturned', { id: noteId, status: tk(`notes.status.${note.status}`) });
    const [updated] = await tx
      .update(notes)
      .set({ ...checked, status: 'submitted', reviewerId: null, draftKey, revision: sql`${notes.revision} + 1`, queuedAt: now, updatedAt: now })
      .where(eq(notes.id, noteId))
      .returning();
    await tx.insert(noteEvents).values({ noteId, kind: 'resubmitted', actorId: author.id, fromStatus: 'returned', toStatus: 'submitted', at: now });
    return { note: updated!, created: true };
  });
}

/** Whether the member may revise note `noteId` now (theirs and returned); "not found" otherwise. */
export async function returnedNoteOf(db: Db, author: Member, noteId: number): Promise<Note> {
  const [note] = await db.select().from(notes).where(and(eq(notes.id, noteId), eq(notes.memberId, author.id)));
  if (!note) throw noteNotFound(noteId);
  if (note.status !== 'returned') throw new UserError('notes.notReturned', { id: noteId, status: tk(`notes.status.${note.status}`) });
  return note;
}

/** The note a member filed from draft `draftKey`, if any: a confirmation pressed again after it went through. */
export async function noteByDraft(db: Db, memberId: number, draftKey: string): Promise<Note | undefined> {
  const [note] = await db.select().from(notes).where(and(eq(notes.memberId, memberId), eq(notes.draftKey, draftKey)));
  return note;
}

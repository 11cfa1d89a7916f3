import { and, eq, gte, inArray, lt } from 'drizzle-orm';
import type { DbOrTx } from '../../store/db.js';
import { members, noteEvents, notes, type NoteEventKind, type NoteLevel } from '../../store/schema/index.js';
import { inCommittee } from './access.js';
import type { PointsTable } from './settings.js';

/** Notes activity of one member (or a group) over a period; points are earned when the event happens. */
export interface NotesActivity {
  /** Notes first submitted in the period (a resubmission after a return is not a new note). */
  submitted: number;
  /** Notes adopted in the period. */
  adopted: number;
  points: number;
}

/** The points one event earns by the table: submitted, adopted at a level, a 批示 at a level; others none. */
export function pointsFor(event: { kind: NoteEventKind; level: NoteLevel | null }, table: PointsTable): number {
  if (event.kind === 'submitted') return table.submitted;
  if (event.kind === 'adopted' && event.level) return table.adopted[event.level];
  if (event.kind === 'instruction' && event.level) return table.instruction[event.level];
  return 0;
}

/** One event that counts for points or tallies, with whose note it is. */
export interface ScoringEvent {
  kind: NoteEventKind;
  level: NoteLevel | null;
  at: Date;
  noteId: number;
  memberId: number;
  memberName: string;
  memberSector: string;
  memberCommittee: string;
  /** The author's sector when the note was filed. */
  noteSector: string;
}

/** Which scoring events to read: a half-open period [from, to), optionally some members or one committee's notes. */
export interface ScoringFilter {
  from: Date;
  to: Date;
  memberIds?: number[];
  /** Notes of this committee only; null or absent: every committee. */
  committee?: string | null;
}

/** The events points and tallies are computed from, oldest first. Nothing is counted anywhere else. */
export async function scoringEvents(db: DbOrTx, filter: ScoringFilter): Promise<ScoringEvent[]> {
  const conditions = [
    inArray(noteEvents.kind, ['submitted', 'adopted', 'instruction']),
    gte(noteEvents.at, filter.from),
    lt(noteEvents.at, filter.to),
    inCommittee(filter.committee ?? null),
  ];
  if (filter.memberIds) {
    if (filter.memberIds.length === 0) return [];
    conditions.push(inArray(notes.memberId, filter.memberIds));
  }
  return db
    .select({
      kind: noteEvents.kind, level: noteEvents.level, at: noteEvents.at, noteId: notes.id, memberId: notes.memberId,
      memberName: members.name, memberSector: members.sector, memberCommittee: members.committee, noteSector: notes.sector,
    })
    .from(noteEvents)
    .innerJoin(notes, eq(noteEvents.noteId, notes.id))
    .innerJoin(members, eq(notes.memberId, members.id))
    .where(and(...conditions))
    .orderBy(noteEvents.at, noteEvents.id);
}

export const emptyActivity = (): NotesActivity => ({ submitted: 0, adopted: 0, points: 0 });

/** Adds one event to a running total. */
export function addEvent(total: NotesActivity, event: Pick<ScoringEvent, 'kind' | 'level'>, table: PointsTable): void {
  if (event.kind === 'submitted') total.submitted++;
  if (event.kind === 'adopted') total.adopted++;
  total.points += pointsFor(event, table);
}

/** Notes submitted, adopted and points per member over [from, to), computed from the events. */
export async function notesActivityByMember(db: DbOrTx, filter: ScoringFilter, table: PointsTable): Promise<Map<number, NotesActivity>> {
  const byMember = new Map<number, NotesActivity>();
  for (const e of await scoringEvents(db, filter)) {
    const total = byMember.get(e.memberId) ?? emptyActivity();
    addEvent(total, e, table);
    byMember.set(e.memberId, total);
  }
  return byMember;
}

/** One member's notes submitted, adopted and points over [from, to); for the performance record. */
export async function notesActivityOf(db: DbOrTx, memberId: number, from: Date, to: Date, table: PointsTable): Promise<NotesActivity> {
  return (await notesActivityByMember(db, { from, to, memberIds: [memberId] }, table)).get(memberId) ?? emptyActivity();
}

/** Total points of one note over its whole life, from its events. */
export async function notePoints(db: DbOrTx, noteId: number, table: PointsTable): Promise<number> {
  const rows = await db.select({ kind: noteEvents.kind, level: noteEvents.level }).from(noteEvents).where(eq(noteEvents.noteId, noteId));
  return rows.reduce((sum, e) => sum + pointsFor(e, table), 0);
}

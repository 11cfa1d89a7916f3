import { and, asc, eq } from 'drizzle-orm';
import type { DbOrTx } from '../../store/db.js';
import { members } from '../../store/schema/index.js';
import type { Member } from '../members/members.js';
import { notesActivityByMember, type NotesActivity } from '../notes/points.js';
import type { PointsTable } from '../notes/settings.js';
import { shiftsServedBy } from '../shifts/index.js';
import { readingActivityOf } from '../reading/index.js';
import type { RecordPeriod } from './periods.js';

/**
 * A member's performance record (履职档案) over a period, computed from the activity tables
 * themselves ("谁组织谁记录"): nothing here is stored.
 */
export interface PerformanceRecord {
  /** Duty shifts held that ended in the period, and how many have a duty log. */
  shifts: { served: number; logged: number };
  /** Notes submitted and adopted in the period, and the points their events earned. */
  notes: NotesActivity;
  /** Reading sessions checked in to, and comments written. */
  reading: { attended: number; comments: number };
}

/** The records of several members over one period, by member id. */
export async function performanceRecords(db: DbOrTx, memberIds: number[], period: RecordPeriod, points: PointsTable): Promise<Map<number, PerformanceRecord>> {
  const { from, to } = period;
  const notes = await notesActivityByMember(db, { from, to, memberIds }, points);
  const out = new Map<number, PerformanceRecord>();
  for (const id of memberIds) {
    const [shifts, reading] = await Promise.all([shiftsServedBy(db, id, from, to), readingActivityOf(db, id, from, to)]);
    out.set(id, { shifts, reading, notes: notes.get(id) ?? { submitted: 0, adopted: 0, points: 0 } });
  }
  return out;
}

/** One member's record over one period. */
export async function performanceRecord(db: DbOrTx, memberId: number, period: RecordPeriod, points: PointsTable): Promise<PerformanceRecord> {
  return (await performanceRecords(db, [memberId], period, points)).get(memberId)!;
}

/**
 * The members whose records an officer may read: members of the committee they serve, or every
 * member for an admin (`committee` null). Ordered by committee, then name.
 */
export async function membersOnRecord(db: DbOrTx, committee: string | null): Promise<Member[]> {
  const where = committee === null ? eq(members.role, 'member') : and(eq(members.role, 'member'), eq(members.committee, committee));
  return db.select().from(members).where(where).orderBy(asc(members.committee), asc(members.name), asc(members.id));
}

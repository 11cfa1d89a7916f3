import { DateTime } from 'luxon';
import type { DbOrTx } from '../../store/db.js';
import { addEvent, emptyActivity, scoringEvents, type NotesActivity } from './points.js';
import { defaultNotesSettings, type PointsTable } from './settings.js';

/** One line of the tally: counts, points and the adoption rate (adopted ÷ submitted in the period; null when none submitted). */
export interface TallyLine extends NotesActivity {
  adoptionRate: number | null;
}

export interface MemberTally extends TallyLine {
  memberId: number;
  name: string;
  /** The member's sector now. */
  sector: string;
  committee: string;
}

export interface SectorTally extends TallyLine {
  /** The authors' sector when they filed the notes ('' for none). */
  sector: string;
}

/** The periodic tally (定期通报) of notes: per member, per sector and in total. */
export interface NotesTally {
  year: number;
  /** 1–12, or null for the whole year. */
  month: number | null;
  from: Date;
  to: Date;
  members: MemberTally[];
  sectors: SectorTally[];
  total: TallyLine;
}

export interface TallyQuery {
  year: number;
  /** 1–12; absent for the whole year. */
  month?: number;
  /** Notes of this committee only; null or absent: every committee. */
  committee?: string | null;
  /** Whose calendar the month is on; default Asia/Shanghai. */
  timeZone?: string;
  /** The points table; default the settings' defaults. */
  points?: PointsTable;
}

/** The half-open period [from, to) of a month or a year in `timeZone`. */
export function periodRange(year: number, month: number | undefined, timeZone: string): { from: Date; to: Date } {
  const start = DateTime.fromObject({ year, month: month ?? 1, day: 1 }, { zone: timeZone });
  const end = start.plus(month ? { months: 1 } : { years: 1 });
  return { from: start.toJSDate(), to: end.toJSDate() };
}

const withRate = <T extends NotesActivity>(a: T): T & TallyLine => ({ ...a, adoptionRate: a.submitted > 0 ? a.adopted / a.submitted : null });

const byScore = (a: TallyLine, b: TallyLine) => b.points - a.points || b.adopted - a.adopted || b.submitted - a.submitted;

/**
 * The tally for a month or a year: notes submitted, adopted, adoption rate and points per member
 * and per sector, computed from the note events dated in the period. Members without activity
 * in the period are left out. Used by the digests and by the staff export.
 */
export async function monthlyTally(db: DbOrTx, query: TallyQuery): Promise<NotesTally> {
  const table = query.points ?? defaultNotesSettings().points;
  const { from, to } = periodRange(query.year, query.month, query.timeZone ?? 'Asia/Shanghai');
  const memberTotals = new Map<number, Omit<MemberTally, 'adoptionRate'>>();
  const sectorTotals = new Map<string, NotesActivity>();
  const total = emptyActivity();
  for (const e of await scoringEvents(db, { from, to, committee: query.committee ?? null })) {
    let m = memberTotals.get(e.memberId);
    if (!m) {
      m = { memberId: e.memberId, name: e.memberName, sector: e.memberSector, committee: e.memberCommittee, ...emptyActivity() };
      memberTotals.set(e.memberId, m);
    }
    const s = sectorTotals.get(e.noteSector) ?? emptyActivity();
    sectorTotals.set(e.noteSector, s);
    for (const line of [m, s, total]) addEvent(line, e, table);
  }
  return {
    year: query.year,
    month: query.month ?? null,
    from,
    to,
    members: [...memberTotals.values()].map(withRate).sort((a, b) => byScore(a, b) || a.memberId - b.memberId),
    sectors: [...sectorTotals].map(([sector, a]) => withRate({ sector, ...a })).sort((a, b) => byScore(a, b) || a.sector.localeCompare(b.sector)),
    total: withRate(total),
  };
}

import type { DbOrTx } from '../../store/db.js';

/**
 * One thing a member did that the points table (履职积分) may score: a shift served, a proposal
 * led, an activity attended… Facts are read from each feature's own recorded rows (its events,
 * check-ins, sign-ups) whenever points are wanted, never kept as a counter, so a change to the
 * table recomputes the past. Each feature that earns points exports a DutyFactSource.
 */
export interface DutyFact {
  memberId: number;
  /** The table's category, one per feature: 'shifts', 'notes', 'proposals', 'activities', 'reading'. */
  category: string;
  /** The item within the category, the table's key there, e.g. 'lead', 'cosigner', 'filed', 'attended.inspection'. */
  item: string;
  /** When it happened: the year (in the member's record period) it counts for. */
  at: Date;
  /** What it is about, e.g. 'proposal:12', so the record can say how each point was earned. */
  ref: string;
  /** What the member typed as its title, if it has one (shown as is, never translated). */
  title?: string;
  /** The share of the item's points this fact earns (a joint proposal's split lead points); 1 when absent. */
  share?: number;
}

/** Which facts to read: the half-open period [from, to), optionally only some members. */
export interface DutyFactFilter {
  from: Date;
  to: Date;
  memberIds?: number[];
}

/** A feature's facts for the points table, read from its own tables. */
export interface DutyFactSource {
  category: string;
  facts(db: DbOrTx, filter: DutyFactFilter): Promise<DutyFact[]>;
}

/**
 * Reminders of things that start at a set time (duty shifts, reading sessions). The delivery
 * engine asks the feature for its `ReminderFacts` when the thing changes (to plan the reminder
 * moments) and again when a reminder is due (to send only what is still true).
 */
import { and, eq, inArray, isNull, lte, sql } from 'drizzle-orm';
import type { Db, DbOrTx } from '../../store/db.js';
import { reminderJobs } from '../../store/schema/index.js';
import { addDeliveries } from '../outbox.js';
import { tk } from '../../core/i18n.js';
import type { ReminderFacts } from '../reminders.js';

/** Where the facts of each kind of thing come from, by ref prefix: `{ shift: …, reading: … }`. */
export type ReminderSources = Record<string, (db: DbOrTx, id: number) => Promise<ReminderFacts | undefined>>;

/** One reminder moment of one thing. */
export interface ReminderMoment {
  jobId: string;
  ref: string;
  offsetMinutes: number;
  startsAt: Date;
  fireAt: Date;
}

export interface ReminderPlan {
  /** Moments to schedule (new, or moved to a new start time). */
  add: ReminderMoment[];
  /** Job ids that no longer apply (time changed, thing cancelled). */
  remove: string[];
}

/** 'shift:12' → ['shift', 12]; undefined for anything else. */
export function parseRef(ref: string): [string, number] | undefined {
  const m = /^([a-z]+):(\d+)$/.exec(ref);
  return m ? [m[1]!, Number(m[2])] : undefined;
}

/**
 * Compares the reminder moments each thing should have now with those planned before, records the
 * new plan in reminder_jobs and returns what to change in the queue. Call inside a transaction
 * that holds `lockRefs(tx, refs)`, so two processes never plan the same thing at once.
 */
export async function planReminders(
  tx: DbOrTx,
  things: Array<{ ref: string; facts: ReminderFacts | undefined; offsetsMinutes: number[] }>,
  opts: { now: Date; lateGraceMs: number; jobId: (ref: string, offset: number, startsAt: Date) => string },
): Promise<ReminderPlan> {
  if (things.length === 0) return { add: [], remove: [] };
  const wanted: ReminderMoment[] = [];
  for (const { ref, facts, offsetsMinutes } of things) {
    if (!facts || facts.memberIds.length === 0 || facts.startsAt.getTime() <= opts.now.getTime()) continue;
    for (const offsetMinutes of new Set(offsetsMinutes)) {
      const fireAt = new Date(facts.startsAt.getTime() - offsetMinutes * 60_000);
      if (fireAt.getTime() < opts.now.getTime() - opts.lateGraceMs) continue;
      wanted.push({ jobId: opts.jobId(ref, offsetMinutes, facts.startsAt), ref, offsetMinutes, startsAt: facts.startsAt, fireAt });
    }
  }
  const planned = await tx
    .select({ jobId: reminderJobs.jobId })
    .from(reminderJobs)
    .where(and(inArray(reminderJobs.ref, things.map((t) => t.ref)), isNull(reminderJobs.firedAt)));
  const plannedIds = new Set(planned.map((p) => p.jobId));
  const wantedIds = new Set(wanted.map((w) => w.jobId));
  const remove = [...plannedIds].filter((id) => !wantedIds.has(id));
  const add = wanted.filter((w) => !plannedIds.has(w.jobId));
  if (remove.length > 0) await tx.delete(reminderJobs).where(inArray(reminderJobs.jobId, remove));
  for (let i = 0; i < add.length; i += 1000) await tx.insert(reminderJobs).values(add.slice(i, i + 1000)).onConflictDoNothing();
  return { add, remove };
}

/**
 * Serialises planning of these refs across processes until the transaction ends. Locks are taken
 * in sorted order, so two planners with overlapping refs cannot deadlock.
 */
export async function lockRefs(tx: DbOrTx, refs: string[]): Promise<void> {
  const keys = [...new Set(refs)].sort().map((ref) => `reminders:${ref}`);
  if (keys.length === 0) return;
  const array = `{${keys.map((k) => `"${k}"`).join(',')}}`;
  await tx.execute(sql`select pg_advisory_xact_lock(hashtext(s.k)) from (select k from unnest(${array}::text[]) as u(k) order by k) as s`);
}

export type FireResult = { sent: number } | { stale: 'cancelled' | 'moved' | 'started' | 'unknown-kind' };

/**
 * A reminder moment has come: re-reads the facts and writes one delivery per member still signed
 * up, unless the thing was cancelled, moved or has started. Deliveries are unique per moment and
 * member, so running this twice sends nothing twice.
 */
export async function fireReminder(
  db: Db,
  sources: ReminderSources,
  moment: { jobId: string; ref: string; offsetMinutes: number; startsAt: Date },
  now: Date,
): Promise<FireResult> {
  const parsed = parseRef(moment.ref);
  const source = parsed ? sources[parsed[0]] : undefined;
  if (!parsed || !source) return finish(db, moment.jobId, now, { stale: 'unknown-kind' });
  // No transaction: the deliveries are unique per moment and member, and `fired` is only
  // bookkeeping, so a crash between the two statements just repeats harmlessly.
  const facts = await source(db, parsed[1]);
  if (!facts) return finish(db, moment.jobId, now, { stale: 'cancelled' });
  if (facts.startsAt.getTime() !== moment.startsAt.getTime()) return finish(db, moment.jobId, now, { stale: 'moved' });
  if (facts.startsAt.getTime() <= now.getTime()) return finish(db, moment.jobId, now, { stale: 'started' });
  const lead = moment.offsetMinutes % 60 === 0
    ? tk('reminders.leadHours', { hours: moment.offsetMinutes / 60 })
    : tk('reminders.leadMinutes', { minutes: moment.offsetMinutes });
  const sent = await addDeliveries(
    db,
    [...new Set(facts.memberIds)].map((memberId) => ({
      kind: `reminder.${parsed[0]}`,
      ref: `${moment.ref}:${moment.offsetMinutes}m:${moment.startsAt.toISOString()}`,
      to: { memberId },
      template: facts.template,
      params: { lead, ...facts.params },
    })),
  );
  return finish(db, moment.jobId, now, { sent });
}

async function finish(db: DbOrTx, jobId: string, now: Date, result: FireResult): Promise<FireResult> {
  await db.update(reminderJobs).set({ firedAt: now }).where(and(eq(reminderJobs.jobId, jobId), isNull(reminderJobs.firedAt)));
  return result;
}

/** Planned moments not yet fired and due by `until`, for the sweep to check against the queue. */
export async function unfiredReminders(db: DbOrTx, until: Date, limit = 1000) {
  return db
    .select()
    .from(reminderJobs)
    .where(and(isNull(reminderJobs.firedAt), lte(reminderJobs.fireAt, until)))
    .orderBy(reminderJobs.fireAt)
    .limit(limit);
}

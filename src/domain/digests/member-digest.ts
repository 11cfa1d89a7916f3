/**
 * The weekly member digest: on Monday morning in each member's own time zone, their shifts and
 * reading sessions of the week, shifts still open, and what staff did with their notes.
 */
import { and, eq, inArray } from 'drizzle-orm';
import type { DbOrTx } from '../../store/db.js';
import { deliveries, members } from '../../store/schema/index.js';
import { addDeliveries, type DeliveryRequest, type ListParam } from '../outbox.js';
import { day, dt, tk } from '../../core/i18n.js';
import { isDueLocally, localWeek, type LocalWeek } from './periods.js';
import { groupBy } from '../../core/group-by.js';

/** A shift with a seat left, as shifts' `openShiftsBetween` returns it. */
export interface OpenShift {
  shiftId: number;
  startsAt: Date;
  theme: string;
  capacity: number;
  filled: number;
}

type ForMember<T> = T & { memberId: number };

/**
 * The features' functions the member digest reads, each for a batch of members in one query so
 * 50,000 digests cost a few hundred queries; a missing one leaves its section empty.
 */
export interface MemberDigestSources {
  shiftsOfMembersBetween?: (db: DbOrTx, memberIds: number[], from: Date, to: Date) => Promise<Array<ForMember<{ shiftId: number; startsAt: Date; theme: string; status: string }>>>;
  openShiftsBetween?: (db: DbOrTx, from: Date, to: Date) => Promise<OpenShift[]>;
  sessionsOfMembersBetween?: (db: DbOrTx, memberIds: number[], from: Date, to: Date) => Promise<Array<ForMember<{ sessionId: number; startsAt: Date; title: string; rsvp: string }>>>;
  noteChangesOfMembers?: (db: DbOrTx, memberIds: number[], since: Date) => Promise<Array<ForMember<{ noteId: number; title: string; event: string; status: string; level: string | null }>>>;
}

export const MEMBER_DIGEST_KIND = 'digest.member';
/** Open shifts listed by name; the rest are counted. */
const OPEN_SHOWN = 5;

const list = (items: ListParam['$list']): ListParam => ({ $list: items, emptyKey: 'digest.none' });

/** Members composed and written per batch: bounds memory and the size of each query. */
const BATCH = 1000;

/**
 * Writes this week's digest for every member whose local time is now at or after the due moment
 * (Monday 08:30 by default) on the due day, and who has not had it yet. Run hourly; the ref
 * 'digest:member:<ISO week>' makes it once per member and week whatever runs it.
 */
export async function memberDigests(
  db: DbOrTx,
  sources: MemberDigestSources,
  due: { weekday: number; hour: number; minute: number },
  now: Date,
): Promise<number> {
  const everyone = await db.select({ id: members.id, timeZone: members.timeZone }).from(members).where(eq(members.role, 'member')).orderBy(members.id);
  // Members in one zone share their week; zones are few, members many.
  const byZone = groupBy(everyone, (m) => m.timeZone);
  let written = 0;
  for (const [zone, inZone] of byZone) {
    if (!isDueLocally(now, zone, due)) continue;
    const week = localWeek(now, zone);
    const open = (await sources.openShiftsBetween?.(db, week.from, week.to)) ?? [];
    for (let i = 0; i < inZone.length; i += BATCH) {
      written += await digestBatch(db, sources, inZone.slice(i, i + BATCH).map((m) => m.id), week, open, now);
    }
  }
  return written;
}

/** The digests of one batch of members sharing a week, skipping those who had it already. */
async function digestBatch(db: DbOrTx, sources: MemberDigestSources, ids: number[], week: LocalWeek, open: OpenShift[], now: Date): Promise<number> {
  const ref = digestRef(week);
  const done = await db
    .select({ memberId: deliveries.memberId })
    .from(deliveries)
    .where(and(eq(deliveries.kind, MEMBER_DIGEST_KIND), eq(deliveries.ref, ref), inArray(deliveries.memberId, ids)));
  const had = new Set(done.map((d) => d.memberId));
  const due = ids.filter((id) => !had.has(id));
  if (due.length === 0) return 0;
  const [shifts, sessions, changes] = [
    groupBy((await sources.shiftsOfMembersBetween?.(db, due, week.from, week.to)) ?? [], (r) => r.memberId),
    groupBy((await sources.sessionsOfMembersBetween?.(db, due, week.from, week.to)) ?? [], (r) => r.memberId),
    groupBy((await sources.noteChangesOfMembers?.(db, due, new Date(now.getTime() - 7 * 86_400_000))) ?? [], (r) => r.memberId),
  ];
  return addDeliveries(db, due.map((id) => composeFor(id, week, open, {
    shifts: shifts.get(id) ?? [], sessions: sessions.get(id) ?? [], changes: changes.get(id) ?? [],
  })));
}

function digestRef(week: LocalWeek): string {
  return `digest:member:${week.id}`;
}

interface MemberFacts {
  shifts: Array<{ shiftId: number; startsAt: Date; theme: string; status: string }>;
  sessions: Array<{ sessionId: number; startsAt: Date; title: string; rsvp: string }>;
  changes: Array<{ noteId: number; title: string; event: string; status: string; level: string | null }>;
}

function composeFor(memberId: number, week: LocalWeek, open: OpenShift[], { shifts, sessions, changes }: MemberFacts): DeliveryRequest {
  const mine = new Set(shifts.map((s) => s.shiftId));
  const openToMe = open.filter((s) => !mine.has(s.shiftId));
  const openLines: ListParam['$list'] = openToMe.slice(0, OPEN_SHOWN).map((s) => ({
    key: 'digest.member.openLine', params: { at: dt(s.startsAt), id: s.shiftId, theme: s.theme, filled: s.filled, capacity: s.capacity },
  }));
  if (openToMe.length > OPEN_SHOWN) openLines.push({ key: 'digest.more', params: { count: openToMe.length - OPEN_SHOWN } });
  return {
    kind: MEMBER_DIGEST_KIND,
    ref: digestRef(week),
    to: { memberId },
    template: 'digest.member.body',
    params: { from: day(week.firstDay), to: day(week.lastDay) },
    lists: {
      shifts: list(shifts.map((s) => ({
        key: s.status === 'waitlisted' ? 'digest.member.shiftWaitLine' : 'digest.member.shiftLine',
        params: { at: dt(s.startsAt), id: s.shiftId, theme: s.theme },
      }))),
      sessions: list(sessions.map((s) => ({
        key: 'digest.member.sessionLine', params: { at: dt(s.startsAt), id: s.sessionId, title: s.title, answer: tk(`digest.rsvp.${s.rsvp}`) },
      }))),
      open: list(openLines),
      notes: list(changes.map((c) => ({
        key: c.level ? 'digest.member.noteLineLevel' : 'digest.member.noteLine',
        params: {
          id: c.noteId, title: c.title,
          what: tk(c.event === 'instruction' ? 'digest.noteInstruction' : `notes.status.${c.status}`),
          ...(c.level ? { level: tk(`notes.level.${c.level}`) } : {}),
        },
      }))),
    },
  };
}

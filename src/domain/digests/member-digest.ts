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

/** A shift with a seat left, as shifts' `openShiftsBetween` returns it. */
export interface OpenShift {
  shiftId: number;
  startsAt: Date;
  theme: string;
  capacity: number;
  filled: number;
}

/** The features' functions the member digest reads; a missing one leaves its section empty. */
export interface MemberDigestSources {
  memberShiftsBetween?: (db: DbOrTx, memberId: number, from: Date, to: Date) => Promise<Array<{ shiftId: number; startsAt: Date; theme: string; status: string }>>;
  openShiftsBetween?: (db: DbOrTx, from: Date, to: Date) => Promise<OpenShift[]>;
  memberSessionsBetween?: (db: DbOrTx, memberId: number, from: Date, to: Date) => Promise<Array<{ sessionId: number; startsAt: Date; title: string; rsvp: string }>>;
  noteChangesFor?: (db: DbOrTx, memberId: number, since: Date) => Promise<Array<{ noteId: number; title: string; event: string; status: string; level: string | null }>>;
}

export const MEMBER_DIGEST_KIND = 'digest.member';
/** Open shifts listed by name; the rest are counted. */
const OPEN_SHOWN = 5;

const list = (items: ListParam['$list']): ListParam => ({ $list: items, emptyKey: 'digest.none' });

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
  const everyone = await db.select({ id: members.id, timeZone: members.timeZone }).from(members).where(eq(members.role, 'member'));
  const candidates = everyone.filter((m) => isDueLocally(now, m.timeZone, due)).map((m) => ({ ...m, week: localWeek(now, m.timeZone) }));
  if (candidates.length === 0) return 0;
  const refs = [...new Set(candidates.map((m) => digestRef(m.week)))];
  const done = await db
    .select({ memberId: deliveries.memberId, ref: deliveries.ref })
    .from(deliveries)
    .where(and(eq(deliveries.kind, MEMBER_DIGEST_KIND), inArray(deliveries.ref, refs)));
  const had = new Set(done.map((d) => `${d.memberId}|${d.ref}`));
  const openByWeek = new Map<string, Promise<OpenShift[]>>();
  const requests: DeliveryRequest[] = [];
  for (const m of candidates) {
    if (had.has(`${m.id}|${digestRef(m.week)}`)) continue;
    const weekKey = m.week.from.toISOString();
    if (!openByWeek.has(weekKey)) openByWeek.set(weekKey, sources.openShiftsBetween?.(db, m.week.from, m.week.to) ?? Promise.resolve([]));
    requests.push(await composeFor(db, sources, m.id, m.week, await openByWeek.get(weekKey)!, now));
  }
  return addDeliveries(db, requests);
}

function digestRef(week: LocalWeek): string {
  return `digest:member:${week.id}`;
}

async function composeFor(
  db: DbOrTx,
  sources: MemberDigestSources,
  memberId: number,
  week: LocalWeek,
  open: OpenShift[],
  now: Date,
): Promise<DeliveryRequest> {
  const shifts = (await sources.memberShiftsBetween?.(db, memberId, week.from, week.to)) ?? [];
  const sessions = (await sources.memberSessionsBetween?.(db, memberId, week.from, week.to)) ?? [];
  const changes = (await sources.noteChangesFor?.(db, memberId, new Date(now.getTime() - 7 * 86_400_000))) ?? [];
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

import type { DbOrTx } from '../../store/db.js';
import { memberSessionsBetween } from '../reading/index.js';
import { memberShiftsBetween } from '../shifts/index.js';

/** One entry of a member's calendar, before it is written as iCalendar. */
export interface CalendarEvent {
  /** Stable across exports, so re-importing updates the entry instead of duplicating it. */
  uid: string;
  kind: 'reading' | 'shift';
  startsAt: Date;
  endsAt: Date;
  /** The book/theme of a reading group, or the theme of a duty shift. */
  title: string;
  /** CONFIRMED for a seat; TENTATIVE for "maybe" or a waitlist place. */
  status: 'CONFIRMED' | 'TENTATIVE';
  /** The member's standing, for the description. */
  standing: 'yes' | 'maybe' | 'waitlist';
  location?: string;
  url?: string;
}

/** How far ahead a calendar export looks. */
export const CALENDAR_HORIZON_DAYS = 366;
/** Sessions and shifts under way are still worth having; look back this far for their starts. */
const LOOK_BACK_MS = 24 * 3600_000;

/**
 * A member's upcoming reading sessions (answered yes, maybe or waiting) and confirmed duty
 * shifts that have not ended at `now`, soonest first.
 */
export async function memberCalendarEvents(db: DbOrTx, memberId: number, now: Date): Promise<CalendarEvent[]> {
  const from = new Date(now.getTime() - LOOK_BACK_MS);
  const to = new Date(now.getTime() + CALENDAR_HORIZON_DAYS * 86_400_000);
  const sessions = await memberSessionsBetween(db, memberId, from, to);
  const shifts = await memberShiftsBetween(db, memberId, from, to);
  const events: CalendarEvent[] = [
    ...sessions.map((s): CalendarEvent => ({
      uid: `reading-session-${s.sessionId}@tongxin`, kind: 'reading', startsAt: s.startsAt, endsAt: s.endsAt, title: s.title,
      status: s.rsvp === 'yes' ? 'CONFIRMED' : 'TENTATIVE', standing: s.rsvp,
      ...(s.place ?? s.onlineUrl ? { location: (s.place ?? s.onlineUrl)! } : {}),
      ...(s.onlineUrl ? { url: s.onlineUrl } : {}),
    })),
    ...shifts.filter((s) => s.status === 'confirmed').map((s): CalendarEvent => ({
      uid: `shift-${s.shiftId}@tongxin`, kind: 'shift', startsAt: s.startsAt, endsAt: s.endsAt, title: s.theme,
      status: 'CONFIRMED', standing: 'yes',
    })),
  ];
  return events
    .filter((e) => e.endsAt.getTime() > now.getTime())
    .sort((a, b) => a.startsAt.getTime() - b.startsAt.getTime() || a.uid.localeCompare(b.uid));
}

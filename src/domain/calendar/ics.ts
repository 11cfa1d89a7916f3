import { createEvents, type EventAttributes } from 'ics';
import type { CalendarEvent } from './events.js';

/** What the iCalendar text needs besides the events: names in the member's language, their zone. */
export interface IcsOptions {
  calName: string;
  /** The member's IANA zone; calendars that honour X-WR-TIMEZONE show the events in it. */
  timeZone: string;
  /** DTSTAMP of every event: when this export was made. */
  stamp: Date;
  summary(event: CalendarEvent): string;
  description(event: CalendarEvent): string;
}

/**
 * Writes events as an iCalendar file. Times are written in UTC ("…Z"), which every calendar
 * converts to its own zone correctly; the member's zone is named in X-WR-TIMEZONE.
 */
export function renderIcs(events: CalendarEvent[], opts: IcsOptions): string {
  const attributes = events.map((e) => ({
    uid: e.uid,
    start: e.startsAt.getTime(), startInputType: 'utc', startOutputType: 'utc',
    end: e.endsAt.getTime(), endInputType: 'utc', endOutputType: 'utc',
    title: opts.summary(e),
    description: opts.description(e),
    status: e.status,
    ...(e.location ? { location: e.location } : {}),
    ...(e.url ? { url: e.url } : {}),
    // Not in the package's types, but honoured: a fixed DTSTAMP instead of the wall clock.
    timestamp: opts.stamp.getTime(),
  }) as EventAttributes);
  const { error, value } = createEvents(attributes, { productId: '-//Tongxin//Calendar//EN', calName: opts.calName });
  if (error || !value) throw error ?? new Error('ics produced nothing');
  return value.replace(/(X-WR-CALNAME:[^\r\n]*(?:\r\n[ \t][^\r\n]*)*\r\n)/, `$1X-WR-TIMEZONE:${opts.timeZone}\r\n`);
}

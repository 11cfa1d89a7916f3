/** The member's calendar export (.ics): upcoming reading sessions and confirmed duty shifts. */
export { memberCalendarEvents, CALENDAR_HORIZON_DAYS, type CalendarEvent } from './events.js';
export { renderIcs, type IcsOptions } from './ics.js';

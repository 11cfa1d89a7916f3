import { memberCalendarEvents, renderIcs } from '../src/domain/calendar/index.js';
import type { Command, Feature } from '../src/router/types.js';

/** /calendar: the member's upcoming shifts and reading sessions as an .ics file. */
const calendar: Command = {
  name: 'calendar', role: 'member', summaryKey: 'calendar.summary', usageKey: 'calendar.usage',
  privateOnly: true,
  run: async (ctx) => {
    const now = ctx.deps.clock.now();
    const events = await memberCalendarEvents(ctx.deps.db, ctx.member.id, now);
    if (events.length === 0) return { text: ctx.t('calendar.empty') };
    const ics = renderIcs(events, {
      calName: ctx.t('calendar.name'), timeZone: ctx.timeZone, stamp: now,
      summary: (e) => (e.kind === 'reading' ? ctx.t('calendar.event.reading', { title: e.title }) : ctx.t('calendar.event.shift', { theme: e.title })),
      description: (e) => ctx.t(`calendar.note.${e.standing}`),
    });
    return {
      text: ctx.t('calendar.sent', { count: events.length, zone: ctx.timeZone }),
      file: { name: 'tongxin.ics', mimeType: 'text/calendar', data: Buffer.from(ics, 'utf8') },
    };
  },
};

/** The calendar export. */
export const calendarFeature: Feature = { name: 'calendar', commands: [calendar] };

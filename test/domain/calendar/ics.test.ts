import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { renderIcs, type CalendarEvent } from '../../../src/domain/calendar/index.js';
import { parseIcs } from './ics-parse.js';

const options = {
  calName: '同心日程', timeZone: 'America/Vancouver', stamp: new Date('2026-12-01T02:00:00Z'),
  summary: (e: CalendarEvent) => `${e.kind === 'reading' ? '读书活动' : '网上值班'}：${e.title}`,
  description: (e: CalendarEvent) => `standing: ${e.standing}`,
};

describe('renderIcs', () => {
  it('writes UTC times, names the member’s zone, and reads back to the same events', () => {
    const events: CalendarEvent[] = [
      {
        uid: 'reading-session-7@tongxin', kind: 'reading', startsAt: new Date('2026-12-05T11:30:00Z'), endsAt: new Date('2026-12-05T13:00:00Z'),
        title: '乡土中国, 第一章; “差序格局” — a long title that certainly needs folding over several lines', status: 'CONFIRMED',
        standing: 'yes', location: '会议室 3, 二楼', url: 'https://meet.example/abc?x=1',
      },
      {
        uid: 'shift-3@tongxin', kind: 'shift', startsAt: new Date('2026-12-06T01:00:00Z'), endsAt: new Date('2026-12-06T03:00:00Z'),
        title: '民生', status: 'TENTATIVE', standing: 'maybe',
      },
    ];
    const ics = renderIcs(events, options);
    expect(ics).toContain('\r\nDTSTART:20261205T113000Z\r\n');
    expect(ics).toContain('\r\nX-WR-TIMEZONE:America/Vancouver\r\n');
    for (const line of ics.split('\r\n')) expect([...line].length).toBeLessThanOrEqual(75);
    const { header, events: back } = parseIcs(ics);
    expect(header).toMatchObject({ BEGIN: 'VCALENDAR', VERSION: '2.0', 'X-WR-CALNAME': '同心日程', 'X-WR-TIMEZONE': 'America/Vancouver' });
    expect(back).toEqual([
      {
        uid: 'reading-session-7@tongxin', summary: `读书活动：${events[0]!.title}`, start: events[0]!.startsAt, end: events[0]!.endsAt,
        status: 'CONFIRMED', location: '会议室 3, 二楼', url: 'https://meet.example/abc?x=1', description: 'standing: yes',
      },
      { uid: 'shift-3@tongxin', summary: '网上值班：民生', start: events[1]!.startsAt, end: events[1]!.endsAt, status: 'TENTATIVE', description: 'standing: maybe' },
    ]);
  });

  it('round-trips any start, length and title', () => {
    const event = fc.record({
      start: fc.integer({ min: Date.UTC(2026, 0, 1) / 60_000, max: Date.UTC(2030, 0, 1) / 60_000 }).map((m) => new Date(m * 60_000)),
      minutes: fc.integer({ min: 1, max: 24 * 60 }),
      title: fc.string({ minLength: 1, maxLength: 120, unit: 'grapheme' }).filter((s) => !/[\r\n]/.test(s) && s.trim() === s && s !== ''),
    });
    fc.assert(fc.property(fc.array(event, { minLength: 1, maxLength: 4 }), (drafts) => {
      const events = drafts.map((d, i): CalendarEvent => ({
        uid: `reading-session-${i}@tongxin`, kind: 'reading', startsAt: d.start, endsAt: new Date(d.start.getTime() + d.minutes * 60_000),
        title: d.title, status: 'CONFIRMED', standing: 'yes',
      }));
      const back = parseIcs(renderIcs(events, options)).events;
      expect(back.map((e) => [e.uid, e.start.toISOString(), e.end.toISOString(), e.summary])).toEqual(
        events.map((e) => [e.uid, e.startsAt.toISOString(), e.endsAt.toISOString(), options.summary(e)]));
    }), { numRuns: 60 });
  });
});

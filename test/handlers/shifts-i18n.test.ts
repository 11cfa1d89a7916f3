import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Harness } from '../support/harness.js';
import { DATABASE_KINDS } from '../support/db.js';
import { t, type Locale } from '../../src/core/i18n.js';
import { shiftReminderFacts } from '../../src/domain/shifts/reminders.js';
import { inbox } from '../domain/shifts/support.js';

const text = Harness.text;

/**
 * One shift, 2026-12-10 09:00–12:00 in Shanghai (01:00–04:00 UTC), as each reader must see it:
 * in their own zone (Vancouver is still on the 9th) and their own language.
 */
const EXPECTED: Record<string, Record<Locale, string>> = {
  'Asia/Shanghai': { 'zh-Hans': '12月10日周四 GMT+8 09:00–12:00', 'zh-Hant': '12月10日週四 09:00 [GMT+8]–12:00', en: 'Thu 10 Dec, 09:00 GMT+8–12:00' },
  'Asia/Hong_Kong': { 'zh-Hans': '12月10日周四 GMT+8 09:00–12:00', 'zh-Hant': '12月10日週四 09:00 [GMT+8]–12:00', en: 'Thu 10 Dec, 09:00 GMT+8–12:00' },
  'Europe/London': { 'zh-Hans': '12月10日周四 GMT+0 01:00–04:00', 'zh-Hant': '12月10日週四 01:00 [GMT]–04:00', en: 'Thu 10 Dec, 01:00 GMT–04:00' },
  'America/Vancouver': { 'zh-Hans': '12月9日周三 GMT-8 17:00–20:00', 'zh-Hant': '12月9日週三 17:00 [PST]–20:00', en: 'Wed 9 Dec, 17:00 GMT-8–20:00' },
};
/** Ten seats and twelve readers: the last two see a full shift and join its waitlist. */
const SEATS: Record<Locale, RegExp> = {
  'zh-Hans': /· (余 \d+\/10 个名额|已满，候补 \d+ 人)/, 'zh-Hant': /· (餘 \d+\/10 個名額|已滿，候補 \d+ 人)/, en: /· (\d+ of 10 seats left|full, \d+ on the waitlist)/,
};
const CASES = Object.entries(EXPECTED).flatMap(([zone, byLocale]) =>
  (Object.keys(byLocale) as Locale[]).map((locale) => ({ zone, locale, when: byLocale[locale] })));

describe.each(DATABASE_KINDS)('one shift in every zone and language on %s', (kind) => {
  let h: Harness;
  let staff: { id: number };
  beforeAll(async () => {
    h = await Harness.start({ kind, at: '2026-12-01T02:00:00Z' });
    staff = await h.addMember({ name: '赵敏', role: 'staff' });
    await h.as(staff).send('/newshift 2026-12-10 09:00 12:00 市 10 教育民生');
  });
  afterAll(() => h.close());

  it.each(CASES)('$zone in $locale: list, card, sign-up and reminder', async ({ zone, locale, when }) => {
    const m = await h.addMember({ name: `${zone}-${locale}`, locale, timeZone: zone });
    const list = text(await h.as(m).send('/shifts'));
    expect(list).toContain(`#1 ${when} 教育民生`);
    expect(list).toMatch(SEATS[locale]);
    expect(text(await h.as(m).send('/shift 1'))).toContain(when);
    expect(text(await h.as(m).send('/signup 1'))).toContain(when);
    expect(text(await h.as(m).send('/myshifts'))).toContain(`#1 ${when} 教育民生`);

    // The reminder the delivery engine will send, rendered as this member reads it.
    const facts = await shiftReminderFacts(h.db, 1);
    expect(facts!.memberIds.length).toBeLessThanOrEqual(10);
    const start = when.split('–')[0]!;
    expect(t(locale, facts!.template, facts!.params, zone)).toContain(start);
  });

  it('tells each member of a new time in their own zone and language', async () => {
    await h.as(staff).send('/editshift 1 time 10:00 12:00');
    for (const { zone, locale, when } of CASES) {
      const [m] = (await h.db.query.members.findMany({ where: (x, { eq }) => eq(x.name, `${zone}-${locale}`) }));
      const [message] = await inbox(h, m!.id, 'shifts.notify.changed');
      const oldStart = when.split('–')[0]!;
      expect(message).toContain(oldStart);
      // One hour later than before, in the member's own zone.
      const hour = Number(/(\d\d):00/.exec(oldStart)![1]);
      expect(message).toContain(`${String(hour + 1).padStart(2, '0')}:00`);
    }
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { Harness } from '../support/harness.js';
import { t } from '../../src/core/i18n.js';
import { shiftsFeature } from '../../handlers/shifts.js';

/** Words staff and members might type into shift commands, good and bad. */
const word = fc.oneof(
  fc.string({ maxLength: 8 }),
  fc.constantFrom('1', '2', '#1', '0', '11', '-1', '99999999999', '2026-12-10', '2026-11-01', '2026-02-30', '09:00', '12:00', '25:00', '09:00-12:00',
    '市', 'province', '州', 'capacity', 'time', 'date', 'theme', 'place', 'contact', 'week', '王明', 'Alice', '"a b"', '委員', '\u202E', '👨‍👩‍👧‍👦'),
);

describe('shift commands under generated input', () => {
  let h: Harness;
  let people: { id: number }[];
  const commands = (shiftsFeature.commands ?? []).map((c) => c.name);
  beforeAll(async () => {
    h = await Harness.start({ at: '2026-12-01T02:00:00Z', settings: { flood: { limit: 1_000_000 } } });
    people = [
      await h.addMember({ name: '王明' }),
      await h.addMember({ name: '陳大文', locale: 'zh-Hant', timeZone: 'Asia/Hong_Kong' }),
      await h.addMember({ name: 'Alice', locale: 'en', timeZone: 'America/Vancouver', role: 'staff' }),
    ];
    await h.as(people[2]!).send('/newshift 2026-12-10 09:00 12:00 city 2 Education');
    await h.as(people[2]!).send('/newshift 2026-12-11 09:00 12:00 city 1 Health');
  });
  afterAll(() => h.close());

  it('never answers with the apology for a bug, whatever the words or buttons', async () => {
    const apologies = (['zh-Hans', 'zh-Hant', 'en'] as const).map((l) => t(l, 'errors.internal'));
    const input = fc.tuple(fc.constantFrom(...commands), fc.array(word, { maxLength: 8 })).map(([c, ws]) => `/${c} ${ws.join(' ')}`);
    const press = fc.tuple(fc.constantFrom('sh', 'shs', 'shl'), fc.array(fc.oneof(word, fc.constantFrom('pg', 'su', 'wd', 'sa', 'ra', 'rd')), { minLength: 1, maxLength: 3 }))
      .map(([p, ws]) => [p, ...ws].join(':').slice(0, 64));
    await fc.assert(
      fc.asyncProperty(fc.nat(people.length - 1), fc.boolean(), input, press, async (who, isPress, text, data) => {
        const sender = h.as(people[who]!);
        const replies = isPress ? await sender.press(data) : await sender.send(text);
        // A dialogue a command started would take the next generated command's place: leave it.
        await sender.send('/cancel');
        for (const r of replies) expect(apologies, `${isPress ? data : text} → ${r.text}`).not.toContain(r.text);
      }),
      { numRuns: 300 },
    );
  });
});

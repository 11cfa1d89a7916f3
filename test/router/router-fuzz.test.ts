import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { Harness } from '../support/harness.js';
import { t } from '../../src/core/i18n.js';
import { splitForTelegram } from '../../src/platforms/telegram/split-text.js';

/** Pieces that break naive chat bots: joiners, bidi controls, NUL, lone surrogates, markup. */
const nasty = fc.constantFrom(
  '👨‍👩‍👧‍👦', '🏳️‍🌈', '🇭🇰', '\u200D', '\u202E', '\u2066', '\u0000', '\uD800', '\uDC00', '<b>', '</a>', '*_`[]()~>#+-=|{}.!',
  '&amp;', '\\', '"', '“', '「', '#', '@', '%s', '{{name}}', '\n', '\r\n', '\t', ' ', '　', 'é', 'e\u0301', '委员', '會議',
);
const word = fc.oneof(fc.string({ unit: 'binary', maxLength: 12 }), nasty, fc.integer().map(String), fc.constantFrom('2026-12-01', '09:30', '#1', '-1', '99999999999'));

describe('router under generated input', () => {
  let h: Harness;
  let people: { id: number }[];
  let commands: string[];
  beforeAll(async () => {
    h = await Harness.start({ settings: { flood: { limit: 1_000_000 } } });
    people = [
      await h.addMember({ name: '王明', committee: '社会和法制委员会' }),
      await h.addMember({ name: '陳大文', locale: 'zh-Hant', timeZone: 'Asia/Hong_Kong' }),
      await h.addMember({ name: 'Alice', locale: 'en', timeZone: 'America/Vancouver', role: 'staff' }),
      await h.addMember({ name: 'Admin', locale: 'en', role: 'admin' }),
    ];
    commands = h.router.catalog.flatMap((c) => [c.name, ...(c.aliases ?? [])]);
  });
  afterAll(() => h.close());

  it('never crashes, never apologises for a bug, and answers within one message or a clean split', async () => {
    const apologies = (['zh-Hans', 'zh-Hant', 'en'] as const).map((l) => t(l, 'errors.internal'));
    const input = fc.oneof(
      { weight: 6, arbitrary: fc.tuple(fc.constantFrom(...commands), fc.array(word, { maxLength: 6 })).map(([c, ws]) => `/${c} ${ws.join(' ')}`) },
      { weight: 2, arbitrary: fc.array(word, { maxLength: 10 }).map((ws) => ws.join('')) },
      { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 200 }) },
      { weight: 1, arbitrary: fc.constantFrom('x'.repeat(100_000), `/help ${'委'.repeat(5000)}`, '\u0000'.repeat(50), '👨‍👩‍👧‍👦'.repeat(1000)) },
    );
    const press = fc.array(word, { minLength: 1, maxLength: 4 }).map((ws) => ws.join(':').slice(0, 64));
    await fc.assert(
      fc.asyncProperty(fc.nat(people.length - 1), fc.boolean(), input, press, async (who, isPress, text, data) => {
        const sender = h.as(people[who]!);
        const replies = isPress ? await sender.press(data) : await sender.send(text);
        for (const r of replies) {
          expect(apologies).not.toContain(r.text);
          const chunks = splitForTelegram(r.text);
          expect(chunks.join('')).toBe(r.text);
          for (const c of chunks) expect(c.length).toBeLessThanOrEqual(4096);
          for (const b of (r.buttons ?? []).flat()) if (b.data) expect(Buffer.byteLength(b.data)).toBeLessThanOrEqual(64);
        }
      }),
      { numRuns: 10_000 },
    );
  }, 300_000);
});

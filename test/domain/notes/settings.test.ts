import { describe, expect, it } from 'vitest';
import { defaultNotesSettings, notesSettings } from '../../../src/domain/notes/settings.js';
import { cleanBody, findCategory } from '../../../src/domain/notes/submission.js';
import { UserError } from '../../../src/core/errors.js';

describe('notes settings', () => {
  it('defaults to the practice: 60-character titles, 1500-character bodies, the usual points', () => {
    const s = defaultNotesSettings();
    expect([s.titleMax, s.bodyMax, s.similarTitleDays]).toEqual([60, 1500, 30]);
    expect(s.points).toEqual({
      submitted: 1,
      adopted: { district: 2, municipal: 5, provincial: 10, national: 20 },
      instruction: { district: 0, municipal: 10, provincial: 10, national: 30 },
    });
    expect(s.term).toEqual({ start: '2023-01-01', years: 5 });
    expect(s.adoptionKinds).toEqual(['single', 'combined', 'forwarded']);
  });

  it('takes a shorter body limit and a committee’s own categories', () => {
    const s = notesSettings.parse({ bodyMax: 200, categories: [{ id: 'traffic', names: { 'zh-Hans': '交通出行', en: 'Traffic' } }] });
    expect(() => cleanBody('字'.repeat(201), s)).toThrow(new UserError('notes.bodyTooLong', { max: 200, length: 201 }));
    expect(findCategory('交通出行', s, 'en').id).toBe('traffic');
    expect(findCategory('TRAFFIC', s, 'zh-Hant').id).toBe('traffic');
    expect(() => findCategory('其他', s, 'zh-Hant')).toThrow(new UserError('notes.unknownCategory', { input: '其他', choices: '交通出行' }));
  });

  it('refuses an adoption kind without locale texts, duplicate category ids and a bad term start', () => {
    expect(notesSettings.safeParse({ adoptionKinds: ['single', 'praised'] }).success).toBe(false);
    expect(notesSettings.safeParse({ categories: [{ id: 'a', names: { 'zh-Hans': '甲' } }, { id: 'a', names: { 'zh-Hans': '乙' } }] }).success).toBe(false);
    expect(notesSettings.safeParse({ term: { start: '2023-13-01' } }).success).toBe(false);
  });
});

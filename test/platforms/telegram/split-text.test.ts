import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { splitForTelegram } from '../../../src/platforms/telegram/split-text.js';

const FAMILY = '👨‍👩‍👧‍👦'; // 11 UTF-16 units, one grapheme
const FLAG = '🇨🇳';
const graphemes = new Intl.Segmenter(undefined, { granularity: 'grapheme' });

function isHigh(code: number): boolean {
  return code >= 0xd800 && code <= 0xdbff;
}
function isLow(code: number): boolean {
  return code >= 0xdc00 && code <= 0xdfff;
}

/** Every grapheme boundary of the chunks must be one of the text's own boundaries. */
function cutsAreGraphemeBoundaries(text: string, chunks: string[]): boolean {
  const boundaries = new Set([...graphemes.segment(text)].map((s) => s.index));
  boundaries.add(text.length);
  let at = 0;
  for (const chunk of chunks) {
    at += chunk.length;
    if (!boundaries.has(at)) return false;
  }
  return true;
}

describe('splitForTelegram', () => {
  it('gives no chunks for empty text and one chunk for short text', () => {
    expect(splitForTelegram('')).toEqual([]);
    expect(splitForTelegram('你好')).toEqual(['你好']);
    expect(splitForTelegram('x'.repeat(4096))).toEqual(['x'.repeat(4096)]);
  });

  it('prefers a newline, then whitespace, keeping the separator on the earlier chunk', () => {
    expect(splitForTelegram('aaaa bbb\ncc dd', 10)).toEqual(['aaaa bbb\n', 'cc dd']);
    expect(splitForTelegram('aaaa bbbb cccc', 10)).toEqual(['aaaa bbbb ', 'cccc']);
  });

  it('does not make tiny chunks for a newline near the start', () => {
    const chunks = splitForTelegram('T\n' + 'x'.repeat(20), 10);
    expect(chunks[0]).toHaveLength(10);
  });

  it('breaks Chinese text after sentence marks', () => {
    expect(splitForTelegram('会议通知。请准时参加会议', 8)).toEqual(['会议通知。', '请准时参加会议']);
  });

  it('never splits ZWJ sequences, flags or combining marks', () => {
    const text = ('ab' + FAMILY + FLAG + 'e\u0301').repeat(50);
    for (const limit of [11, 12, 13, 17, 30]) {
      const chunks = splitForTelegram(text, limit);
      expect(chunks.join('')).toBe(text);
      expect(cutsAreGraphemeBoundaries(text, chunks)).toBe(true);
      for (const c of chunks) expect(c.length).toBeLessThanOrEqual(limit);
    }
  });

  it('does not break after a space that carries a combining mark', () => {
    const text = 'aaaaaaa \u0301bbbbbbbb';
    const chunks = splitForTelegram(text, 10);
    expect(cutsAreGraphemeBoundaries(text, chunks)).toBe(true);
  });

  it('cuts a single cluster longer than the limit between code points', () => {
    const chunks = splitForTelegram(FAMILY, 4);
    expect(chunks.join('')).toBe(FAMILY);
    for (const c of chunks) expect(isLow(c.charCodeAt(0))).toBe(false);
  });

  it('rejects a limit below 2', () => {
    expect(() => splitForTelegram('abc', 1)).toThrow(RangeError);
  });

  it('splits 100,000-character texts of every kind back into the same text', () => {
    const cjk = '同心协力，共商国是'.repeat(11_200);
    const noBreaks = 'x'.repeat(100_000);
    const emoji = FAMILY.repeat(10_000);
    for (const text of [cjk, noBreaks, emoji]) {
      expect(splitForTelegram(text).join('')).toBe(text);
      expect(splitForTelegram(text, 50).join('')).toBe(text);
    }
  });

  const anyText = fc.oneof(
    fc.string({ unit: 'grapheme', maxLength: 300 }),
    fc.array(fc.constantFrom('a', ' ', '\n', '\r\n', '。', FAMILY, FLAG, 'e\u0301', '😀', '中'), { maxLength: 200 })
      .map((parts) => parts.join('')),
  );

  it('property: join gives the text back, chunks fit and cut only at grapheme boundaries', () => {
    fc.assert(
      fc.property(anyText, fc.integer({ min: 11, max: 64 }), (text, limit) => {
        const chunks = splitForTelegram(text, limit);
        expect(chunks.join('')).toBe(text);
        for (const c of chunks) {
          expect(c.length).toBeGreaterThan(0);
          expect(c.length).toBeLessThanOrEqual(limit);
          expect(isLow(c.charCodeAt(0))).toBe(false);
          expect(isHigh(c.charCodeAt(c.length - 1))).toBe(false);
        }
        expect(cutsAreGraphemeBoundaries(text, chunks)).toBe(true);
      }),
      { numRuns: 500 },
    );
  });

  it('property: ZWJ family emoji are never split', () => {
    fc.assert(
      fc.property(
        fc.array(fc.oneof(fc.constant(FAMILY), fc.string({ maxLength: 7 })), { maxLength: 60 }),
        fc.integer({ min: 11, max: 40 }),
        (parts, limit) => {
          const text = parts.join('');
          for (const c of splitForTelegram(text, limit)) {
            expect(c.split('\u200d').length - 1).toBe(3 * (c.split(FAMILY).length - 1));
          }
        },
      ),
      { numRuns: 300 },
    );
  });
});

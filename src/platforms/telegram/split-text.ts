/**
 * Splits long text into pieces Telegram accepts (≤ 4096 UTF-16 code units per message).
 *
 * Every character is kept: `splitForTelegram(t).join('') === t`. A break after a newline or a space
 * leaves that newline or space at the end of the earlier chunk (Telegram trims it when showing the
 * message). A chunk can be whitespace only when the text holds a run of whitespace longer than
 * half the limit; Telegram refuses such a message ("message text is empty"), so senders skip it.
 */

const graphemes = new Intl.Segmenter(undefined, { granularity: 'grapheme' });

/** Sentence ends in Chinese text, which has no spaces to break at. */
const CJK_STOPS = new Set(['。', '！', '？', '；', '，', '、']);

/**
 * Cuts `text` into chunks of at most `limit` UTF-16 code units. Prefers to break after a newline,
 * then after whitespace or a Chinese sentence mark (both only in the back half of a chunk, so no
 * tiny chunks), else at the last grapheme boundary. Never splits a surrogate pair or a grapheme
 * cluster (ZWJ emoji, flags, combining marks) — unless one cluster alone is longer than `limit`,
 * which is then cut between code points. Empty text gives no chunks.
 */
export function splitForTelegram(text: string, limit = 4096): string[] {
  if (!Number.isInteger(limit) || limit < 2) throw new RangeError(`limit must be an integer ≥ 2, got ${limit}`);
  const chunks: string[] = [];
  let start = 0;
  while (text.length - start > limit) {
    const end = findCut(text, start, limit);
    chunks.push(text.slice(start, end));
    start = end;
  }
  if (start < text.length) chunks.push(text.slice(start));
  return chunks;
}

/** Where the chunk starting at `start` (a grapheme boundary) should end; `start` < result ≤ start + limit. */
function findCut(text: string, start: number, limit: number): number {
  const max = start + limit;
  const half = start + Math.ceil(limit / 2);

  // A newline is a control character: there is always a grapheme boundary after it.
  // (Scanned by hand: lastIndexOf would search past `half` and make long texts quadratic.)
  for (let i = max - 1; i >= half - 1; i--) if (text.charCodeAt(i) === 10) return i + 1;

  for (let i = max - 1; i >= half - 1; i--) {
    const c = text[i]!;
    if ((c.trim() === '' || CJK_STOPS.has(c)) && isBoundaryAfterSingleUnit(text, i)) return i + 1;
  }

  return lastGraphemeBoundary(text, start, max);
}

/**
 * Whether there is a grapheme boundary right after the one-unit character at `i`. Such a
 * character (whitespace, CJK punctuation) is never joined to what follows except by a following
 * combining mark, ZWJ or spacing mark, so segmenting it with the next code point decides it.
 */
function isBoundaryAfterSingleUnit(text: string, i: number): boolean {
  if (i + 1 >= text.length) return true;
  const first = graphemes.segment(text.slice(i, i + 3))[Symbol.iterator]().next().value;
  return first !== undefined && first.segment.length === 1;
}

/**
 * The last grapheme boundary in (start, max]. Segments only text[start, max + 2): grapheme rules look
 * back only to the previous boundary and forward one code point, which the two extra units cover.
 */
function lastGraphemeBoundary(text: string, start: number, max: number): number {
  let best = start;
  for (const { index } of graphemes.segment(text.slice(start, Math.min(text.length, max + 2)))) {
    const at = start + index;
    if (at > max) break;
    best = at;
  }
  if (best > start) return best;
  // One cluster longer than the limit: cut it, but between code points.
  const code = text.charCodeAt(max - 1);
  return code >= 0xd800 && code <= 0xdbff ? max - 1 : max;
}

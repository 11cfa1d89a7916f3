import { and, gte, inArray, lte } from 'drizzle-orm';
import type { DbOrTx } from '../../store/db.js';
import { notes } from '../../store/schema/index.js';
import type { Note } from './access.js';

/** Two titles at least this alike (Dice coefficient of character pairs) count as similar. */
const SIMILAR = 0.5;

/** Words nearly every note title has (关于…的建议); left out so they do not make titles look alike. */
const BOILERPLATE = /^(关于|關於|对于|對於)|(的)?(建议|建議|意见|意見|问题|問題|提案)$/gu;

/** A title reduced to what tells titles apart: compatibility-normalised, lower case, no punctuation or spaces. */
function normalise(title: string): string {
  return title.normalize('NFKC').toLowerCase().replace(/[\p{P}\p{S}\s]/gu, '').replace(BOILERPLATE, '');
}

function pairs(s: string): Map<string, number> {
  const chars = [...s];
  const out = new Map<string, number>();
  for (let i = 0; i < chars.length - 1; i++) {
    const p = chars[i]! + chars[i + 1]!;
    out.set(p, (out.get(p) ?? 0) + 1);
  }
  return out;
}

/** How alike two titles are, 0..1 (Dice coefficient over character pairs, which suits Chinese and English). */
export function titleSimilarity(a: string, b: string): number {
  const x = normalise(a);
  const y = normalise(b);
  if (x === y) return x === '' ? 0 : 1;
  const px = pairs(x);
  const py = pairs(y);
  const size = (m: Map<string, number>) => [...m.values()].reduce((s, n) => s + n, 0);
  const total = size(px) + size(py);
  if (total === 0) return 0;
  let shared = 0;
  for (const [p, n] of px) shared += Math.min(n, py.get(p) ?? 0);
  return (2 * shared) / total;
}

/** An earlier or later note of the same member whose title is close to this one's. */
export interface SimilarNote {
  id: number;
  title: string;
  submittedAt: Date;
}

/**
 * For each of `list`, the same member's other notes submitted within `days` days of it with a
 * similar title: the hint staff see in the queue and on a note (一事一议, no repeats).
 */
export async function similarTitles(db: DbOrTx, list: Pick<Note, 'id' | 'memberId' | 'title' | 'submittedAt'>[], days: number): Promise<Map<number, SimilarNote[]>> {
  const result = new Map<number, SimilarNote[]>();
  if (list.length === 0) return result;
  const span = days * 86_400_000;
  const times = list.map((n) => n.submittedAt.getTime());
  const candidates = await db
    .select({ id: notes.id, memberId: notes.memberId, title: notes.title, submittedAt: notes.submittedAt })
    .from(notes)
    .where(and(
      inArray(notes.memberId, [...new Set(list.map((n) => n.memberId))]),
      gte(notes.submittedAt, new Date(Math.min(...times) - span)),
      lte(notes.submittedAt, new Date(Math.max(...times) + span)),
    ));
  for (const note of list) {
    const alike = candidates.filter((c) =>
      c.id !== note.id && c.memberId === note.memberId &&
      Math.abs(c.submittedAt.getTime() - note.submittedAt.getTime()) <= span &&
      titleSimilarity(c.title, note.title) >= SIMILAR);
    if (alike.length > 0) result.set(note.id, alike.map(({ id, title, submittedAt }) => ({ id, title, submittedAt })));
  }
  return result;
}

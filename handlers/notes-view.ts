import type { Button } from '../src/core/messages.js';
import { audit, memberById } from '../src/domain/members/members.js';
import { servesCommittee, type Note, type NoteEvent } from '../src/domain/notes/access.js';
import { NOTE_BUTTON } from '../src/domain/notes/notify.js';
import { pointsFor } from '../src/domain/notes/points.js';
import { noteHistory } from '../src/domain/notes/queries.js';
import { similarTitles, type SimilarNote } from '../src/domain/notes/similar.js';
import { categoryLabel } from '../src/domain/notes/submission.js';
import { buttonData, type MemberCtx, type Reply } from '../src/router/types.js';

/** Button prefixes of staff review actions (claim, adopt, return/reject, 批示). */
export const REVIEW_BUTTON = { claim: 'sqc', adopt: 'sqa', reason: 'sqx', instruction: 'sqi' } as const;

/** "已采用（市级 · 单篇采用）" or just the status, in the reader's language. */
export function statusText(ctx: MemberCtx, note: Pick<Note, 'status'>, adopted?: Pick<NoteEvent, 'level' | 'adoptionKind'>): string {
  const status = ctx.t(`notes.status.${note.status}`);
  if (note.status !== 'adopted' || !adopted?.level) return status;
  return ctx.t('notes.card.adoptedStatus', {
    status, level: ctx.t(`notes.level.${adopted.level}`), kind: adopted.adoptionKind ? ctx.t(`notes.adoptionKind.${adopted.adoptionKind}`) : '—',
  });
}

/** One line of a note's history; staff also see who acted. */
export function historyLine(ctx: MemberCtx, event: NoteEvent & { actorName: string }, showActor: boolean): string {
  const key = (event.kind === 'rejected' || event.kind === 'instruction') && event.reason ? `notes.history.${event.kind}WithReason` : `notes.history.${event.kind}`;
  const line = ctx.t(key, {
    at: event.at, reason: event.reason ?? '',
    level: event.level ? ctx.t(`notes.level.${event.level}`) : '',
    kind: event.adoptionKind ? ctx.t(`notes.adoptionKind.${event.adoptionKind}`) : '',
  });
  return showActor ? ctx.t('notes.history.by', { line, actor: event.actorName }) : line;
}

/** The hint staff see when the author sent a similar title within the configured days. */
export function similarLines(ctx: MemberCtx, similar: SimilarNote[] | undefined): string[] {
  return (similar ?? []).map((s) => ctx.t('notes.card.similar', { id: s.id, title: s.title, at: s.submittedAt, days: ctx.deps.settings.notes.similarTitleDays }));
}

/** The buttons an officer serving the note's committee gets for its status. */
export function reviewButtons(ctx: MemberCtx, note: Pick<Note, 'id' | 'status'>): Button[][] {
  const b = (key: string, prefix: string, ...parts: (string | number)[]): Button => ({ label: ctx.t(key), data: buttonData(prefix, note.id, ...parts) });
  const decide = [b('notes.button.adopt', REVIEW_BUTTON.adopt), b('notes.button.return', REVIEW_BUTTON.reason, 'ret'), b('notes.button.reject', REVIEW_BUTTON.reason, 'rej')];
  if (note.status === 'submitted') return [[b('notes.button.claim', REVIEW_BUTTON.claim)], decide];
  if (note.status === 'reviewing') return [decide];
  if (note.status === 'adopted') return [[b('notes.button.instruction', REVIEW_BUTTON.instruction)]];
  return [];
}

/**
 * A note as its reader may see it: title, category, status, body, history and points. Staff who
 * serve its committee also see the author, similar recent titles, who acted, and action buttons;
 * such a read of another member's note is audited.
 */
export async function noteCard(ctx: MemberCtx, note: Note): Promise<Reply> {
  const { db, settings } = ctx.deps;
  const history = await noteHistory(db, note.id);
  const staffView = servesCommittee(ctx.member, note.committee);
  const adopted = history.find((e) => e.kind === 'adopted');
  const lines = [
    ctx.t('notes.card.head', { id: note.id, title: note.title }),
    ctx.t('notes.card.meta', { category: categoryLabel(note.category, settings.notes, ctx.locale), revision: note.revision, at: note.submittedAt }),
    ctx.t('notes.card.status', { status: statusText(ctx, note, adopted) }),
  ];
  if (staffView) {
    // An officer reading someone else's note (body and author) is a read of personal data.
    if (note.memberId !== ctx.member.id) await audit(db, ctx.member.id, 'notes.view', `note:${note.id}`);
    const author = await memberById(db, note.memberId);
    lines.push(ctx.t('notes.card.author', { name: author?.name ?? '—', committee: note.committee || '—', sector: note.sector || '—' }));
    lines.push(...similarLines(ctx, (await similarTitles(db, [note], settings.notes.similarTitleDays)).get(note.id)));
  }
  lines.push('', note.body, '', ctx.t('notes.card.history'));
  lines.push(...history.map((e) => historyLine(ctx, e, staffView)));
  lines.push(ctx.t('notes.card.points', { points: history.reduce((sum, e) => sum + pointsFor(e, settings.notes.points), 0) }));
  const buttons: Button[][] = [];
  if (note.memberId === ctx.member.id && note.status === 'returned') {
    buttons.push([{ label: ctx.t('notes.button.revise'), data: buttonData(NOTE_BUTTON.revise, note.id) }]);
  }
  if (staffView) buttons.push(...reviewButtons(ctx, note));
  return buttons.length > 0 ? { text: lines.join('\n'), buttons } : { text: lines.join('\n') };
}

import { z } from 'zod';
import { UserError } from '../src/core/errors.js';
import { idArg } from '../src/core/input.js';
import type { Button } from '../src/core/messages.js';
import { audit } from '../src/domain/members/members.js';
import { servedCommittee, visibleNote } from '../src/domain/notes/access.js';
import { NOTE_BUTTON } from '../src/domain/notes/notify.js';
import { pointsFor } from '../src/domain/notes/points.js';
import { reviewQueue } from '../src/domain/notes/queries.js';
import {
  adoptNote, claimNote, cleanReason, parseAdoptionKind, parseLevel, recordInstruction, rejectNote, returnNote, REASON_MAX, type Reviewed,
} from '../src/domain/notes/review.js';
import { similarTitles } from '../src/domain/notes/similar.js';
import { NOTE_LEVELS, type NoteLevel } from '../src/store/schema/index.js';
import { buttonData, type ButtonAction, type Command, type DialogHandler, type MemberCtx, type Reply } from '../src/router/types.js';
import { REVIEW_BUTTON, reviewButtons, similarLines } from './notes-view.js';

/** How many notes one /notequeue shows. */
const QUEUE_PAGE = 15;
/** The dialogue in which an officer types the reason for a return or a rejection. */
const REASON = 'notes.reason';

const noteIdPart = z.string().regex(/^\d{1,9}$/).transform(Number);
/** The words after the id, as typed (a reason or a 批示 summary keeps its spaces). */
function restAfter(argText: string, words: number): string {
  let rest = argText.trim();
  for (let i = 0; i < words; i++) rest = rest.replace(/^\S+\s*/u, '');
  return rest;
}

function level(word: string): NoteLevel {
  const l = parseLevel(word);
  if (!l) throw new UserError('notes.unknownLevel', { input: word });
  return l;
}

function adoptionKind(ctx: MemberCtx, word: string): string {
  const k = parseAdoptionKind(word, ctx.deps.settings.notes);
  if (!k) {
    const choices = ctx.deps.settings.notes.adoptionKinds.map((id) => ctx.t(`notes.adoptionKind.${id}`)).join(' / ');
    throw new UserError('notes.unknownAdoptionKind', { input: word, choices });
  }
  return k;
}

/** What the officer reads after an action: what was done, and the buttons for what may come next. */
function done(ctx: MemberCtx, key: string, r: Reviewed): Reply {
  const text = ctx.t(key, {
    id: r.note.id, reason: r.event.reason ?? '', points: pointsFor(r.event, ctx.deps.settings.notes.points),
    level: r.event.level ? ctx.t(`notes.level.${r.event.level}`) : '',
    kind: r.event.adoptionKind ? ctx.t(`notes.adoptionKind.${r.event.adoptionKind}`) : '',
  });
  const buttons = reviewButtons(ctx, r.note);
  return buttons.length > 0 ? { text, buttons } : { text };
}

const queue: Command = {
  name: 'notequeue', role: 'staff', summaryKey: 'notes.queueSummary', usageKey: 'notes.queueUsage', privateOnly: true,
  run: async (ctx) => {
    const { db, settings } = ctx.deps;
    const { notes: waiting, total } = await reviewQueue(db, servedCommittee(ctx.member) ?? null, QUEUE_PAGE);
    if (total === 0) return { text: ctx.t('notes.queue.empty') };
    // Titles and authors of members' notes: a staff read of personal data.
    await audit(db, ctx.member.id, 'notes.queue', 'notes', { notes: waiting.map((n) => n.id) });
    const similar = await similarTitles(db, waiting, settings.notes.similarTitleDays);
    const lines = [ctx.t('notes.queue.title', { count: total })];
    for (const n of waiting) {
      lines.push(ctx.t(n.reviewerName ? 'notes.queue.lineReviewing' : 'notes.queue.line', {
        id: n.id, title: n.title, author: n.authorName, at: n.queuedAt, reviewer: n.reviewerName ?? '', revision: n.revision,
      }));
      lines.push(...similarLines(ctx, similar.get(n.id)).map((l) => `  ${l}`));
    }
    if (total > waiting.length) lines.push(ctx.t('notes.queue.more', { count: total - waiting.length }));
    const buttons: Button[][] = waiting.slice(0, 8).map((n) => [{ label: ctx.t('notes.button.open', { id: n.id }), data: buttonData(NOTE_BUTTON.view, n.id) }]);
    return { text: lines.join('\n'), buttons };
  },
};

const claim: Command<[number]> = {
  name: 'noteclaim', role: 'staff', summaryKey: 'notes.claimSummary', usageKey: 'notes.claimUsage', privateOnly: true,
  args: z.tuple([idArg]),
  run: async (ctx, [id]) => done(ctx, 'notes.review.claimed', await claimNote(ctx.deps.db, ctx.member, id, ctx.deps.clock.now())),
};

const returnCommand: Command<[number, ...string[]]> = {
  name: 'notereturn', role: 'staff', summaryKey: 'notes.returnSummary', usageKey: 'notes.returnUsage', privateOnly: true,
  args: z.tuple([idArg]).rest(z.string()),
  run: async (ctx, [id], argText) => done(ctx, 'notes.review.returned', await returnNote(ctx.deps.db, ctx.member, id, restAfter(argText, 1), ctx.deps.clock.now())),
};

const reject: Command<[number, ...string[]]> = {
  name: 'notereject', role: 'staff', summaryKey: 'notes.rejectSummary', usageKey: 'notes.rejectUsage', privateOnly: true,
  args: z.tuple([idArg]).rest(z.string()),
  run: async (ctx, [id], argText) => done(ctx, 'notes.review.rejected', await rejectNote(ctx.deps.db, ctx.member, id, restAfter(argText, 1), ctx.deps.clock.now())),
};

/** Level buttons, then kind buttons, for adopting note `id` by pressing. */
function levelButtons(ctx: MemberCtx, prefix: string, id: number): Button[][] {
  return [NOTE_LEVELS.map((l) => ({ label: ctx.t(`notes.level.${l}`), data: buttonData(prefix, id, l) }))];
}

function kindButtons(ctx: MemberCtx, id: number, l: NoteLevel): Button[][] {
  return ctx.deps.settings.notes.adoptionKinds.map((k) => [{ label: ctx.t(`notes.adoptionKind.${k}`), data: buttonData(REVIEW_BUTTON.adopt, id, l, k) }]);
}

/** Adopts after checking the officer may see the note, so a stranger's guess never reveals more than "not found". */
async function adopt(ctx: MemberCtx, id: number, l: NoteLevel | undefined, kind: string | undefined): Promise<Reply> {
  const { db, settings, clock } = ctx.deps;
  if (!l || !kind) {
    await visibleNote(db, ctx.member, id, { forReview: true });
    if (!l) return { text: ctx.t('notes.review.chooseLevel', { id }), buttons: levelButtons(ctx, REVIEW_BUTTON.adopt, id) };
    return { text: ctx.t('notes.review.chooseKind', { id, level: ctx.t(`notes.level.${l}`) }), buttons: kindButtons(ctx, id, l) };
  }
  return done(ctx, 'notes.review.adopted', await adoptNote(db, ctx.member, id, l, kind, settings.notes, clock.now()));
}

const adoptCommand: Command<[number, string?, string?]> = {
  name: 'noteadopt', role: 'staff', summaryKey: 'notes.adoptSummary', usageKey: 'notes.adoptUsage', privateOnly: true,
  args: z.tuple([idArg, z.string().optional(), z.string().optional()]),
  run: async (ctx, [id, l, kind]) => adopt(ctx, id, l ? level(l) : undefined, kind ? adoptionKind(ctx, kind) : undefined),
};

const instruction: Command<[number, string, ...string[]]> = {
  name: 'noteinstruction', aliases: ['pishi'], role: 'staff', summaryKey: 'notes.instructionSummary', usageKey: 'notes.instructionUsage', privateOnly: true,
  args: z.tuple([idArg, z.string()]).rest(z.string()),
  run: async (ctx, [id, l], argText) =>
    done(ctx, 'notes.review.instruction', await recordInstruction(ctx.deps.db, ctx.member, id, level(l), restAfter(argText, 2), ctx.deps.clock.now())),
};

const reasonState = z.object({ noteId: z.number().int().positive(), action: z.enum(['ret', 'rej']) });

/** The officer's next message is the reason; "-" rejects without one. */
const reasonDialog: DialogHandler = {
  kind: REASON,
  role: 'staff',
  onText: async (ctx, state, text) => {
    const parsed = reasonState.safeParse(state);
    if (!parsed.success) {
      await ctx.dialog.end();
      throw new UserError('errors.dialogGone');
    }
    const { noteId, action } = parsed.data;
    const reason = action === 'rej' && text.trim() === '-' ? undefined : text;
    cleanReason(reason, action === 'ret');
    await ctx.dialog.end();
    const now = ctx.deps.clock.now();
    return action === 'ret'
      ? done(ctx, 'notes.review.returned', await returnNote(ctx.deps.db, ctx.member, noteId, reason ?? '', now))
      : done(ctx, 'notes.review.rejected', await rejectNote(ctx.deps.db, ctx.member, noteId, reason, now));
  },
};

const buttons: ButtonAction<any>[] = [
  {
    prefix: REVIEW_BUTTON.claim, role: 'staff', parts: z.tuple([noteIdPart]),
    run: async (ctx, [id]: [number]) => done(ctx, 'notes.review.claimed', await claimNote(ctx.deps.db, ctx.member, id, ctx.deps.clock.now())),
  },
  {
    prefix: REVIEW_BUTTON.adopt, role: 'staff', parts: z.tuple([noteIdPart, z.enum(NOTE_LEVELS).optional(), z.string().max(16).optional()]),
    run: async (ctx, [id, l, kind]: [number, NoteLevel?, string?]) => adopt(ctx, id, l, kind),
  },
  {
    prefix: REVIEW_BUTTON.reason, role: 'staff', parts: z.tuple([noteIdPart, z.enum(['ret', 'rej'])]),
    run: async (ctx, [id, action]: [number, 'ret' | 'rej']) => {
      await visibleNote(ctx.deps.db, ctx.member, id, { forReview: true });
      await ctx.dialog.start(REASON, { noteId: id, action });
      return { text: ctx.t(action === 'ret' ? 'notes.review.askReturnReason' : 'notes.review.askRejectReason', { id, max: REASON_MAX }) };
    },
  },
  {
    prefix: REVIEW_BUTTON.instruction, role: 'staff', parts: z.tuple([noteIdPart, z.enum(NOTE_LEVELS).optional()]),
    run: async (ctx, [id, l]: [number, NoteLevel?]) => {
      if (l) return done(ctx, 'notes.review.instruction', await recordInstruction(ctx.deps.db, ctx.member, id, l, undefined, ctx.deps.clock.now()));
      await visibleNote(ctx.deps.db, ctx.member, id, { forReview: true });
      return { text: ctx.t('notes.review.chooseInstructionLevel', { id }), buttons: levelButtons(ctx, REVIEW_BUTTON.instruction, id) };
    },
  },
];

/** Staff review: the queue, claim, return, adopt, reject, 批示. */
export const reviewCommands = [queue, claim, returnCommand, adoptCommand, reject, instruction];
export const reviewButtonActions = buttons;
export const reviewDialogs = [reasonDialog];

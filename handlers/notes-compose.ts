import { z } from 'zod';
import { UserError } from '../src/core/errors.js';
import type { Button } from '../src/core/messages.js';
import { idArg } from '../src/core/input.js';
import { NOTE_BUTTON } from '../src/domain/notes/notify.js';
import { noteHistory } from '../src/domain/notes/queries.js';
import {
  categoryLabel, categoryName, cleanBody, cleanTitle, findCategory, newDraftKey, noteByDraft, parseOneLine,
  resubmitNote, returnedNoteOf, submitNote,
} from '../src/domain/notes/submission.js';
import { buttonData, type ButtonAction, type Command, type DialogHandler, type MemberCtx, type Reply } from '../src/router/types.js';

/** The guided dialogue that writes (or revises) a note; its state lives in the dialogs table. */
const COMPOSE = 'notes.compose';
/** Buttons of the draft: category, edit a field, submit, discard. The draft key keeps old buttons from acting on a newer draft. */
const DRAFT_BUTTON = 'sqd';

const draftSchema = z.object({
  key: z.string().regex(/^[A-Za-z0-9_-]{4,16}$/),
  /** Set when revising a note staff returned. */
  noteId: z.number().int().positive().optional(),
  step: z.enum(['title', 'body', 'category', 'preview']),
  title: z.string().optional(),
  body: z.string().optional(),
  category: z.string().optional(),
});
type Draft = z.infer<typeof draftSchema>;

/** The draft in progress in this chat, if the member is writing one. */
function currentDraft(ctx: MemberCtx): Draft | undefined {
  const d = ctx.dialog.current;
  if (d?.kind !== COMPOSE) return undefined;
  const parsed = draftSchema.safeParse(d.state);
  return parsed.success ? parsed.data : undefined;
}

/** The first field still missing, or the preview once all are there. */
const nextStep = (d: Draft): Draft['step'] => (!d.title ? 'title' : !d.body ? 'body' : !d.category ? 'category' : 'preview');

const draftButton = (ctx: MemberCtx, labelKey: string, d: Draft, action: string, arg?: string): Button => ({
  label: ctx.t(labelKey), data: buttonData(DRAFT_BUTTON, action, d.key, ...(arg ? [arg] : [])),
});

/** What the member is asked at the draft's current step, with its buttons. */
function prompt(ctx: MemberCtx, d: Draft): Reply {
  const s = ctx.deps.settings.notes;
  const cancel = [draftButton(ctx, 'notes.button.discard', d, 'no')];
  switch (d.step) {
    case 'title':
      return { text: ctx.t(d.title ? 'notes.compose.editTitle' : 'notes.compose.askTitle', { max: s.titleMax, current: d.title ?? '' }), buttons: [cancel] };
    case 'body':
      return { text: ctx.t(d.body ? 'notes.compose.editBody' : 'notes.compose.askBody', { max: s.bodyMax }), buttons: [cancel] };
    case 'category': {
      const list = s.categories.map((c, i) => `${i + 1}. ${categoryName(c, ctx.locale)}`).join('\n');
      const choices = s.categories.map((c) => ({ label: categoryName(c, ctx.locale), data: buttonData(DRAFT_BUTTON, 'cat', d.key, c.id) }));
      const rows: Button[][] = [];
      for (let i = 0; i < choices.length; i += 3) rows.push(choices.slice(i, i + 3));
      return { text: ctx.t('notes.compose.askCategory', { list }), buttons: [...rows, cancel] };
    }
    case 'preview':
      return {
        text: ctx.t(d.noteId ? 'notes.compose.previewRevision' : 'notes.compose.preview', {
          id: d.noteId ?? '', title: d.title ?? '', body: d.body ?? '', length: [...(d.body ?? '')].length,
          category: categoryLabel(d.category ?? '', s, ctx.locale),
        }),
        buttons: [
          [draftButton(ctx, d.noteId ? 'notes.button.resubmit' : 'notes.button.submit', d, 'ok')],
          [draftButton(ctx, 'notes.button.editTitle', d, 'edit', 'title'), draftButton(ctx, 'notes.button.editBody', d, 'edit', 'body'), draftButton(ctx, 'notes.button.editCategory', d, 'edit', 'category')],
          cancel,
        ],
      };
  }
}

async function save(ctx: MemberCtx, d: Draft): Promise<Reply> {
  await ctx.dialog.update(d);
  return prompt(ctx, d);
}

/** Plain text answers one step; bad input is refused with the reason and the draft stays as it was. */
const composeDialog: DialogHandler = {
  kind: COMPOSE,
  role: 'member',
  onText: async (ctx, state, text) => {
    const parsed = draftSchema.safeParse(state);
    if (!parsed.success) {
      await ctx.dialog.end();
      throw new UserError('errors.dialogGone');
    }
    const d = parsed.data;
    const s = ctx.deps.settings.notes;
    if (d.step === 'preview') return { ...prompt(ctx, d), text: ctx.t('notes.compose.usePreviewButtons') };
    if (d.step === 'title') d.title = cleanTitle(text, s);
    if (d.step === 'body') d.body = cleanBody(text, s);
    if (d.step === 'category') d.category = findCategory(text, s, ctx.locale).id;
    return save(ctx, { ...d, step: nextStep(d) });
  },
};

/** Files the draft after the member pressed submit; a second press finds the note already filed. */
async function confirm(ctx: MemberCtx, d: Draft): Promise<Reply> {
  const { db, settings, clock } = ctx.deps;
  if (d.step !== 'preview') return prompt(ctx, d);
  const draft = { title: d.title ?? '', body: d.body ?? '', category: d.category ?? '' };
  const result = d.noteId
    ? await resubmitNote(db, ctx.member, d.noteId, d.key, draft, settings.notes, clock.now())
    : await submitNote(db, ctx.member, d.key, draft, settings.notes, clock.now());
  await ctx.dialog.end();
  const view = [[{ label: ctx.t('notes.button.view'), data: buttonData(NOTE_BUTTON.view, result.note.id) }]];
  if (!result.created) return { text: ctx.t('notes.compose.alreadySubmitted', { id: result.note.id }), buttons: view };
  const key = d.noteId ? 'notes.compose.resubmitted' : 'notes.compose.submitted';
  return { text: ctx.t(key, { id: result.note.id, revision: result.note.revision }), buttons: view };
}

const draftAction: ButtonAction<[string, string, string?]> = {
  prefix: DRAFT_BUTTON,
  role: 'member',
  parts: z.tuple([z.enum(['cat', 'edit', 'ok', 'no']), z.string().max(16), z.string().max(16).optional()]),
  run: async (ctx, [action, key, arg]) => {
    const d = currentDraft(ctx);
    if (!d || d.key !== key) {
      const filed = action === 'ok' ? await noteByDraft(ctx.deps.db, ctx.member.id, key) : undefined;
      if (filed) return { text: ctx.t('notes.compose.alreadySubmitted', { id: filed.id }) };
      throw new UserError('notes.compose.noDraft');
    }
    if (action === 'no') {
      await ctx.dialog.end();
      return { text: ctx.t('notes.compose.discarded') };
    }
    if (action === 'ok') return confirm(ctx, d);
    if (action === 'cat') {
      const category = findCategory(arg ?? '', ctx.deps.settings.notes, ctx.locale).id;
      const next = { ...d, category };
      return save(ctx, { ...next, step: nextStep(next) });
    }
    const field = z.enum(['title', 'body', 'category']).safeParse(arg);
    if (!field.success) throw new UserError('errors.buttonExpired');
    return save(ctx, { ...d, step: field.data });
  },
};

/** `/newnote` starts (or resumes) the guided dialogue; `/newnote TITLE | CATEGORY | BODY` goes straight to the preview. */
const newNote: Command = {
  name: 'newnote', role: 'member', summaryKey: 'notes.newSummary', usageKey: 'notes.newUsage', privateOnly: true,
  run: async (ctx, _words, argText) => {
    const s = ctx.deps.settings.notes;
    if (argText.trim() !== '') {
      const draft = parseOneLine(argText, s, ctx.locale);
      const d: Draft = { key: newDraftKey(), step: 'preview', ...draft };
      await ctx.dialog.start(COMPOSE, d);
      return prompt(ctx, d);
    }
    const current = currentDraft(ctx);
    if (current && !current.noteId) {
      const again = prompt(ctx, current);
      return { ...again, text: `${ctx.t('notes.compose.resume')}\n\n${again.text}` };
    }
    const d: Draft = { key: newDraftKey(), step: 'title' };
    await ctx.dialog.start(COMPOSE, d);
    return prompt(ctx, d);
  },
};

/** Starts revising a returned note: the preview of its current text, with buttons to change each part. */
async function startRevision(ctx: MemberCtx, noteId: number): Promise<Reply> {
  const note = await returnedNoteOf(ctx.deps.db, ctx.member, noteId);
  const lastReturn = (await noteHistory(ctx.deps.db, noteId)).filter((e) => e.kind === 'returned').at(-1);
  const d: Draft = { key: newDraftKey(), noteId, step: 'preview', title: note.title, body: note.body, category: note.category };
  await ctx.dialog.start(COMPOSE, d);
  const preview = prompt(ctx, d);
  return { ...preview, text: `${ctx.t('notes.compose.reviseIntro', { id: noteId, reason: lastReturn?.reason ?? '—' })}\n\n${preview.text}` };
}

const reviseNote: Command<[number]> = {
  name: 'revisenote', role: 'member', summaryKey: 'notes.reviseSummary', usageKey: 'notes.reviseUsage', privateOnly: true,
  args: z.tuple([idArg]),
  run: async (ctx, [id]) => startRevision(ctx, id),
};

const reviseButton: ButtonAction<[number]> = {
  prefix: NOTE_BUTTON.revise,
  role: 'member',
  parts: z.tuple([z.string().regex(/^\d{1,9}$/).transform(Number)]),
  run: async (ctx, [id]) => startRevision(ctx, id),
};

/** Writing and revising notes: commands, the dialogue and its buttons. */
export const composeCommands = [newNote, reviseNote];
export const composeButtons = [draftAction, reviseButton];
export const composeDialogs = [composeDialog];

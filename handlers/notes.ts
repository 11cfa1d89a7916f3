import { z } from 'zod';
import { idArg } from '../src/core/input.js';
import { visibleNote } from '../src/domain/notes/access.js';
import { NOTE_BUTTON } from '../src/domain/notes/notify.js';
import { adoptionsOf, notesOf } from '../src/domain/notes/queries.js';
import { buttonData, type ButtonAction, type Command, type Feature } from '../src/router/types.js';
import { composeButtons, composeCommands, composeDialogs } from './notes-compose.js';
import { reviewButtonActions, reviewCommands, reviewDialogs } from './notes-review.js';
import { tallyCommands } from './notes-tally.js';
import { noteCard, statusText } from './notes-view.js';

/** Notes one /mynotes lists, newest first. */
const MY_NOTES = 30;

const myNotes: Command = {
  name: 'mynotes', role: 'member', summaryKey: 'notes.mineSummary', usageKey: 'notes.mineUsage', privateOnly: true,
  run: async (ctx) => {
    const mine = await notesOf(ctx.deps.db, ctx.member.id, MY_NOTES);
    if (mine.length === 0) return { text: ctx.t('notes.mine.empty') };
    const adoptions = await adoptionsOf(ctx.deps.db, mine.filter((n) => n.status === 'adopted').map((n) => n.id));
    const lines = [ctx.t('notes.mine.title', { count: mine.length })];
    for (const n of mine) lines.push(ctx.t('notes.mine.line', { id: n.id, title: n.title, status: statusText(ctx, n, adoptions.get(n.id)), at: n.updatedAt }));
    lines.push('', ctx.t('notes.mine.hint'));
    const buttons = mine.slice(0, 8).map((n) => [{ label: ctx.t('notes.button.open', { id: n.id }), data: buttonData(NOTE_BUTTON.view, n.id) }]);
    return { text: lines.join('\n'), buttons };
  },
};

/** `/note ID`: one note, for its author, staff of its committee, or an admin; anyone else gets "not found". */
const showNote: Command<[number]> = {
  name: 'note', role: 'member', summaryKey: 'notes.showSummary', usageKey: 'notes.showUsage', privateOnly: true,
  args: z.tuple([idArg]),
  run: async (ctx, [id]) => noteCard(ctx, await visibleNote(ctx.deps.db, ctx.member, id)),
};

const viewButton: ButtonAction<[number]> = {
  prefix: NOTE_BUTTON.view,
  role: 'member',
  parts: z.tuple([z.string().regex(/^\d{1,9}$/).transform(Number)]),
  run: async (ctx, [id]) => noteCard(ctx, await visibleNote(ctx.deps.db, ctx.member, id)),
};

/** Public-opinion notes (社情民意信息): writing, tracking, staff review and the tally. */
export const notesFeature: Feature = {
  name: 'notes',
  commands: [...composeCommands, myNotes, showNote, ...reviewCommands, ...tallyCommands],
  buttons: [...composeButtons, viewButton, ...reviewButtonActions],
  dialogs: [...composeDialogs, ...reviewDialogs],
};

import { z } from 'zod';
import { idArg } from '../src/core/input.js';
import { setRsvp, type RsvpAnswer, type RsvpOutcome } from '../src/domain/reading/rsvp.js';
import { myUpcomingSessions, upcomingSessions, visibleSession } from '../src/domain/reading/sessions.js';
import { sessionsForButtonCheckin, hasCheckedIn } from '../src/domain/reading/checkin.js';
import { buttonData, type ButtonAction, type Command, type Feature, type MemberCtx, type Reply } from '../src/router/types.js';
import type { Button } from '../src/core/messages.js';
import { RD, answerButtons, sessionLines } from './reading-format.js';
import { readingStaffCommands } from './reading-staff.js';
import { commentDialog, readingGuideCommands, startComment, toggleFeatured } from './reading-guides.js';
import { checkinCommand, checkInByButton } from './reading-checkin.js';

/** Words a member may answer with, in any of our languages. */
const ANSWERS: Record<string, RsvpAnswer> = {
  yes: 'yes', y: 'yes', 是: 'yes', 参加: 'yes', 參加: 'yes', 去: 'yes',
  no: 'no', n: 'no', 否: 'no', 不参加: 'no', 不參加: 'no', 不去: 'no',
  maybe: 'maybe', m: 'maybe', 待定: 'maybe', 可能: 'maybe', 也许: 'maybe', 也許: 'maybe',
};
const answerArg = z.string().transform((s) => ANSWERS[s.toLowerCase()]).refine((a) => a !== undefined, { message: 'reading.badAnswer' });

/** Answers a session for the member and says where they stand. */
export async function answer(ctx: MemberCtx, sessionId: number, choice: RsvpAnswer): Promise<Reply> {
  const { session, group } = await visibleSession(ctx.deps.db, ctx.member, sessionId);
  const outcome: RsvpOutcome = await setRsvp(ctx.deps.db, session, group, ctx.member.id, choice, ctx.deps.clock.now());
  return {
    text: ctx.t(`reading.rsvp.${outcome.status}`, { id: session.id, title: group.title, startsAt: session.startsAt, position: outcome.position }),
  };
}

async function listPage(ctx: MemberCtx, requested: number): Promise<Reply> {
  const page = Math.max(1, requested);
  const size = ctx.deps.settings.reading.pageSize;
  const { total, items } = await upcomingSessions(ctx.deps.db, ctx.member, ctx.deps.clock.now(), (page - 1) * size, size);
  if (total === 0) return { text: ctx.t('reading.list.empty') };
  const pages = Math.max(1, Math.ceil(total / size));
  if (items.length === 0) return { text: ctx.t('reading.list.noPage', { page, pages }) };
  const buttons: Button[][] = items.map((i) => answerButtons(ctx, i.session.id));
  const paging: Button[] = [];
  if (page > 1) paging.push({ label: ctx.t('reading.button.prev'), data: buttonData(RD, 'p', page - 1) });
  if (page < pages) paging.push({ label: ctx.t('reading.button.next'), data: buttonData(RD, 'p', page + 1) });
  if (paging.length) buttons.push(paging);
  const lines = [ctx.t('reading.list.title', { page, pages }), ...items.map((i) => sessionLines(ctx, i)), ctx.t('reading.list.hint')];
  return { text: lines.join('\n\n'), buttons };
}

const readings: Command<[number?]> = {
  name: 'readings', role: 'member', summaryKey: 'reading.cmd.readings.summary', usageKey: 'reading.cmd.readings.usage',
  args: z.tuple([z.string().regex(/^\d{1,4}$/, { message: 'reading.badPage' }).transform(Number).refine((n) => n >= 1, { message: 'reading.badPage' }).optional()]),
  run: async (ctx, [page]) => listPage(ctx, page ?? 1),
};

const rsvp: Command<[number, RsvpAnswer]> = {
  name: 'rsvp', role: 'member', summaryKey: 'reading.cmd.rsvp.summary', usageKey: 'reading.cmd.rsvp.usage',
  args: z.tuple([idArg, answerArg]),
  run: async (ctx, [sessionId, choice]) => answer(ctx, sessionId, choice),
};

const myreadings: Command = {
  name: 'myreadings', role: 'member', summaryKey: 'reading.cmd.myreadings.summary', usageKey: 'reading.cmd.myreadings.usage',
  run: async (ctx) => {
    const { db, clock, settings } = ctx.deps;
    const now = clock.now();
    const mine = await myUpcomingSessions(db, ctx.member.id, now);
    if (mine.length === 0) return { text: ctx.t('reading.mine.empty') };
    const open = new Set((await sessionsForButtonCheckin(db, ctx.member, now, settings.reading)).mine.map((r) => r.session.id));
    const buttons: Button[][] = [];
    for (const item of mine) {
      if (open.has(item.session.id) && !(await hasCheckedIn(db, item.session.id, ctx.member.id))) {
        buttons.push([{ label: ctx.t('reading.button.checkin', { id: item.session.id }), data: buttonData(RD, 'c', item.session.id) }]);
      }
    }
    const lines = [ctx.t('reading.mine.title'), ...mine.map((i) => sessionLines(ctx, i))];
    return { text: lines.join('\n\n'), ...(buttons.length ? { buttons } : {}) };
  },
};

const SHORT_ANSWER: Record<string, RsvpAnswer> = { y: 'yes', m: 'maybe', n: 'no' };
type RdParts = ['r', number, string] | ['p', number] | ['c', number] | ['k', number] | ['f', number, '1' | '0'];

/** Every reading button: answer (r), page (p), check in (c), comment (k), feature (f). */
const readingButtons: ButtonAction<RdParts> = {
  prefix: RD, role: 'member',
  parts: z.union([
    z.tuple([z.literal('r'), idArg, z.enum(['y', 'm', 'n'])]),
    z.tuple([z.literal('p'), idArg]),
    z.tuple([z.literal('c'), idArg]),
    z.tuple([z.literal('k'), idArg]),
    z.tuple([z.literal('f'), idArg, z.enum(['1', '0'])]),
  ]),
  run: async (ctx, parts) => {
    switch (parts[0]) {
      case 'r': return answer(ctx, parts[1], SHORT_ANSWER[parts[2]]!);
      case 'p': return listPage(ctx, parts[1]);
      case 'c': return checkInByButton(ctx, parts[1]);
      case 'k': return startComment(ctx, parts[1]);
      case 'f': return toggleFeatured(ctx, parts[1], parts[2] === '1');
    }
  },
};

/** Reading sessions (读书活动): groups, sessions, RSVP, guides, comments, check-in. */
export const readingFeature: Feature = {
  name: 'reading',
  commands: [readings, rsvp, myreadings, checkinCommand, ...readingGuideCommands, ...readingStaffCommands],
  buttons: [readingButtons],
  dialogs: [commentDialog],
};

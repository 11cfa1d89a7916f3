import { z } from 'zod';
import { idArg } from '../src/core/input.js';
import { oneMember } from '../src/domain/members/members.js';
import { shiftsBetween, memberShiftsBetween } from '../src/domain/shifts/views.js';
import { signUp, withdraw } from '../src/domain/shifts/signup.js';
import { offerSwap, acceptSwap } from '../src/domain/shifts/swaps.js';
import { logsOwedBy } from '../src/domain/shifts/duty-log.js';
import { shiftById, signupCounts, signupOf, waitlistPosition } from '../src/domain/shifts/records.js';
import type { Button } from '../src/core/messages.js';
import { buttonData, type ButtonAction, type Command, type Feature, type MemberCtx, type Reply } from '../src/router/types.js';
import { joinLimited, rulesOf, shiftLine, when } from './shifts-format.js';
import { staffShiftCommands, staffShiftButtons, importShiftFile } from './shifts-staff.js';
import { shiftDialogs, dutylogCommand, dutyLogButton, dutyLogButtonAction } from './shifts-dialogs.js';

const DAY_MS = 24 * 3600 * 1000;

/** The open shifts of the next days, one page, with sign-up buttons and page buttons. */
async function listPage(ctx: MemberCtx, page: number): Promise<Reply> {
  const now = ctx.deps.clock.now();
  const { listDays, pageSize, signupOpensDays } = ctx.deps.settings.shifts;
  const to = new Date(now.getTime() + listDays * DAY_MS);
  const all = await shiftsBetween(ctx.deps.db, now, to);
  if (all.length === 0) return { text: ctx.t('shifts.list.empty', { days: listDays }) };
  const pages = Math.ceil(all.length / pageSize);
  const p = Math.min(Math.max(page, 1), pages);
  const slice = all.slice((p - 1) * pageSize, p * pageSize);
  const mine = new Map((await memberShiftsBetween(ctx.deps.db, ctx.member.id, now, to)).map((s) => [s.shiftId, s.status]));
  const lines = [ctx.t('shifts.list.title', { days: listDays, page: p, pages })];
  const buttons: Button[][] = [];
  for (const s of slice) {
    const status = mine.get(s.shiftId);
    lines.push(shiftLine(ctx, s) + (status ? ctx.t(`shifts.list.you.${status}`) : ''));
    if (status) continue;
    const opensAt = new Date(s.startsAt.getTime() - signupOpensDays * DAY_MS);
    if (opensAt > now) lines.push(ctx.t('shifts.list.opensAt', { opensAt }));
    else buttons.push([{ label: ctx.t(s.filled < s.capacity ? 'shifts.button.signup' : 'shifts.button.waitlist', { id: s.shiftId }), data: buttonData('sh', 'su', s.shiftId) }]);
  }
  const nav: Button[] = [];
  if (p > 1) nav.push({ label: ctx.t('shifts.button.prev'), data: buttonData('sh', 'pg', p - 1) });
  if (p < pages) nav.push({ label: ctx.t('shifts.button.next'), data: buttonData('sh', 'pg', p + 1) });
  if (nav.length) buttons.push(nav);
  lines.push(ctx.t('shifts.list.hint'));
  return { text: lines.join('\n'), ...(buttons.length ? { buttons } : {}) };
}

async function doSignUp(ctx: MemberCtx, shiftId: number): Promise<Reply> {
  const outcome = await signUp(ctx.deps.db, shiftId, ctx.member.id, rulesOf(ctx), ctx.deps.clock.now());
  const shift = await shiftById(ctx.deps.db, shiftId);
  const params = { id: shiftId, when: when(ctx, shift.startsAt, shift.endsAt), theme: shift.theme, position: outcome.position };
  if (outcome.status === 'confirmed') return { text: ctx.t('shifts.signup.confirmed', params) };
  return { text: ctx.t('shifts.signup.waitlisted', params) };
}

async function doWithdraw(ctx: MemberCtx, shiftId: number): Promise<Reply> {
  const outcome = await withdraw(ctx.deps.db, shiftId, ctx.member.id, rulesOf(ctx), ctx.deps.clock.now());
  if (outcome.kind === 'requested') {
    return { text: ctx.t('shifts.withdraw.requested', { id: shiftId, hours: ctx.deps.settings.shifts.cancelCutoffHours, cutoff: outcome.cutoff }) };
  }
  return { text: ctx.t(outcome.wasConfirmed ? 'shifts.withdraw.done' : 'shifts.withdraw.leftWaitlist', { id: shiftId }) };
}

/** One shift in full, with what the member may do about it. */
async function showShift(ctx: MemberCtx, shiftId: number): Promise<Reply> {
  const shift = await shiftById(ctx.deps.db, shiftId);
  const counts = await signupCounts(ctx.deps.db, shiftId);
  const mine = await signupOf(ctx.deps.db, shiftId, ctx.member.id);
  const lines = [ctx.t('shifts.card', {
    id: shift.id, when: when(ctx, shift.startsAt, shift.endsAt), theme: shift.theme, level: ctx.t(`shifts.level.${shift.level}`),
    place: shift.place || ctx.t('shifts.none'), contact: shift.contact || ctx.t('shifts.none'),
    filled: counts.confirmed, capacity: shift.capacity, waiting: counts.waitlisted,
  })];
  if (shift.status === 'cancelled') lines.push(ctx.t('shifts.cardCancelled'));
  const buttons: Button[][] = [];
  if (mine) {
    lines.push(mine.status === 'confirmed' ? ctx.t('shifts.you.confirmed') : ctx.t('shifts.you.waitlisted', { position: await waitlistPosition(ctx.deps.db, mine) }));
    if (shift.status === 'open' && shift.startsAt > ctx.deps.clock.now()) buttons.push([{ label: ctx.t('shifts.button.withdraw', { id: shiftId }), data: buttonData('sh', 'wd', shiftId) }]);
  } else if (shift.status === 'open' && shift.startsAt > ctx.deps.clock.now()) {
    buttons.push([{ label: ctx.t(counts.confirmed < shift.capacity ? 'shifts.button.signup' : 'shifts.button.waitlist', { id: shiftId }), data: buttonData('sh', 'su', shiftId) }]);
  }
  return { text: lines.join('\n'), ...(buttons.length ? { buttons } : {}) };
}

/** The member's own upcoming shifts and waitlist places, and duty logs still owed. */
async function myShifts(ctx: MemberCtx): Promise<Reply> {
  const now = ctx.deps.clock.now();
  // A shift under way is still the member's: look back a day for starts, keep those not ended.
  const mine = (await memberShiftsBetween(ctx.deps.db, ctx.member.id, new Date(now.getTime() - DAY_MS), new Date(now.getTime() + 366 * DAY_MS)))
    .filter((s) => s.endsAt > now);
  const owed = await logsOwedBy(ctx.deps.db, ctx.member.id, now);
  if (mine.length === 0 && owed.length === 0) return { text: ctx.t('shifts.mine.empty') };
  const lines = [ctx.t('shifts.mine.title')];
  const buttons: Button[][] = [];
  for (const s of mine) {
    lines.push(ctx.t(`shifts.mine.${s.status}`, { id: s.shiftId, when: when(ctx, s.startsAt, s.endsAt), theme: s.theme }));
    if (buttons.length < 8 && s.startsAt > now) buttons.push([{ label: ctx.t('shifts.button.withdraw', { id: s.shiftId }), data: buttonData('sh', 'wd', s.shiftId) }]);
  }
  if (owed.length > 0) {
    lines.push(ctx.t('shifts.mine.owed'));
    for (const s of owed) {
      lines.push(ctx.t('shifts.mine.owedLine', { id: s.id, when: when(ctx, s.startsAt, s.endsAt), theme: s.theme }));
      buttons.push([dutyLogButton(ctx, s.id)]);
    }
  }
  return { text: joinLimited(ctx, lines), ...(buttons.length ? { buttons } : {}) };
}

const listCommand: Command<[number?]> = {
  name: 'shifts', role: 'member', summaryKey: 'shifts.cmd.shifts.summary', usageKey: 'shifts.cmd.shifts.usage',
  args: z.tuple([z.string().regex(/^\d{1,3}$/, 'shifts.error.badPage').transform(Number).optional()]),
  run: async (ctx, [page]) => listPage(ctx, page ?? 1),
};

const shiftCommand: Command<[number]> = {
  name: 'shift', role: 'member', summaryKey: 'shifts.cmd.shift.summary', usageKey: 'shifts.cmd.shift.usage',
  args: z.tuple([idArg]),
  run: async (ctx, [id]) => showShift(ctx, id),
};

const signupCommand: Command<[number]> = {
  name: 'signup', role: 'member', summaryKey: 'shifts.cmd.signup.summary', usageKey: 'shifts.cmd.signup.usage',
  args: z.tuple([idArg]),
  run: async (ctx, [id]) => doSignUp(ctx, id),
};

const withdrawCommand: Command<[number]> = {
  name: 'withdraw', role: 'member', summaryKey: 'shifts.cmd.withdraw.summary', usageKey: 'shifts.cmd.withdraw.usage',
  args: z.tuple([idArg]),
  run: async (ctx, [id]) => doWithdraw(ctx, id),
};

const myShiftsCommand: Command = {
  name: 'myshifts', role: 'member', summaryKey: 'shifts.cmd.myshifts.summary', usageKey: 'shifts.cmd.myshifts.usage',
  privateOnly: true,
  run: async (ctx) => myShifts(ctx),
};

/** /swap ID — offer to everyone eligible; /swap ID NAME|#ID — offer to one member. */
const swapCommand: Command<[number, string[]]> = {
  name: 'swap', role: 'member', summaryKey: 'shifts.cmd.swap.summary', usageKey: 'shifts.cmd.swap.usage',
  args: z.tuple([idArg]).rest(z.string()).transform(([id, ...rest]) => [id, rest] as [number, string[]]),
  run: async (ctx, [id, who]) => {
    const target = who.length ? await oneMember(ctx.deps.db, who.join(' ')) : undefined;
    const offer = await offerSwap(ctx.deps.db, id, ctx.member.id, target?.id ?? null, rulesOf(ctx), ctx.deps.clock.now());
    return { text: offer.toName ? ctx.t('shifts.swap.offeredTo', { id, name: offer.toName }) : ctx.t('shifts.swap.offeredAll', { id, count: offer.recipients }) };
  },
};

const memberButtons: ButtonAction<['pg' | 'su' | 'wd' | 'sa', number]> = {
  prefix: 'sh', role: 'member',
  parts: z.tuple([z.enum(['pg', 'su', 'wd', 'sa']), z.string().regex(/^\d{1,9}$/).transform(Number)]),
  run: async (ctx, [action, n]) => {
    switch (action) {
      case 'pg': return listPage(ctx, n);
      case 'su': return doSignUp(ctx, n);
      case 'wd': return doWithdraw(ctx, n);
      case 'sa': {
        const { shift, fromName } = await acceptSwap(ctx.deps.db, n, ctx.member.id, rulesOf(ctx), ctx.deps.clock.now());
        return { text: ctx.t('shifts.swap.accepted', { id: shift.id, name: fromName, when: when(ctx, shift.startsAt, shift.endsAt), theme: shift.theme }) };
      }
    }
  },
};

/** Commands, buttons and dialogues of the shifts feature. */
export const shiftsFeature: Feature = {
  name: 'shifts',
  commands: [listCommand, shiftCommand, signupCommand, withdrawCommand, myShiftsCommand, swapCommand, dutylogCommand, ...staffShiftCommands],
  buttons: [memberButtons, dutyLogButtonAction, ...staffShiftButtons],
  dialogs: shiftDialogs,
  onFile: importShiftFile,
};

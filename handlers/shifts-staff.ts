import { z } from 'zod';
import { dateArg, idArg, parseArgs, timeArg } from '../src/core/input.js';
import { day, tk } from '../src/core/i18n.js';
import { UserError } from '../src/core/errors.js';
import { audit } from '../src/domain/members/members.js';
import { cancelShift, createShift, editShift, parseLevel, MAX_CAPACITY, MIN_CAPACITY, type ShiftEdit } from '../src/domain/shifts/shifts.js';
import { coverage, rosterBetween, unfilledShifts, shiftSummaries } from '../src/domain/shifts/views.js';
import { dutyLogsBetween } from '../src/domain/shifts/duty-log.js';
import { decideCancelRequest, pendingCancelRequests } from '../src/domain/shifts/cancel-requests.js';
import { importShifts, SHIFT_FILE_NAME } from '../src/domain/shifts/import.js';
import type { Button } from '../src/core/messages.js';
import { buttonData, type ButtonAction, type Command, type MemberCtx, type Reply } from '../src/router/types.js';
import { dayRange, joinLimited, plusDays, shiftLine, today, when } from './shifts-format.js';
import { startCreateDialog } from './shifts-dialogs.js';

const words = z.array(z.string());
const levelArg = z.string().transform((w, c) => {
  const level = parseLevel(w);
  if (!level) c.addIssue({ code: 'custom', message: 'shifts.error.badLevel' });
  return level!;
});
const capacityArg = z.string().transform(Number)
  .refine((n) => Number.isInteger(n) && n >= MIN_CAPACITY && n <= MAX_CAPACITY, { message: 'shifts.error.capacity', params: { min: MIN_CAPACITY, max: MAX_CAPACITY } });
const newShiftArgs = z.tuple([dateArg, timeArg, timeArg, levelArg, capacityArg, z.string()]).rest(z.string())
  .refine((a) => a.length <= 8, { message: 'shifts.error.tooManyWords' });

/** /newshift DATE START END LEVEL CAPACITY THEME [PLACE] [CONTACT]; without words, a guided dialogue. */
const newShift: Command<string[]> = {
  name: 'newshift', role: 'staff', summaryKey: 'shifts.cmd.newshift.summary', usageKey: 'shifts.cmd.newshift.usage',
  privateOnly: true, args: words,
  run: async (ctx, tokens) => {
    if (tokens.length === 0) return startCreateDialog(ctx);
    const [date, start, end, level, capacity, theme, place, contact] = parseArgs(newShiftArgs, tokens, 'shifts.cmd.newshift.usage');
    const { shift, created } = await createShift(ctx.deps.db, {
      date, start, end, zone: ctx.timeZone, level, capacity, theme, place: place ?? '', contact: contact ?? '',
    }, ctx.member.id, ctx.deps.clock.now());
    if (!created) return { text: ctx.t('shifts.error.duplicate', { id: shift.id }) };
    return { text: ctx.t('shifts.create.done', { id: shift.id, when: when(ctx, shift.startsAt, shift.endsAt), theme: shift.theme }) };
  },
};

const FIELD_WORDS: Record<string, ShiftEdit['field']> = {
  date: 'date', 日期: 'date', time: 'time', 时间: 'time', 時間: 'time', theme: 'theme', 主题: 'theme', 主題: 'theme',
  level: 'level', 级别: 'level', 級別: 'level', capacity: 'capacity', 名额: 'capacity', 名額: 'capacity',
  place: 'place', link: 'place', 地点: 'place', 地點: 'place', contact: 'contact', 联系人: 'contact', 聯絡人: 'contact',
};

/** Reads "FIELD VALUE…" of /editshift into one change; times are in the editor's zone. */
function readEdit(ctx: MemberCtx, field: string, rest: string[]): ShiftEdit {
  const usage = 'shifts.cmd.editshift.usage';
  const f = FIELD_WORDS[field.toLowerCase()];
  const zone = ctx.timeZone;
  switch (f) {
    case 'date': return { field: f, date: parseArgs(z.tuple([dateArg]), rest, usage)[0], zone };
    case 'time': {
      const [start, end] = parseArgs(z.tuple([timeArg, timeArg]), rest.flatMap((w) => w.split(/[-–~]/u)).filter(Boolean), usage);
      return { field: f, start, end, zone };
    }
    case 'level': return { field: f, value: parseArgs(z.tuple([levelArg]), rest, usage)[0] };
    case 'capacity': return { field: f, value: parseArgs(z.tuple([capacityArg]), rest, usage)[0] };
    case 'theme': case 'place': case 'contact': return { field: f, value: rest.join(' ') };
    default: throw new UserError('errors.usage', { problem: tk('shifts.error.badField'), usage: tk(usage) });
  }
}

const editShiftCommand: Command<[number, string, string[]]> = {
  name: 'editshift', role: 'staff', summaryKey: 'shifts.cmd.editshift.summary', usageKey: 'shifts.cmd.editshift.usage',
  args: z.tuple([idArg, z.string()]).rest(z.string()).transform(([id, field, ...rest]) => [id, field, rest] as [number, string, string[]]),
  run: async (ctx, [id, field, rest]) => {
    const out = await editShift(ctx.deps.db, id, readEdit(ctx, field, rest), ctx.member.id, ctx.deps.clock.now());
    const lines = [ctx.t('shifts.edit.done', { id, when: when(ctx, out.shift.startsAt, out.shift.endsAt), theme: out.shift.theme, notified: out.notified })];
    if (out.demoted.length) lines.push(ctx.t('shifts.edit.demoted', { count: out.demoted.length }));
    if (out.promoted.length) lines.push(ctx.t('shifts.edit.promoted', { count: out.promoted.length }));
    return { text: lines.join('\n') };
  },
};

const cancelShiftCommand: Command<[number, string[]]> = {
  name: 'cancelshift', role: 'staff', summaryKey: 'shifts.cmd.cancelshift.summary', usageKey: 'shifts.cmd.cancelshift.usage',
  args: z.tuple([idArg]).rest(z.string()).transform(([id, ...rest]) => [id, rest] as [number, string[]]),
  run: async (ctx, [id, reason]) => {
    const { notified } = await cancelShift(ctx.deps.db, id, reason.join(' '), ctx.member.id, ctx.deps.clock.now());
    return { text: ctx.t('shifts.cancel.done', { id, notified }) };
  },
};

const optionalDates = z.tuple([dateArg.optional(), dateArg.optional()]);

/** /shiftroster [FROM [TO]]: who is on each shift (default: the coming 7 days). */
const rosterCommand: Command<[string?, string?]> = {
  name: 'shiftroster', role: 'staff', summaryKey: 'shifts.cmd.shiftroster.summary', usageKey: 'shifts.cmd.shiftroster.usage',
  privateOnly: true, args: optionalDates,
  run: async (ctx, [fromDate = today(ctx), toDate]) => {
    const last = toDate ?? plusDays(fromDate, 6);
    const { from, to } = dayRange(ctx, fromDate, last);
    const roster = await rosterBetween(ctx.deps.db, from, to);
    await audit(ctx.deps.db, ctx.member.id, 'shifts.roster', `shifts:${fromDate}..${last}`);
    const head = ctx.t('shifts.roster.title', { from: day(fromDate), to: day(last) });
    if (roster.length === 0) return { text: `${head}\n${ctx.t('shifts.roster.empty')}` };
    const lines = [head];
    for (const r of roster) {
      lines.push(shiftLine(ctx, r.summary));
      const names = r.confirmed.map((c) => (c.cancelRequested ? ctx.t('shifts.roster.requested', { name: c.name }) : c.name));
      lines.push(ctx.t('shifts.roster.onDuty', { names: names.join('、') || ctx.t('shifts.none') }));
      if (r.waitlisted.length) lines.push(ctx.t('shifts.roster.waiting', { names: r.waitlisted.map((w) => w.name).join('、') }));
    }
    return { text: joinLimited(ctx, lines) };
  },
};

/** /coverage [DATE]: filled seats ÷ seats for the week starting DATE (default today), with its gaps. */
const coverageCommand: Command<[string?]> = {
  name: 'coverage', role: 'staff', summaryKey: 'shifts.cmd.coverage.summary', usageKey: 'shifts.cmd.coverage.usage',
  args: z.tuple([dateArg.optional()]),
  run: async (ctx, [fromDate = today(ctx)]) => {
    const last = plusDays(fromDate, 6);
    const { from, to } = dayRange(ctx, fromDate, last);
    const c = await coverage(ctx.deps.db, from, to);
    if (c.seats === 0) return { text: ctx.t('shifts.coverage.noShifts', { from: day(fromDate), to: day(last) }) };
    const lines = [ctx.t('shifts.coverage.report', { from: day(fromDate), to: day(last), filled: c.filled, seats: c.seats, percent: Math.round(c.ratio * 100) })];
    const gaps = await unfilledShifts(ctx.deps.db, from, to);
    if (gaps.length) lines.push(ctx.t('shifts.unfilled.title', { count: gaps.length }), ...gaps.map((s) => shiftLine(ctx, s)));
    return { text: joinLimited(ctx, lines) };
  },
};

/** /unfilled: shifts in the next days (7 by default) with seats nobody holds. */
const unfilledCommand: Command = {
  name: 'unfilled', role: 'staff', summaryKey: 'shifts.cmd.unfilled.summary', usageKey: 'shifts.cmd.unfilled.usage',
  run: async (ctx) => {
    const now = ctx.deps.clock.now();
    const days = ctx.deps.settings.shifts.unfilledDays;
    const gaps = await unfilledShifts(ctx.deps.db, now, new Date(now.getTime() + days * 24 * 3600 * 1000));
    if (gaps.length === 0) return { text: ctx.t('shifts.unfilled.none', { days }) };
    return { text: joinLimited(ctx, [ctx.t('shifts.unfilled.titleDays', { count: gaps.length, days }), ...gaps.map((s) => shiftLine(ctx, s))]) };
  },
};

const WEEK = /^(week|周|週|一周|一週)$/i;

/** /dutylogs [DATE] [week]: the duty logs of a day (default today) or of seven days, gaps marked. */
const dutyLogsCommand: Command<string[]> = {
  name: 'dutylogs', role: 'staff', summaryKey: 'shifts.cmd.dutylogs.summary', usageKey: 'shifts.cmd.dutylogs.usage',
  privateOnly: true, args: words,
  run: async (ctx, tokens) => {
    const week = tokens.some((w) => WEEK.test(w));
    const dates = tokens.filter((w) => !WEEK.test(w));
    const [date] = parseArgs(z.tuple([dateArg.optional()]), dates, 'shifts.cmd.dutylogs.usage');
    const fromDate = date ?? (week ? plusDays(today(ctx), -6) : today(ctx));
    const last = week ? plusDays(fromDate, 6) : fromDate;
    const { from, to } = dayRange(ctx, fromDate, last);
    const logs = await dutyLogsBetween(ctx.deps.db, from, to, ctx.deps.clock.now());
    await audit(ctx.deps.db, ctx.member.id, 'shifts.dutylogs', `shifts:${fromDate}..${last}`);
    const head = ctx.t('shifts.logs.title', { from: day(fromDate), to: day(last) });
    if (logs.length === 0) return { text: `${head}\n${ctx.t('shifts.logs.empty')}` };
    const lines = [head];
    let missing = 0;
    for (const l of logs) {
      lines.push(ctx.t('shifts.logs.shift', { id: l.shift.id, when: when(ctx, l.shift.startsAt, l.shift.endsAt), theme: l.shift.theme }));
      for (const e of l.entries) {
        if (e.state === 'missing') missing++;
        lines.push(ctx.t(`shifts.logs.${e.state}`, { name: e.name, handled: e.handled ?? 0, summary: e.summary ?? '' }));
      }
    }
    lines.splice(1, 0, ctx.t('shifts.logs.missingCount', { count: missing }));
    return { text: joinLimited(ctx, lines) };
  },
};

/** /cancelrequests: late withdrawals waiting for a decision, each with approve / deny buttons. */
const cancelRequestsCommand: Command = {
  name: 'cancelrequests', role: 'staff', summaryKey: 'shifts.cmd.cancelrequests.summary', usageKey: 'shifts.cmd.cancelrequests.usage',
  privateOnly: true,
  run: async (ctx) => {
    const pending = await pendingCancelRequests(ctx.deps.db, ctx.deps.clock.now());
    if (pending.length === 0) return { text: ctx.t('shifts.requests.none') };
    await audit(ctx.deps.db, ctx.member.id, 'shifts.requests', 'shifts', { signups: pending.slice(0, 10).map((r) => r.signupId) });
    const lines = [ctx.t('shifts.requests.title', { count: pending.length })];
    const buttons: Button[][] = [];
    for (const r of pending.slice(0, 10)) {
      lines.push(ctx.t('shifts.requests.line', { id: r.shift.id, name: r.name, when: when(ctx, r.shift.startsAt, r.shift.endsAt), theme: r.shift.theme, requestedAt: r.requestedAt }));
      buttons.push([
        { label: ctx.t('shifts.button.approveFor', { name: r.name, id: r.shift.id }), data: buttonData('shs', 'ra', r.signupId) },
        { label: ctx.t('shifts.button.deny'), data: buttonData('shs', 'rd', r.signupId) },
      ]);
    }
    return { text: lines.join('\n'), buttons };
  },
};

const staffButtons: ButtonAction<['ra' | 'rd', number]> = {
  prefix: 'shs', role: 'staff',
  parts: z.tuple([z.enum(['ra', 'rd']), z.string().regex(/^\d{1,12}$/).transform(Number)]),
  run: async (ctx, [action, signupId]) => {
    const r = await decideCancelRequest(ctx.deps.db, signupId, action === 'ra', ctx.member.id, ctx.deps.clock.now());
    await audit(ctx.deps.db, ctx.member.id, action === 'ra' ? 'shifts.request.approve' : 'shifts.request.deny', `member:${r.memberId}`, { shiftId: r.shift.id });
    return { text: ctx.t(action === 'ra' ? 'shifts.requests.approved' : 'shifts.requests.denied', { name: r.name, id: r.shift.id }) };
  },
};

/** A shift roster file from staff (see SHIFT_FILE_NAME); other files are left to other features. */
export async function importShiftFile(ctx: MemberCtx): Promise<Reply | undefined> {
  const file = ctx.msg.file!;
  if (!SHIFT_FILE_NAME.test(file.name)) return undefined;
  const report = await importShifts(ctx.deps.db, file, ctx.timeZone, ctx.member.id, ctx.deps.clock.now(), ctx.deps.settings.imports);
  const lines = [ctx.t('shifts.import.report', { added: report.added, unchanged: report.unchanged, rejected: report.rejected.length })];
  for (const r of report.rejected.slice(0, 30)) lines.push(ctx.t('shifts.import.rejectedLine', { line: r.line, reason: ctx.t(r.reasonKey, r.params) }));
  if (report.rejected.length > 30) lines.push(ctx.t('shifts.more', { count: report.rejected.length - 30 }));
  if (report.added > 0) {
    lines.push(...(await shiftSummaries(ctx.deps.db, report.addedIds.slice(0, 20))).map((s) => shiftLine(ctx, s)));
  }
  return { text: joinLimited(ctx, lines) };
}

export const staffShiftCommands: Command<any>[] = [newShift, editShiftCommand, cancelShiftCommand, rosterCommand, coverageCommand, unfilledCommand, dutyLogsCommand, cancelRequestsCommand];
export const staffShiftButtons: ButtonAction<any>[] = [staffButtons];

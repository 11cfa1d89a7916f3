import { z } from 'zod';
import { UserError } from '../src/core/errors.js';
import { day } from '../src/core/i18n.js';
import { dateArg, idArg, timeArg } from '../src/core/input.js';
import { SHIFT_LEVELS } from '../src/store/schema/index.js';
import { checkCapacity, checkText, createShift, localMoment, parseLevel, checkTimes } from '../src/domain/shifts/shifts.js';
import { assertCanLog, checkHandled, checkSummary, logsOwedBy, recordDutyLog } from '../src/domain/shifts/duty-log.js';
import type { Button } from '../src/core/messages.js';
import { buttonData, type ButtonAction, type Command, type DialogHandler, type HandlerResult, type MemberCtx, type Reply } from '../src/router/types.js';
import { today, when } from './shifts-format.js';

const CREATE = 'shifts.create';
const LOG = 'shifts.dutylog';

/** What the guided shift creation has gathered so far; read back from the database with zod. */
const createState = z.object({
  step: z.enum(['date', 'times', 'level', 'capacity', 'theme', 'place', 'contact']),
  date: z.string().optional(),
  start: z.string().optional(),
  end: z.string().optional(),
  level: z.enum(SHIFT_LEVELS).optional(),
  capacity: z.number().optional(),
  theme: z.string().optional(),
  place: z.string().optional(),
});
type CreateState = z.infer<typeof createState>;

const logState = z.object({ shiftId: z.number(), step: z.enum(['handled', 'summary']), handled: z.number().optional() });
type LogState = z.infer<typeof logState>;

/** "-" (or 无/無/none) skips an optional answer. */
const skipped = (text: string) => /^(-|—|无|無|none|skip)$/i.test(text.trim());

const ask = (ctx: MemberCtx, step: CreateState['step']) => ctx.t(`shifts.create.ask.${step}`);

/** A refusal in the member's words, followed by the question again. */
function again(ctx: MemberCtx, err: unknown, question: string): Reply {
  if (!(err instanceof UserError)) throw err;
  return { text: `${ctx.t(err.key, err.params)}\n${question}` };
}

/**
 * The stored state of a dialogue read back with its schema. A state that no longer fits (written
 * by an older version, or damaged) ends the dialogue with "please start again" instead of failing.
 */
async function storedState<T>(ctx: MemberCtx, schema: z.ZodType<T>, raw: unknown): Promise<T> {
  const parsed = schema.safeParse(raw);
  if (parsed.success) return parsed.data;
  await ctx.dialog.end();
  throw new UserError('errors.dialogGone');
}

/** Starts the guided creation of a shift (staff sent /newshift without arguments). */
export async function startCreateDialog(ctx: MemberCtx): Promise<Reply> {
  await ctx.dialog.start(CREATE, { step: 'date' } satisfies CreateState);
  return { text: `${ctx.t('shifts.create.intro', { zone: ctx.timeZone })}\n${ask(ctx, 'date')}` };
}

/** Takes one answer, checks it, and asks the next question; the last answer creates the shift. */
async function createStep(ctx: MemberCtx, raw: unknown, text: string): Promise<HandlerResult> {
  const state = await storedState(ctx, createState, raw);
  const now = ctx.deps.clock.now();
  try {
    const next: CreateState = { ...state };
    switch (state.step) {
      case 'date': {
        const date = dateArg.safeParse(text.trim());
        if (!date.success) throw new UserError('errors.badDate');
        if (date.data < today(ctx)) throw new UserError('shifts.error.pastDate', { date: day(date.data) });
        Object.assign(next, { date: date.data, step: 'times' });
        break;
      }
      case 'times': {
        const [start, end, extra] = text.trim().split(/\s*(?:\s|-|–|—|~|至|到)\s*/u).filter(Boolean);
        const s = timeArg.safeParse(start ?? '');
        const e = timeArg.safeParse(end ?? '');
        if (!s.success || !e.success || extra !== undefined) throw new UserError('errors.badTime');
        checkTimes(localMoment(state.date!, s.data, ctx.timeZone), localMoment(state.date!, e.data, ctx.timeZone), now);
        Object.assign(next, { start: s.data, end: e.data, step: 'level' });
        break;
      }
      case 'level': {
        const level = parseLevel(text);
        if (!level) throw new UserError('shifts.error.badLevel');
        Object.assign(next, { level, step: 'capacity' });
        break;
      }
      case 'capacity': {
        if (!/^\d{1,3}$/.test(text.trim())) throw new UserError('shifts.error.capacity', { min: 1, max: 10 });
        Object.assign(next, { capacity: checkCapacity(Number(text.trim())), step: 'theme' });
        break;
      }
      case 'theme':
        Object.assign(next, { theme: checkText('theme', text, true), step: 'place' });
        break;
      case 'place':
        Object.assign(next, { place: skipped(text) ? '' : checkText('place', text, false), step: 'contact' });
        break;
      case 'contact': {
        const contact = skipped(text) ? '' : checkText('contact', text, false);
        const { shift, created } = await createShift(ctx.deps.db, {
          date: state.date!, start: state.start!, end: state.end!, zone: ctx.timeZone, theme: state.theme!,
          level: state.level!, capacity: state.capacity!, place: state.place ?? '', contact,
        }, ctx.member.id, now);
        await ctx.dialog.end();
        if (!created) return { text: ctx.t('shifts.error.duplicate', { id: shift.id }) };
        return { text: ctx.t('shifts.create.done', { id: shift.id, when: when(ctx, shift.startsAt, shift.endsAt), theme: shift.theme }) };
      }
    }
    await ctx.dialog.update(next);
    return { text: ask(ctx, next.step) };
  } catch (err) {
    return again(ctx, err, ask(ctx, state.step));
  }
}

/** Starts the guided duty log for one ended shift of the member's. */
async function startLog(ctx: MemberCtx, shiftId: number): Promise<Reply> {
  const shift = await assertCanLog(ctx.deps.db, shiftId, ctx.member.id, ctx.deps.clock.now());
  await ctx.dialog.start(LOG, { shiftId, step: 'handled' } satisfies LogState);
  return { text: `${ctx.t('shifts.log.intro', { id: shiftId, when: when(ctx, shift.startsAt, shift.endsAt), theme: shift.theme })}\n${ctx.t('shifts.log.ask.handled')}` };
}

async function logStep(ctx: MemberCtx, raw: unknown, text: string): Promise<HandlerResult> {
  const state = await storedState(ctx, logState, raw);
  try {
    if (state.step === 'handled') {
      if (!/^\d{1,6}$/.test(text.trim())) throw new UserError('shifts.error.badHandled', { max: 100000 });
      await ctx.dialog.update({ ...state, handled: checkHandled(Number(text.trim())), step: 'summary' } satisfies LogState);
      return { text: ctx.t('shifts.log.ask.summary') };
    }
    checkSummary(text);
    const { updated } = await recordDutyLog(ctx.deps.db, state.shiftId, ctx.member.id, state.handled!, text, ctx.deps.clock.now());
    await ctx.dialog.end();
    return { text: ctx.t(updated ? 'shifts.log.updated' : 'shifts.log.saved', { id: state.shiftId }) };
  } catch (err) {
    return again(ctx, err, ctx.t(`shifts.log.ask.${state.step}`));
  }
}

/** The button under a shift that still needs its duty log. */
export const dutyLogButton = (ctx: MemberCtx, shiftId: number): Button => ({ label: ctx.t('shifts.button.log', { id: shiftId }), data: buttonData('shl', shiftId) });

export const dutyLogButtonAction: ButtonAction<[number]> = {
  prefix: 'shl', role: 'member',
  parts: z.tuple([z.string().regex(/^\d{1,9}$/).transform(Number)]),
  run: async (ctx, [id]) => startLog(ctx, id),
};

/**
 * /dutylog — shifts still owing a log (with buttons); /dutylog ID — guided; /dutylog ID COUNT
 * SUMMARY — in one line (the summary is the rest of the line).
 */
export const dutylogCommand: Command<[number?, string?]> = {
  name: 'dutylog', role: 'member', summaryKey: 'shifts.cmd.dutylog.summary', usageKey: 'shifts.cmd.dutylog.usage',
  privateOnly: true,
  args: z.tuple([idArg.optional(), z.string().regex(/^\d{1,6}$/, 'shifts.error.badHandled').optional()]).rest(z.string())
    .transform(([id, count]) => [id, count] as [number?, string?]),
  run: async (ctx, [id, count], argText) => {
    const now = ctx.deps.clock.now();
    if (id === undefined) {
      const owed = await logsOwedBy(ctx.deps.db, ctx.member.id, now);
      if (owed.length === 0) return { text: ctx.t('shifts.log.nothingOwed') };
      return {
        text: [ctx.t('shifts.mine.owed'), ...owed.map((s) => ctx.t('shifts.mine.owedLine', { id: s.id, when: when(ctx, s.startsAt, s.endsAt), theme: s.theme }))].join('\n'),
        buttons: owed.map((s) => [dutyLogButton(ctx, s.id)]),
      };
    }
    if (count === undefined) return startLog(ctx, id);
    const summary = /^\s*\S+\s+\S+\s*([\s\S]*)$/u.exec(argText)?.[1] ?? '';
    const { updated } = await recordDutyLog(ctx.deps.db, id, ctx.member.id, Number(count), summary, now);
    return { text: ctx.t(updated ? 'shifts.log.updated' : 'shifts.log.saved', { id }) };
  },
};

export const shiftDialogs: DialogHandler[] = [
  { kind: CREATE, role: 'staff', onText: createStep },
  { kind: LOG, role: 'member', onText: logStep },
];


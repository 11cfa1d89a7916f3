import { z } from 'zod';
import { UserError } from '../src/core/errors.js';
import { checkInToSession, checkInWithCode, sessionsOpenForCheckin } from '../src/domain/reading/checkin.js';
import { buttonData, type Command, type MemberCtx, type Reply } from '../src/router/types.js';
import { RD } from './reading-format.js';

/** Wrong codes a member may try within the lock-out window before the bot stops checking them. */
const CODE_ATTEMPTS = 5;
const CODE_LOCKOUT_SECONDS = 15 * 60;

function checkedIn(ctx: MemberCtx, r: { session: { id: number }; group: { title: string } }): Reply {
  return { text: ctx.t('reading.checkin.done', { id: r.session.id, title: r.group.title }) };
}

/** The check-in button (only offered while check-in is open, but pressed whenever). */
export async function checkInByButton(ctx: MemberCtx, sessionId: number): Promise<Reply> {
  const { db, clock, settings } = ctx.deps;
  return checkedIn(ctx, await checkInToSession(db, ctx.member, sessionId, clock.now(), settings.reading));
}

/**
 * Code check-in. Six-digit codes can be guessed, so wrong codes are counted per member in Redis
 * and further tries are refused for a while after a few misses.
 */
async function checkInByCode(ctx: MemberCtx, code: string): Promise<Reply> {
  const { db, clock, settings, redis } = ctx.deps;
  const key = `reading:codefail:${ctx.member.id}`;
  const misses = Number((await redis.get(key)) ?? 0);
  if (misses >= CODE_ATTEMPTS) throw new UserError('reading.checkin.tooMany', { minutes: CODE_LOCKOUT_SECONDS / 60 });
  try {
    return checkedIn(ctx, await checkInWithCode(db, ctx.member, code, clock.now(), settings.reading));
  } catch (err) {
    if (err instanceof UserError && err.key === 'reading.wrongCode') {
      await redis.multi().incr(key).expire(key, CODE_LOCKOUT_SECONDS).exec();
    }
    throw err;
  }
}

/** /checkin CODE, or /checkin alone for buttons of the sessions open for check-in now. */
export const checkinCommand: Command<[string?]> = {
  name: 'checkin', role: 'member', summaryKey: 'reading.cmd.checkin.summary', usageKey: 'reading.cmd.checkin.usage',
  args: z.tuple([z.string().regex(/^\d{6}$/u, { message: 'reading.badCode' }).optional()]),
  run: async (ctx, [code]) => {
    if (code) return checkInByCode(ctx, code);
    const { db, clock, settings } = ctx.deps;
    const open = await sessionsOpenForCheckin(db, ctx.member, clock.now(), settings.reading);
    if (open.length === 0) return { text: ctx.t('reading.noneOpen') };
    return {
      text: ctx.t('reading.checkin.choose'),
      buttons: open.slice(0, 10).map((r) => [{ label: ctx.t('reading.button.checkinTitled', { id: r.session.id, title: r.group.title.slice(0, 30) }), data: buttonData(RD, 'c', r.session.id) }]),
    };
  },
};

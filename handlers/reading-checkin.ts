import { z } from 'zod';
import { checkInToSession, checkInWithCode, sessionsForButtonCheckin } from '../src/domain/reading/checkin.js';
import { buttonData, type Command, type MemberCtx, type Reply } from '../src/router/types.js';
import { RD } from './reading-format.js';

function checkedIn(ctx: MemberCtx, r: { session: { id: number }; group: { title: string } }): Reply {
  return { text: ctx.t('reading.checkin.done', { id: r.session.id, title: r.group.title }) };
}

/** The check-in button (only offered while check-in is open, but pressed whenever). */
export async function checkInByButton(ctx: MemberCtx, sessionId: number): Promise<Reply> {
  const { db, clock, settings } = ctx.deps;
  return checkedIn(ctx, await checkInToSession(db, ctx.member, sessionId, clock.now(), settings.reading));
}

/** Code check-in; the domain limits wrong tries. */
async function checkInByCode(ctx: MemberCtx, code: string): Promise<Reply> {
  const { db, clock, settings, redis } = ctx.deps;
  return checkedIn(ctx, await checkInWithCode(db, redis, ctx.member, code, clock.now(), settings.reading));
}

/** /checkin CODE, or /checkin alone for buttons of the open sessions the member answered yes to. */
export const checkinCommand: Command<[string?]> = {
  name: 'checkin', role: 'member', summaryKey: 'reading.cmd.checkin.summary', usageKey: 'reading.cmd.checkin.usage',
  args: z.tuple([z.string().regex(/^\d{6}$/u, { message: 'reading.badCode' }).optional()]),
  run: async (ctx, [code]) => {
    if (code) return checkInByCode(ctx, code);
    const { db, clock, settings } = ctx.deps;
    const { open, mine } = await sessionsForButtonCheckin(db, ctx.member, clock.now(), settings.reading);
    if (open.length === 0) return { text: ctx.t('reading.noneOpen') };
    if (mine.length === 0) return { text: ctx.t('reading.checkin.askCode') };
    return {
      text: ctx.t('reading.checkin.choose'),
      buttons: mine.slice(0, 10).map((r) => [{ label: ctx.t('reading.button.checkinTitled', { id: r.session.id, title: r.group.title.slice(0, 30) }), data: buttonData(RD, 'c', r.session.id) }]),
    };
  },
};

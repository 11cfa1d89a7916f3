import { DateTime } from 'luxon';
import { formatDateTime, formatTime } from '../src/core/i18n.js';
import { whereOf } from '../src/domain/reading/index.js';
import type { ReadingSession, SessionListing } from '../src/domain/reading/sessions.js';
import { buttonData, type Ctx } from '../src/router/types.js';
import type { Button } from '../src/core/messages.js';

/** Button prefix of the reading feature: rd:r (answer), rd:p (page), rd:c (check in), rd:k (comment), rd:f (feature). */
export const RD = 'rd';

/** "Sat 5 Dec, 19:30 GMT+8 to 21:00" in the reader's zone; the end in full when it is another day. */
export function when(ctx: Ctx, session: Pick<ReadingSession, 'startsAt' | 'endsAt'>): string {
  const sameDay = DateTime.fromJSDate(session.startsAt).setZone(ctx.timeZone).hasSame(DateTime.fromJSDate(session.endsAt).setZone(ctx.timeZone), 'day');
  const end = sameDay ? formatTime(session.endsAt, ctx.locale, ctx.timeZone) : formatDateTime(session.endsAt, ctx.locale, ctx.timeZone);
  return ctx.t('reading.when', { startsAt: session.startsAt, end });
}

/** "3/20 seats" or "3 going" when there is no limit. */
export function seats(ctx: Ctx, session: Pick<ReadingSession, 'capacity'>, taken: number): string {
  return session.capacity === null ? ctx.t('reading.seatsOpen', { taken }) : ctx.t('reading.seats', { taken, capacity: session.capacity });
}

/** The member's own answer, translated; "—" when there is none. */
export function answerLabel(ctx: Ctx, status: SessionListing['mine']): string {
  return status ? ctx.t(`reading.answer.${status}`) : ctx.t('reading.answer.none');
}

/** Two lines describing a session in a list, for the reader. */
export function sessionLines(ctx: Ctx, item: SessionListing): string {
  return ctx.t('reading.line', {
    id: item.session.id, title: item.group.title, when: when(ctx, item.session), where: whereOf(item.session),
    seats: seats(ctx, item.session, item.taken), answer: answerLabel(ctx, item.mine),
  });
}

/** Yes / maybe / no buttons for one session. */
export function answerButtons(ctx: Ctx, sessionId: number): Button[] {
  return (['yes', 'maybe', 'no'] as const).map((a) => ({
    label: ctx.t(`reading.button.${a}`, { id: sessionId }), data: buttonData(RD, 'r', sessionId, a[0]!),
  }));
}

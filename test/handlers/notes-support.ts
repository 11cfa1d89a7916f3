import { asc, eq } from 'drizzle-orm';
import { randomBytes } from 'node:crypto';
import { t } from '../../src/core/i18n.js';
import { Router } from '../../src/router/router.js';
import type { Reply } from '../../src/router/types.js';
import { deliveries, members } from '../../src/store/schema/index.js';
import { features } from '../../handlers/index.js';
import type { Harness } from '../support/harness.js';

/**
 * Settings for tests that send many messages at one fixed moment: the flood guard (tested in
 * test/router) would otherwise answer after twenty.
 */
export const QUIET = { flood: { limit: 1000 } };

/** The data of the first button whose data starts with `prefix` (and whose label contains `label`, if given). */
export function button(replies: Reply[], prefix: string, label?: string): string {
  for (const r of replies) {
    for (const row of r.buttons ?? []) {
      for (const b of row) if (b.data?.startsWith(prefix) && (!label || b.label.includes(label))) return b.data;
    }
  }
  throw new Error(`no button ${prefix} ${label ?? ''} in: ${JSON.stringify(replies.map((r) => r.buttons))}`);
}

/** Every message queued for `memberId`, rendered as they will read it (their language and time zone). */
export async function inbox(h: Harness, memberId: number): Promise<string[]> {
  const [member] = await h.db.select().from(members).where(eq(members.id, memberId));
  const rows = await h.db.select().from(deliveries).where(eq(deliveries.memberId, memberId)).orderBy(asc(deliveries.id));
  return rows.map((r) => t(member!.locale, r.template, r.params as never, member!.timeZone));
}

/** A router built afresh over the same database, as after a restart of the bot; sends as a console member. */
export function restartedRouter(h: Harness) {
  const router = new Router(h.deps, features);
  const msg = (memberId: number, extra: { text?: string; buttonData?: string }) => ({
    id: `r-${randomBytes(4).toString('hex')}`, chat: { platform: 'console' as const, chatId: `dm-${memberId}`, kind: 'private' as const },
    senderId: String(memberId), text: extra.text ?? '', buttonData: extra.buttonData, receivedAt: h.clock.now(),
  });
  return {
    send: (memberId: number, text: string) => router.handle(msg(memberId, { text })),
    press: (memberId: number, data: string) => router.handle(msg(memberId, { buttonData: data })),
  };
}

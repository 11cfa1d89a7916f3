import { and, desc, eq, like } from 'drizzle-orm';
import { Harness } from '../../support/harness.js';
import { deliveries, identities, notices } from '../../../src/store/schema/index.js';
import type { Reply } from '../../../src/router/types.js';

/** Shared steps of the notices tests: binding accounts, composing through the dialogue, faking the engine. */

/** Binds `memberId` on a platform, last seen at `seenAt` (the engine prefers the one seen last). */
export async function bindOn(h: Harness, memberId: number, platform: 'telegram' | 'wecom', seenAt = '2026-11-01T00:00:00Z') {
  await h.db.insert(identities).values({
    platform, platformUserId: `${platform}-${memberId}`, memberId, chatId: `${platform}-chat-${memberId}`,
    boundAt: new Date(seenAt), lastSeenAt: new Date(seenAt),
  });
}

export interface ComposeOptions {
  text: string;
  audience?: string;
  /** 'now' (the button) or a typed time. */
  when?: string;
  confirm?: boolean;
  versions?: Partial<Record<'zh-Hans' | 'zh-Hant' | 'en', string>>;
}

/** Walks `/notify` through to the preview as `staff`; returns every step's replies. */
export async function composeToPreview(h: Harness, staff: { id: number }, o: ComposeOptions): Promise<Reply[]> {
  const s = h.as(staff);
  await s.send('/notify');
  await s.send(o.text);
  for (const [lang, text] of Object.entries(o.versions ?? {})) {
    await s.press(`ntd:v-${lang}`);
    await s.send(text);
  }
  await s.press('ntd:next');
  await s.send(o.audience ?? 'all');
  if (!o.when || o.when === 'now') await s.press('ntd:now');
  else await s.send(o.when);
  return s.press(o.confirm === false ? 'ntd:no' : 'ntd:yes');
}

/** Composes and sends; returns the send replies and the new notice's id. */
export async function composeAndSend(h: Harness, staff: { id: number }, o: ComposeOptions): Promise<{ replies: Reply[]; id: number }> {
  await composeToPreview(h, staff, o);
  const replies = await h.as(staff).press('ntd:send');
  const [latest] = await h.db.select({ id: notices.id }).from(notices).orderBy(desc(notices.id)).limit(1);
  return { replies, id: latest?.id ?? 0 };
}

/** The outbox rows of a notice (its own copies, or a reminder round with `suffix` ':nudge:1'). */
export async function noticeRows(h: Harness, id: number, suffix = '') {
  return h.db
    .select()
    .from(deliveries)
    .where(and(eq(deliveries.kind, 'notice'), eq(deliveries.ref, `notice:${id}${suffix}`)))
    .orderBy(deliveries.id);
}

/** Every outbox row of kind 'notice' whose ref starts with 'notice:<id>'. */
export async function allNoticeRows(h: Harness, id: number) {
  return h.db.select().from(deliveries).where(and(eq(deliveries.kind, 'notice'), like(deliveries.ref, `notice:${id}%`)));
}

/** Plays the delivery engine: marks the notice's pending copies sent (or another outcome). */
export async function markDelivered(h: Harness, id: number, status: 'sent' | 'failed' | 'uncertain' = 'sent', memberIds?: number[]) {
  const rows = await noticeRows(h, id);
  for (const r of rows) {
    if (r.status !== 'pending') continue;
    if (memberIds && (r.memberId === null || !memberIds.includes(r.memberId))) continue;
    await h.db.update(deliveries).set({ status, sentAt: h.clock.now(), platform: 'telegram' }).where(eq(deliveries.id, r.id));
  }
}

import type { Ctx } from '../src/router/types.js';
import type { DbOrTx } from '../src/store/db.js';
import type { AudienceSpec } from '../src/store/schema/index.js';
import { resolveAudienceChats, type AudienceCounts } from '../src/domain/notices/audience.js';
import type { Notice } from '../src/domain/notices/message.js';
import type { StatusCounts } from '../src/domain/notices/report.js';

/** Shared wording of the notices handlers: audiences, recipient counts, statuses. */

/** The audience in the reader's words, e.g. "委员会：经济委员会 · 地区：香港、澳门 · 群聊：港澳委员群". */
export async function describeAudience(ctx: Ctx, db: DbOrTx, spec: AudienceSpec, correctsNoticeId?: number | null): Promise<string> {
  if (correctsNoticeId) return ctx.t('notices.audience.sameAsOriginal', { id: correctsNoticeId });
  const parts: string[] = [];
  if (spec.allMembers) parts.push(ctx.t('notices.audience.all'));
  const line = (kind: string, values: string[]) => {
    if (values.length) parts.push(ctx.t('notices.audience.line', { kind: ctx.t(`notices.audience.kind.${kind}`), values: values.join(', ') }));
  };
  line('committee', spec.committees);
  line('sector', spec.sectors);
  line('region', spec.regions);
  line('role', spec.roles.map((r) => ctx.t(`role.${r}`)));
  line('platform', spec.platforms.map((p) => (p === 'none' ? ctx.t('notices.audience.platformNone') : ctx.t(`platform.${p}`))));
  if (spec.groupIds.length) {
    const chats = await resolveAudienceChats(db, spec);
    const names = spec.groupIds.map((id) => chats.find((c) => c.id === id)?.name ?? `#${id}`);
    line('group', names);
  }
  return parts.join(' · ');
}

/** "成员 12 人（Telegram 5，企业微信 6，未绑定 1；其中两者都绑定 2 人），群聊 1 个". */
export function describeCounts(ctx: Ctx, counts: AudienceCounts): string {
  return ctx.t('notices.compose.recipients', { ...counts });
}

/** Where a notice stands, in words: waiting for approval, scheduled for a time, sent, cancelled. */
export function describeStatus(ctx: Ctx, notice: Notice, now: Date): string {
  if (notice.status === 'queued' && notice.sendAt && notice.sendAt > now) return ctx.t('notices.status.scheduled', { at: notice.sendAt });
  return ctx.t(`notices.status.${notice.status}`);
}

/** One line per target kind: how many copies are sent, failed, uncertain, still waiting, withdrawn. */
export function describeDelivery(ctx: Ctx, key: 'notices.report.members' | 'notices.report.chats', counts: StatusCounts): string {
  const total = Object.values(counts).reduce((a, b) => a + b, 0);
  return ctx.t(key, {
    total, sent: counts.sent, failed: counts.failed, uncertain: counts.uncertain,
    pending: counts.pending + counts.sending, cancelled: counts.cancelled,
  });
}

/** The first characters of a text, on one line, for lists. */
export function excerpt(text: string, max = 30): string {
  const flat = text.replace(/\s+/gu, ' ').trim();
  const chars = [...flat];
  return chars.length > max ? `${chars.slice(0, max).join('')}…` : flat;
}

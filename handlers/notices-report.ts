import { z } from 'zod';
import { DateTime } from 'luxon';
import { idArg } from '../src/core/input.js';
import { audit } from '../src/domain/members/members.js';
import { exportFile } from '../src/domain/export/index.js';
import { approveNotice, ACTION_PREFIX } from '../src/domain/notices/approval.js';
import { cancelNotice } from '../src/domain/notices/compose.js';
import { requireNotice } from '../src/domain/notices/fanout.js';
import { nudgeUnconfirmed } from '../src/domain/notices/confirmations.js';
import { noticeExportRows, noticeReport, recentNotices } from '../src/domain/notices/report.js';
import { buttonData, type ButtonAction, type Command, type MemberCtx, type Reply } from '../src/router/types.js';
import { describeAudience, describeDelivery, describeStatus, excerpt } from './notices-view.js';
import { startCorrection } from './notices-compose.js';

const ACTIONS = ['approve', 'cancel', 'remind', 'csv', 'correct'] as const;
type Action = (typeof ACTIONS)[number];

const ACTION_WORDS: Record<string, Action> = {
  approve: 'approve', 批准: 'approve',
  cancel: 'cancel', 取消: 'cancel', 撤回: 'cancel',
  remind: 'remind', nudge: 'remind', 提醒: 'remind', 催: 'remind',
  csv: 'csv', export: 'csv', 导出: 'csv', 導出: 'csv',
  correct: 'correct', correction: 'correct', 更正: 'correct',
};

const actionArg = z
  .string()
  .refine((s) => s.toLowerCase() in ACTION_WORDS, { message: 'notices.badAction' })
  .transform((s) => ACTION_WORDS[s.toLowerCase()]!);

/** The report of one notice: delivery per state, confirmations, who has not confirmed, and what staff can do next. */
async function showReport(ctx: MemberCtx, id: number): Promise<Reply> {
  const { db, settings, clock } = ctx.deps;
  const now = clock.now();
  const r = await noticeReport(db, id, settings.notices.reportListLimit);
  const { notice } = r;
  await audit(db, ctx.member.id, 'notice.report', `notice:${id}`);
  const lines = [
    ctx.t('notices.report.title', { id, status: describeStatus(ctx, notice, now), author: r.authorName, createdAt: notice.createdAt }),
  ];
  if (notice.correctsNoticeId) lines.push(ctx.t('notices.report.corrects', { original: notice.correctsNoticeId }));
  lines.push(
    ctx.t('notices.report.text', { excerpt: excerpt(notice.text, 60) }),
    ctx.t('notices.report.audience', { audience: await describeAudience(ctx, db, notice.audience, notice.correctsNoticeId) }),
  );
  if (notice.status === 'awaiting_approval') {
    lines.push(ctx.t('notices.report.awaiting', { members: notice.memberCount, chats: notice.chatCount }));
  } else {
    lines.push(describeDelivery(ctx, 'notices.report.members', r.members));
    if (notice.chatCount > 0) lines.push(describeDelivery(ctx, 'notices.report.chats', r.chats));
  }
  if (!notice.confirm) lines.push(ctx.t('notices.report.noConfirmation'));
  else if (notice.status === 'queued') {
    lines.push(ctx.t('notices.report.confirmed', { confirmed: r.confirmed, addressed: r.confirmed + r.unconfirmedTotal }));
    if (r.confirmedInGroups > 0) lines.push(ctx.t('notices.report.confirmedInGroups', { count: r.confirmedInGroups }));
    if (r.unconfirmedTotal === 0) lines.push(ctx.t('notices.report.allConfirmed'));
    else {
      lines.push(ctx.t('notices.report.unconfirmedTitle', { count: r.unconfirmedTotal }));
      for (const m of r.unconfirmed) {
        const mark = m.status === 'sent' ? '' : ctx.t('notices.report.statusMark', { status: ctx.t(`notices.deliveryStatus.${m.status}`) });
        lines.push(`#${m.id} ${m.name}${mark}`);
      }
      if (r.unconfirmedTotal > r.unconfirmed.length) lines.push(ctx.t('notices.report.more', { count: r.unconfirmedTotal - r.unconfirmed.length, id }));
    }
    if (notice.nudges > 0 && notice.lastNudgedAt) lines.push(ctx.t('notices.report.nudged', { count: notice.nudges, at: notice.lastNudgedAt }));
  }
  lines.push(ctx.t(notice.status === 'cancelled' ? 'notices.report.cancelledHint' : 'notices.report.hint', { id }));
  const buttons: Reply['buttons'] = [];
  if (notice.status === 'awaiting_approval' && notice.createdBy !== ctx.member.id) {
    buttons.push([{ label: ctx.t('notices.approval.approveButton'), data: buttonData(ACTION_PREFIX, 'approve', id) }]);
  }
  if (notice.status === 'queued') {
    const row = [{ label: ctx.t('notices.report.csvButton'), data: buttonData(ACTION_PREFIX, 'csv', id) }];
    if (notice.confirm && r.unconfirmedTotal > 0) row.unshift({ label: ctx.t('notices.report.remindButton', { count: r.unconfirmedTotal }), data: buttonData(ACTION_PREFIX, 'remind', id) });
    buttons.push(row);
  }
  return { text: lines.join('\n'), ...(buttons.length ? { buttons } : {}) };
}

const stamp = (ctx: MemberCtx, at: Date | null) => (at ? DateTime.fromJSDate(at).setZone(ctx.timeZone).toFormat('yyyy-MM-dd HH:mm') : '');

/** Everyone the notice was addressed to, with delivery state and confirmation time, as CSV. */
async function exportCsv(ctx: MemberCtx, id: number): Promise<Reply> {
  const { db } = ctx.deps;
  const notice = await requireNotice(db, id);
  const rows = await noticeExportRows(db, id);
  await audit(db, ctx.member.id, 'notice.export', `notice:${id}`, { rows: rows.length });
  const file = await exportFile(`notice-${id}`, 'csv', [
    {
      name: ctx.t('notices.csv.sheet', { id }),
      headers: ['kind', 'id', 'name', 'committee', 'sector', 'region', 'status', 'platform', 'sentAt', 'confirmedAt'].map((h) => ctx.t(`notices.csv.${h}`)),
      rows: rows.map((r) => [
        ctx.t(`notices.csv.${r.kind}`), r.id, r.name, r.committee, r.sector, r.region,
        r.status ? ctx.t(`notices.deliveryStatus.${r.status}`) : ctx.t('notices.csv.inGroup'),
        r.platform ? ctx.t(`platform.${r.platform}`) : '', stamp(ctx, r.sentAt), stamp(ctx, r.confirmedAt),
      ]),
    },
  ]);
  return { text: ctx.t('notices.csv.done', { id, count: rows.length, excerpt: excerpt(notice.text) }), file };
}

/** Runs one staff action on a notice, from `/notice ID ACTION` or a report button. */
async function runAction(ctx: MemberCtx, action: Action, id: number): Promise<Reply> {
  const { db, clock, settings } = ctx.deps;
  const now = clock.now();
  switch (action) {
    case 'approve': {
      const { notice, late } = await approveNotice(db, id, ctx.member, now);
      const when = notice.sendAt && notice.sendAt > now ? ctx.t('notices.approval.scheduled', { at: notice.sendAt }) : late ? ctx.t('notices.approval.late') : '';
      return { text: [ctx.t('notices.approval.done', { id, members: notice.memberCount, chats: notice.chatCount }), when].filter(Boolean).join('\n') };
    }
    case 'cancel': {
      const { withdrawn, partly } = await cancelNotice(db, id, ctx.member.id, now);
      return { text: ctx.t(partly ? 'notices.cancel.partly' : 'notices.cancel.done', { id, withdrawn }) };
    }
    case 'remind': {
      const { reminded } = await nudgeUnconfirmed(db, id, settings.notices, now);
      return { text: ctx.t('notices.remind.done', { id, count: reminded }) };
    }
    case 'csv':
      return exportCsv(ctx, id);
    case 'correct':
      return startCorrection(ctx, id);
  }
}

export const noticeCommand: Command<[number, Action?]> = {
  name: 'notice', role: 'staff', summaryKey: 'notices.notice.summary', usageKey: 'notices.notice.usage', privateOnly: true,
  args: z.tuple([idArg, actionArg.optional()]),
  run: async (ctx, [id, action]) => (action ? runAction(ctx, action, id) : showReport(ctx, id)),
};

export const noticesCommand: Command = {
  name: 'notices', role: 'staff', summaryKey: 'notices.list.summary', usageKey: 'notices.list.usage', privateOnly: true,
  run: async (ctx) => {
    const now = ctx.deps.clock.now();
    const rows = await recentNotices(ctx.deps.db, 15);
    if (rows.length === 0) return { text: ctx.t('notices.list.empty') };
    const lines = rows.map(({ notice, confirmed }) =>
      ctx.t(notice.confirm ? 'notices.list.lineConfirm' : 'notices.list.line', {
        id: notice.id, at: notice.sendAt ?? notice.queuedAt ?? notice.createdAt, status: describeStatus(ctx, notice, now),
        members: notice.memberCount, chats: notice.chatCount, confirmed, excerpt: excerpt(notice.text),
      }),
    );
    return { text: [ctx.t('notices.list.title'), ...lines, ctx.t('notices.list.hint')].join('\n') };
  },
};

export const noticeActionButtons: ButtonAction<[Action, number]> = {
  prefix: ACTION_PREFIX, role: 'staff',
  parts: z.tuple([z.enum(ACTIONS), z.string().regex(/^\d{1,9}$/u).transform(Number)]),
  run: async (ctx, [action, id]) => {
    // Reports name members: they are read in a private chat only.
    if (ctx.msg.chat.kind === 'group') return { text: ctx.t('errors.privateOnly', { command: `/notice ${id}` }), privateStart: 'notice' };
    return runAction(ctx, action, id);
  },
};

import { z } from 'zod';
import { UserError } from '../src/core/errors.js';
import { dateArg, idArg, parseArgs, timeArg } from '../src/core/input.js';
import { day, tk } from '../src/core/i18n.js';
import { audit } from '../src/domain/members/members.js';
import { groupById, ledGroup, visibleGroup, canSeeGroup } from '../src/domain/reading/groups.js';
import { guidesFrom, guidesOfDay, localDay, publishedGuide, writeGuide } from '../src/domain/reading/guides.js';
import { commentableGuide, commentOnGuide, commentOnToday, commentsOfGuide, setFeatured } from '../src/domain/reading/comments.js';
import { buttonData, type Command, type DialogHandler, type MemberCtx, type Reply } from '../src/router/types.js';
import { RD } from './reading-format.js';
import { zonedMoment } from './reading-input.js';

const COMMENT_DIALOG = 'reading.comment';
const guideHead = z.tuple([idArg, dateArg]);
const timeOnly = z.tuple([timeArg]);

/** /writeguide GROUP DATE [HH:MM] TEXT — staff or the lead reader; the time is in the author's zone. */
const writeguide: Command = {
  name: 'writeguide', role: 'member', summaryKey: 'reading.cmd.writeguide.summary', usageKey: 'reading.cmd.writeguide.usage',
  run: async (ctx, _words, argText) => {
    const usage = 'reading.cmd.writeguide.usage';
    const m = /^(\S+)\s+(\S+)(?:\s+(\d{1,2}[:：]\d{2})(?=\s|$))?\s*([\s\S]*)$/u.exec(argText.trim());
    if (!m) throw new UserError('errors.usage', { problem: tk('errors.badArgs'), usage: tk(usage) });
    const [groupId, date] = parseArgs(guideHead, [m[1], m[2]], usage);
    const [time] = m[3] ? parseArgs(timeOnly, [m[3]], usage) : [ctx.deps.settings.reading.defaultGuideTime];
    const group = await ledGroup(ctx.deps.db, ctx.member, groupId);
    const now = ctx.deps.clock.now();
    const { guide, replaced } = await writeGuide(
      ctx.deps.db, group, { day: date, publishAt: zonedMoment(date, time, ctx.timeZone), body: m[4] ?? '' },
      ctx.member.id, now, ctx.deps.settings.reading.guideMaxLength,
    );
    return { text: ctx.t(replaced ? 'reading.guide.replaced' : 'reading.guide.saved', { title: group.title, day: day(guide.day), publishAt: guide.publishAt }) };
  },
};

/** /guides GROUP — the group's guides from a week ago on, for staff and the lead reader. */
const guides: Command<[number]> = {
  name: 'guides', role: 'member', summaryKey: 'reading.cmd.guides.summary', usageKey: 'reading.cmd.guides.usage',
  args: z.tuple([idArg]),
  run: async (ctx, [groupId]) => {
    const group = await ledGroup(ctx.deps.db, ctx.member, groupId);
    const now = ctx.deps.clock.now();
    const from = localDay(new Date(now.getTime() - 7 * 86_400_000), ctx.timeZone);
    const list = await guidesFrom(ctx.deps.db, groupId, from);
    if (list.length === 0) return { text: ctx.t('reading.guide.noneScheduled', { title: group.title }) };
    const lines = list.map((g) => ctx.t(g.publishAt <= now ? 'reading.guide.linePublished' : 'reading.guide.lineScheduled', {
      day: day(g.day), publishAt: g.publishAt, excerpt: excerpt(g.body, 40),
    }));
    return { text: [ctx.t('reading.guide.listTitle', { title: group.title }), ...lines].join('\n') };
  },
};

function excerpt(text: string, max: number): string {
  const chars = [...text.replace(/\s+/g, ' ')];
  return chars.length > max ? `${chars.slice(0, max).join('')}…` : chars.join('');
}

/** /guide [GROUP] — today's guides (the member's own day), each with a "comment" button. */
const guide: Command<[number?]> = {
  name: 'guide', role: 'member', summaryKey: 'reading.cmd.guide.summary', usageKey: 'reading.cmd.guide.usage',
  args: z.tuple([idArg.optional()]),
  run: async (ctx, [groupId]) => {
    const now = ctx.deps.clock.now();
    const today = localDay(now, ctx.timeZone);
    let found = await guidesOfDay(ctx.deps.db, ctx.member, today, now);
    if (groupId !== undefined) {
      await visibleGroup(ctx.deps.db, ctx.member, groupId);
      found = found.filter((f) => f.group.id === groupId);
    }
    if (found.length === 0) return { text: ctx.t('reading.guide.noneToday', { day: day(today) }) };
    return found.map(({ guide: g, group }): Reply => ({
      text: ctx.t('reading.guide.show', { title: group.title, day: day(g.day), body: g.body, groupId: group.id }),
      buttons: [[{ label: ctx.t('reading.button.comment'), data: buttonData(RD, 'k', g.id) }]],
    }));
  },
};

/**
 * /comment [GROUP] TEXT. A leading number names the group when there is such a group; without
 * it, the one group with a guide today is meant.
 */
const comment: Command = {
  name: 'comment', role: 'member', summaryKey: 'reading.cmd.comment.summary', usageKey: 'reading.cmd.comment.usage',
  run: async (ctx, _words, argText) => {
    const { db, clock, settings } = ctx.deps;
    const now = clock.now();
    let text = argText.trim();
    if (text === '') throw new UserError('errors.usage', { problem: tk('reading.commentEmpty'), usage: tk('reading.cmd.comment.usage') });
    const lead = /^#?(\d{1,9})\s+([\s\S]+)$/u.exec(text);
    let group = lead ? await groupById(db, Number(lead[1])) : undefined;
    if (group && canSeeGroup(ctx.member, group)) text = lead![2]!;
    else {
      const today = await guidesOfDay(db, ctx.member, localDay(now, ctx.timeZone), now);
      if (today.length === 0) throw new UserError('reading.guide.noneToday', { day: day(localDay(now, ctx.timeZone)) });
      if (today.length > 1) throw new UserError('reading.whichGroup', { groups: today.map((t) => `${t.group.id} ${t.group.title}`).join(', ') });
      group = today[0]!.group;
    }
    const saved = await commentOnToday(db, ctx.member, group, text, now, settings.reading.commentMaxLength);
    return { text: ctx.t(saved.replaced ? 'reading.comment.replaced' : 'reading.comment.saved', { title: group.title, day: day(saved.guide.day) }) };
  },
};

/** The "comment" button: asks for the comment in a private chat dialogue. */
export async function startComment(ctx: MemberCtx, guideId: number): Promise<Reply> {
  if (ctx.msg.chat.kind !== 'private') return { text: ctx.t('reading.comment.usePrivate') };
  await commentableGuide(ctx.deps.db, ctx.member, guideId, ctx.deps.clock.now());
  await ctx.dialog.start(COMMENT_DIALOG, { guideId });
  return { text: ctx.t('reading.comment.prompt', { max: ctx.deps.settings.reading.commentMaxLength }) };
}

const commentState = z.object({ guideId: z.number().int().positive() });

/** The comment dialogue: the next text is the comment; a too-long one can be sent again. */
export const commentDialog: DialogHandler = {
  kind: COMMENT_DIALOG, role: 'member',
  onText: async (ctx, state, text) => {
    const parsed = commentState.safeParse(state);
    if (!parsed.success) {
      await ctx.dialog.end();
      throw new UserError('errors.dialogGone');
    }
    try {
      const saved = await commentOnGuide(ctx.deps.db, ctx.member, parsed.data.guideId, text, ctx.deps.clock.now(), ctx.deps.settings.reading.commentMaxLength);
      await ctx.dialog.end();
      const group = await groupById(ctx.deps.db, saved.guide.groupId);
      return { text: ctx.t(saved.replaced ? 'reading.comment.replaced' : 'reading.comment.saved', { title: group?.title ?? '', day: day(saved.guide.day) }) };
    } catch (err) {
      if (err instanceof UserError && (err.key === 'reading.guideDayOver' || err.key === 'reading.guideNotFound')) await ctx.dialog.end();
      throw err;
    }
  },
};

/** /comments GROUP [DATE] — a day's comments with feature buttons, for staff and the lead reader. */
const comments: Command<[number, string?]> = {
  name: 'comments', role: 'member', summaryKey: 'reading.cmd.comments.summary', usageKey: 'reading.cmd.comments.usage',
  privateOnly: true,
  args: z.tuple([idArg, dateArg.optional()]),
  run: async (ctx, [groupId, date]) => {
    const { db, clock } = ctx.deps;
    const group = await ledGroup(db, ctx.member, groupId);
    const now = clock.now();
    const onDay = date ?? localDay(now, ctx.timeZone);
    const g = await publishedGuide(db, groupId, onDay, now);
    if (!g) return { text: ctx.t('reading.guide.noneOn', { title: group.title, day: day(onDay) }) };
    const list = await commentsOfGuide(db, g.id);
    await audit(db, ctx.member.id, 'reading.comments.read', `guide:${g.id}`);
    if (list.length === 0) return { text: ctx.t('reading.comment.none', { title: group.title, day: day(onDay) }) };
    const lines = list.map(({ comment: c, name }) => ctx.t(c.featured ? 'reading.comment.lineFeatured' : 'reading.comment.line', { id: c.id, name, body: c.body }));
    const buttons = list.slice(0, 10).map(({ comment: c }) => [{
      label: ctx.t(c.featured ? 'reading.button.unfeature' : 'reading.button.feature', { id: c.id }),
      data: buttonData(RD, 'f', c.id, c.featured ? 0 : 1),
    }]);
    return { text: [ctx.t('reading.comment.listTitle', { title: group.title, day: day(onDay), count: list.length }), ...lines].join('\n'), buttons };
  },
};

/** Marks a comment featured (or not) and says so. */
export async function toggleFeatured(ctx: MemberCtx, commentId: number, featured: boolean): Promise<Reply> {
  await setFeatured(ctx.deps.db, ctx.member, commentId, featured);
  return { text: ctx.t(featured ? 'reading.comment.featured' : 'reading.comment.unfeatured', { id: commentId }) };
}

const feature: Command<[number, string?]> = {
  name: 'feature', role: 'member', summaryKey: 'reading.cmd.feature.summary', usageKey: 'reading.cmd.feature.usage',
  args: z.tuple([idArg, z.enum(['off', '取消']).optional()]),
  run: async (ctx, [commentId, off]) => toggleFeatured(ctx, commentId, off === undefined),
};

/** Daily guides and comments (一天一导读、一天一点评). */
export const readingGuideCommands: Command<any>[] = [guide, comment, writeguide, guides, comments, feature];

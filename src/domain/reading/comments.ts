import { and, asc, eq, sql } from 'drizzle-orm';
import type { Db, DbOrTx } from '../../store/db.js';
import { members, readingComments, readingGroups, readingGuides } from '../../store/schema/index.js';
import { UserError } from '../../core/errors.js';
import { charLength } from '../../core/input.js';
import { day as dayParam } from '../../core/i18n.js';
import type { Member } from '../members/members.js';
import { canLeadGroup, canSeeGroup, type ReadingGroup, type Viewer } from './groups.js';
import { localDay, publishedGuide, type ReadingGuide } from './guides.js';

/** A comment as stored. */
export type ReadingComment = typeof readingComments.$inferSelect;

/** A commenting member: who they are and which day it is where they live. */
export type Commenter = Viewer & Pick<Member, 'timeZone'>;

function checkBody(text: string, maxLength: number): string {
  const body = text.trim();
  if (body === '') throw new UserError('reading.commentEmpty');
  if (charLength(body) > maxLength) throw new UserError('reading.commentTooLong', { max: maxLength, length: charLength(body) });
  return body;
}

async function upsertComment(db: DbOrTx, guide: ReadingGuide, memberId: number, body: string, now: Date) {
  const [row] = await db
    .insert(readingComments)
    .values({ guideId: guide.id, memberId, body, createdAt: now, updatedAt: now })
    .onConflictDoUpdate({ target: [readingComments.guideId, readingComments.memberId], set: { body, featured: false, updatedAt: now } })
    // xmax is 0 for a freshly inserted row: tells a first comment from a rewrite in one statement.
    .returning({ id: readingComments.id, inserted: sql<boolean>`(xmax = 0)` });
  return { guide, commentId: row!.id, replaced: !row!.inserted };
}

/**
 * Comments on the group's guide of the member's own local day (一天一点评): at 23:30 in Vancouver
 * that is still Vancouver's day, whatever the date in Beijing. One comment per member per guide;
 * writing again replaces it (and it is no longer featured).
 */
export async function commentOnToday(db: Db, member: Commenter, group: ReadingGroup, text: string, now: Date, maxLength: number) {
  const body = checkBody(text, maxLength);
  const today = localDay(now, member.timeZone);
  const guide = await publishedGuide(db, group.id, today, now);
  if (!guide) throw new UserError('reading.noGuideToday', { title: group.title, day: dayParam(today) });
  return upsertComment(db, guide, member.id, body, now);
}

/**
 * Comments on a particular guide (the "comment" button): accepted only while it is still that
 * guide's day for the member, so a late answer does not land on a day that has passed.
 */
export async function commentOnGuide(db: Db, member: Commenter, guideId: number, text: string, now: Date, maxLength: number) {
  const body = checkBody(text, maxLength);
  const guide = await commentableGuide(db, member, guideId, now);
  return upsertComment(db, guide, member.id, body, now);
}

/**
 * The guide `member` may comment on now: published, of a group they can see, and of their own
 * today. Checked before the comment dialogue starts too, so a press forged for another group's
 * guide (or none) starts nothing.
 */
export async function commentableGuide(db: DbOrTx, member: Commenter, guideId: number, now: Date) {
  const [row] = await db
    .select({ guide: readingGuides, group: readingGroups })
    .from(readingGuides)
    .innerJoin(readingGroups, eq(readingGroups.id, readingGuides.groupId))
    .where(eq(readingGuides.id, guideId));
  if (!row || !canSeeGroup(member, row.group) || row.guide.publishAt.getTime() > now.getTime()) throw new UserError('reading.guideNotFound');
  if (row.guide.day !== localDay(now, member.timeZone)) throw new UserError('reading.guideDayOver', { day: dayParam(row.guide.day) });
  return row.guide;
}

/** Comments on one guide with their authors' names, first written first. */
export async function commentsOfGuide(db: DbOrTx, guideId: number) {
  return db
    .select({ comment: readingComments, name: members.name })
    .from(readingComments)
    .innerJoin(members, eq(members.id, readingComments.memberId))
    .where(eq(readingComments.guideId, guideId))
    .orderBy(asc(readingComments.createdAt), asc(readingComments.id));
}

/** Marks or unmarks a comment as featured (精选); only staff and the group's lead reader may. */
export async function setFeatured(db: DbOrTx, viewer: Viewer, commentId: number, featured: boolean) {
  const [row] = await db
    .select({ comment: readingComments, group: readingGroups })
    .from(readingComments)
    .innerJoin(readingGuides, eq(readingGuides.id, readingComments.guideId))
    .innerJoin(readingGroups, eq(readingGroups.id, readingGuides.groupId))
    .where(eq(readingComments.id, commentId));
  if (!row || !canSeeGroup(viewer, row.group)) throw new UserError('reading.commentNotFound', { id: commentId });
  if (!canLeadGroup(viewer, row.group)) throw new UserError('reading.notLead', { id: row.group.id });
  await db.update(readingComments).set({ featured }).where(and(eq(readingComments.id, commentId)));
  return row;
}

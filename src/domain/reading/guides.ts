import { and, asc, eq, gte, lt, lte } from 'drizzle-orm';
import { DateTime } from 'luxon';
import type { Db, DbOrTx } from '../../store/db.js';
import { members, readingGroups, readingGuides } from '../../store/schema/index.js';
import { UserError } from '../../core/errors.js';
import { charLength } from '../../core/input.js';
import { day as dayParam } from '../../core/i18n.js';
import { addDeliveries, cancelPendingDeliveries, type DeliveryRequest } from '../outbox.js';
import { visibleGroupsWhere, type ReadingGroup, type Viewer } from './groups.js';

/** A daily guide as stored. */
export type ReadingGuide = typeof readingGuides.$inferSelect;

/** The calendar day (YYYY-MM-DD) it is at `now` where the member lives: "today" for comments. */
export function localDay(now: Date, timeZone: string): string {
  return DateTime.fromJSDate(now).setZone(timeZone).toISODate()!;
}

/** The delivery ref of one version of a guide; an edit makes a new one so the new text is posted. */
const guideRef = (guide: Pick<ReadingGuide, 'id' | 'updatedAt'>) => `guide:${guide.id}:${guide.updatedAt.getTime()}`;

export interface GuideDraft {
  day: string;
  publishAt: Date;
  body: string;
}

/**
 * Writes a group's guide for a day (staff or its lead reader), or rewrites it while it is not
 * published yet. A published guide stays as members read and commented on it.
 */
export async function writeGuide(db: Db, group: ReadingGroup, draft: GuideDraft, authorId: number, now: Date, maxLength: number) {
  const body = draft.body.trim();
  if (body === '') throw new UserError('reading.guideEmpty');
  if (charLength(body) > maxLength) throw new UserError('reading.guideTooLong', { max: maxLength, length: charLength(body) });
  if (draft.publishAt.getTime() <= now.getTime()) throw new UserError('reading.publishInPast', { publishAt: draft.publishAt });
  return db.transaction(async (tx) => {
    const [previous] = await tx.select().from(readingGuides).where(and(eq(readingGuides.groupId, group.id), eq(readingGuides.day, draft.day))).for('update');
    if (previous && previous.publishAt.getTime() <= now.getTime()) throw new UserError('reading.guidePublished', { day: dayParam(draft.day) });
    const values = { groupId: group.id, day: draft.day, publishAt: draft.publishAt, body, authorId, updatedAt: now };
    const [guide] = previous
      ? await tx.update(readingGuides).set(values).where(eq(readingGuides.id, previous.id)).returning()
      : await tx.insert(readingGuides).values({ ...values, createdAt: now }).onConflictDoNothing().returning();
    // Two authors writing a new day's guide at once: the second finds the first's row.
    if (!guide) throw new UserError('reading.guideConflict', { day: dayParam(draft.day) });
    if (previous) await cancelPendingDeliveries(tx, 'reading.guide', guideRef(previous));
    return { guide, replaced: previous !== undefined };
  });
}

/** A group's published guide for a calendar day. */
export async function publishedGuide(db: DbOrTx, groupId: number, day: string, now: Date): Promise<ReadingGuide | undefined> {
  const [row] = await db
    .select()
    .from(readingGuides)
    .where(and(eq(readingGuides.groupId, groupId), eq(readingGuides.day, day), lte(readingGuides.publishAt, now)));
  return row;
}

/** Published guides of `day` in the groups `viewer` may see, with the group. */
export async function guidesOfDay(db: DbOrTx, viewer: Viewer, day: string, now: Date) {
  return db
    .select({ guide: readingGuides, group: readingGroups })
    .from(readingGuides)
    .innerJoin(readingGroups, eq(readingGroups.id, readingGuides.groupId))
    .where(and(eq(readingGuides.day, day), lte(readingGuides.publishAt, now), visibleGroupsWhere(viewer)))
    .orderBy(asc(readingGroups.id));
}

/** A group's guides from `fromDay` on, published or scheduled, for its lead reader and staff. */
export async function guidesFrom(db: DbOrTx, groupId: number, fromDay: string) {
  return db
    .select()
    .from(readingGuides)
    .where(and(eq(readingGuides.groupId, groupId), gte(readingGuides.day, fromDay)))
    .orderBy(asc(readingGuides.day))
    .limit(31);
}

/** A guide the delivery engine should post: to `chatKey`, or nowhere when the group has no chat. */
export interface GuideDue {
  guideId: number;
  groupId: number;
  publishAt: Date;
  chatKey: string | null;
}

/** Guides whose publish time falls in [from, to): what the delivery engine posts in that window. */
export async function guidesDue(db: DbOrTx, from: Date, to: Date): Promise<GuideDue[]> {
  return db
    .select({ guideId: readingGuides.id, groupId: readingGuides.groupId, publishAt: readingGuides.publishAt, chatKey: readingGroups.chatKey })
    .from(readingGuides)
    .innerJoin(readingGroups, eq(readingGroups.id, readingGuides.groupId))
    .where(and(gte(readingGuides.publishAt, from), lt(readingGuides.publishAt, to)))
    .orderBy(asc(readingGuides.publishAt), asc(readingGuides.id));
}

/**
 * The outbox row that posts a guide to its group's chat: template 'reading.guide.post' with
 * params { title, day (a day() param), body, groupId, lead }, not before its publish time.
 * Undefined when the guide is gone or its group has no chat. The engine writes it with
 * addDeliveries() (queueGuideDelivery does both); an edit before publishing makes a new ref.
 */
export async function renderGuideDelivery(db: DbOrTx, guideId: number): Promise<DeliveryRequest | undefined> {
  const [row] = await db
    .select({ guide: readingGuides, group: readingGroups, lead: members.name })
    .from(readingGuides)
    .innerJoin(readingGroups, eq(readingGroups.id, readingGuides.groupId))
    .innerJoin(members, eq(members.id, readingGroups.leadMemberId))
    .where(eq(readingGuides.id, guideId));
  if (!row?.group.chatKey) return undefined;
  return {
    kind: 'reading.guide', ref: guideRef(row.guide), to: { chatKey: row.group.chatKey },
    template: 'reading.guide.post',
    params: { title: row.group.title, day: dayParam(row.guide.day), body: row.guide.body, groupId: row.group.id, lead: row.lead },
    notBefore: row.guide.publishAt,
  };
}

/** Writes the guide's outbox row (once per version); false when there is nothing to post. */
export async function queueGuideDelivery(db: DbOrTx, guideId: number): Promise<boolean> {
  const request = await renderGuideDelivery(db, guideId);
  return request ? (await addDeliveries(db, [request])) > 0 : false;
}


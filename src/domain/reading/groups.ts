import { and, asc, eq, or, sql, type SQL } from 'drizzle-orm';
import type { Db, DbOrTx } from '../../store/db.js';
import { members, readingGroups } from '../../store/schema/index.js';
import { UserError } from '../../core/errors.js';
import { addDeliveries } from '../outbox.js';
import { audit, roleAllows, type Member } from '../members/members.js';

/** A reading group as stored. */
export type ReadingGroup = typeof readingGroups.$inferSelect;

/** Who is asking: enough of a member to decide what they may see and lead. */
export type Viewer = Pick<Member, 'id' | 'role' | 'committee'>;

/** A group chat the guides go to, written 'platform:chatId' (Telegram group ids are negative). */
export const CHAT_KEY = /^(telegram|wecom|console):[-\w.@]{1,128}$/u;

/** Whether `viewer` may see a group: open groups, their own committee's, the ones they lead; staff see all. */
export function canSeeGroup(viewer: Viewer, group: ReadingGroup): boolean {
  return roleAllows(viewer.role, 'staff') || group.leadMemberId === viewer.id || group.committee === '' || group.committee === viewer.committee;
}

/** Staff and the group's own lead reader write guides, feature comments and see the check-in code. */
export function canLeadGroup(viewer: Viewer, group: ReadingGroup): boolean {
  return roleAllows(viewer.role, 'staff') || group.leadMemberId === viewer.id;
}

/** The same rule as canSeeGroup, as SQL over reading_groups, for lists. */
export function visibleGroupsWhere(viewer: Viewer): SQL | undefined {
  if (roleAllows(viewer.role, 'staff')) return undefined;
  return or(eq(readingGroups.committee, ''), eq(readingGroups.committee, viewer.committee), eq(readingGroups.leadMemberId, viewer.id));
}

export async function groupById(db: DbOrTx, id: number): Promise<ReadingGroup | undefined> {
  const [row] = await db.select().from(readingGroups).where(eq(readingGroups.id, id));
  return row;
}

/** The group `viewer` asked for; "not found" when it does not exist or is not theirs to see. */
export async function visibleGroup(db: DbOrTx, viewer: Viewer, id: number): Promise<ReadingGroup> {
  const group = await groupById(db, id);
  if (!group || !canSeeGroup(viewer, group)) throw new UserError('reading.groupNotFound', { id });
  return group;
}

/** The group `viewer` wants to lead in (write a guide, feature a comment); others get "not found" or "forbidden". */
export async function ledGroup(db: DbOrTx, viewer: Viewer, id: number): Promise<ReadingGroup> {
  const group = await visibleGroup(db, viewer, id);
  if (!canLeadGroup(viewer, group)) throw new UserError('reading.notLead', { id });
  return group;
}

export interface NewGroup {
  title: string;
  leadMemberId: number;
  committee: string;
  chatKey: string | null;
}

/**
 * Creates a group (staff) and tells the lead reader they lead it, in one transaction so the
 * notice exists exactly when the group does.
 */
export async function createGroup(db: Db, input: NewGroup, createdBy: number): Promise<ReadingGroup> {
  if (input.chatKey !== null && !CHAT_KEY.test(input.chatKey)) throw new UserError('reading.badChatKey', { value: input.chatKey });
  return db.transaction(async (tx) => {
    const [group] = await tx.insert(readingGroups).values({ ...input, createdBy }).returning();
    await addDeliveries(tx, [{
      kind: 'reading.lead', ref: `readinggroup:${group!.id}`, to: { memberId: input.leadMemberId },
      template: 'reading.notice.lead', params: { title: group!.title, groupId: group!.id },
    }]);
    await audit(tx, createdBy, 'reading.group.create', `readinggroup:${group!.id}`, { lead: input.leadMemberId });
    return group!;
  });
}

/** Groups `viewer` may see, with their lead reader's name, oldest first. */
export async function listGroups(db: DbOrTx, viewer: Viewer) {
  return db
    .select({ group: readingGroups, leadName: members.name })
    .from(readingGroups)
    .innerJoin(members, eq(members.id, readingGroups.leadMemberId))
    .where(and(visibleGroupsWhere(viewer) ?? sql`true`))
    .orderBy(asc(readingGroups.id));
}

import { asc, eq, sql } from 'drizzle-orm';
import type { DbOrTx } from '../../store/db.js';
import { registeredGroupChats } from '../../store/schema/index.js';
import { UserError } from '../../core/errors.js';
import { charLength } from '../../core/input.js';

/** A group chat staff registered as a notice audience. */
export type GroupChat = typeof registeredGroupChats.$inferSelect;

/** Tags a group chat may carry, to find it by and to show what it is for. */
export interface GroupTags {
  committee: string;
  sector: string;
  region: string;
}

export const MAX_GROUP_NAME = 40;
const MAX_TAG = 60;

const TAG_WORDS: Record<string, keyof GroupTags> = {
  committee: 'committee', 委员会: 'committee', 委員會: 'committee', 专委会: 'committee', 專委會: 'committee',
  sector: 'sector', 界别: 'sector', 界別: 'sector',
  region: 'region', 地区: 'region', 地區: 'region',
};

/**
 * Reads the tags after a group's name: `committee:X sector:Y region:Z` (any may be left out).
 * The words are already split by the command parser, so a value with spaces arrives quoted whole.
 */
export function parseGroupTags(words: string[]): GroupTags {
  const tags: GroupTags = { committee: '', sector: '', region: '' };
  for (const word of words) {
    const m = /^([^:：=]+)[:：=](.*)$/u.exec(word);
    const kind = m ? TAG_WORDS[m[1]!.trim().toLowerCase()] : undefined;
    if (!m || !kind) throw new UserError('groups.unknownTag', { word });
    const value = m[2]!.trim();
    if (!value) throw new UserError('groups.emptyTag', { word });
    if (charLength(value) > MAX_TAG) throw new UserError('errors.tooLongField', { max: MAX_TAG });
    tags[kind] = value;
  }
  return tags;
}

const isUniqueViolation = (err: unknown): boolean => {
  for (let e = err, depth = 0; e && typeof e === 'object' && depth < 5; depth++) {
    if ((e as { code?: unknown }).code === '23505') return true;
    e = (e as { cause?: unknown }).cause;
  }
  return false;
};

/**
 * Registers the chat `chatKey` ('platform:chatId') under `name`, or renames and re-tags it when it
 * is registered already. A name another chat uses is refused.
 */
export async function registerGroupChat(
  db: DbOrTx,
  chatKey: string,
  name: string,
  tags: GroupTags,
  staffId: number,
  now: Date,
): Promise<{ group: GroupChat; created: boolean }> {
  const [before] = await db.select({ id: registeredGroupChats.id }).from(registeredGroupChats).where(eq(registeredGroupChats.chatKey, chatKey));
  try {
    const [group] = await db
      .insert(registeredGroupChats)
      .values({ chatKey, name, ...tags, registeredBy: staffId, registeredAt: now })
      .onConflictDoUpdate({ target: registeredGroupChats.chatKey, set: { name, ...tags, registeredBy: staffId, registeredAt: now } })
      .returning();
    return { group: group!, created: !before };
  } catch (err) {
    if (isUniqueViolation(err)) throw new UserError('groups.nameTaken', { name });
    throw err;
  }
}

/** Every registered group chat, by name. */
export async function listGroupChats(db: DbOrTx): Promise<GroupChat[]> {
  return db.select().from(registeredGroupChats).orderBy(asc(registeredGroupChats.name), asc(registeredGroupChats.id));
}

/** The group chat named `ref` (any letter case) or numbered `#id`, if registered. */
export async function findGroupChat(db: DbOrTx, ref: string): Promise<GroupChat | undefined> {
  const byId = /^#(\d{1,9})$/u.exec(ref.trim());
  const [row] = byId
    ? await db.select().from(registeredGroupChats).where(eq(registeredGroupChats.id, Number(byId[1])))
    : await db.select().from(registeredGroupChats).where(sql`lower(${registeredGroupChats.name}) = lower(${ref.trim()})`);
  return row;
}

/** Unregisters a group chat; notices already queued to it still go. */
export async function removeGroupChat(db: DbOrTx, ref: string): Promise<GroupChat> {
  const group = await findGroupChat(db, ref);
  if (!group) throw new UserError('groups.notFound', { ref });
  await db.delete(registeredGroupChats).where(eq(registeredGroupChats.id, group.id));
  return group;
}

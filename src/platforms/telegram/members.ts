/**
 * The few member facts the Telegram adapter needs itself: who is behind a Telegram user id (for
 * the language of a button label and for the command menu), and whether they can be reached.
 */
import { and, eq, inArray } from 'drizzle-orm';
import type { Db } from '../../store/db.js';
import { identities, members } from '../../store/schema/index.js';
import type { Member } from '../../domain/members/members.js';

/** The member bound to this Telegram user, or undefined for someone not bound yet. */
export async function memberOfTelegramUser(db: Db, telegramUserId: string): Promise<Pick<Member, 'id' | 'role' | 'locale'> | undefined> {
  const [row] = await db
    .select({ id: members.id, role: members.role, locale: members.locale })
    .from(identities)
    .innerJoin(members, eq(identities.memberId, members.id))
    .where(and(eq(identities.platform, 'telegram'), eq(identities.platformUserId, telegramUserId)));
  return row;
}

/**
 * Records that the member behind this Telegram user blocked the bot (`at`) or came back (null).
 * Telegram says so with a 403 on a send and with my_chat_member updates; the delivery engine
 * reads `members.unreachableAt` to stop trying.
 */
export async function setTelegramReachability(db: Db, telegramUserId: string, unreachableAt: Date | null): Promise<void> {
  const owner = db
    .select({ id: identities.memberId })
    .from(identities)
    .where(and(eq(identities.platform, 'telegram'), eq(identities.platformUserId, telegramUserId)));
  await db.update(members).set({ unreachableAt }).where(inArray(members.id, owner));
}

import { and, eq, sql } from 'drizzle-orm';
import { IANAZone } from 'luxon';
import type { Db, DbOrTx } from '../../store/db.js';
import { auditLog, identities, members } from '../../store/schema/index.js';
import type { Locale } from '../../core/i18n.js';
import type { Platform } from '../../core/messages.js';
import { UserError } from '../../core/errors.js';

/** A member, staff officer or admin as stored. */
export type Member = typeof members.$inferSelect;
export type Role = Member['role'];

const RANK: Record<Role | 'guest', number> = { guest: 0, member: 1, staff: 2, admin: 3 };

/** Whether someone with `role` may do what needs `needed`. */
export function roleAllows(role: Role | undefined, needed: Role | 'guest'): boolean {
  return RANK[role ?? 'guest'] >= RANK[needed];
}

export async function memberById(db: DbOrTx, id: number): Promise<Member | undefined> {
  const [row] = await db.select().from(members).where(eq(members.id, id));
  return row;
}

/**
 * How stale identities.last_seen_at may get. It only orders a member's platforms (the one used
 * last is tried first), so a write a minute is enough and spares every other message a write.
 */
export const LAST_SEEN_RESOLUTION_MS = 60_000;

/** What is stored about a bound account's use, to decide whether it needs writing again. */
export interface SeenIdentity {
  lastSeenAt: Date;
  chatId: string | null;
}

/** Records that a bound account was just used, and its private chat, unless both are known already. */
export async function touchIdentity(
  db: DbOrTx,
  account: { platform: Platform; platformUserId: string },
  seen: SeenIdentity,
  privateChatId: string | undefined,
  now: Date,
): Promise<void> {
  const chatChanged = privateChatId !== undefined && privateChatId !== seen.chatId;
  if (!chatChanged && Math.abs(now.getTime() - seen.lastSeenAt.getTime()) < LAST_SEEN_RESOLUTION_MS) return;
  await db
    .update(identities)
    .set({ lastSeenAt: now, ...(privateChatId ? { chatId: privateChatId } : {}) })
    .where(and(eq(identities.platform, account.platform), eq(identities.platformUserId, account.platformUserId)));
}

/**
 * The member behind an account that has no identity row yet, or undefined. A WeCom userid that
 * is on the roster binds itself on first contact: WeCom vouches for who it is.
 */
export async function resolveUnboundSender(
  db: Db,
  platform: Platform,
  platformUserId: string,
  privateChatId: string | undefined,
  now: Date,
): Promise<Member | undefined> {
  // The console chat runs on the operator's own machine and acts as whichever member it names.
  if (platform === 'console') return /^\d+$/.test(platformUserId) ? memberById(db, Number(platformUserId)) : undefined;
  if (platform !== 'wecom') return undefined;
  const [rostered] = await db.select().from(members).where(eq(members.wecomUserId, platformUserId));
  if (!rostered) return undefined;
  await db
    .insert(identities)
    .values({ platform, platformUserId, memberId: rostered.id, chatId: privateChatId ?? platformUserId, boundAt: now, lastSeenAt: now })
    .onConflictDoNothing();
  return rostered;
}

/** Links a platform account to a member, replacing the member's earlier account on that platform. */
export async function linkIdentity(
  tx: DbOrTx,
  memberId: number,
  platform: Platform,
  platformUserId: string,
  chatId: string | undefined,
  now: Date,
): Promise<void> {
  await tx.delete(identities).where(and(eq(identities.memberId, memberId), eq(identities.platform, platform)));
  await tx.delete(identities).where(and(eq(identities.platform, platform), eq(identities.platformUserId, platformUserId)));
  await tx.insert(identities).values({ platform, platformUserId, memberId, chatId: chatId ?? null, boundAt: now, lastSeenAt: now });
}

export async function identitiesOf(db: DbOrTx, memberId: number) {
  return db.select().from(identities).where(eq(identities.memberId, memberId));
}

export async function setLocale(db: DbOrTx, memberId: number, locale: Locale): Promise<void> {
  await db.update(members).set({ locale, localeChosen: true, updatedAt: sql`now()` }).where(eq(members.id, memberId));
}

/** Takes a platform's language hint for a member who never chose a language. */
export async function adoptLocaleHint(db: DbOrTx, member: Member, hint: Locale | undefined): Promise<Member> {
  if (!hint || member.localeChosen || member.locale === hint) return member;
  await db.update(members).set({ locale: hint }).where(eq(members.id, member.id));
  return { ...member, locale: hint };
}

export async function setTimeZone(db: DbOrTx, memberId: number, zone: string): Promise<void> {
  if (!IANAZone.isValidZone(zone)) throw new UserError('tz.invalid', { zone });
  await db.update(members).set({ timeZone: zone, timeZoneChosen: true, updatedAt: sql`now()` }).where(eq(members.id, memberId));
}

/** Finds members by name, exact first, then by prefix; used by staff commands that name a member. */
export async function findMembersByName(db: DbOrTx, name: string): Promise<Member[]> {
  const exact = await db.select().from(members).where(eq(members.name, name));
  if (exact.length > 0) return exact;
  return db.select().from(members).where(sql`${members.name} ilike ${`${name.replace(/[%_\\]/g, '\\$&')}%`}`).limit(5);
}

/** Resolves one member from `#id` or a name; refuses an unknown or ambiguous one. */
export async function oneMember(db: DbOrTx, ref: string): Promise<Member> {
  const byId = /^#?(\d{1,9})$/.exec(ref);
  if (byId) {
    const m = await memberById(db, Number(byId[1]));
    if (m) return m;
    throw new UserError('members.notFound', { ref });
  }
  const found = await findMembersByName(db, ref);
  if (found.length === 1) return found[0]!;
  if (found.length === 0) throw new UserError('members.notFound', { ref });
  throw new UserError('members.ambiguous', { ref, names: found.map((m) => `#${m.id} ${m.name}`).join(', ') });
}

/** Records that `actorId` read or changed personal data. */
export async function audit(db: DbOrTx, actorId: number, action: string, subject: string, detail: object = {}) {
  await db.insert(auditLog).values({ actorId, action, subject, detail });
}

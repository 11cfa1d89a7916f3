import { inArray } from 'drizzle-orm';
import type { DbOrTx } from '../../store/db.js';
import { identities, members } from '../../store/schema/index.js';
import type { ChatRef, Platform } from '../../core/messages.js';

/** Where one delivery goes: a platform and a chat on it. */
export type Route = ChatRef;

/** The ways one member can be reached, best first. */
export type MemberChannels = Route[];

/**
 * The platforms a member can be reached on, best first: the one they used last (identities.lastSeenAt)
 * before the others; a rostered WeCom userid counts as a WeCom channel (the app can write to any
 * member); the console, when it is running, reaches everyone (it prints what would be sent).
 * `active` is the set of platforms this deployment runs.
 */
export async function memberChannels(db: DbOrTx, memberIds: number[], active: ReadonlySet<Platform>): Promise<Map<number, MemberChannels>> {
  const out = new Map<number, MemberChannels>(memberIds.map((id) => [id, []]));
  if (memberIds.length === 0) return out;
  const ids = [...new Set(memberIds)];
  const linked = await db.select().from(identities).where(inArray(identities.memberId, ids));
  linked.sort((a, b) => b.lastSeenAt.getTime() - a.lastSeenAt.getTime());
  for (const identity of linked) {
    if (!active.has(identity.platform) || identity.platform === 'console') continue;
    out.get(identity.memberId)?.push({ platform: identity.platform, chatId: identity.chatId ?? identity.platformUserId, kind: 'private' });
  }
  if (active.has('wecom')) {
    const rostered = await db.select({ id: members.id, wecomUserId: members.wecomUserId }).from(members).where(inArray(members.id, ids));
    for (const m of rostered) {
      const channels = out.get(m.id);
      if (m.wecomUserId && channels && !channels.some((c) => c.platform === 'wecom')) {
        channels.push({ platform: 'wecom', chatId: m.wecomUserId, kind: 'private' });
      }
    }
  }
  if (active.has('console')) for (const [id, channels] of out) channels.push({ platform: 'console', chatId: `console-${id}`, kind: 'private' });
  return out;
}

/** The first channel that has not already said the member is unreachable there. */
export function pickChannel(channels: MemberChannels, unreachableOn: readonly string[]): Route | undefined {
  return channels.find((c) => !unreachableOn.includes(c.platform));
}

/** Marks a chatKey that names a private chat rather than a group (see privateChatKey). */
const PRIVATE_MARK = 'private:';

/**
 * The chatKey of one account's private chat, for a message to an account that is no longer any
 * member's channel: the account a new binding replaced is told so there. Group chat ids never
 * start with the mark (Telegram's are negative numbers, WeCom's have no colon).
 */
export const privateChatKey = (platform: Platform, chatId: string): string => `${platform}:${PRIVATE_MARK}${chatId}`;

/**
 * The route of a chat from its chatKey 'platform:chatId' (a group) or 'platform:private:chatId'.
 * A platform this deployment does not run falls back to the console when that is running (so a
 * demo shows group messages too).
 */
export function groupRoute(chatKey: string, active: ReadonlySet<Platform>): Route | undefined {
  const colon = chatKey.indexOf(':');
  if (colon <= 0) return undefined;
  const platform = chatKey.slice(0, colon) as Platform;
  const rest = chatKey.slice(colon + 1);
  const kind = rest.startsWith(PRIVATE_MARK) ? 'private' : 'group';
  const chatId = kind === 'private' ? rest.slice(PRIVATE_MARK.length) : rest;
  if (active.has(platform) && chatId !== '') return { platform, chatId, kind };
  if (active.has('console')) return { platform: 'console', chatId: chatKey, kind: 'group' };
  return undefined;
}

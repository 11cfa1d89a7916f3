import { and, eq, sql } from 'drizzle-orm';
import type { Db } from '../store/db.js';
import { preparedQuery } from '../store/prepared.js';
import { dialogs, identities, members } from '../store/schema/index.js';
import type { IncomingMessage } from '../core/messages.js';
import { resolveUnboundSender, touchIdentity, type Member } from '../domain/members/members.js';
import { dialogControl, loadDialog } from './dialogs.js';
import type { DialogControl } from './types.js';

/** The member who sent a message, with their dialogue in the chat it came from. */
export interface Sender {
  member: Member;
  dialog: DialogControl;
}

const senderQuery = preparedQuery('router_sender', (db) => db
  .select({ member: members, lastSeenAt: identities.lastSeenAt, chatId: identities.chatId, dialogKind: dialogs.kind, dialogState: dialogs.state })
  .from(identities)
  .innerJoin(members, eq(identities.memberId, members.id))
  .leftJoin(dialogs, and(eq(dialogs.memberId, members.id), eq(dialogs.chatKey, sql.placeholder('chatKey'))))
  .where(and(eq(identities.platform, sql.placeholder('platform')), eq(identities.platformUserId, sql.placeholder('userId')))));

/**
 * Who sent `msg`, or undefined for someone not bound: the question every message asks first, so
 * a bound account's member and dialogue come back in one query, and last-seen is written only
 * when it is out of date (see LAST_SEEN_RESOLUTION_MS).
 */
export async function loadSender(db: Db, msg: IncomingMessage, now: Date): Promise<Sender | undefined> {
  const { platform } = msg.chat;
  const chatKey = `${platform}:${msg.chat.chatId}`;
  const privateChatId = msg.chat.kind === 'private' ? msg.chat.chatId : undefined;
  const [row] = await senderQuery(db, { platform, userId: msg.senderId, chatKey });
  if (row) {
    await touchIdentity(db, { platform, platformUserId: msg.senderId }, row, privateChatId, now);
    const stored = row.dialogKind === null ? undefined : { kind: row.dialogKind, state: row.dialogState };
    return { member: row.member, dialog: dialogControl(db, row.member.id, chatKey, stored) };
  }
  const member = await resolveUnboundSender(db, platform, msg.senderId, privateChatId, now);
  return member && { member, dialog: await loadDialog(db, member.id, chatKey) };
}

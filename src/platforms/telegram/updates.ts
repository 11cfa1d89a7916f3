/**
 * Telegram updates → the platform-neutral IncomingMessage. Pure: no I/O, so both long polling and
 * the webhook use it and tests can feed it raw updates.
 *
 * Only the parts Tongxin uses are read, through a zod schema (an update from the webhook is
 * untrusted input). Everything else — stickers, edits, channel posts, other bots — is ignored.
 */
import { z } from 'zod';
import type { ChatRef, IncomingMessage } from '../../core/messages.js';

const user = z.looseObject({
  id: z.number().int(),
  is_bot: z.boolean().optional(),
  first_name: z.string().optional(),
  last_name: z.string().optional(),
  language_code: z.string().optional(),
});
const chat = z.looseObject({ id: z.number().int(), type: z.string() });
const entity = z.looseObject({ type: z.string(), offset: z.number().int(), length: z.number().int() });
const message = z.looseObject({
  message_id: z.number().int(),
  chat,
  from: user.optional(),
  text: z.string().optional(),
  entities: z.array(entity).optional(),
  caption: z.string().optional(),
  document: z.looseObject({
    file_id: z.string(),
    file_name: z.string().optional(),
    mime_type: z.string().optional(),
    file_size: z.number().optional(),
  }).optional(),
});

/** The fields of a Telegram Update that Tongxin reads. */
export const telegramUpdate = z.looseObject({
  update_id: z.number().int().nonnegative(),
  message: message.optional(),
  callback_query: z.looseObject({
    id: z.string(),
    from: user,
    data: z.string().optional(),
    // An old message arrives as InaccessibleMessage: still chat and message_id.
    message: z.looseObject({ message_id: z.number().int(), chat }).optional(),
  }).optional(),
  my_chat_member: z.looseObject({
    chat,
    from: user,
    new_chat_member: z.looseObject({ status: z.string() }),
  }).optional(),
});
export type TelegramUpdate = z.infer<typeof telegramUpdate>;

/** The update types the bot asks Telegram for (getUpdates and setWebhook). */
export const ALLOWED_UPDATES = ['message', 'callback_query', 'my_chat_member'] as const;

/** A document to fetch with getFile before the message goes to the router. */
export interface DocumentRef {
  fileId: string;
  name: string;
  mimeType: string;
  size: number | undefined;
}

export type ParsedUpdate =
  | { type: 'message'; msg: IncomingMessage; document?: DocumentRef }
  | { type: 'button'; msg: IncomingMessage; callbackQueryId: string }
  /** A press we cannot route (no message, no data); it still needs an answer to stop the spinner. */
  | { type: 'unroutable-button'; callbackQueryId: string }
  /** The user blocked (false) or restarted (true) the bot in their private chat. */
  | { type: 'reachability'; userId: string; reachable: boolean }
  | { type: 'ignored' };

export interface ParseContext {
  /** Our bot's username, to tell `/cmd@us` from `/cmd@someone_else` in groups. */
  botUsername: string;
  /** Command names the router knows: `/start NAME` from a deep link becomes `/NAME`. */
  isCommand: (name: string) => boolean;
  now: Date;
}

const COMMAND = /^\/([A-Za-z0-9_]{1,32})(?:@([A-Za-z0-9_]{3,64}))?(?=\s|$)/;

/** See the file comment. `raw` is an update as Telegram sent it. */
export function parseUpdate(raw: unknown, ctx: ParseContext): ParsedUpdate {
  const parsed = telegramUpdate.safeParse(raw);
  if (!parsed.success) return { type: 'ignored' };
  const update = parsed.data;
  const id = String(update.update_id);

  if (update.my_chat_member) {
    const m = update.my_chat_member;
    if (m.chat.type !== 'private') return { type: 'ignored' };
    const status = m.new_chat_member.status;
    if (status === 'kicked') return { type: 'reachability', userId: String(m.from.id), reachable: false };
    if (status === 'member') return { type: 'reachability', userId: String(m.from.id), reachable: true };
    return { type: 'ignored' };
  }

  if (update.callback_query) {
    const q = update.callback_query;
    const where = q.message && chatRef(q.message.chat);
    if (!where || q.data === undefined || q.from.is_bot) return { type: 'unroutable-button', callbackQueryId: q.id };
    return {
      type: 'button',
      callbackQueryId: q.id,
      msg: { ...sender(id, where, q.from, ctx.now), text: '', buttonData: q.data, buttonMessageId: String(q.message!.message_id) },
    };
  }

  const m = update.message;
  const where = m && chatRef(m.chat);
  if (!m || !where || !m.from || m.from.is_bot) return { type: 'ignored' };
  const base = sender(id, where, m.from, ctx.now);
  if (m.document) {
    const d = m.document;
    return {
      type: 'message',
      msg: { ...base, text: m.caption ?? '' },
      document: { fileId: d.file_id, name: d.file_name ?? 'file', mimeType: d.mime_type ?? 'application/octet-stream', size: d.file_size },
    };
  }
  if (m.text === undefined) return { type: 'ignored' };
  const text = commandText(m.text, where, ctx);
  return text === undefined ? { type: 'ignored' } : { type: 'message', msg: { ...base, text } };
}

/**
 * The text as the router should read it: `/cmd@ourbot args` loses its `@ourbot`, a command for
 * another bot is dropped (undefined), and a private `/start NAME` deep link becomes `/NAME`.
 */
function commandText(text: string, where: ChatRef, ctx: ParseContext): string | undefined {
  const command = COMMAND.exec(text);
  if (!command) return text;
  const [whole, name, addressee] = command;
  if (addressee && addressee.toLowerCase() !== ctx.botUsername.toLowerCase()) return undefined;
  const rest = text.slice(whole.length);
  if (where.kind === 'private' && name!.toLowerCase() === 'start') {
    const param = rest.trim();
    if (/^[a-z_]{1,32}$/.test(param) && param !== 'start' && ctx.isCommand(param)) return `/${param}`;
  }
  return `/${name}${rest}`;
}

function chatRef(c: { id: number; type: string }): ChatRef | undefined {
  if (c.type === 'private') return { platform: 'telegram', chatId: String(c.id), kind: 'private' };
  if (c.type === 'group' || c.type === 'supergroup') return { platform: 'telegram', chatId: String(c.id), kind: 'group' };
  return undefined;
}

function sender(
  id: string,
  where: ChatRef,
  from: z.infer<typeof user>,
  now: Date,
): Omit<IncomingMessage, 'text'> {
  const name = [from.first_name, from.last_name].filter(Boolean).join(' ');
  return {
    id,
    chat: where,
    senderId: String(from.id),
    ...(name && { senderName: name }),
    ...(from.language_code && { senderLanguage: from.language_code }),
    receivedAt: now,
  };
}

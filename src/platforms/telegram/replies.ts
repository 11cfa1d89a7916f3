/**
 * Puts the router's replies to one incoming Telegram message into the chat: edits the pressed
 * message, sends the answers (a deep-link button when a personal action must move to the private
 * chat), waits out 429s, and marks a member who blocked the bot as unreachable.
 *
 * Replies take the fast path and skip the outbox: the member is waiting in the chat. A reply is
 * never resent after an `uncertain` failure (Telegram has no idempotency key).
 */
import { DeliveryError } from '../../core/delivery-errors.js';
import { localeFromHint, t, type Locale } from '../../core/i18n.js';
import type { IncomingMessage, OutgoingMessage } from '../../core/messages.js';
import type { Logger } from '../../core/logger.js';
import type { Db } from '../../store/db.js';
import type { Reply } from '../../router/types.js';
import type { TelegramMessenger } from './messenger.js';
import { memberOfTelegramUser, setTelegramReachability } from './members.js';
import { errorText } from './delivery-failure.js';

export interface ReplyContext {
  db: Db;
  logger: Logger;
  messenger: TelegramMessenger;
  botUsername: string;
  defaultLocale: Locale;
  now: () => Date;
}

/** Longest single wait for a 429 on a reply; a longer retry_after gives the reply up. */
const MAX_SINGLE_WAIT_MS = 30_000;
/** Most one reply waits out 429s in total; Telegram's storms pass well within it. */
const MAX_TOTAL_WAIT_MS = 60_000;
const NOT_SENT_TRIES = 3;
const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
/** Deep-link start parameters Telegram accepts. */
const START_PARAM = /^[A-Za-z0-9_-]{1,64}$/;

/** The `t.me` link that opens the private chat with the bot and sends `/start param`. */
export function deepLink(botUsername: string, param: string): string {
  return `https://t.me/${botUsername}?start=${param}`;
}

/** Sends `replies` for `msg`; stops at the first reply the chat cannot take. Never throws. */
export async function deliverReplies(rc: ReplyContext, msg: IncomingMessage, replies: Reply[]): Promise<void> {
  const to = { chatId: msg.chat.chatId, kind: msg.chat.kind };
  for (const reply of replies) {
    if (reply.updatePressed && msg.buttonMessageId) {
      const pressed = msg.buttonMessageId;
      const update = reply.updatePressed;
      if (!(await attempt(rc, msg, 'edit', () => rc.messenger.edit(to, pressed, update)))) return;
    }
    if (reply.text.trim() === '' && !reply.file) continue;
    const outgoing = await withDeepLink(rc, msg, reply);
    if (!(await attempt(rc, msg, 'send', () => rc.messenger.send(to, outgoing)))) return;
  }
}

/**
 * In a group, a reply that says "continue privately" gets a url button opening the private chat
 * at the right command; in a private chat the text alone is right.
 */
async function withDeepLink(rc: ReplyContext, msg: IncomingMessage, reply: Reply): Promise<OutgoingMessage> {
  const { text, buttons, file } = reply;
  const out: OutgoingMessage = { text, ...(buttons && { buttons }), ...(file && { file }) };
  if (msg.chat.kind !== 'group' || !reply.privateStart || !START_PARAM.test(reply.privateStart)) return out;
  const member = await memberOfTelegramUser(rc.db, msg.senderId);
  const locale = member?.locale ?? localeFromHint(msg.senderLanguage) ?? rc.defaultLocale;
  const link = { label: t(locale, 'telegram.continuePrivately'), url: deepLink(rc.botUsername, reply.privateStart) };
  return { ...out, buttons: [...(buttons ?? []), [link]] };
}

/**
 * Runs one send or edit, waiting out 429s (as long as Telegram asks, up to a total budget) and
 * retrying refused connections a few times. Returns whether the chat can take more (false after
 * `unreachable`).
 */
async function attempt(rc: ReplyContext, msg: IncomingMessage, what: 'send' | 'edit', run: () => Promise<unknown>): Promise<boolean> {
  let waited = 0;
  let notSent = 0;
  for (;;) {
    try {
      await run();
      return true;
    } catch (err) {
      const failure = err instanceof DeliveryError ? err.failure : ({ kind: 'uncertain', reason: errorText(err) } as const);
      const log = { updateId: msg.id, chatId: msg.chat.chatId, what, kind: failure.kind };
      if (failure.kind === 'rate-limited' && failure.retryAfterMs <= MAX_SINGLE_WAIT_MS && waited + failure.retryAfterMs <= MAX_TOTAL_WAIT_MS) {
        waited += failure.retryAfterMs;
        await sleep(failure.retryAfterMs);
        continue;
      }
      if (failure.kind === 'not-sent' && ++notSent < NOT_SENT_TRIES) {
        await sleep(250 * notSent);
        continue;
      }
      if (failure.kind === 'unreachable') {
        rc.logger.info({ ...log, reason: failure.reason }, 'telegram chat unreachable');
        if (msg.chat.kind === 'private') await setTelegramReachability(rc.db, msg.senderId, rc.now()).catch((e: unknown) => rc.logger.warn({ ...log, err: errorText(e) }, 'could not mark member unreachable'));
        return false;
      }
      rc.logger.warn({ ...log, ...('reason' in failure ? { reason: failure.reason } : { retryAfterMs: failure.retryAfterMs }) }, 'telegram reply not delivered');
      return true;
    }
  }
}


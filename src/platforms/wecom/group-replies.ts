/**
 * Buttons in WeCom groups. The robot may push template cards to single chats only (developer
 * document path 101463, 主动推送消息), so a group gets the text with its buttons written out as
 * replies to @-mention the robot with ("@同心 收到"); a member's reply that is exactly such a
 * word counts as a press of that button. The words of the latest message win; they live in Redis
 * for a week, shared by every process that may hold the robot.
 *
 * A reply can only press buttons the robot itself offered in that group, and the press goes
 * through the router like any other, which checks who may do what.
 */
import type { Redis } from 'ioredis';
import type { Button, OutgoingMessage } from '../../core/messages.js';
import { t, type Locale } from '../../core/i18n.js';

const TTL_SECONDS = 7 * 24 * 3600;
/** Hash fields per group before old words are dropped (a group sees few buttoned messages). */
const MAX_WORDS = 200;

/** How a member's reply is compared with a button: case, width and spacing do not matter. */
export function replyWord(text: string): string {
  return text.normalize('NFKC').trim().replace(/\s+/gu, ' ').toLowerCase();
}

/** The buttons of a group message as reply words, and the message's text with them written out. */
export interface GroupLayout {
  text: string;
  words: Map<string, string>;
}

/** Lays a message with buttons out for a group: data buttons as reply words, links written out. */
export function groupLayout(message: OutgoingMessage, locale: Locale): GroupLayout {
  const buttons: Button[] = (message.buttons ?? []).flat();
  const words = new Map<string, string>();
  for (const b of buttons) if (b.data && !words.has(replyWord(b.label))) words.set(replyWord(b.label), b.data);
  const offered = buttons.filter((b) => b.data && words.get(replyWord(b.label)) === b.data).map((b) => `「${b.label.trim()}」`);
  const links = buttons.filter((b) => !b.data && b.url).map((b) => `${b.label}: ${b.url}`);
  const lines = [message.text.trim(), ...links];
  if (offered.length > 0) lines.push(t(locale, 'wecom.group.replyWith', { words: offered.join(' ') }));
  return { text: lines.filter(Boolean).join('\n'), words };
}

/** The reply words on offer in each group the robot wrote to. */
export class GroupReplyWords {
  constructor(
    private readonly redis: Redis,
    private readonly botId: string,
  ) {}

  private key(chatId: string): string {
    return `wecom:group-words:${this.botId}:${chatId}`;
  }

  /** Offers `words` (reply word → button data) in `chatId`, replacing the same words offered before. */
  async offer(chatId: string, words: Map<string, string>): Promise<void> {
    if (words.size === 0) return;
    const key = this.key(chatId);
    const tx = this.redis.multi();
    if ((await this.redis.hlen(key)) > MAX_WORDS) tx.del(key);
    await tx.hset(key, Object.fromEntries(words)).expire(key, TTL_SECONDS).exec();
  }

  /** The button data a member's reply in `chatId` presses, if it is one of the words on offer. */
  async pressed(chatId: string, text: string): Promise<string | undefined> {
    const word = replyWord(text);
    if (!word || word.startsWith('/')) return undefined;
    return (await this.redis.hget(this.key(chatId), word)) ?? undefined;
  }
}

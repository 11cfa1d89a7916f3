/**
 * The command menu Telegram shows next to the input field, set with setMyCommands.
 *
 * Telegram picks a menu by scope and by the user's two-letter language code. So:
 * - global menus (scope `default` for private chats, `all_group_chats` for groups — the latter
 *   without personal commands) in Simplified Chinese for language '' (everyone else) and 'zh',
 *   and in English for 'en'. Traditional Chinese cannot be targeted by language ('zh-hk',
 *   'zh-tw', 'zh-mo' all arrive as 'zh'), so:
 * - once a member is bound, their private chat gets its own menu (scope `chat`, no language) in
 *   the member's language and for their role — staff and admins see their commands there. A
 *   Traditional-Chinese member gets Traditional as soon as their locale is zh-Hant (from
 *   Telegram's language_code at first contact, or /lang).
 * Per-chat menus are set only when they change (a hash per chat in Redis), so this costs one
 * setMyCommands per member per change, not per message.
 */
import { createHash } from 'node:crypto';
import type { Redis } from 'ioredis';
import { t, type Locale } from '../../core/i18n.js';
import type { Logger } from '../../core/logger.js';
import { roleAllows, type Role } from '../../domain/members/members.js';
import type { Command } from '../../router/types.js';
import type { TelegramMessenger } from './messenger.js';
import { errorText } from './delivery-failure.js';

export interface MenuCommand {
  command: string;
  description: string;
}

/** Global menus: Telegram language code → our locale. '' is the fallback for every other language. */
export const GLOBAL_MENU_LANGUAGES: ReadonlyArray<{ languageCode: string; locale: Locale }> = [
  { languageCode: '', locale: 'zh-Hans' },
  { languageCode: 'zh', locale: 'zh-Hans' },
  { languageCode: 'en', locale: 'en' },
];

const MENU_KEY_TTL_SECONDS = 90 * 24 * 3600;

/** The menu entries for `role` in `locale`; groups leave out personal (privateOnly) commands. */
export function menuCommands(catalog: Command<unknown>[], role: Role | 'guest', locale: Locale, where: 'private' | 'group'): MenuCommand[] {
  return catalog
    .filter((c) => c.summaryKey && /^[a-z0-9_]{1,32}$/.test(c.name))
    .filter((c) => (c.role === 'guest' ? true : roleAllows(role === 'guest' ? undefined : role, c.role)))
    .filter((c) => where === 'private' || !c.privateOnly)
    .map((c) => ({ command: c.name, description: t(locale, c.summaryKey!).slice(0, 256) }))
    .filter((c) => c.description.trim() !== '');
}

/** Sets the global menus (idempotent; every process may do it at start). */
export async function publishGlobalMenus(messenger: TelegramMessenger, catalog: Command<unknown>[]): Promise<void> {
  for (const { languageCode, locale } of GLOBAL_MENU_LANGUAGES) {
    const language = languageCode ? { language_code: languageCode } : {};
    await messenger.call('setMyCommands', { commands: menuCommands(catalog, 'member', locale, 'private'), scope: { type: 'default' }, ...language });
    await messenger.call('setMyCommands', { commands: menuCommands(catalog, 'member', locale, 'group'), scope: { type: 'all_group_chats' }, ...language });
  }
}

/** Keeps each bound member's private-chat menu in their language and role. */
export class MemberMenus {
  constructor(
    private readonly redis: Redis,
    private readonly messenger: TelegramMessenger,
    private readonly catalog: Command<unknown>[],
    private readonly logger: Logger,
  ) {}

  /** Sets the menu of private chat `chatId` for this member when it differs from the last one set. */
  async sync(chatId: string, member: { role: Role; locale: Locale }): Promise<void> {
    const commands = menuCommands(this.catalog, member.role, member.locale, 'private');
    const hash = createHash('sha256').update(JSON.stringify(commands)).digest('hex').slice(0, 16);
    const key = `tgmenu:${chatId}`;
    if ((await this.redis.get(key)) === hash) return;
    try {
      await this.messenger.call('setMyCommands', { commands, scope: { type: 'chat', chat_id: Number(chatId) } });
      await this.redis.set(key, hash, 'EX', MENU_KEY_TTL_SECONDS);
    } catch (err) {
      this.logger.warn({ chatId, err: errorText(err) }, 'could not set the telegram menu for a chat');
    }
  }
}

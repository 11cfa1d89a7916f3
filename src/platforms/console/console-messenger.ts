import { eq } from 'drizzle-orm';
import type { DbOrTx } from '../../store/db.js';
import { members } from '../../store/schema/index.js';
import { t, type Locale } from '../../core/i18n.js';
import type { ChatRef, Messenger, OutgoingMessage, SendResult } from '../../core/messages.js';

export interface ConsoleMessengerOptions {
  db: DbOrTx;
  /** Where the console chat prints (stdout). */
  write: (line: string) => void;
  /** Language of the header for group chats. */
  defaultLocale: Locale;
}

/**
 * The console as a platform: what the delivery engine sends (reminders, digests, notices) is
 * printed in the terminal, headed by whom it is for, so a demo without Telegram or WeCom shows the
 * bot's own messages too. Console chat ids are 'console-<memberId>'; group messages carry their
 * chatKey instead.
 */
export class ConsoleMessenger implements Messenger {
  readonly platform = 'console' as const;
  private seq = 0;

  constructor(private readonly opts: ConsoleMessengerOptions) {}

  async send(to: Omit<ChatRef, 'platform'>, message: OutgoingMessage): Promise<SendResult> {
    this.opts.write(`${await this.header(to)}\n${render(message)}`);
    return { messageId: `console-${++this.seq}` };
  }

  async edit(to: Omit<ChatRef, 'platform'>, _messageId: string, message: OutgoingMessage): Promise<void> {
    this.opts.write(`${await this.header(to)}\n${render(message)}`);
  }

  private async header(to: Omit<ChatRef, 'platform'>): Promise<string> {
    const memberId = /^console-(\d+)$/.exec(to.chatId)?.[1];
    if (to.kind === 'private' && memberId) {
      const [m] = await this.opts.db.select({ name: members.name, locale: members.locale }).from(members).where(eq(members.id, Number(memberId)));
      if (m) return t(m.locale, 'delivery.consoleTo', { name: m.name });
    }
    return t(this.opts.defaultLocale, 'delivery.consoleToGroup', { chat: to.chatId });
  }
}

function render(message: OutgoingMessage): string {
  const lines = [message.text];
  if (message.file) lines.push(`📎 ${message.file.name} (${message.file.data.length} bytes)`);
  const buttons = (message.buttons ?? []).flat();
  if (buttons.length > 0) lines.push(buttons.map((b) => (b.url ? `[${b.label}: ${b.url}]` : `[${b.label}]`)).join(' '));
  return lines.join('\n');
}

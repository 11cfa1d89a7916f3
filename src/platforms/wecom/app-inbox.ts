/**
 * What the self-built app does with an opened callback: a member's text or card press becomes
 * an IncomingMessage for the router (in order per member), and the answers go back through
 * message/send. The HTTP answer has left already; nothing here may take WeCom's 5 seconds.
 */
import type { IncomingMessage } from '../../core/messages.js';
import { DeliveryError } from '../../core/delivery-errors.js';
import type { Logger } from '../../core/logger.js';
import type { Reply } from '../../router/types.js';
import type { CallbackMessage } from './callback-security.js';
import type { WecomAppApi } from './app-api.js';
import { hasButtons } from './cards.js';
import { KeyedSerial } from './serial.js';

export interface AppInboxOptions {
  handle(msg: IncomingMessage): Promise<Reply[]>;
  api: WecomAppApi;
  logger: Logger;
}

/** Accepts opened callbacks; `idle()` waits until all accepted ones are handled. */
export class AppInbox {
  private readonly serial: KeyedSerial;

  constructor(private readonly options: AppInboxOptions) {
    this.serial = new KeyedSerial((err) => this.options.logger.error({ err: err instanceof Error ? err.message : String(err) }, 'wecom app: handling failed'));
  }

  accept(message: CallbackMessage): void {
    const incoming = toIncoming(message);
    if (!incoming) return;
    this.serial.run(message.FromUserName, () => this.handle(message, incoming));
  }

  idle(): Promise<void> {
    return this.serial.idle();
  }

  private async handle(message: CallbackMessage, incoming: IncomingMessage): Promise<void> {
    const { api, logger } = this.options;
    const replies = await this.options.handle(incoming);
    const userId = message.FromUserName;
    const update = replies.find((r) => r.updatePressed)?.updatePressed;
    if (update && message.ResponseCode && message.TaskId && message.EventKey) {
      await api
        .updatePressedCard({ responseCode: message.ResponseCode, taskId: message.TaskId, userId, key: message.EventKey }, update)
        .catch((err: unknown) => this.logFailure(incoming.id, err, 'card update'));
    }
    for (const reply of replies) {
      if (!reply.text.trim() && !hasButtons(reply) && !reply.file) continue;
      // A reply is sent once and never retried: it needs no duplicate check, and must not be
      // dropped as the repeat of an earlier answer with the same text.
      await api.sendToMember(userId, reply, { duplicateCheck: false }).catch((err: unknown) => this.logFailure(incoming.id, err, 'reply'));
    }
    logger.debug({ msgId: incoming.id, replies: replies.length }, 'wecom app: message handled');
  }

  private logFailure(msgId: string, err: unknown, what: string): void {
    const failure = err instanceof DeliveryError ? err.failure : undefined;
    this.options.logger.warn({ msgId, failure: failure?.kind ?? 'error', detail: failure && 'reason' in failure ? failure.reason : undefined }, `wecom app: ${what} not delivered`);
  }
}

/**
 * The IncomingMessage for a callback, or undefined for what the bot does not act on (pictures,
 * location reports, menu views, entering the app). A text's MsgId is its id (the router drops
 * repeats); a card press is known by its one-time ResponseCode.
 */
export function toIncoming(message: CallbackMessage): IncomingMessage | undefined {
  const userId = message.FromUserName;
  const base = { chat: { platform: 'wecom' as const, kind: 'private' as const, chatId: userId }, senderId: userId, receivedAt: new Date() };
  if (message.MsgType === 'text' && message.MsgId) {
    return { ...base, id: message.MsgId, text: message.Content ?? '' };
  }
  if (message.MsgType === 'event' && message.Event === 'template_card_event' && message.EventKey) {
    const id = message.ResponseCode ?? `${userId}:${message.CreateTime ?? ''}:${message.TaskId ?? ''}:${message.EventKey}`;
    return { ...base, id: `card:${id}`, text: '', buttonData: message.EventKey, buttonMessageId: message.TaskId };
  }
  return undefined;
}

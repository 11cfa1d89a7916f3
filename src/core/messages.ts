/**
 * Platform-neutral messages: what every platform adapter turns its updates into, and what the
 * router and the delivery engine hand back to a Messenger. Nothing here knows Telegram or WeCom.
 */

export type Platform = 'telegram' | 'wecom' | 'console';

/** Where a message came from or goes to. `chatId` is the platform's own id for the chat. */
export interface ChatRef {
  platform: Platform;
  chatId: string;
  kind: 'private' | 'group';
}

/** A file attached to an incoming message (staff imports) or sent back (exports, calendars). */
export interface FileAttachment {
  name: string;
  mimeType: string;
  data: Buffer;
}

/**
 * One thing a person did in a chat: a command or plain text, or a button press.
 * `id` is unique per platform and is what duplicates are recognised by.
 */
export interface IncomingMessage {
  id: string;
  chat: ChatRef;
  /** The platform's id for the sender (Telegram user id, WeCom userid, console member id). */
  senderId: string;
  senderName?: string;
  /** The platform's idea of the sender's language (e.g. Telegram's language_code), if any. */
  senderLanguage?: string;
  /** Text as typed, for commands and dialogue answers. Empty for a bare button press. */
  text: string;
  /** Data of the pressed button (≤ 64 bytes), when this is a button press. */
  buttonData?: string;
  /** The message carrying the pressed button, so its buttons can be updated. */
  buttonMessageId?: string;
  file?: FileAttachment;
  receivedAt: Date;
}

/** A button under a message. `data` is at most 64 bytes; `url` buttons open a link instead. */
export interface Button {
  label: string;
  data?: string;
  url?: string;
}

/** What the bot says: text, optional rows of buttons, optional file. */
export interface OutgoingMessage {
  text: string;
  buttons?: Button[][];
  file?: FileAttachment;
}

/** The result of a send, as far as the platform told us. */
export interface SendResult {
  /** The platform's id of the message it created. */
  messageId: string;
}

/**
 * Sends to one platform. Implemented in src/platforms/<p>. Errors are thrown as
 * `DeliveryError` (see core/delivery-errors.ts) so the delivery engine can decide what to do.
 */
export interface Messenger {
  readonly platform: Platform;
  /**
   * The platform drops an identical repeat sent within this many ms, so an uncertain send may be
   * retried within that time. Undefined: no such guarantee (never resend an uncertain send).
   */
  readonly duplicateCheckMs?: number;
  /** Sends to a member's private chat (`kind: 'private'`, chatId = the member's platform chat/user id) or a group. */
  send(to: Omit<ChatRef, 'platform'>, message: OutgoingMessage): Promise<SendResult>;
  /** Replaces the text and buttons of a message the bot sent earlier. */
  edit(to: Omit<ChatRef, 'platform'>, messageId: string, message: OutgoingMessage): Promise<void>;
}

/**
 * Simulated users for the Telegram Bot API fake (see telegram-fake.ts): builds the updates Telegram
 * would send when someone types, presses a button or sends a file, and queues them.
 */
import type { FakeChats } from './telegram-fake-methods.js';
import type { FakeUpdate, UpdateFeed } from './telegram-fake-updates.js';

export type ChatType = 'private' | 'group' | 'supergroup';

/** Who is acting, and where. `chatId` defaults to `userId` (a private chat). */
export interface UserRef {
  userId: number;
  chatId?: number;
  /** Defaults to 'private' when chatId is userId, else 'supergroup'. */
  chatType?: ChatType;
  languageCode?: string;
  username?: string;
  firstName?: string;
}

export interface UserText extends UserRef {
  text: string;
}

export interface UserButton extends UserRef {
  chatId: number;
  messageId: number;
  data: string;
}

export interface UserDocument extends UserRef {
  fileName: string;
  mimeType: string;
  data: Buffer;
  caption?: string;
}

type Json = Record<string, unknown>;

const COMMAND = /^\/[A-Za-z0-9_]{1,32}(?:@[A-Za-z0-9_]{3,32})?/;

export class FakeUsers {
  private callbackCounter = 0;

  constructor(private readonly chats: FakeChats, private readonly feed: UpdateFeed) {}

  sendsText(o: UserText): FakeUpdate {
    const command = COMMAND.exec(o.text)?.[0];
    const entities = command ? [{ type: 'bot_command', offset: 0, length: command.length }] : undefined;
    const message = this.chats.addMessage(this.enterChat(o), { from: this.from(o), text: o.text, ...(entities && { entities }) }, false);
    return this.feed.push({ message });
  }

  pressesButton(o: UserButton): FakeUpdate {
    const chatId = this.enterChat(o);
    const id = `${Date.now()}${++this.callbackCounter}`;
    this.chats.openCallbackQuery(id);
    const message = this.chats.message(chatId, o.messageId)
      ?? { message_id: o.messageId, date: Math.floor(Date.now() / 1000), chat: this.chats.chat(chatId), from: this.chats.botUser };
    return this.feed.push({
      callback_query: { id, from: this.from(o), message, chat_instance: `ci${chatId}`, data: o.data },
    });
  }

  sendsDocument(o: UserDocument): FakeUpdate {
    const chatId = this.enterChat(o);
    const file = this.chats.storeFile(o.fileName, o.mimeType, o.data);
    const document = { file_id: file.fileId, file_unique_id: `u${file.fileId}`, file_name: o.fileName, mime_type: o.mimeType, file_size: o.data.length };
    const message = this.chats.addMessage(chatId, { from: this.from(o), document, ...(o.caption && { caption: o.caption }) }, false);
    return this.feed.push({ message });
  }

  private from(o: UserRef): Json {
    return {
      id: o.userId, is_bot: false, first_name: o.firstName ?? `User${o.userId}`,
      ...(o.username && { username: o.username }), ...(o.languageCode && { language_code: o.languageCode }),
    };
  }

  /** Registers the chat as Telegram would describe it, and returns its id. */
  private enterChat(o: UserRef): string {
    const chatId = o.chatId ?? o.userId;
    const type = o.chatType ?? (chatId === o.userId ? 'private' : 'supergroup');
    this.chats.registerChat(type === 'private'
      ? { id: chatId, type, first_name: o.firstName ?? `User${o.userId}`, ...(o.username && { username: o.username }) }
      : { id: chatId, type, title: `Group ${chatId}` });
    return String(chatId);
  }
}

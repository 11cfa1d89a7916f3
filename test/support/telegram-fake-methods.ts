/**
 * The chat side of the Telegram Bot API fake (see telegram-fake.ts): chats, messages, files,
 * callback queries and commands, and the Bot API methods that act on them, validated the way
 * Telegram validates them.
 */
import { badRequest, boolParam, intParam, isUploadedFile, jsonParam, stringParam, ApiError, type Params } from './telegram-fake-http.js';

/** One message-level thing the bot did, in the order the fake applied it. */
export interface SentRecord {
  method: string;
  chatId: string;
  /** Message text, or the caption of a document; undefined for editMessageReplyMarkup. */
  text: string | undefined;
  entities: unknown[] | undefined;
  /** Recorded, not interpreted: text with parse_mode is checked and stored as sent. */
  parseMode: string | undefined;
  replyMarkup: unknown;
  messageId: number;
  document?: { filename: string; mimeType: string; data: Buffer };
  at: number;
}

export interface CallbackAnswer {
  callbackQueryId: string;
  text: string | undefined;
  showAlert: boolean;
  at: number;
}

export interface BotCommand {
  command: string;
  description: string;
}

export interface StoredFile {
  fileId: string;
  path: string;
  name: string;
  mimeType: string;
  data: Buffer;
}

type Json = Record<string, unknown>;
interface StoredMessage { message: Json; fromBot: boolean }

/** Checks a send may reach the chat (blocked, unknown, flood limits); throws the Telegram error. */
export type Gate = (method: string, chatId: string) => void;

const NOT_MODIFIED = 'message is not modified: specified new message content and reply markup are exactly the same as a current content and reply markup of the message';
const CHAT_ACTIONS = new Set(['typing', 'upload_photo', 'record_video', 'upload_video', 'record_voice', 'upload_voice',
  'upload_document', 'choose_sticker', 'find_location', 'record_video_note', 'upload_video_note']);

export class FakeChats {
  readonly sent: SentRecord[] = [];
  readonly callbackAnswers: CallbackAnswer[] = [];
  readonly chatActions: Array<{ chatId: string; action: string; at: number }> = [];
  /** Commands per `scopeKey(scope, language_code)`. */
  readonly commands = new Map<string, BotCommand[]>();
  readonly files = new Map<string, StoredFile>();
  private readonly chats = new Map<string, Json>();
  private readonly messages = new Map<string, Map<number, StoredMessage>>();
  private readonly lastMessageId = new Map<string, number>();
  private readonly openCallbackQueries = new Set<string>();
  private fileCounter = 0;

  constructor(readonly botUser: Json, private readonly gate: Gate) {}

  registerChat(chat: Json): void {
    this.chats.set(String(chat.id), chat);
  }

  chat(chatId: string): Json {
    return this.chats.get(chatId) ?? { id: Number(chatId), type: Number(chatId) > 0 ? 'private' : 'supergroup' };
  }

  /** Stores a message in a chat under the chat's next message_id. */
  addMessage(chatId: string, fields: Json, fromBot: boolean): Json {
    const id = (this.lastMessageId.get(chatId) ?? 0) + 1;
    this.lastMessageId.set(chatId, id);
    const message: Json = { message_id: id, date: Math.floor(Date.now() / 1000), chat: this.chat(chatId), ...fields };
    let inChat = this.messages.get(chatId);
    if (!inChat) this.messages.set(chatId, (inChat = new Map()));
    inChat.set(id, { message, fromBot });
    return message;
  }

  message(chatId: string, messageId: number): Json | undefined {
    return this.messages.get(chatId)?.get(messageId)?.message;
  }

  openCallbackQuery(id: string): void {
    this.openCallbackQueries.add(id);
  }

  storeFile(name: string, mimeType: string, data: Buffer): StoredFile {
    const n = ++this.fileCounter;
    const file = { fileId: `BQACAgFake${n}`, path: `documents/file_${n}${extension(name)}`, name, mimeType, data };
    this.files.set(file.fileId, file);
    return file;
  }

  sendMessage(p: Params): Json {
    const chatId = chatIdParam(p);
    const text = checkText(stringParam(p.text) ?? '', 4096, 'message text is empty', 'message is too long');
    const entities = checkEntities(p.entities, text);
    const replyMarkup = checkMarkup(p.reply_markup);
    this.gate('sendMessage', chatId);
    const message = this.addMessage(chatId, { from: this.botUser, text, ...(entities && { entities }), ...(replyMarkup !== undefined && { reply_markup: replyMarkup }) }, true);
    this.record('sendMessage', chatId, text, entities, p, replyMarkup, message);
    return message;
  }

  editMessageText(p: Params): Json {
    const { chatId, stored } = this.editable(p);
    const text = checkText(stringParam(p.text) ?? '', 4096, 'message text is empty', 'message is too long');
    const entities = checkEntities(p.entities, text);
    const replyMarkup = checkMarkup(p.reply_markup);
    const m = stored.message;
    if (m.text === text && same(m.entities, entities) && same(m.reply_markup, replyMarkup)) throw badRequest(NOT_MODIFIED);
    this.gate('editMessageText', chatId);
    // Telegram drops the inline keyboard when editMessageText comes without reply_markup.
    stored.message = { ...m, text, entities, reply_markup: replyMarkup, edit_date: Math.floor(Date.now() / 1000) };
    this.record('editMessageText', chatId, text, entities, p, replyMarkup, stored.message);
    return stored.message;
  }

  editMessageReplyMarkup(p: Params): Json {
    const { chatId, stored } = this.editable(p);
    const replyMarkup = checkMarkup(p.reply_markup);
    if (same(stored.message.reply_markup, replyMarkup)) throw badRequest(NOT_MODIFIED);
    this.gate('editMessageReplyMarkup', chatId);
    stored.message = { ...stored.message, reply_markup: replyMarkup, edit_date: Math.floor(Date.now() / 1000) };
    this.record('editMessageReplyMarkup', chatId, undefined, undefined, p, replyMarkup, stored.message);
    return stored.message;
  }

  sendDocument(p: Params): Json {
    const chatId = chatIdParam(p);
    const caption = stringParam(p.caption) ?? '';
    if (caption.length > 1024) throw badRequest('message caption is too long');
    const entities = checkEntities(p.caption_entities, caption);
    const replyMarkup = checkMarkup(p.reply_markup);
    let file: StoredFile;
    if (isUploadedFile(p.document)) {
      if (p.document.data.length === 0) throw badRequest('file must be non-empty');
      if (p.document.data.length > 50 * 1024 * 1024) throw new ApiError(413, 'Request Entity Too Large');
      file = this.storeFile(p.document.filename, p.document.contentType ?? mimeFor(p.document.filename), p.document.data);
    } else {
      const known = this.files.get(stringParam(p.document) ?? '');
      if (!known) throw badRequest('wrong file identifier/HTTP URL specified');
      file = known;
    }
    this.gate('sendDocument', chatId);
    const document = { file_id: file.fileId, file_unique_id: `u${file.fileId}`, file_name: file.name, mime_type: file.mimeType, file_size: file.data.length };
    const message = this.addMessage(chatId, {
      from: this.botUser, document, ...(caption && { caption }), ...(entities && { caption_entities: entities }),
      ...(replyMarkup !== undefined && { reply_markup: replyMarkup }),
    }, true);
    this.record('sendDocument', chatId, caption, entities, p, replyMarkup, message, { filename: file.name, mimeType: file.mimeType, data: file.data });
    return message;
  }

  answerCallbackQuery(p: Params): true {
    const id = stringParam(p.callback_query_id) ?? '';
    if (!this.openCallbackQueries.delete(id)) throw badRequest('query is too old and response timeout expired or query ID is invalid');
    this.callbackAnswers.push({ callbackQueryId: id, text: stringParam(p.text), showAlert: boolParam(p.show_alert), at: Date.now() });
    return true;
  }

  sendChatAction(p: Params): true {
    const chatId = chatIdParam(p);
    const action = stringParam(p.action) ?? '';
    if (!CHAT_ACTIONS.has(action)) throw badRequest('wrong parameter action in request');
    this.gate('sendChatAction', chatId);
    this.chatActions.push({ chatId, action, at: Date.now() });
    return true;
  }

  getFile(p: Params): Json {
    const file = this.files.get(stringParam(p.file_id) ?? '');
    if (!file) throw badRequest('invalid file_id');
    if (file.data.length > 20 * 1024 * 1024) throw badRequest('file is too big');
    return { file_id: file.fileId, file_unique_id: `u${file.fileId}`, file_size: file.data.length, file_path: file.path };
  }

  setMyCommands(p: Params): true {
    const commands = jsonParam(p.commands, 'commands');
    if (!Array.isArray(commands) || commands.length > 100) throw badRequest('commands must be an array of at most 100 BotCommand');
    for (const c of commands as BotCommand[]) {
      if (typeof c?.command !== 'string' || !/^[a-z0-9_]{1,32}$/.test(c.command)) throw badRequest('BOT_COMMAND_INVALID');
      if (typeof c.description !== 'string' || c.description.length < 1 || c.description.length > 256) throw badRequest('command description is invalid');
    }
    this.commands.set(scopeKey(jsonParam(p.scope, 'scope'), stringParam(p.language_code)), commands as BotCommand[]);
    return true;
  }

  getMyCommands(p: Params): BotCommand[] {
    return this.commands.get(scopeKey(jsonParam(p.scope, 'scope'), stringParam(p.language_code))) ?? [];
  }

  deleteMyCommands(p: Params): true {
    this.commands.delete(scopeKey(jsonParam(p.scope, 'scope'), stringParam(p.language_code)));
    return true;
  }

  private editable(p: Params): { chatId: string; stored: StoredMessage } {
    if (p.inline_message_id !== undefined) throw badRequest('inline messages are not supported by this fake');
    const chatId = chatIdParam(p);
    const messageId = intParam(p.message_id, 'message_id');
    const stored = messageId === undefined ? undefined : this.messages.get(chatId)?.get(messageId);
    if (!stored) throw badRequest('message to edit not found');
    if (!stored.fromBot) throw badRequest("message can't be edited");
    return { chatId, stored };
  }

  private record(method: string, chatId: string, text: string | undefined, entities: unknown[] | undefined, p: Params,
    replyMarkup: unknown, message: Json, document?: SentRecord['document']): void {
    this.sent.push({
      method, chatId, text, entities, parseMode: stringParam(p.parse_mode), replyMarkup,
      messageId: message.message_id as number, ...(document && { document }), at: Date.now(),
    });
  }
}

/** Key of `commands`: scope type, its chat_id / user_id, and the language, e.g. `chat:-100:|zh`. */
export function scopeKey(scope: unknown, languageCode: string | undefined): string {
  const s = (scope ?? { type: 'default' }) as { type?: string; chat_id?: unknown; user_id?: unknown };
  const parts = [s.type ?? 'default', ...(s.chat_id === undefined ? [] : [String(s.chat_id)]), ...(s.user_id === undefined ? [] : [String(s.user_id)])];
  return `${parts.join(':')}|${languageCode ?? ''}`;
}

function chatIdParam(p: Params): string {
  if (p.chat_id === undefined || p.chat_id === '') throw badRequest('chat_id is empty');
  const id = Number(p.chat_id);
  if (!Number.isInteger(id) || id === 0) throw badRequest('chat not found');
  return String(id);
}

function checkText(text: string, max: number, empty: string, tooLong: string): string {
  if (text.trim() === '') throw badRequest(empty);
  if (text.length > max) throw badRequest(tooLong);
  return text;
}

function checkEntities(value: unknown, text: string): unknown[] | undefined {
  const entities = jsonParam(value, 'entities');
  if (entities === undefined || entities === null) return undefined;
  if (!Array.isArray(entities)) throw badRequest("can't parse entities");
  for (const e of entities as Array<{ type?: unknown; offset?: unknown; length?: unknown }>) {
    const { offset, length } = e ?? {};
    if (typeof e?.type !== 'string' || !Number.isInteger(offset) || !Number.isInteger(length)
      || (offset as number) < 0 || (length as number) <= 0 || (offset as number) + (length as number) > text.length) {
      throw badRequest("can't parse entities");
    }
  }
  return entities as unknown[];
}

function checkMarkup(value: unknown): unknown {
  const markup = jsonParam(value, 'reply_markup') as { inline_keyboard?: unknown } | undefined;
  if (!markup || markup.inline_keyboard === undefined) return markup ?? undefined;
  if (!Array.isArray(markup.inline_keyboard)) throw badRequest("can't parse inline keyboard");
  for (const row of markup.inline_keyboard as unknown[]) {
    if (!Array.isArray(row)) throw badRequest('field "inline_keyboard" of the InlineKeyboardMarkup should be an Array of Arrays');
    for (const b of row as Array<{ text?: unknown; callback_data?: unknown; url?: unknown }>) {
      if (typeof b?.text !== 'string' || b.text === '') throw badRequest('text must be non-empty');
      if (typeof b.callback_data === 'string') {
        if (Buffer.byteLength(b.callback_data, 'utf8') > 64 || b.callback_data === '') throw badRequest('BUTTON_DATA_INVALID');
      } else if (typeof b.url !== 'string') {
        throw badRequest("can't parse inline keyboard button: Text buttons are unallowed in the inline keyboard");
      }
    }
  }
  return markup;
}

function same(a: unknown, b: unknown): boolean {
  return JSON.stringify(a ?? null) === JSON.stringify(b ?? null);
}

function extension(name: string): string {
  const dot = name.lastIndexOf('.');
  return dot > 0 ? name.slice(dot) : '';
}

function mimeFor(name: string): string {
  const types: Record<string, string> = {
    '.csv': 'text/csv', '.txt': 'text/plain', '.ics': 'text/calendar', '.pdf': 'application/pdf', '.json': 'application/json',
    '.xlsx': 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  };
  return types[extension(name).toLowerCase()] ?? 'application/octet-stream';
}

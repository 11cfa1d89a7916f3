/**
 * The Telegram Messenger: sends and edits platform-neutral messages through the Bot API with
 * telegraf's `Telegram` client, and turns every failure into a DeliveryError.
 *
 * Text is sent as a telegraf `fmt` FmtString (text + entities), never with parse_mode, so whatever a
 * member typed (names, notes) is shown literally. Long text is split with splitForTelegram; buttons
 * go on the last part. telegraf's own request timeout is 500 s, so every call carries our signal.
 */
import { Input, Markup, Telegram } from 'telegraf';
import { fmt, type FmtString } from 'telegraf/format';
import type { InlineKeyboardMarkup, Message } from 'telegraf/types';
import { DeliveryError, type DeliveryFailure } from '../../core/delivery-errors.js';
import type { Button, ChatRef, Messenger, OutgoingMessage, SendResult } from '../../core/messages.js';
import { deliveryFailureOf, isNotModified, toDeliveryError } from './delivery-failure.js';
import { splitForTelegram } from './split-text.js';

export interface TelegramMessengerOptions {
  token: string;
  /** Bot API root, e.g. a local fake in tests; Telegram's own when unset. */
  apiRoot?: string;
  /** How long one Bot API call may take before it counts as `uncertain` (documents get 4×). */
  timeoutMs?: number;
}

type Target = Omit<ChatRef, 'platform'>;
type TelegrafSignal = NonNullable<Parameters<Telegram['callApi']>[2]>['signal'];
type Method = Parameters<Telegram['callApi']>[0];

/** A caption may hold 1024 UTF-16 units; longer text goes in messages before the document. */
const CAPTION_LIMIT = 1024;
/** Once the first part of a message is out, later parts are retried here rather than by the caller. */
const LATER_PART_MAX_WAIT_MS = 60_000;
const LATER_PART_NOT_SENT_TRIES = 3;

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Builds the inline keyboard for our buttons: callback buttons carry data, url buttons a link. */
export function inlineKeyboard(buttons: Button[][] | undefined): InlineKeyboardMarkup | undefined {
  const rows = (buttons ?? []).filter((row) => row.length > 0);
  if (rows.length === 0) return undefined;
  return Markup.inlineKeyboard(
    rows.map((row) => row.map((b) => (b.url !== undefined ? Markup.button.url(b.label, b.url) : Markup.button.callback(b.label, b.data ?? '')))),
  ).reply_markup;
}

/** Plain text as a FmtString: literal text, no parse_mode, entities only where fmt adds them. */
function formatted(text: string): { text: string; entities?: FmtString['entities'] } {
  const f = fmt`${text}`;
  return f.entities?.length ? { text: f.text, entities: f.entities } : { text: f.text };
}

interface Part {
  method: 'sendMessage' | 'sendDocument';
  payload: Record<string, unknown>;
}

/** See the file comment. Use `createTelegramMessenger`, or share a bot's client with `new TelegramMessenger(bot.telegram)`. */
export class TelegramMessenger implements Messenger {
  readonly platform = 'telegram' as const;

  constructor(
    readonly telegram: Telegram,
    private readonly timeoutMs = 15_000,
  ) {}

  /**
   * Calls a Bot API method with our time limit. Rejects with DeliveryError only, so callers can
   * act on `failure.kind`.
   */
  async call<T = unknown>(method: Method, payload: Record<string, unknown>, timeoutMs = this.timeoutMs): Promise<T> {
    try {
      const signal = AbortSignal.timeout(timeoutMs) as unknown as TelegrafSignal;
      return (await this.telegram.callApi(method, payload as never, { signal })) as T;
    } catch (err) {
      throw toDeliveryError(err);
    }
  }

  async send(to: Target, message: OutgoingMessage): Promise<SendResult> {
    const parts = this.plan(to, message);
    if (parts.length === 0) throw new DeliveryError({ kind: 'rejected', reason: 'nothing to send: empty text and no file' });
    let last: Message | undefined;
    for (let i = 0; i < parts.length; i++) {
      const part = parts[i]!;
      const timeout = part.method === 'sendDocument' ? this.timeoutMs * 4 : this.timeoutMs;
      last = i === 0 ? await this.call<Message>(part.method, part.payload, timeout) : await this.sendLaterPart(part, timeout, i, parts.length);
    }
    return { messageId: String(last!.message_id) };
  }

  async edit(to: Target, messageId: string, message: OutgoingMessage): Promise<void> {
    const markup = inlineKeyboard(message.buttons);
    const base = { chat_id: to.chatId, message_id: Number(messageId) };
    if (message.text.length > 4096) throw new DeliveryError({ kind: 'rejected', reason: 'edited text is over 4096 UTF-16 units' });
    try {
      if (message.text.trim() === '') {
        await this.telegram.callApi('editMessageReplyMarkup', { ...base, reply_markup: markup } as never, { signal: this.signal() });
      } else {
        // Without reply_markup Telegram removes the keyboard, which is what "no buttons" means.
        await this.telegram.callApi('editMessageText', { ...base, ...formatted(message.text), ...(markup && { reply_markup: markup }) } as never, { signal: this.signal() });
      }
    } catch (err) {
      // A repeated edit (e.g. after an uncertain first try) finds the message already right.
      if (isNotModified(err)) return;
      throw toDeliveryError(err);
    }
  }

  private signal(): TelegrafSignal {
    return AbortSignal.timeout(this.timeoutMs) as unknown as TelegrafSignal;
  }

  /** The Bot API calls for one message: text parts, then the document; buttons on the last. */
  private plan(to: Target, message: OutgoingMessage): Part[] {
    const markup = inlineKeyboard(message.buttons);
    const chunks = splitForTelegram(message.text).filter((c) => c.trim() !== '');
    const chat = { chat_id: to.chatId };
    const parts: Part[] = [];
    const file = message.file;
    const caption = file && chunks.length === 1 && chunks[0]!.length <= CAPTION_LIMIT ? chunks.pop() : undefined;
    for (const chunk of chunks) parts.push({ method: 'sendMessage', payload: { ...chat, ...formatted(chunk) } });
    if (file) {
      const f = caption === undefined ? undefined : formatted(caption);
      parts.push({
        method: 'sendDocument',
        payload: { ...chat, document: Input.fromBuffer(file.data, file.name), ...(f && { caption: f.text, ...(f.entities && { caption_entities: f.entities }) }) },
      });
    }
    if (markup && parts.length > 0) parts[parts.length - 1]!.payload.reply_markup = markup;
    return parts;
  }

  /**
   * Sends part `index` of a message whose first part already arrived. Handing a retriable failure
   * back would make the caller resend the whole message and duplicate the earlier parts, so
   * rate limits are waited out and refused connections retried here; what still fails is
   * reported as `uncertain` (partly delivered), or as itself when the chat is gone.
   */
  private async sendLaterPart(part: Part, timeout: number, index: number, total: number): Promise<Message> {
    let waited = 0;
    let notSentTries = 0;
    for (;;) {
      let failure: DeliveryFailure;
      try {
        return await this.call<Message>(part.method, part.payload, timeout);
      } catch (err) {
        failure = deliveryFailureOf(err);
      }
      if (failure.kind === 'rate-limited' && waited + failure.retryAfterMs <= LATER_PART_MAX_WAIT_MS) {
        waited += failure.retryAfterMs;
        await sleep(failure.retryAfterMs);
        continue;
      }
      if (failure.kind === 'not-sent' && ++notSentTries < LATER_PART_NOT_SENT_TRIES) {
        await sleep(500 * notSentTries);
        continue;
      }
      const partly = `${index} of ${total} parts arrived`;
      if (failure.kind === 'unreachable' || failure.kind === 'rejected') throw new DeliveryError({ kind: failure.kind, reason: `${failure.reason} (${partly})` });
      throw new DeliveryError({ kind: 'uncertain', reason: `${'reason' in failure ? failure.reason : 'rate limited'} (${partly})` });
    }
  }
}

/** A Messenger with its own Bot API client, for processes that send but do not take updates. */
export function createTelegramMessenger(opts: TelegramMessengerOptions): TelegramMessenger {
  const telegram = new Telegram(opts.token, { ...(opts.apiRoot && { apiRoot: opts.apiRoot }), webhookReply: false });
  return new TelegramMessenger(telegram, opts.timeoutMs);
}

/**
 * The WeCom smart robot (智能机器人) over its WebSocket, through the official SDK: members'
 * messages (single chats, and @-mentions in groups) and card button presses go to the router;
 * answers go back as markdown and template cards. Only the lease holder connects (see
 * robot-lease.ts); this class does what one connection does.
 */
import { WSClient, generateReqId, type WsFrame } from '@wecom/aibot-node-sdk';
import { z } from 'zod';
import type { ChatRef, FileAttachment, IncomingMessage, OutgoingMessage, SendResult } from '../../core/messages.js';
import { DeliveryError } from '../../core/delivery-errors.js';
import type { Logger } from '../../core/logger.js';
import type { Reply } from '../../router/types.js';
import { hasButtons, planCards, updatedCard, type Card } from './cards.js';
import { afterPartialSend, robotFailure } from './errors.js';
import { KeyedSerial } from './serial.js';
import { ROBOT_MARKDOWN_BYTES, ROBOT_STREAM_BYTES, splitByBytes, stripLeadingMentions, toMarkdown } from './text.js';

/** WeCom accepts a card update within 5 s of the press; leave room for the trip there. */
const CARD_UPDATE_DEADLINE_MS = 4_500;

export interface RobotOptions {
  botId: string;
  secret: string;
  /** WECOM_WS_URL; the SDK's default (WeCom's server) when unset. */
  wsUrl?: string;
  handle(msg: IncomingMessage): Promise<Reply[]>;
  logger: Logger;
  /** Another connection for this robot took over (WeCom sent disconnected_event). */
  onKicked(): void;
}

const from = z.object({ userid: z.string().min(1) });
const origin = {
  msgid: z.string().min(1),
  chattype: z.enum(['single', 'group']).default('single'),
  chatid: z.string().min(1).optional(),
  from,
};
const textFrame = z.object({
  headers: z.object({ req_id: z.string().min(1) }),
  body: z.object({ ...origin, text: z.object({ content: z.string() }) }),
});
const keyAndTask = { event_key: z.string().optional(), task_id: z.string().optional() };
const cardEventFrame = z.object({
  headers: z.object({ req_id: z.string().min(1) }),
  body: z.object({ ...origin, event: z.object({ ...keyAndTask, template_card_event: z.object(keyAndTask).optional() }) }),
});
const enterChatFrame = z.object({ headers: z.object({ req_id: z.string().min(1) }), body: z.object(origin) });

/** One robot connection: connect, disconnect, answer what comes in, send on its own. */
export class RobotConnection {
  private client?: WSClient;
  private readonly serial: KeyedSerial;

  constructor(private readonly options: RobotOptions) {
    this.serial = new KeyedSerial((err) => this.options.logger.error({ err: describe(err) }, 'wecom robot: handling failed'));
  }

  get connected(): boolean {
    return this.client?.isConnected ?? false;
  }

  /** Opens the connection (the SDK keeps reconnecting after drops until disconnect()). */
  connect(): void {
    if (this.client) return;
    const { botId, secret, wsUrl, logger } = this.options;
    const client = new WSClient({ botId, secret, wsUrl, logger: sdkLogger(logger), maxReconnectAttempts: -1, maxAuthFailureAttempts: -1 });
    this.client = client;
    const mine = () => this.client === client;
    client.on('error', (err) => logger.warn({ err: err.message.slice(0, 200) }, 'wecom robot: connection error'));
    client.on('authenticated', () => logger.info('wecom robot: connected'));
    client.on('disconnected', (reason) => logger.info({ reason: reason.slice(0, 100) }, 'wecom robot: disconnected'));
    client.on('message.text', (frame) => mine() && this.receive(textFrame, frame, (f) => this.onText(client, f)));
    client.on('event.template_card_event', (frame) => mine() && this.receive(cardEventFrame, frame, (f) => this.onPress(client, f)));
    client.on('event.enter_chat', (frame) => mine() && this.receive(enterChatFrame, frame, (f) => this.onEnter(client, f)));
    client.on('event.disconnected_event', () => {
      if (!mine()) return;
      this.client = undefined;
      client.removeAllListeners();
      client.on('error', () => {});
      this.options.onKicked();
    });
    client.connect();
  }

  /** Closes the connection; frames still being handled finish (their answers may fail). */
  disconnect(): void {
    const client = this.client;
    this.client = undefined;
    if (!client) return;
    client.removeAllListeners();
    client.on('error', () => {});
    client.disconnect();
  }

  /** Resolves when every message received so far has been handled. */
  idle(): Promise<void> {
    return this.serial.idle();
  }

  /**
   * Sends on the robot's own initiative to a group (chatid) or a member's single chat (userid):
   * markdown, then a template card per six buttons, then a file.
   */
  async send(chatId: string, message: OutgoingMessage): Promise<SendResult> {
    const client = this.client;
    if (!client?.isConnected) throw new DeliveryError({ kind: 'not-sent', reason: 'wecom robot: not connected' });
    const plan = hasButtons(message) ? planCards(message) : { leadText: message.text, cards: [] };
    const parts: RobotPart[] = [
      ...splitByBytes(plan.leadText, ROBOT_MARKDOWN_BYTES).map((markdown) => ({ markdown })),
      ...plan.cards.map((card) => ({ card })),
      ...(message.file ? [{ file: message.file }] : []),
    ];
    if (parts.length === 0) throw new DeliveryError({ kind: 'rejected', reason: 'empty message' });
    let sent = 0;
    let messageId = '';
    try {
      for (const part of parts) {
        messageId = await this.push(client, chatId, part);
        sent++;
      }
    } catch (err) {
      throw afterPartialSend(robotFailure(err), sent);
    }
    return { messageId };
  }

  /** Sends one part; returns what identifies it (the card's task id, else the request id). */
  private async push(client: WSClient, chatId: string, part: RobotPart): Promise<string> {
    if ('markdown' in part) {
      const ack = await client.sendMessage(chatId, { msgtype: 'markdown', markdown: { content: toMarkdown(part.markdown) } });
      return ack.headers?.req_id ?? '';
    }
    if ('card' in part) {
      await client.sendMessage(chatId, { msgtype: 'template_card', template_card: part.card });
      return part.card.task_id;
    }
    const uploaded = await client.uploadMedia(part.file.data, { type: 'file', filename: part.file.name });
    const ack = await client.sendMediaMessage(chatId, 'file', uploaded.media_id);
    return ack.headers?.req_id ?? uploaded.media_id;
  }

  private receive<S extends z.ZodType>(schema: S, frame: unknown, handle: (f: z.infer<S>) => Promise<void>): void {
    const parsed = schema.safeParse(frame);
    if (!parsed.success) {
      this.options.logger.warn({ issues: parsed.error.issues.length }, 'wecom robot: malformed frame ignored');
      return;
    }
    const body = (parsed.data as { body: z.infer<typeof enterChatFrame>['body'] }).body;
    this.serial.run(`${body.from.userid}`, () => handle(parsed.data));
  }

  private async onText(client: WSClient, frame: z.infer<typeof textFrame>): Promise<void> {
    const chat = chatOf(frame.body);
    if (!chat) return;
    const text = chat.kind === 'group' ? stripLeadingMentions(frame.body.text.content) : frame.body.text.content;
    const replies = await this.options.handle({ ...incoming(frame.body, chat), text });
    await this.answer(client, frame as WsFrame, chat.chatId, replies);
  }

  private async onPress(client: WSClient, frame: z.infer<typeof cardEventFrame>): Promise<void> {
    const receivedAt = Date.now();
    const chat = chatOf(frame.body);
    const { event } = frame.body;
    const key = event.template_card_event?.event_key ?? event.event_key;
    const taskId = event.template_card_event?.task_id ?? event.task_id;
    if (!chat || !key) return;
    const replies = await this.options.handle({ ...incoming(frame.body, chat), text: '', buttonData: key, buttonMessageId: taskId });
    // The pressed card first: WeCom takes the update only within 5 s of the press.
    const update = replies.find((r) => r.updatePressed)?.updatePressed;
    if (update && taskId) {
      if (Date.now() - receivedAt > CARD_UPDATE_DEADLINE_MS) {
        this.options.logger.warn({ msgid: frame.body.msgid }, 'wecom robot: card update skipped, press handled too slowly');
      } else {
        await client.updateTemplateCard(frame as WsFrame, updatedCard(update, taskId), [frame.body.from.userid]).catch((err: unknown) => {
          this.options.logger.warn({ msgid: frame.body.msgid, failure: robotFailure(err).failure.kind }, 'wecom robot: card update failed');
        });
      }
    }
    for (const reply of replies) {
      if (!reply.text.trim() && !hasButtons(reply) && !reply.file) continue;
      await this.send(chat.chatId, reply).catch((err: unknown) => this.logFailure(frame.body.msgid, err));
    }
  }

  private async onEnter(client: WSClient, frame: z.infer<typeof enterChatFrame>): Promise<void> {
    const chat: ChatRef = { platform: 'wecom', kind: 'private', chatId: frame.body.from.userid };
    const replies = await this.options.handle({ ...incoming(frame.body, chat), text: '/start' });
    const text = replies.map((r) => r.text.trim()).filter(Boolean).join('\n\n');
    if (!text) return;
    await client
      .replyWelcome(frame as WsFrame, { msgtype: 'text', text: { content: splitByBytes(text, ROBOT_MARKDOWN_BYTES)[0] ?? '' } })
      .catch((err: unknown) => this.logFailure(frame.body.msgid, err));
  }

  /**
   * Answers a member's message: all texts in one markdown stream reply (WeCom allows one reply
   * per message), the first card with it; further cards, long texts' rest and files follow as
   * messages of their own in the same chat.
   */
  private async answer(client: WSClient, frame: WsFrame, chatId: string, replies: Reply[]): Promise<void> {
    const texts: string[] = [];
    const cards: Card[] = [];
    const files: FileAttachment[] = [];
    for (const reply of replies) {
      const plan = hasButtons(reply) ? planCards(reply) : { leadText: reply.text.trim(), cards: [] };
      if (plan.leadText) texts.push(plan.leadText);
      cards.push(...plan.cards);
      if (reply.file) files.push(reply.file);
    }
    const [first, ...more] = splitByBytes(texts.join('\n\n'), ROBOT_STREAM_BYTES);
    const [firstCard, ...moreCards] = cards;
    const msgid = String((frame.body as { msgid?: string } | undefined)?.msgid ?? '');
    try {
      if (first && firstCard) await client.replyStreamWithCard(frame, generateReqId('stream'), toMarkdown(first), true, { templateCard: firstCard });
      else if (first) await client.replyStream(frame, generateReqId('stream'), toMarkdown(first), true);
      else if (firstCard) await client.replyTemplateCard(frame, firstCard);
    } catch (err) {
      this.logFailure(msgid, err);
    }
    const rest: RobotPart[] = [...more.map((markdown) => ({ markdown })), ...moreCards.map((card) => ({ card })), ...files.map((file) => ({ file }))];
    for (const part of rest) await this.push(client, chatId, part).catch((err: unknown) => this.logFailure(msgid, err));
  }

  private logFailure(msgid: string, err: unknown): void {
    const failure = robotFailure(err).failure;
    this.options.logger.warn({ msgid, failure: failure.kind, reason: 'reason' in failure ? failure.reason : undefined }, 'wecom robot: answer not delivered');
  }
}

/** One message of a multi-part send. */
type RobotPart = { markdown: string } | { card: Card } | { file: FileAttachment };

type Origin = { msgid: string; chattype: 'single' | 'group'; chatid?: string; from: { userid: string } };

/** The chat a frame came from: the group (by chatid), or the single chat (by the member's userid). */
function chatOf(body: Origin): ChatRef | undefined {
  if (body.chattype === 'group') return body.chatid ? { platform: 'wecom', kind: 'group', chatId: body.chatid } : undefined;
  return { platform: 'wecom', kind: 'private', chatId: body.from.userid };
}

function incoming(body: Origin, chat: ChatRef): Omit<IncomingMessage, 'text'> {
  return { id: body.msgid, chat, senderId: body.from.userid, receivedAt: new Date() };
}

/**
 * The SDK's logger: its debug lines carry whole frames (members' texts), so they are dropped;
 * other lines keep their first argument only, which never holds frame contents.
 */
function sdkLogger(logger: Logger) {
  const line = (message: unknown) => ({ sdk: String(message).slice(0, 200) });
  return {
    debug() {},
    info: (message: string) => logger.debug(line(message), 'wecom sdk'),
    warn: (message: string) => logger.warn(line(message), 'wecom sdk'),
    error: (message: string) => logger.error(line(message), 'wecom sdk'),
  };
}

function describe(err: unknown): string {
  return err instanceof Error ? `${err.name}: ${err.message}` : String(err);
}

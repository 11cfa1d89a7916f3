/**
 * What members send the robot, turned into IncomingMessages for the router (developer document
 * path 101463, 接收消息回调 / 接收事件回调). Text, voice (WeCom sends what it recognised) and mixed
 * messages (their text items) are text; a picture, file or video in a single chat gets a short
 * "only text and buttons" in the member's language. A member's messages are handled in order;
 * card presses and enter_chat skip that queue, because WeCom takes the card update and the
 * welcome only within 5 s of the event's arrival, and the time is taken at arrival.
 */
import type { WSClient, WsFrame } from '@wecom/aibot-node-sdk';
import { z } from 'zod';
import type { ChatRef, IncomingMessage } from '../../core/messages.js';
import type { Logger } from '../../core/logger.js';
import { t, type Locale } from '../../core/i18n.js';
import type { Reply } from '../../router/types.js';
import { hasButtons, updatedCard } from './cards.js';
import { robotFailure, robotErrcode, ROBOT_ERRCODE } from './errors.js';
import type { GroupReplyWords } from './group-replies.js';
import type { GroupSummaries } from './group-summary.js';
import type { RobotChat, RobotOutbound } from './robot-outbound.js';
import { KeyedSerial } from './serial.js';
import { ROBOT_MARKDOWN_BYTES, splitByBytes, stripLeadingMentions } from './text.js';

/** WeCom takes a card update or a welcome within 5 s of the event; leave room for the trip there. */
const EVENT_REPLY_DEADLINE_MS = 4_500;

const origin = {
  msgid: z.string().min(1),
  chattype: z.enum(['single', 'group']).default('single'),
  chatid: z.string().min(1).optional(),
  from: z.object({ userid: z.string().min(1) }),
};
const headers = z.object({ req_id: z.string().min(1) });
const frameOf = <B extends z.ZodRawShape>(body: B) => z.object({ headers, body: z.object({ ...origin, ...body }) });
const textFrame = frameOf({ text: z.object({ content: z.string() }) });
const voiceFrame = frameOf({ voice: z.object({ content: z.string() }) });
const mixedFrame = frameOf({ mixed: z.object({ msg_item: z.array(z.object({ msgtype: z.string(), text: z.object({ content: z.string() }).optional() })) }) });
const mediaFrame = frameOf({ msgtype: z.enum(['image', 'file', 'video']) });
const keyAndTask = { event_key: z.string().optional(), task_id: z.string().optional() };
const cardEventFrame = frameOf({ event: z.object({ ...keyAndTask, template_card_event: z.object(keyAndTask).optional() }) });
const enterChatFrame = frameOf({});
type Origin = z.infer<typeof enterChatFrame>['body'];

export interface RobotInboundOptions {
  handle(msg: IncomingMessage): Promise<Reply[]>;
  outbound: RobotOutbound;
  words: GroupReplyWords;
  summaries: GroupSummaries;
  /** The member's language for answers the adapter gives itself. */
  localeOf(userid: string): Promise<Locale>;
  logger: Logger;
}

/** Listens on one client at a time and answers through it. */
export class RobotInbound {
  private readonly serial: KeyedSerial;
  private readonly outOfLine = new Set<Promise<void>>();

  constructor(private readonly options: RobotInboundOptions) {
    this.serial = new KeyedSerial((err) => this.options.logger.error({ err: describe(err) }, 'wecom robot: handling failed'));
  }

  /** Subscribes to `client`'s messages and events; `current()` says whether it is still the one to answer on. */
  listen(client: WSClient, current: () => boolean): void {
    const on = <S extends z.ZodType>(event: string, schema: S, handle: (f: z.infer<S>, at: Date) => Promise<void>, inLine = true) => {
      client.on(event as 'message', (frame: unknown) => {
        if (!current()) return;
        const at = new Date();
        const parsed = schema.safeParse(frame);
        if (!parsed.success) {
          this.options.logger.warn({ event, issues: parsed.error.issues.length }, 'wecom robot: malformed frame ignored');
          return;
        }
        const body = (parsed.data as { body: Origin }).body;
        const task = () => handle(parsed.data, at);
        if (inLine) this.serial.run(body.from.userid, task);
        else this.track(task());
      });
    };
    on('message.text', textFrame, (f, at) => this.onText(client, f, f.body.text.content, at));
    on('message.voice', voiceFrame, (f, at) => this.onText(client, f, f.body.voice.content, at));
    on('message.mixed', mixedFrame, (f, at) => this.onText(client, f, f.body.mixed.msg_item.map((i) => i.text?.content ?? '').join('\n'), at));
    for (const kind of ['image', 'file', 'video']) on(`message.${kind}`, mediaFrame, (f) => this.onMedia(client, f));
    on('event.template_card_event', cardEventFrame, (f, at) => this.onPress(client, f, at), false);
    on('event.enter_chat', enterChatFrame, (f, at) => this.onEnter(client, f, at), false);
  }

  /** Resolves when every message and event received so far has been handled. */
  async idle(): Promise<void> {
    await this.serial.idle();
    while (this.outOfLine.size > 0) await Promise.all([...this.outOfLine]);
  }

  private track(work: Promise<void>): void {
    const done = work.catch((err: unknown) => this.options.logger.error({ err: describe(err) }, 'wecom robot: handling failed'));
    this.outOfLine.add(done);
    void done.finally(() => this.outOfLine.delete(done));
  }

  private async onText(client: WSClient, frame: { headers: { req_id: string }; body: Origin }, raw: string, at: Date): Promise<void> {
    const chat = chatOf(frame.body);
    if (!chat) return;
    const text = chat.kind === 'group' ? stripLeadingMentions(raw) : raw.trim();
    const pressed = chat.kind === 'group' ? await this.options.words.pressed(chat.chatId, text) : undefined;
    if (pressed) {
      // A reply word in a group presses its button; the answers go out gathered (group-summary.ts).
      const done = this.options.summaries.begin(chat.chatId);
      try {
        const replies = await this.options.handle({ ...incoming(frame.body, chat, at), text: '', buttonData: pressed });
        done(replies.map((r) => r.text));
      } finally {
        done([]);
      }
      return;
    }
    const replies = await this.options.handle({ ...incoming(frame.body, chat, at), text });
    await this.options.outbound.answer(client, frame as WsFrame, robotChat(chat), replies);
  }

  private async onMedia(client: WSClient, frame: { headers: { req_id: string }; body: Origin }): Promise<void> {
    if (frame.body.chattype !== 'single') return;
    const locale = await this.options.localeOf(frame.body.from.userid);
    const chat = { chatId: frame.body.from.userid, kind: 'private' as const };
    await this.options.outbound.answer(client, frame as WsFrame, chat, [{ text: t(locale, 'wecom.onlyTextAndButtons') }]);
  }

  private async onPress(client: WSClient, frame: z.infer<typeof cardEventFrame>, at: Date): Promise<void> {
    const chat = chatOf(frame.body);
    const { event } = frame.body;
    const key = event.template_card_event?.event_key ?? event.event_key;
    const taskId = event.template_card_event?.task_id ?? event.task_id;
    if (!chat || !key) return;
    const replies = await this.options.handle({ ...incoming(frame.body, chat, at), text: '', buttonData: key, buttonMessageId: taskId });
    const update = replies.find((r) => r.updatePressed)?.updatePressed;
    if (update && taskId) {
      if (Date.now() - at.getTime() > EVENT_REPLY_DEADLINE_MS) {
        this.options.logger.warn({ msgid: frame.body.msgid }, 'wecom robot: card update skipped, press handled too slowly');
      } else {
        await client.updateTemplateCard(frame as WsFrame, updatedCard(update, taskId, key), [frame.body.from.userid]).catch((err: unknown) => {
          this.options.logger.warn({ msgid: frame.body.msgid, errcode: robotErrcode(err), failure: robotFailure(err).failure.kind }, 'wecom robot: card update failed');
        });
      }
    }
    for (const reply of replies) {
      if (!reply.text.trim() && !hasButtons(reply) && !reply.file) continue;
      await this.options.outbound.send(client, robotChat(chat), reply).catch((err: unknown) => {
        this.options.logger.warn({ msgid: frame.body.msgid, failure: robotFailure(err).failure.kind }, 'wecom robot: answer to a press not delivered');
      });
    }
  }

  private async onEnter(client: WSClient, frame: z.infer<typeof enterChatFrame>, at: Date): Promise<void> {
    const chat: ChatRef = { platform: 'wecom', kind: 'private', chatId: frame.body.from.userid };
    const replies = await this.options.handle({ ...incoming(frame.body, chat, at), text: '/start' });
    const text = splitByBytes(replies.map((r) => r.text.trim()).filter(Boolean).join('\n\n'), ROBOT_MARKDOWN_BYTES)[0];
    if (!text) return;
    const notDelivered = (err: unknown) => this.options.logger.warn({ msgid: frame.body.msgid, failure: robotFailure(err).failure.kind }, 'wecom robot: welcome not delivered');
    // Too late for a welcome (846605): the member still gets it, as a message of its own.
    const tooLate = Date.now() - at.getTime() > EVENT_REPLY_DEADLINE_MS;
    const welcomed = !tooLate && (await client.replyWelcome(frame as WsFrame, { msgtype: 'text', text: { content: text } }).then(
      () => true,
      (err: unknown) => (robotErrcode(err) === ROBOT_ERRCODE.invalidReqId ? false : (notDelivered(err), true)),
    ));
    if (!welcomed) await this.options.outbound.send(client, robotChat(chat), { text }).catch(notDelivered);
  }
}

/** The chat a frame came from: the group (by chatid), or the single chat (by the member's userid). */
function chatOf(body: Origin): ChatRef | undefined {
  if (body.chattype === 'group') return body.chatid ? { platform: 'wecom', kind: 'group', chatId: body.chatid } : undefined;
  return { platform: 'wecom', kind: 'private', chatId: body.from.userid };
}

function robotChat(chat: ChatRef): RobotChat {
  return { chatId: chat.chatId, kind: chat.kind };
}

function incoming(body: Origin, chat: ChatRef, at: Date): Omit<IncomingMessage, 'text'> {
  return { id: body.msgid, chat, senderId: body.from.userid, receivedAt: at };
}

function describe(err: unknown): string {
  return err instanceof Error ? `${err.name}: ${err.message}` : String(err);
}

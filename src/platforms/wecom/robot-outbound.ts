/**
 * What the robot says, over one authenticated connection: pushes on its own (aibot_send_msg) and
 * the reply to a member's message (aibot_respond_msg). Rules from developer document paths
 * 101463 and 101031: a push names its chat's kind (chat_type 1 single, 2 group); template cards
 * go to single chats only, so a group gets its buttons as reply words (group-replies.ts); a
 * message takes one reply — a markdown stream or one card, never the combined
 * stream_with_template_card, which the long connection does not support; markdown pushes hold
 * 4096 bytes; files are 5 bytes to 20 MB and are uploaded before anything is shown.
 */
import { generateReqId, type WSClient, type WsFrame } from '@wecom/aibot-node-sdk';
import type { FileAttachment, OutgoingMessage, SendResult } from '../../core/messages.js';
import { DeliveryError } from '../../core/delivery-errors.js';
import type { Logger } from '../../core/logger.js';
import type { Locale } from '../../core/i18n.js';
import type { Reply } from '../../router/types.js';
import { hasButtons, planCards, type Card } from './cards.js';
import { afterPartialSend, robotErrcode, robotFailure, ROBOT_ERRCODE } from './errors.js';
import { groupLayout, type GroupReplyWords } from './group-replies.js';
import { ROBOT_MARKDOWN_BYTES, ROBOT_STREAM_BYTES, splitByBytes, toMarkdown } from './text.js';

/** A chat the robot writes to: a group (chatid) or a member's single chat (their userid as WeCom shows it). */
export interface RobotChat {
  chatId: string;
  kind: 'private' | 'group';
}

/** 101463 上传临时素材: every file larger than 5 bytes, at most 20 MB. */
export const ROBOT_FILE_MIN_BYTES = 6;
export const ROBOT_FILE_MAX_BYTES = 20 * 1024 * 1024;
/** The SDK uploads in chunks of 512 KB, two at a time for large files; each waits up to 5 s for its ack. */
export const UPLOAD_CHUNK_BYTES = 512 * 1024;
export const ACK_TIMEOUT_MS = 5_000;

/** One message of a multi-part send. */
type RobotPart = { markdown: string } | { card: Card } | { mediaId: string };

export interface RobotOutboundOptions {
  words: GroupReplyWords;
  /** The language of the words written under a group message ("@我 回复「收到」"). */
  groupLocale: Locale;
  logger: Logger;
}

/** Refuses at once a file WeCom would refuse, before any part of its message is shown. */
export function checkUploadSize(file: FileAttachment): void {
  const size = file.data.length;
  if (size < ROBOT_FILE_MIN_BYTES || size > ROBOT_FILE_MAX_BYTES) {
    throw new DeliveryError({ kind: 'rejected', reason: `wecom robot: a file must be ${ROBOT_FILE_MIN_BYTES} bytes to 20 MB, this one is ${size}` });
  }
}

/** How long a send of `message` may take at most: one ack per part and per upload step. */
export function robotSendBudgetMs(message: OutgoingMessage): number {
  const texts = Math.max(1, Math.ceil(Buffer.byteLength(message.text) / ROBOT_MARKDOWN_BYTES));
  const cards = Math.ceil((message.buttons ?? []).flat().length / 6);
  const chunks = message.file ? Math.ceil(message.file.data.length / UPLOAD_CHUNK_BYTES) : 0;
  // init + chunks (at least two at a time when there are several) + finish + the file message
  const upload = message.file ? 3 + Math.ceil(chunks / Math.min(2, chunks)) : 0;
  return (texts + cards + upload) * ACK_TIMEOUT_MS;
}

/** Sends and replies through one connection. */
export class RobotOutbound {
  constructor(private readonly options: RobotOutboundOptions) {}

  /** Sends `message` to `to` on the robot's own initiative: text, then cards, then the file. */
  async send(client: WSClient, to: RobotChat, message: OutgoingMessage): Promise<SendResult> {
    if (message.file) checkUploadSize(message.file);
    const parts = await this.layout(to, [message]);
    const mediaId = message.file ? await this.upload(client, message.file) : undefined;
    if (mediaId) parts.push({ mediaId });
    if (parts.length === 0) throw new DeliveryError({ kind: 'rejected', reason: 'empty message' });
    let sent = 0;
    let messageId = '';
    try {
      for (const part of parts) {
        messageId = await this.push(client, to, part);
        sent++;
      }
    } catch (err) {
      throw afterPartialSend(robotFailure(err), sent);
    }
    return { messageId };
  }

  /**
   * Answers a member's message: the texts as one markdown stream reply (or, without text, the
   * first card as the reply); the rest follows as pushes. When WeCom no longer takes the reply
   * (846605 the req_id is too old, 846608 the stream expired) it goes out as a push instead;
   * 846606 (answered already) is left as it is.
   */
  async answer(client: WSClient, frame: WsFrame, to: RobotChat, replies: Reply[]): Promise<void> {
    const msgid = String((frame.body as { msgid?: string } | undefined)?.msgid ?? '');
    const parts = await this.layout(to, replies, ROBOT_STREAM_BYTES);
    const files = replies.flatMap((r) => (r.file ? [r.file] : []));
    const first = parts.shift();
    if (first && !('mediaId' in first)) {
      try {
        if ('markdown' in first) await client.replyStream(frame, generateReqId('stream'), toMarkdown(first.markdown), true);
        else await client.replyTemplateCard(frame, first.card);
      } catch (err) {
        const errcode = robotErrcode(err);
        if (errcode === ROBOT_ERRCODE.invalidReqId || errcode === ROBOT_ERRCODE.streamExpired) {
          parts.unshift(first);
          this.options.logger.info({ msgid, errcode }, 'wecom robot: reply window gone; answering with a push');
        } else {
          this.logFailure(msgid, err, errcode === ROBOT_ERRCODE.alreadyResponded ? 'answered already' : 'reply not delivered');
        }
      }
    }
    // Pushes hold less text than a stream reply.
    const rest = parts.flatMap((p): RobotPart[] => ('markdown' in p ? splitByBytes(p.markdown, ROBOT_MARKDOWN_BYTES).map((markdown) => ({ markdown })) : [p]));
    for (const part of rest) await this.push(client, to, part).catch((err: unknown) => this.logFailure(msgid, err, 'answer not delivered'));
    for (const file of files) {
      await this.send(client, to, { text: '', file }).catch((err: unknown) => this.logFailure(msgid, err, 'file not delivered'));
    }
  }

  /** The messages' texts and cards as parts; in a group, buttons become reply words. */
  private async layout(to: RobotChat, messages: OutgoingMessage[], textBytes = ROBOT_MARKDOWN_BYTES): Promise<RobotPart[]> {
    const texts: string[] = [];
    const cards: Card[] = [];
    for (const message of messages) {
      if (to.kind === 'group') {
        const layout = groupLayout(message, this.options.groupLocale);
        await this.options.words.offer(to.chatId, layout.words).catch((err: Error) => {
          throw new DeliveryError({ kind: 'not-sent', reason: `wecom robot: reply words not stored (${err.message.slice(0, 60)})` });
        });
        if (layout.text) texts.push(layout.text);
        continue;
      }
      const plan = hasButtons(message) ? planCards(message) : { leadText: message.text.trim(), cards: [] };
      if (plan.leadText) texts.push(plan.leadText);
      cards.push(...plan.cards);
    }
    return [...splitByBytes(texts.join('\n\n'), textBytes).map((markdown) => ({ markdown })), ...cards.map((card) => ({ card }))];
  }

  /** Uploads a file as temporary media (3 days). Nothing is shown yet, so any failure is `not-sent`. */
  private async upload(client: WSClient, file: FileAttachment): Promise<string> {
    try {
      return (await client.uploadMedia(file.data, { type: 'file', filename: file.name })).media_id;
    } catch (err) {
      throw new DeliveryError({ kind: 'not-sent', reason: `wecom robot upload: ${robotFailure(err).message.slice(0, 120)}` });
    }
  }

  /** Pushes one part; returns what identifies it (the card's task id, else the request id). */
  private async push(client: WSClient, to: RobotChat, part: RobotPart): Promise<string> {
    const chat_type = to.kind === 'group' ? 2 : 1;
    // The SDK's types lack chat_type; it passes the body through as it is.
    const body = 'markdown' in part
      ? { msgtype: 'markdown', markdown: { content: toMarkdown(part.markdown) }, chat_type }
      : 'card' in part
        ? { msgtype: 'template_card', template_card: part.card, chat_type }
        : { msgtype: 'file', file: { media_id: part.mediaId }, chat_type };
    const ack = await client.sendMessage(to.chatId, body as unknown as Parameters<WSClient['sendMessage']>[1]);
    return 'card' in part ? part.card.task_id : (ack.headers?.req_id ?? '');
  }

  private logFailure(msgid: string, err: unknown, what: string): void {
    const failure = robotFailure(err).failure;
    this.options.logger.warn({ msgid, failure: failure.kind, reason: 'reason' in failure ? failure.reason : undefined }, `wecom robot: ${what}`);
  }
}

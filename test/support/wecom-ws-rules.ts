/**
 * What the WeCom smart-robot long connection accepts, rule by rule, for the WebSocket fake
 * (wecom-ws-fake.ts). Every rule names its source: developer document path 101463 (智能机器人长连接),
 * 101031/101032 (回复消息, 模板卡片), 94945 (更新模版卡片消息), 90455 (全局错误码). The codes are
 * WeCom's own.
 */
import { createHash } from 'node:crypto';
import { cardProblem, INVALID_PARAMETER } from './wecom-card-rules.js';

/** The robot's errcodes, as 101463 lists them. */
export const ROBOT_ERRCODES = {
  invalidReqId: 846605,
  alreadyResponded: 846606,
  rateLimited: 846607,
  streamExpired: 846608,
  badCredentials: 853000,
  /** 90455: 不合法的消息类型. */
  invalidMessageType: 40008,
  /** 90455: 不合法的文件大小. */
  invalidFileSize: 40006,
  /** 90455: 不合法的媒体文件id. */
  invalidMediaId: 40007,
  invalidParameter: INVALID_PARAMETER,
} as const;

export type Verdict = { errcode: number; errmsg: string; body?: Record<string, unknown> };
const ok = (body?: Record<string, unknown>): Verdict => ({ errcode: 0, errmsg: 'ok', ...(body ? { body } : {}) });
const refuse = (errcode: number, errmsg: string): Verdict => ({ errcode, errmsg });

export interface RobotRuleOptions {
  /** 101463: welcome replies and card updates within 5 s of the event. */
  replyWindowMs: number;
  /** 101463: a stream may be updated for 6 minutes after its first frame (846608 after). */
  streamWindowMs: number;
  /** 101463: 30 messages a minute and 1000 an hour per conversation, replies and pushes together. */
  perMinute: number;
  perHour: number;
  now: () => number;
}

/** A callback the fake pushed, which replies name by its req_id. */
export interface Callback {
  at: number;
  kind: 'message' | 'enter_chat' | 'template_card_event' | 'other';
  conversation: string;
  taskId?: string;
  /** none → no reply yet; streaming → a stream is open; done → replied. */
  reply: 'none' | 'streaming' | 'done';
  streamId?: string;
  streamStartedAt?: number;
}

type ChatType = 'single' | 'group';
const CHAT_TYPE_CODE: Record<ChatType, number> = { single: 1, group: 2 };
const MAX_UPLOAD_BYTES: Record<string, number> = { file: 20 * 1024 * 1024, image: 10 * 1024 * 1024, voice: 2 * 1024 * 1024, video: 10 * 1024 * 1024 };
const CHUNK_BYTES = 512 * 1024;

interface Upload {
  type: string;
  filename: string;
  totalSize: number;
  totalChunks: number;
  md5: string;
  chunks: Map<number, Buffer>;
}

/** The long connection's state for one bot, and its verdict on each frame. */
export class RobotRules {
  /** Conversations that wrote to the robot, by the id a push names (userid or chatid). */
  readonly conversations = new Map<string, ChatType>();
  readonly callbacks = new Map<string, Callback>();
  /** Cards shown, by task id: which conversation and which keys (a press names both). */
  readonly cards = new Map<string, { conversation: string; keys: Set<string> }>();
  readonly media = new Map<string, { type: string; filename: string; data: Buffer }>();
  private readonly sent = new Map<string, number[]>();
  private readonly uploads = new Map<string, Upload>();
  private counter = 0;

  constructor(private readonly options: RobotRuleOptions) {}

  /** A member wrote or acted in `conversation`: WeCom now lets the robot write there. */
  heard(conversation: string, type: ChatType, reqId: string, callback: Omit<Callback, 'at' | 'conversation' | 'reply'>): void {
    this.conversations.set(conversation, type);
    this.callbacks.set(reqId, { ...callback, at: this.options.now(), conversation, reply: 'none' });
  }

  decide(cmd: string, reqId: string, body: Record<string, unknown>): Verdict {
    switch (cmd) {
      case 'aibot_respond_msg': return this.respond(reqId, body);
      case 'aibot_respond_welcome_msg': return this.welcome(reqId, body);
      case 'aibot_respond_update_msg': return this.update(reqId, body);
      case 'aibot_send_msg': return this.push(body);
      case 'aibot_upload_media_init': return this.uploadInit(body);
      case 'aibot_upload_media_chunk': return this.uploadChunk(body);
      case 'aibot_upload_media_finish': return this.uploadFinish(body);
      default: return refuse(ROBOT_ERRCODES.invalidMessageType, `unknown cmd ${cmd}`);
    }
  }

  /** 101031 回复用户消息: a stream (frames of one stream id until finish) or one template card. */
  private respond(reqId: string, body: Record<string, unknown>): Verdict {
    const callback = this.callbacks.get(reqId);
    if (!callback || callback.kind !== 'message') return refuse(ROBOT_ERRCODES.invalidReqId, 'invalid req_id');
    // 101463: the combined stream_with_template_card reply is not supported on the long connection.
    if (body.msgtype === 'stream_with_template_card') return refuse(ROBOT_ERRCODES.invalidMessageType, 'stream_with_template_card not supported');
    if (body.msgtype === 'stream') {
      const stream = body.stream as { id?: unknown; finish?: unknown; content?: unknown } | undefined;
      if (typeof stream?.id !== 'string' || !stream.id) return refuse(ROBOT_ERRCODES.invalidParameter, 'stream.id required');
      if (callback.reply === 'done' || (callback.reply === 'streaming' && callback.streamId !== stream.id)) {
        return refuse(ROBOT_ERRCODES.alreadyResponded, 'already responded');
      }
      const now = this.options.now();
      if (callback.reply === 'streaming' && now - (callback.streamStartedAt ?? now) > this.options.streamWindowMs) {
        return refuse(ROBOT_ERRCODES.streamExpired, 'stream message update expired');
      }
      // 101031: stream.content 最长不超过20480个字节.
      if (Buffer.byteLength(String(stream.content ?? '')) > 20480) return refuse(ROBOT_ERRCODES.invalidParameter, 'stream content over 20480 bytes');
      if (callback.reply === 'none') {
        const limited = this.count(callback.conversation);
        if (limited) return limited;
        callback.streamStartedAt = now;
      }
      callback.streamId = stream.id;
      callback.reply = stream.finish === true ? 'done' : 'streaming';
      return ok();
    }
    if (body.msgtype === 'template_card') {
      if (callback.reply !== 'none') return refuse(ROBOT_ERRCODES.alreadyResponded, 'already responded');
      const problem = this.cardIn(callback.conversation, body.template_card);
      if (problem) return problem;
      const limited = this.count(callback.conversation);
      if (limited) return limited;
      callback.reply = 'done';
      this.remember(callback.conversation, body.template_card);
      return ok();
    }
    return refuse(ROBOT_ERRCODES.invalidMessageType, `reply msgtype ${String(body.msgtype)} not supported`);
  }

  /** 101031 回复欢迎语: to enter_chat only, within 5 s, once; text or a template card. */
  private welcome(reqId: string, body: Record<string, unknown>): Verdict {
    const callback = this.callbacks.get(reqId);
    if (!callback || callback.kind !== 'enter_chat' || this.options.now() - callback.at > this.options.replyWindowMs) {
      return refuse(ROBOT_ERRCODES.invalidReqId, 'invalid req_id');
    }
    if (callback.reply !== 'none') return refuse(ROBOT_ERRCODES.alreadyResponded, 'already responded');
    if (body.msgtype === 'text') {
      if (!String((body.text as { content?: unknown } | undefined)?.content ?? '')) return refuse(ROBOT_ERRCODES.invalidParameter, 'empty text');
    } else if (body.msgtype === 'template_card') {
      const problem = this.cardIn(callback.conversation, body.template_card);
      if (problem) return problem;
    } else {
      return refuse(ROBOT_ERRCODES.invalidMessageType, 'welcome must be text or template_card');
    }
    const limited = this.count(callback.conversation);
    if (limited) return limited;
    callback.reply = 'done';
    return ok();
  }

  /** 101031/94945 更新模板卡片: to the press's event only, within 5 s, once, same task_id. */
  private update(reqId: string, body: Record<string, unknown>): Verdict {
    const callback = this.callbacks.get(reqId);
    if (!callback || callback.kind !== 'template_card_event' || this.options.now() - callback.at > this.options.replyWindowMs) {
      return refuse(ROBOT_ERRCODES.invalidReqId, 'invalid req_id');
    }
    if (callback.reply !== 'none') return refuse(ROBOT_ERRCODES.alreadyResponded, 'already responded');
    if (body.response_type !== 'update_template_card') return refuse(ROBOT_ERRCODES.invalidParameter, 'response_type must be update_template_card');
    const card = body.template_card as { task_id?: unknown } | undefined;
    const problem = cardProblem(card);
    if (problem) return refuse(ROBOT_ERRCODES.invalidParameter, problem);
    if (card?.task_id !== callback.taskId) return refuse(ROBOT_ERRCODES.invalidParameter, 'task_id must be the pressed card’s');
    if (body.userids !== undefined && (!Array.isArray(body.userids) || body.userids.some((u) => typeof u !== 'string'))) {
      return refuse(ROBOT_ERRCODES.invalidParameter, 'userids must be a list of userids');
    }
    callback.reply = 'done';
    this.remember(callback.conversation, card);
    return ok();
  }

  /**
   * 101463 主动推送消息: only into a conversation where a member wrote to the robot; chat_type
   * says which kind (1 single, 2 group) and must match; template cards go to single chats only.
   */
  private push(body: Record<string, unknown>): Verdict {
    const chatid = typeof body.chatid === 'string' ? body.chatid : '';
    const type = this.conversations.get(chatid);
    if (!type) return refuse(ROBOT_ERRCODES.invalidParameter, 'chatid has not talked to the robot');
    if (body.chat_type !== CHAT_TYPE_CODE[type]) return refuse(ROBOT_ERRCODES.invalidParameter, `chat_type must be ${CHAT_TYPE_CODE[type]}`);
    const msgtype = body.msgtype;
    if (msgtype === 'markdown') {
      // 101463: markdown.content 最长不超过4096个字节, 必须是utf8编码.
      const content = String((body.markdown as { content?: unknown } | undefined)?.content ?? '');
      if (!content || Buffer.byteLength(content) > 4096) return refuse(ROBOT_ERRCODES.invalidParameter, 'markdown content must be 1-4096 bytes');
    } else if (msgtype === 'template_card') {
      if (type !== 'single') return refuse(ROBOT_ERRCODES.invalidParameter, 'template cards go to single chats only');
      const problem = this.cardIn(chatid, body.template_card);
      if (problem) return problem;
    } else if (msgtype === 'file' || msgtype === 'image' || msgtype === 'voice' || msgtype === 'video') {
      const id = (body[msgtype] as { media_id?: unknown } | undefined)?.media_id;
      if (typeof id !== 'string' || this.media.get(id)?.type !== msgtype) return refuse(ROBOT_ERRCODES.invalidMediaId, 'invalid media_id');
    } else {
      return refuse(ROBOT_ERRCODES.invalidMessageType, `push msgtype ${String(msgtype)} not supported`);
    }
    const limited = this.count(chatid);
    if (limited) return limited;
    if (msgtype === 'template_card') this.remember(chatid, body.template_card);
    return ok();
  }

  /** 101463 上传临时素材: file 5 B–20 MB (image 10 MB, voice 2 MB, video 10 MB), chunks of ≤ 512 KB, ≤ 100. */
  private uploadInit(body: Record<string, unknown>): Verdict {
    const type = String(body.type ?? '');
    const size = Number(body.total_size);
    const chunks = Number(body.total_chunks);
    if (!(type in MAX_UPLOAD_BYTES)) return refuse(ROBOT_ERRCODES.invalidParameter, 'type must be file, image, voice or video');
    if (!Number.isInteger(size) || size <= 5 || size > MAX_UPLOAD_BYTES[type]!) return refuse(ROBOT_ERRCODES.invalidFileSize, 'invalid file size');
    if (!Number.isInteger(chunks) || chunks !== Math.ceil(size / CHUNK_BYTES) || chunks > 100) return refuse(ROBOT_ERRCODES.invalidParameter, 'total_chunks does not fit total_size');
    if (!String(body.filename ?? '') || !/^[0-9a-f]{32}$/.test(String(body.md5 ?? ''))) return refuse(ROBOT_ERRCODES.invalidParameter, 'filename and md5 required');
    const uploadId = `upload-${++this.counter}`;
    this.uploads.set(uploadId, { type, filename: String(body.filename), totalSize: size, totalChunks: chunks, md5: String(body.md5), chunks: new Map() });
    return ok({ upload_id: uploadId });
  }

  private uploadChunk(body: Record<string, unknown>): Verdict {
    const upload = this.uploads.get(String(body.upload_id ?? ''));
    const index = Number(body.chunk_index);
    if (!upload) return refuse(ROBOT_ERRCODES.invalidParameter, 'unknown upload_id');
    if (!Number.isInteger(index) || index < 0 || index >= upload.totalChunks) return refuse(ROBOT_ERRCODES.invalidParameter, 'chunk_index out of range');
    const data = Buffer.from(String(body.base64_data ?? ''), 'base64');
    if (data.length === 0 || data.length > CHUNK_BYTES) return refuse(ROBOT_ERRCODES.invalidParameter, 'chunk must be 1 B to 512 KB');
    upload.chunks.set(index, data);
    return ok();
  }

  private uploadFinish(body: Record<string, unknown>): Verdict {
    const uploadId = String(body.upload_id ?? '');
    const upload = this.uploads.get(uploadId);
    if (!upload) return refuse(ROBOT_ERRCODES.invalidParameter, 'unknown upload_id');
    const data = Buffer.concat(Array.from({ length: upload.totalChunks }, (_, i) => upload.chunks.get(i) ?? Buffer.alloc(0)));
    if (data.length !== upload.totalSize || createHash('md5').update(data).digest('hex') !== upload.md5) {
      return refuse(ROBOT_ERRCODES.invalidParameter, 'chunks do not add up to the file');
    }
    this.uploads.delete(uploadId);
    const mediaId = `media-${++this.counter}`;
    this.media.set(mediaId, { type: upload.type, filename: upload.filename, data });
    return ok({ type: upload.type, media_id: mediaId, created_at: String(Math.floor(this.options.now() / 1000)) });
  }

  private cardIn(conversation: string, card: unknown): Verdict | undefined {
    const problem = cardProblem(card);
    if (problem) return refuse(ROBOT_ERRCODES.invalidParameter, problem);
    const taskId = (card as { task_id?: string }).task_id;
    // 101032: task_id 同一个机器人任务id不能重复.
    if (taskId && this.cards.has(taskId)) return refuse(ROBOT_ERRCODES.invalidParameter, 'task_id already used');
    void conversation;
    return undefined;
  }

  private remember(conversation: string, card: unknown): void {
    const { task_id: taskId, button_list: buttons } = card as { task_id?: string; button_list?: { key: string }[] };
    if (taskId) this.cards.set(taskId, { conversation, keys: new Set((buttons ?? []).map((b) => b.key)) });
  }

  /** 101463: 30 a minute and 1000 an hour per conversation; over either, 846607 and nothing shown. */
  private count(conversation: string): Verdict | undefined {
    const now = this.options.now();
    const times = (this.sent.get(conversation) ?? []).filter((t) => t > now - 3_600_000);
    this.sent.set(conversation, times);
    if (times.filter((t) => t > now - 60_000).length >= this.options.perMinute || times.length >= this.options.perHour) {
      return refuse(ROBOT_ERRCODES.rateLimited, 'api freq out of limit');
    }
    times.push(now);
    return undefined;
  }
}

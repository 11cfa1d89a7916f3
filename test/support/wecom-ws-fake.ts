/**
 * Our own protocol fake of the WeCom smart-robot (智能机器人) long-connection server — no
 * maintained fake exists. The real `@wecom/aibot-node-sdk` WSClient connects to it through its
 * `wsUrl` option. Frames are `{ cmd, headers: { req_id }, body }`; answers carry no cmd, only
 * `{ headers: { req_id }, errcode, errmsg }` with the req_id of the frame they answer.
 *
 * Behaviour copied from WeCom: one live connection per bot id (a later subscribe sends the old
 * connection a `disconnected_event` and closes it), group messages arrive only as @-mentions
 * with the mention in the text, card updates and welcome replies only within 5 s of the event.
 */
import { randomBytes } from 'node:crypto';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';

// `ws` ships no types and @types/ws is not installed; these are the few members used here.
interface WsSocket {
  readyState: number;
  send(data: string): void;
  close(code?: number, reason?: string): void;
  terminate(): void;
  on(event: 'message', listener: (data: Buffer) => void): void;
  on(event: 'close' | 'error', listener: () => void): void;
}
interface WsServer {
  on(event: 'connection', listener: (socket: WsSocket) => void): void;
  once(event: 'listening' | 'error', listener: (error?: Error) => void): void;
  address(): AddressInfo;
  clients: Set<WsSocket>;
  close(callback: () => void): void;
}
const { WebSocketServer } = createRequire(import.meta.url)('ws') as {
  WebSocketServer: new (options: { host: string; port: number }) => WsServer;
};

/** How the fake answers a frame: an errcode (0 = success), or not at all (the SDK times out after 5 s). */
export type FakeAnswer = { errcode: number; errmsg?: string; body?: Record<string, unknown> } | 'no-answer';

/** Errcodes the fake uses where WeCom documents none for this channel; treat any non-zero alike. */
export const FAKE_ERRCODES = { badCredentials: 40001, notSubscribed: 40002, unknownReqId: 40003, tooLate: 40004 };
export const RATE_LIMITED = 45009;

/** One frame the bot sent, with what the fake answered. */
export interface RecordedFrame {
  cmd: string;
  reqId: string;
  body: Record<string, unknown>;
  /** 1-based number of the connection it came on. */
  connection: number;
  answer: FakeAnswer;
}

export interface WecomWsFakeOptions {
  /** bot id → secret. Default `{ 'bot-test': 'secret-test' }`. */
  bots?: Record<string, string>;
  /** The robot's display name, which WeCom puts in front of group messages as `@name `. */
  botName?: string;
  /** How long after an event a welcome reply or card update is still accepted. Default 5000. */
  replyWindowMs?: number;
}

interface Connection {
  id: number;
  socket: WsSocket;
  botId?: string;
}

const OK = { errcode: 0, errmsg: 'ok' };
// Commands that answer an earlier callback, by the callback's req_id.
const REPLY_CMDS = new Set(['aibot_respond_msg', 'aibot_respond_welcome_msg', 'aibot_respond_update_msg']);

/** The fake server. Start with `WecomWsFake.start()`, point the SDK at `fake.url`. */
export class WecomWsFake {
  /** Every frame the bot sent, in order (subscribe and ping included). */
  readonly frames: RecordedFrame[] = [];
  /** Connections accepted so far (a reconnect counts again). */
  connectionCount = 0;
  /** Answer pings? Off simulates a dead server: the SDK gives up after two missed pongs. */
  answerPings = true;
  private readonly live = new Map<string, Connection>();
  private readonly queued: { cmd?: string; answer: FakeAnswer }[] = [];
  private readonly callbacks = new Map<string, { at: number; kind: 'message' | 'event' }>();
  private readonly waiters = new Set<() => void>();
  private counter = 0;

  private constructor(
    private readonly server: WsServer,
    private readonly options: Required<WecomWsFakeOptions>,
  ) {
    server.on('connection', (socket) => this.accept(socket));
  }

  /** Starts a fake on 127.0.0.1 on a free port. */
  static async start(options: WecomWsFakeOptions = {}): Promise<WecomWsFake> {
    const server = new WebSocketServer({ host: '127.0.0.1', port: 0 });
    await new Promise<void>((ok, fail) => {
      server.once('listening', () => ok());
      server.once('error', (e) => fail(e));
    });
    return new WecomWsFake(server, {
      bots: options.bots ?? { 'bot-test': 'secret-test' },
      botName: options.botName ?? 'Tongxin',
      replyWindowMs: options.replyWindowMs ?? 5000,
    });
  }

  /** The `wsUrl` to give the SDK. */
  get url(): string {
    return `ws://127.0.0.1:${this.server.address().port}`;
  }

  /** The id of the first configured bot. */
  get defaultBotId(): string {
    return Object.keys(this.options.bots)[0] ?? '';
  }

  /** Whether `botId` has a subscribed connection now. */
  isSubscribed(botId = this.defaultBotId): boolean {
    return this.live.has(botId);
  }

  /** Queues the answer for the next frame (of `cmd`, if given); later frames get success again. */
  answerNext(answer: FakeAnswer, cmd?: string): void {
    this.queued.push({ cmd, answer });
  }

  framesOfCmd(cmd: string): RecordedFrame[] {
    return this.frames.filter((f) => f.cmd === cmd);
  }

  /** Resolves with the first recorded frame (past or future) matching `predicate`. */
  waitForFrame(predicate: (frame: RecordedFrame) => boolean, timeoutMs = 3000): Promise<RecordedFrame> {
    return new Promise((ok, fail) => {
      const check = () => {
        const found = this.frames.find(predicate);
        if (!found) return;
        this.waiters.delete(check);
        clearTimeout(timer);
        ok(found);
      };
      const timer = setTimeout(() => {
        this.waiters.delete(check);
        fail(new Error(`no matching frame within ${timeoutMs} ms; got ${this.frames.map((f) => f.cmd).join(', ')}`));
      }, timeoutMs);
      this.waiters.add(check);
      check();
    });
  }

  /**
   * A member writes to the robot: in a single chat, or @-mentioning it in a group. Passing the
   * `msgid` of an earlier message plays WeCom re-delivering it (e.g. to a new connection).
   */
  userSays(m: { userid: string; chatid?: string; chattype: 'single' | 'group'; text: string; botId?: string; msgid?: string }) {
    const content = m.chattype === 'group' ? `@${this.options.botName} ${m.text}` : m.text;
    return this.push('aibot_msg_callback', m.botId, {
      ...this.origin(m.userid, m.chattype, m.chatid, m.botId),
      ...(m.msgid ? { msgid: m.msgid } : {}),
      msgtype: 'text',
      text: { content },
    });
  }

  /** A member presses a button of a template card the robot sent. */
  userPressesCardButton(m: { userid: string; chatid?: string; taskId: string; eventKey: string; botId?: string }) {
    const chattype = m.chatid ? 'group' : 'single';
    return this.push('aibot_event_callback', m.botId, {
      ...this.origin(m.userid, chattype, m.chatid, m.botId),
      msgtype: 'event',
      // WeCom nests the details under the event type's name (the SDK's types show them flat).
      event: {
        eventtype: 'template_card_event',
        template_card_event: { card_type: 'button_interaction', event_key: m.eventKey, task_id: m.taskId },
      },
    });
  }

  /** A member opens the single chat with the robot for the first time today. */
  userEntersChat(m: { userid: string; botId?: string }) {
    return this.push('aibot_event_callback', m.botId, {
      ...this.origin(m.userid, 'single', undefined, m.botId),
      msgtype: 'event',
      event: { eventtype: 'enter_chat' },
    });
  }

  /** Cuts the bot's connection without a close handshake, as a network failure would. */
  dropConnection(botId = this.defaultBotId): void {
    const connection = this.live.get(botId);
    if (!connection) throw new Error(`bot ${botId} is not connected`);
    this.live.delete(botId);
    connection.socket.terminate();
  }

  async close(): Promise<void> {
    for (const socket of this.server.clients) socket.terminate();
    await new Promise<void>((ok) => this.server.close(() => ok()));
  }

  private origin(userid: string, chattype: 'single' | 'group', chatid: string | undefined, botId?: string) {
    const n = ++this.counter;
    return {
      msgid: `msg-${n}-${randomBytes(6).toString('hex')}`,
      aibotid: botId ?? this.defaultBotId,
      create_time: Math.floor(Date.now() / 1000),
      ...(chattype === 'group' ? { chatid: chatid ?? `group-${n}` } : {}),
      chattype,
      from: { userid },
    };
  }

  private push(cmd: string, botId = this.defaultBotId, body: Record<string, unknown>) {
    const connection = this.live.get(botId);
    if (!connection) throw new Error(`bot ${botId} is not connected`);
    const reqId = `req-${++this.counter}-${randomBytes(4).toString('hex')}`;
    this.callbacks.set(reqId, { at: Date.now(), kind: cmd === 'aibot_msg_callback' ? 'message' : 'event' });
    connection.socket.send(JSON.stringify({ cmd, headers: { req_id: reqId }, body }));
    return { reqId, msgid: body.msgid as string };
  }

  private accept(socket: WsSocket): void {
    const connection: Connection = { id: ++this.connectionCount, socket };
    socket.on('message', (data) => this.receive(connection, data));
    const forget = () => {
      if (connection.botId && this.live.get(connection.botId) === connection) this.live.delete(connection.botId);
    };
    socket.on('close', forget);
    socket.on('error', forget);
  }

  private receive(connection: Connection, data: Buffer): void {
    let frame: { cmd?: unknown; headers?: { req_id?: unknown }; body?: unknown };
    try {
      frame = JSON.parse(data.toString('utf8'));
    } catch {
      return;
    }
    const cmd = typeof frame.cmd === 'string' ? frame.cmd : '';
    const reqId = typeof frame.headers?.req_id === 'string' ? frame.headers.req_id : '';
    const body = (typeof frame.body === 'object' && frame.body !== null ? frame.body : {}) as Record<string, unknown>;
    const answer = this.decide(connection, cmd, reqId, body);
    this.frames.push({ cmd, reqId, body, connection: connection.id, answer });
    if (answer !== 'no-answer' && connection.socket.readyState === 1) {
      connection.socket.send(JSON.stringify({ headers: { req_id: reqId }, ...answer }));
    }
    if (cmd === 'aibot_subscribe' && answer !== 'no-answer' && answer.errcode === 0) this.subscribe(connection, body);
    for (const waiter of [...this.waiters]) waiter();
  }

  private decide(connection: Connection, cmd: string, reqId: string, body: Record<string, unknown>): FakeAnswer {
    if (cmd === 'aibot_subscribe') {
      const botId = String(body.bot_id ?? '');
      const good = botId in this.options.bots && this.options.bots[botId] === body.secret;
      return good ? OK : { errcode: FAKE_ERRCODES.badCredentials, errmsg: 'invalid bot_id or secret' };
    }
    if (cmd === 'ping') return this.answerPings ? OK : 'no-answer';
    if (!connection.botId || this.live.get(connection.botId) !== connection) {
      return { errcode: FAKE_ERRCODES.notSubscribed, errmsg: 'not subscribed' };
    }
    const index = this.queued.findIndex((q) => q.cmd === undefined || q.cmd === cmd);
    if (index >= 0) return this.queued.splice(index, 1)[0]!.answer;
    if (REPLY_CMDS.has(cmd)) {
      const callback = this.callbacks.get(reqId);
      if (!callback) return { errcode: FAKE_ERRCODES.unknownReqId, errmsg: 'unknown req_id' };
      const windowed = cmd !== 'aibot_respond_msg' || callback.kind === 'event';
      if (windowed && Date.now() - callback.at > this.options.replyWindowMs) {
        return { errcode: FAKE_ERRCODES.tooLate, errmsg: 'reply window expired' };
      }
    }
    if (cmd === 'aibot_upload_media_init') return { ...OK, body: { upload_id: `upload-${++this.counter}` } };
    if (cmd === 'aibot_upload_media_finish') {
      return { ...OK, body: { type: 'file', media_id: `media-${++this.counter}`, created_at: String(Date.now()) } };
    }
    return OK;
  }

  private subscribe(connection: Connection, body: Record<string, unknown>): void {
    const botId = String(body.bot_id);
    const previous = this.live.get(botId);
    connection.botId = botId;
    this.live.set(botId, connection);
    if (previous && previous !== connection) {
      const kick = {
        cmd: 'aibot_event_callback',
        headers: { req_id: `req-${++this.counter}` },
        body: { ...this.origin('', 'single', undefined, botId), msgtype: 'event', event: { eventtype: 'disconnected_event' } },
      };
      if (previous.socket.readyState === 1) previous.socket.send(JSON.stringify(kick));
      previous.socket.close(1000, 'kicked by a new connection');
    }
  }
}

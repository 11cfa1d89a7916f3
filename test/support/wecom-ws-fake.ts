/**
 * Our own protocol fake of the WeCom smart-robot (智能机器人) long-connection server — no
 * maintained fake exists. The real `@wecom/aibot-node-sdk` WSClient connects to it through its
 * `wsUrl` option. Frames are `{ cmd, headers: { req_id }, body }`; answers carry no cmd, only
 * `{ headers: { req_id }, errcode, errmsg }` with the req_id of the frame they answer.
 *
 * Strict by default: what WeCom refuses, this refuses with WeCom's errcode (the rules, each with
 * its document, are in wecom-ws-rules.ts). Behaviour copied from WeCom (101463): one live
 * connection per bot id (a later subscribe sends the old connection a `disconnected_event` and
 * closes it), group messages arrive only as @-mentions with the mention in the text, `from.userid`
 * is for some users an opaque id rather than their directory userid.
 */
import { randomBytes } from 'node:crypto';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { ROBOT_ERRCODES, RobotRules, type RobotRuleOptions } from './wecom-ws-rules.js';

export { ROBOT_ERRCODES } from './wecom-ws-rules.js';

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

/** One frame the bot sent, with what the fake answered. */
export interface RecordedFrame {
  cmd: string;
  reqId: string;
  body: Record<string, unknown>;
  /** 1-based number of the connection it came on. */
  connection: number;
  answer: FakeAnswer;
  /** Date.now() when it arrived. */
  at: number;
}

export interface WecomWsFakeOptions extends Partial<RobotRuleOptions> {
  /** bot id → secret. Default `{ 'bot-test': 'secret-test' }`. */
  bots?: Record<string, string>;
  /** The robot's display name, which WeCom puts in front of group messages as `@name `. */
  botName?: string;
}

interface Connection {
  id: number;
  socket: WsSocket;
  botId?: string;
}

type Origin = { userid: string; chattype: 'single' | 'group'; chatid?: string; botId?: string; msgid?: string };

/** The fake server. Start with `WecomWsFake.start()`, point the SDK at `fake.url`. */
export class WecomWsFake {
  /** Every frame the bot sent, in order (subscribe and ping included). */
  readonly frames: RecordedFrame[] = [];
  /** Connections accepted so far (a reconnect counts again). */
  connectionCount = 0;
  /** Answer pings? Off simulates a dead server: the SDK gives up after two missed pongs. */
  answerPings = true;
  /** Keep subscribe answers back (the socket is open but not authenticated) until releaseSubscribes(). */
  holdSubscribes = false;
  /** Wait this long before sending each answer (an ack that takes its time). */
  answerDelayMs = 0;
  private readonly live = new Map<string, Connection>();
  private readonly rules = new Map<string, RobotRules>();
  private readonly queued: { cmd?: string; answer: FakeAnswer }[] = [];
  private readonly held: (() => void)[] = [];
  private readonly hidden = new Map<string, string>();
  private readonly waiters = new Set<() => void>();
  private counter = 0;

  private constructor(
    private readonly server: WsServer,
    private readonly options: Required<Omit<WecomWsFakeOptions, keyof RobotRuleOptions>> & RobotRuleOptions,
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
      replyWindowMs: options.replyWindowMs ?? 5_000,
      streamWindowMs: options.streamWindowMs ?? 6 * 60_000,
      perMinute: options.perMinute ?? 30,
      perHour: options.perHour ?? 1000,
      now: options.now ?? Date.now,
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

  /** The robot's state as WeCom keeps it (conversations, cards shown, uploaded media). */
  state(botId = this.defaultBotId): RobotRules {
    let rules = this.rules.get(botId);
    if (!rules) {
      const { replyWindowMs, streamWindowMs, perMinute, perHour, now } = this.options;
      rules = new RobotRules({ replyWindowMs, streamWindowMs, perMinute, perHour, now });
      this.rules.set(botId, rules);
    }
    return rules;
  }

  /** Queues the answer for the next frame (of `cmd`, if given); later frames get WeCom's rules again. */
  answerNext(answer: FakeAnswer, cmd?: string): void {
    this.queued.push({ cmd, answer });
  }

  /** Answers the subscribes held back by `holdSubscribes`. */
  releaseSubscribes(): void {
    this.holdSubscribes = false;
    for (const answer of this.held.splice(0)) answer();
  }

  framesOfCmd(cmd: string): RecordedFrame[] {
    return this.frames.filter((f) => f.cmd === cmd);
  }

  /** Frames WeCom would have refused (a non-zero errcode). Tests expect none unless they provoke one. */
  refusals(): RecordedFrame[] {
    return this.frames.filter((f) => f.answer !== 'no-answer' && f.answer.errcode !== 0);
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
   * From now on WeCom shows this member to the robot under an opaque id instead of their
   * directory userid (101463: from.userid may be such an id). Returns that id.
   */
  hideUserId(userid: string): string {
    const opaque = `wo${randomBytes(15).toString('hex')}`;
    this.hidden.set(userid, opaque);
    return opaque;
  }

  /**
   * A member writes to the robot: in a single chat, or @-mentioning it in a group. Passing the
   * `msgid` of an earlier message plays WeCom re-delivering it (e.g. to a new connection).
   */
  userSays(m: Origin & { text: string }) {
    const content = m.chattype === 'group' ? `@${this.options.botName} ${m.text}` : m.text;
    return this.message(m, { msgtype: 'text', text: { content } });
  }

  /** A voice message: WeCom sends what it recognised as text (voice.content). */
  userSpeaks(m: Origin & { text: string }) {
    return this.message(m, { msgtype: 'voice', voice: { content: m.text } });
  }

  /** Text beside an image in one message (图文混排). */
  userSendsMixed(m: Origin & { text: string }) {
    const mention = m.chattype === 'group' ? `@${this.options.botName} ` : '';
    return this.message(m, {
      msgtype: 'mixed',
      mixed: { msg_item: [{ msgtype: 'text', text: { content: `${mention}${m.text}` } }, { msgtype: 'image', image: { url: 'https://wecom.invalid/img', aeskey: 'k' } }] },
    });
  }

  /** An image, a file or a video (WeCom sends an encrypted download url). */
  userSendsMedia(m: Origin & { msgtype: 'image' | 'file' | 'video' }) {
    return this.message(m, { msgtype: m.msgtype, [m.msgtype]: { url: `https://wecom.invalid/${m.msgtype}`, aeskey: 'k' } });
  }

  /** A member presses a button of a template card the robot showed in that chat (refuses any other: a test bug). */
  userPressesCardButton(m: { userid: string; chatid?: string; taskId: string; eventKey: string; botId?: string }) {
    const chattype = m.chatid ? 'group' : 'single';
    const card = this.state(m.botId).cards.get(m.taskId);
    const conversation = m.chatid ?? this.shownId(m.userid);
    if (!card || card.conversation !== conversation || !card.keys.has(m.eventKey)) {
      throw new Error(`no card ${m.taskId} with button ${m.eventKey} was shown in ${conversation}`);
    }
    return this.push('aibot_event_callback', m.botId, { ...this.origin({ ...m, chattype }), msgtype: 'event',
      // WeCom nests the details under the event type's name (the SDK's types show them flat).
      event: { eventtype: 'template_card_event', template_card_event: { card_type: 'button_interaction', event_key: m.eventKey, task_id: m.taskId } },
    }, { kind: 'template_card_event', taskId: m.taskId });
  }

  /** A member opens the single chat with the robot for the first time today. */
  userEntersChat(m: { userid: string; botId?: string }) {
    return this.push('aibot_event_callback', m.botId, {
      ...this.origin({ ...m, chattype: 'single' }), msgtype: 'event', event: { eventtype: 'enter_chat' },
    }, { kind: 'enter_chat' });
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

  private shownId(userid: string): string {
    return this.hidden.get(userid) ?? userid;
  }

  private message(m: Origin, content: Record<string, unknown>) {
    return this.push('aibot_msg_callback', m.botId, { ...this.origin(m), ...(m.msgid ? { msgid: m.msgid } : {}), ...content }, { kind: 'message' });
  }

  private origin(m: Origin) {
    const n = ++this.counter;
    return {
      msgid: `msg-${n}-${randomBytes(6).toString('hex')}`,
      aibotid: m.botId ?? this.defaultBotId,
      create_time: Math.floor(Date.now() / 1000),
      ...(m.chattype === 'group' ? { chatid: m.chatid ?? `group-${n}` } : {}),
      chattype: m.chattype,
      from: { userid: this.shownId(m.userid) },
    };
  }

  private push(cmd: string, botId = this.defaultBotId, body: Record<string, unknown>, callback: { kind: 'message' | 'enter_chat' | 'template_card_event'; taskId?: string }) {
    const connection = this.live.get(botId);
    if (!connection) throw new Error(`bot ${botId} is not connected`);
    const reqId = `req-${++this.counter}-${randomBytes(4).toString('hex')}`;
    const group = body.chattype === 'group';
    const conversation = group ? String(body.chatid) : String((body.from as { userid: string }).userid);
    this.state(botId).heard(conversation, group ? 'group' : 'single', reqId, callback);
    connection.socket.send(JSON.stringify({ cmd, headers: { req_id: reqId }, body }));
    return { reqId, msgid: body.msgid as string, userid: (body.from as { userid: string }).userid };
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
    this.frames.push({ cmd, reqId, body, connection: connection.id, answer, at: Date.now() });
    const send = () => {
      if (answer !== 'no-answer' && connection.socket.readyState === 1) connection.socket.send(JSON.stringify({ headers: { req_id: reqId }, ...answer }));
      if (cmd === 'aibot_subscribe' && answer !== 'no-answer' && answer.errcode === 0) this.subscribe(connection, body);
    };
    if (cmd === 'aibot_subscribe' && this.holdSubscribes) this.held.push(send);
    else if (this.answerDelayMs > 0) setTimeout(send, this.answerDelayMs);
    else send();
    for (const waiter of [...this.waiters]) waiter();
  }

  private decide(connection: Connection, cmd: string, reqId: string, body: Record<string, unknown>): FakeAnswer {
    if (cmd === 'aibot_subscribe') {
      const botId = String(body.bot_id ?? '');
      const good = botId in this.options.bots && this.options.bots[botId] === body.secret;
      // 101463: a wrong bot id or secret is refused with 853000.
      return good ? { errcode: 0, errmsg: 'ok' } : { errcode: ROBOT_ERRCODES.badCredentials, errmsg: 'invalid bot_id or secret' };
    }
    if (cmd === 'ping') return this.answerPings ? { errcode: 0, errmsg: 'ok' } : 'no-answer';
    if (!connection.botId || this.live.get(connection.botId) !== connection) {
      // 101463 says the subscription comes first and names no answer for anything before it;
      // invalid req_id is the nearest documented code. The adapter never sends before it is
      // authenticated, which the tests check by expecting no refusals.
      return { errcode: ROBOT_ERRCODES.invalidReqId, errmsg: 'not subscribed' };
    }
    const index = this.queued.findIndex((q) => q.cmd === undefined || q.cmd === cmd);
    if (index >= 0) return this.queued.splice(index, 1)[0]!.answer;
    return this.state(connection.botId).decide(cmd, reqId, body);
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
        body: { ...this.origin({ userid: '', chattype: 'single', botId }), msgtype: 'event', event: { eventtype: 'disconnected_event' } },
      };
      if (previous.socket.readyState === 1) previous.socket.send(JSON.stringify(kick));
      previous.socket.close(1000, 'kicked by a new connection');
    }
  }
}

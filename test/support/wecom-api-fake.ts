/**
 * Our own protocol fake of the WeCom server API for a self-built app (gettoken, message/send,
 * appchat/send, media/upload, message/update_template_card) — no maintained fake exists.
 * Answers are WeCom-shaped `{ errcode, errmsg, ... }` with HTTP 200, as WeCom answers even its
 * errors; the codes are WeCom's (developer document path 90455, 全局错误码).
 *
 * Strict by default, each rule with its document:
 * - 90454 (应用消息频率限制): beyond 30 per minute or 1000 per hour to one member, messages are
 *   dropped silently — errcode 0, nothing delivered (nor recorded here).
 * - 90236 (发送应用消息): with enable_duplicate_check, a message identical to one sent to the same
 *   members within duplicate_check_interval (default 1800 s, at most 4 hours) is not sent again;
 *   template cards follow the card rules (wecom-card-rules.ts).
 * - 90248 (应用推送消息, appchat/send): only chats the app created itself.
 * - 90253 (上传临时素材): every file larger than 5 bytes; a file at most 20 MB.
 * - 94945 (更新模版卡片消息): a press's response_code works once.
 */
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { buildCallback, type BuildOptions, type CallbackKeys } from './wecom-callback-builder.js';
import { cardProblem, INVALID_PARAMETER } from './wecom-card-rules.js';

export interface WecomApiFakeOptions {
  corpId?: string;
  corpSecret?: string;
  agentId?: number;
  /** Milliseconds since the epoch; drives token expiry and the per-member limits. */
  now?: () => number;
  perMemberPerMinute?: number;
  perMemberPerHour?: number;
}

/** A message WeCom accepted and would deliver. */
export interface DeliveredMessage {
  path: '/cgi-bin/message/send' | '/cgi-bin/appchat/send';
  msgid: string;
  msgtype: string;
  /** message/send: the members it reaches (after invalid users and dropped ones are removed). */
  touser: string[];
  /** appchat/send: the group chat. */
  chatid?: string;
  body: Record<string, unknown>;
}

export interface UploadedMedia {
  mediaId: string;
  type: string;
  filename: string;
  data: Buffer;
}

type Answer = { errcode: number; errmsg: string; [field: string]: unknown };

/** The fake server. Start with `WecomApiFake.start()`, use `fake.url` as WECOM_API_ROOT. */
export class WecomApiFake {
  readonly delivered: DeliveredMessage[] = [];
  readonly uploads: UploadedMedia[] = [];
  /** Every request: method, path and query, for asserting on token use. */
  readonly requests: { method: string; path: string; query: URLSearchParams }[] = [];
  /** Members that do not exist: message/send to only them answers 81013. */
  readonly unknownUsers = new Set<string>();
  /** Card updates (message/update_template_card) accepted, in order. */
  readonly cardUpdates: { responseCode: string; userids: string[]; body: Record<string, unknown> }[] = [];
  /** Messages that WeCom answered 0 but dropped for the per-member limit. */
  droppedCount = 0;
  /** Messages that WeCom answered 0 but did not send again: repeats caught by enable_duplicate_check. */
  duplicatesDropped = 0;
  /** Group chats this app created (appchat/create); appchat/send reaches only these. */
  readonly appChats = new Set<string>();
  /** Wait this long before answering (after the request has taken effect). */
  delayMs = 0;
  private readonly tokens = new Map<string, number>(); // token → expires at (ms)
  private readonly failures: { errcode: number; errmsg: string; path?: string }[] = [];
  private lostAnswers = 0;
  private lostAnswersPath?: string;
  private readonly sentTo = new Map<string, number[]>(); // member → send times (ms)
  private readonly recentSends: { key: string; at: number }[] = []; // for the duplicate check
  private counter = 0;
  private readonly opts: Required<WecomApiFakeOptions>;

  private constructor(
    private readonly server: Server,
    options: WecomApiFakeOptions,
  ) {
    this.opts = {
      corpId: options.corpId ?? 'ww0123456789abcdef',
      corpSecret: options.corpSecret ?? 'corp-secret-test',
      agentId: options.agentId ?? 1000002,
      now: options.now ?? Date.now,
      perMemberPerMinute: options.perMemberPerMinute ?? 30,
      perMemberPerHour: options.perMemberPerHour ?? 1000,
    };
    // A client that gives up mid-request (timeouts in tests) must not crash the test run.
    server.on('request', (req: IncomingMessage, res: ServerResponse) => void this.handle(req, res).catch(() => res.destroy()));
  }

  static async start(options: WecomApiFakeOptions = {}): Promise<WecomApiFake> {
    const server = createServer();
    await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
    return new WecomApiFake(server, options);
  }

  /** The API root, e.g. `http://127.0.0.1:40123` (paths start with /cgi-bin). */
  get url(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  get corpId(): string {
    return this.opts.corpId;
  }

  get agentId(): number {
    return this.opts.agentId;
  }

  /** Tokens issued so far; the last one is current. */
  get tokenRequests(): number {
    return this.requests.filter((r) => r.path === '/cgi-bin/gettoken').length;
  }

  /** Every issued token expires now: the next call with one answers 42001. */
  expireTokens(): void {
    for (const token of this.tokens.keys()) this.tokens.set(token, 0);
  }

  /** Forgets every issued token: the next call with one answers 40014 (invalid access_token). */
  forgetTokens(): void {
    this.tokens.clear();
  }

  /**
   * The next `times` calls (to `path`, if given) fail with `errcode` without taking effect:
   * 45009 (api freq out of limit), 45033 (api concurrent out of limit), 60111, 81013, ...
   */
  failNext(errcode: number, errmsg = `fake error ${errcode}`, times = 1, path?: string): void {
    for (let i = 0; i < times; i++) this.failures.push({ errcode, errmsg, path });
  }

  /** The next `n` sends (to `path`, if given) take effect but their answers are lost (the connection is destroyed). */
  loseNextAnswers(n = 1, path?: string): void {
    this.lostAnswers += n;
    this.lostAnswersPath = path;
  }

  /** Delivered messages to one member (message/send) or chat (appchat/send). */
  deliveredTo(target: string): DeliveredMessage[] {
    return this.delivered.filter((m) => m.touser.includes(target) || m.chatid === target);
  }

  /** Posts a genuine encrypted callback to our webhook at `target`, as WeCom does when a member writes to the app. */
  postCallback(target: string, keys: CallbackKeys, messageXml: string, options?: BuildOptions): Promise<Response> {
    return this.postBuilt(target, buildCallback(keys, messageXml, options));
  }

  /**
   * Posts a built callback as it is. WeCom posts the very same request again (same query, same
   * body) when our answer did not come within 5 seconds (96466 接收消息与事件).
   */
  postBuilt(target: string, built: { query: Record<string, string>; body: string }): Promise<Response> {
    const url = new URL(target);
    for (const [name, value] of Object.entries(built.query)) url.searchParams.set(name, value);
    return fetch(url, { method: 'POST', body: built.body, headers: { 'content-type': 'text/xml' } });
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((ok) => this.server.close(() => ok()));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://fake');
    this.requests.push({ method: req.method ?? '', path: url.pathname, query: url.searchParams });
    const raw = await readBody(req);
    const answer = this.answer(req.method ?? '', url, raw, req.headers['content-type'] ?? '');
    const sending = url.pathname !== '/cgi-bin/gettoken';
    if (sending && this.lostAnswers > 0 && answer.errcode === 0 && (this.lostAnswersPath ?? url.pathname) === url.pathname) {
      this.lostAnswers--;
      req.socket.destroy();
      return;
    }
    if (this.delayMs > 0) await new Promise((ok) => setTimeout(ok, this.delayMs));
    res.writeHead(200, { 'content-type': 'application/json; charset=utf-8' }).end(JSON.stringify(answer));
  }

  private answer(method: string, url: URL, raw: Buffer, contentType: string): Answer {
    const q = url.searchParams;
    if (url.pathname === '/cgi-bin/gettoken') return this.getToken(q.get('corpid'), q.get('corpsecret'));
    const tokenProblem = this.checkToken(q.get('access_token'));
    if (tokenProblem) return tokenProblem;
    const failure = this.failures.findIndex((f) => f.path === undefined || f.path === url.pathname);
    if (failure >= 0) {
      const { errcode, errmsg } = this.failures.splice(failure, 1)[0]!;
      return { errcode, errmsg };
    }
    if (url.pathname === '/cgi-bin/media/upload') return this.upload(q.get('type') ?? '', raw, contentType);
    let body: Record<string, unknown>;
    try {
      body = JSON.parse(raw.toString('utf8')) as Record<string, unknown>;
    } catch {
      return { errcode: 47001, errmsg: 'data format error' };
    }
    if (url.pathname === '/cgi-bin/message/send') return this.send(body);
    if (url.pathname === '/cgi-bin/appchat/send') return this.sendToChat(body);
    if (url.pathname === '/cgi-bin/message/update_template_card') return this.updateCard(body);
    return { errcode: 404, errmsg: `fake has no ${url.pathname}` };
  }

  private getToken(corpId: string | null, secret: string | null): Answer {
    if (corpId !== this.opts.corpId) return { errcode: 40013, errmsg: 'invalid corpid' };
    if (secret !== this.opts.corpSecret) return { errcode: 40001, errmsg: 'invalid credential' };
    const token = `token-${++this.counter}-${randomBytes(8).toString('hex')}`;
    this.tokens.set(token, this.opts.now() + 7200 * 1000);
    return { errcode: 0, errmsg: 'ok', access_token: token, expires_in: 7200 };
  }

  private checkToken(token: string | null): Answer | undefined {
    if (!token) return { errcode: 41001, errmsg: 'access_token missing' };
    const expiresAt = this.tokens.get(token);
    if (expiresAt === undefined) return { errcode: 40014, errmsg: 'invalid access_token' };
    if (expiresAt <= this.opts.now()) return { errcode: 42001, errmsg: 'access_token expired' };
    return undefined;
  }

  private checkContent(body: Record<string, unknown>): Answer | undefined {
    const msgtype = body.msgtype;
    if (typeof msgtype !== 'string' || typeof body[msgtype] !== 'object' || body[msgtype] === null) {
      return { errcode: 40008, errmsg: 'invalid message type' };
    }
    const content = body[msgtype] as Record<string, unknown>;
    if ((msgtype === 'text' || msgtype === 'markdown') && !content.content) {
      return { errcode: 44004, errmsg: 'empty content' };
    }
    // 90236: text content 最长不超过2048个字节.
    if (msgtype === 'text' && Buffer.byteLength(String(content.content)) > 2048) return { errcode: 44004, errmsg: 'content over 2048 bytes' };
    if (msgtype === 'template_card') {
      const problem = cardProblem(content);
      if (problem) return { errcode: INVALID_PARAMETER, errmsg: problem };
    }
    if (msgtype === 'file' && !this.uploads.some((u) => u.mediaId === content.media_id)) {
      return { errcode: 40007, errmsg: 'invalid media_id' };
    }
    return undefined;
  }

  private send(body: Record<string, unknown>): Answer {
    if (Number(body.agentid) !== this.opts.agentId) return { errcode: 40056, errmsg: 'invalid agentid' };
    const problem = this.checkContent(body);
    if (problem) return problem;
    const targets = String(body.touser ?? '').split('|').filter(Boolean);
    const invalid = targets.filter((u) => this.unknownUsers.has(u));
    const valid = targets.filter((u) => !this.unknownUsers.has(u));
    if (valid.length === 0) {
      return { errcode: 81013, errmsg: 'user & party & tag all invalid', invaliduser: invalid.join('|') };
    }
    const duplicate = this.checkDuplicate(body);
    if ('errcode' in duplicate) return duplicate;
    const msgid = `msgid-${++this.counter}`;
    if (duplicate.repeat) {
      this.duplicatesDropped++;
      return { errcode: 0, errmsg: 'ok', invaliduser: invalid.join('|'), msgid };
    }
    const reached = valid.filter((u) => this.admit(u));
    if (reached.length > 0) {
      this.delivered.push({ path: '/cgi-bin/message/send', msgid, msgtype: String(body.msgtype), touser: reached, body });
    }
    const answer: Answer = { errcode: 0, errmsg: 'ok', invaliduser: invalid.join('|'), msgid };
    if (body.msgtype === 'template_card') answer.response_code = randomBytes(12).toString('hex');
    return answer;
  }

  /**
   * 90236 enable_duplicate_check: the same message to the same members within the interval is
   * not sent again. The body without the check's own fields is what must be the same.
   */
  private checkDuplicate(body: Record<string, unknown>): Answer | { repeat: boolean } {
    if (Number(body.enable_duplicate_check ?? 0) !== 1) return { repeat: false };
    const interval = Number(body.duplicate_check_interval ?? 1800);
    if (!Number.isInteger(interval) || interval < 1 || interval > 4 * 3600) {
      return { errcode: INVALID_PARAMETER, errmsg: 'duplicate_check_interval must be at most 4 hours' };
    }
    const { enable_duplicate_check: _e, duplicate_check_interval: _i, ...content } = body;
    const key = canonical(content);
    const now = this.opts.now();
    const repeat = this.recentSends.some((s) => s.key === key && s.at > now - interval * 1000);
    if (!repeat) this.recentSends.push({ key, at: now });
    return { repeat };
  }

  private sendToChat(body: Record<string, unknown>): Answer {
    // 90248: only a chat this app created (appchat/create) can be written to.
    if (typeof body.chatid !== 'string' || !this.appChats.has(body.chatid)) return { errcode: 86003, errmsg: 'chatid not found' };
    const problem = this.checkContent(body);
    if (problem) return problem;
    const msgid = `msgid-${++this.counter}`;
    this.delivered.push({ path: '/cgi-bin/appchat/send', msgid, msgtype: String(body.msgtype), touser: [], chatid: body.chatid, body });
    return { errcode: 0, errmsg: 'ok' };
  }

  /** A pressed card replaced for the members named: a press's response code works once. */
  private updateCard(body: Record<string, unknown>): Answer {
    if (Number(body.agentid) !== this.opts.agentId) return { errcode: 40056, errmsg: 'invalid agentid' };
    const responseCode = typeof body.response_code === 'string' ? body.response_code : '';
    if (!responseCode || this.cardUpdates.some((u) => u.responseCode === responseCode)) {
      return { errcode: 40058, errmsg: 'invalid response_code' };
    }
    const hasCard = typeof body.template_card === 'object' && body.template_card !== null;
    const hasButton = typeof (body.button as { replace_name?: unknown } | undefined)?.replace_name === 'string';
    if (!hasCard && !hasButton) return { errcode: 40058, errmsg: 'template_card or button required' };
    const problem = hasCard ? cardProblem(body.template_card) : undefined;
    if (problem) return { errcode: INVALID_PARAMETER, errmsg: problem };
    const userids = Array.isArray(body.userids) ? body.userids.map(String) : [];
    this.cardUpdates.push({ responseCode, userids, body });
    return { errcode: 0, errmsg: 'ok', invaliduser: [] };
  }

  /** Applies WeCom's per-member limits; false means the message is silently dropped. */
  private admit(member: string): boolean {
    const t = this.opts.now();
    const times = (this.sentTo.get(member) ?? []).filter((s) => s > t - 3600_000);
    const lastMinute = times.filter((s) => s > t - 60_000).length;
    this.sentTo.set(member, times);
    if (lastMinute >= this.opts.perMemberPerMinute || times.length >= this.opts.perMemberPerHour) {
      this.droppedCount++;
      return false;
    }
    times.push(t);
    return true;
  }

  private upload(type: string, raw: Buffer, contentType: string): Answer {
    const boundary = /boundary=(?:"([^"]+)"|([^;]+))/i.exec(contentType);
    const part = boundary ? fileFromMultipart(raw, boundary[1] ?? boundary[2] ?? '') : undefined;
    if (!part || part.data.length === 0) return { errcode: 44001, errmsg: 'empty media data' };
    // 90253: 所有文件size必须大于5个字节; 普通文件(file) 20MB.
    if (part.data.length <= 5 || part.data.length > 20 * 1024 * 1024) return { errcode: 40006, errmsg: 'invalid file size' };
    const mediaId = `media-${++this.counter}-${randomBytes(6).toString('hex')}`;
    this.uploads.push({ mediaId, type, filename: part.filename, data: part.data });
    return { errcode: 0, errmsg: 'ok', type, media_id: mediaId, created_at: String(Math.floor(this.opts.now() / 1000)) };
  }
}

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/** The part named `media` of a multipart/form-data body, as WeCom's media/upload expects it. */
function fileFromMultipart(raw: Buffer, boundary: string): { filename: string; data: Buffer } | undefined {
  const delimiter = Buffer.from(`--${boundary}`);
  let start = raw.indexOf(delimiter);
  while (start >= 0) {
    const next = raw.indexOf(delimiter, start + delimiter.length);
    if (next < 0) return undefined;
    const part = raw.subarray(start + delimiter.length + 2, next - 2); // skip CRLF after delimiter and before next
    const headerEnd = part.indexOf('\r\n\r\n');
    const headers = part.subarray(0, Math.max(headerEnd, 0)).toString('utf8');
    if (headerEnd >= 0 && /name="media"/i.test(headers)) {
      const filename = /filename="([^"]*)"/i.exec(headers)?.[1] ?? '';
      return { filename, data: part.subarray(headerEnd + 4) };
    }
    start = next;
  }
  return undefined;
}

/** JSON with sorted keys, so that two equal bodies compare equal whatever their key order. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (typeof value === 'object' && value !== null) {
    return `{${Object.keys(value).sort().map((k) => `${JSON.stringify(k)}:${canonical((value as Record<string, unknown>)[k])}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

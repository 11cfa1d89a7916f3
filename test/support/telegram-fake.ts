/**
 * A local fake of the Telegram Bot API for end-to-end tests and benchmarks, driven by the real
 * telegraf through `new Telegraf(token, { telegram: { apiRoot: fake.apiRoot } })`.
 *
 * We wrote this protocol fake ourselves because no maintained one exists. It follows the Bot API
 * documentation and Telegram's observed answers for the methods Tongxin uses; it does not parse
 * HTML/Markdown (`parse_mode` is recorded, not interpreted). Parts: telegram-fake-http.ts (bodies),
 * telegram-fake-methods.ts (chats and methods), telegram-fake-updates.ts (getUpdates, webhook),
 * telegram-fake-faults.ts (fault switches, flood limits).
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ApiError, answer, answerError, boolParam, intParam, jsonParam, readParams, stringParam, type Params } from './telegram-fake-http.js';
import { FakeChats, scopeKey, type BotCommand, type CallbackAnswer, type SentRecord } from './telegram-fake-methods.js';
import { FakeUsers, type UserButton, type UserDocument, type UserText } from './telegram-fake-users.js';
import { UpdateFeed, type FakeUpdate, type WebhookAttempt } from './telegram-fake-updates.js';
import { Faults, FloodLimits, LIMITED_METHODS, type LimitOptions, type LoseAnswersFault, type MethodSelector, type RateLimitFault } from './telegram-fake-faults.js';

export type { BotCommand, CallbackAnswer, SentRecord } from './telegram-fake-methods.js';
export type { FakeUpdate, WebhookAttempt } from './telegram-fake-updates.js';
export type { UserButton, UserDocument, UserText } from './telegram-fake-users.js';
export type { LimitOptions, LoseAnswersFault, RateLimitFault } from './telegram-fake-faults.js';

export interface TelegramFakeOptions {
  /** The only token the fake accepts; its digits before `:` are the bot's user id. */
  token?: string;
  botUsername?: string;
  /** Tries per update before a webhook delivery is given up (Telegram retries too). */
  webhookAttempts?: number;
  webhookRetryDelayMs?: number;
}

/** What getWebhookInfo reports, plus the secret token (which Telegram does not reveal). */
export interface WebhookInfo {
  url: string;
  secretToken: string | undefined;
  pendingUpdateCount: number;
  lastErrorMessage: string | undefined;
}

type Handler = (p: Params, closed: AbortSignal) => unknown;

/** The fake Bot API server. See the file comment. */
export class TelegramFake {
  readonly token: string;
  readonly botUsername: string;
  /**
   * Every call of a known method after the token check, in arrival order; `viaWebhookReply` marks
   * a method telegraf answered in a webhook response body instead of calling the API.
   */
  readonly calls: Array<{ method: string; params: Params; at: number; viaWebhookReply: boolean }> = [];
  private readonly faults = new Faults();
  private limits: FloodLimits | undefined;
  private readonly blocked = new Set<string>();
  private readonly unknown = new Set<string>();
  private readonly handlers: Record<string, Handler>;
  private server: Server | undefined;
  private readonly chats: FakeChats;
  private readonly feed: UpdateFeed;
  private readonly users: FakeUsers;

  constructor(options: TelegramFakeOptions = {}) {
    const token = options.token ?? '123456789:TEST-fake-token';
    const botUsername = options.botUsername ?? 'tongxin_test_bot';
    const botUser = { id: Number(token.split(':')[0]), is_bot: true, first_name: 'Tongxin', username: botUsername };
    const chats = (this.chats = new FakeChats(botUser, (method, chatId) => this.gate(method, chatId)));
    const feed = (this.feed = new UpdateFeed({
      webhookAttempts: options.webhookAttempts ?? 3,
      webhookRetryDelayMs: options.webhookRetryDelayMs ?? 50,
      onWebhookReply: async (method, params) => void (await this.call(method, params, new AbortController().signal, true)),
    }));
    this.users = new FakeUsers(chats, feed);
    this.token = token;
    this.botUsername = botUsername;
    this.handlers = {
      getMe: () => ({ ...botUser, can_join_groups: true, can_read_all_group_messages: false, supports_inline_queries: false }),
      getUpdates: (p, closed) => feed.getUpdates({
        offset: intParam(p.offset, 'offset'), limit: intParam(p.limit, 'limit'), timeout: intParam(p.timeout, 'timeout'),
        allowedUpdates: jsonParam(p.allowed_updates, 'allowed_updates') as string[] | undefined,
      }, closed),
      setWebhook: (p) => {
        const url = stringParam(p.url) ?? '';
        if (url === '') feed.deleteWebhook(boolParam(p.drop_pending_updates));
        else feed.setWebhook({
          url, ...(p.secret_token ? { secretToken: stringParam(p.secret_token)! } : {}),
          maxConnections: intParam(p.max_connections, 'max_connections') ?? 40,
          allowedUpdates: (jsonParam(p.allowed_updates, 'allowed_updates') as string[] | undefined) ?? [],
        }, boolParam(p.drop_pending_updates));
        return true;
      },
      deleteWebhook: (p) => (feed.deleteWebhook(boolParam(p.drop_pending_updates)), true),
      getWebhookInfo: () => ({
        url: feed.webhook?.url ?? '', has_custom_certificate: false, pending_update_count: feed.pendingCount,
        ...(feed.webhook && { max_connections: feed.webhook.maxConnections, allowed_updates: feed.webhook.allowedUpdates }),
        ...(feed.webhook?.lastErrorDate && { last_error_date: feed.webhook.lastErrorDate, last_error_message: feed.webhook.lastErrorMessage }),
      }),
      sendMessage: (p) => chats.sendMessage(p),
      editMessageText: (p) => chats.editMessageText(p),
      editMessageReplyMarkup: (p) => chats.editMessageReplyMarkup(p),
      sendDocument: (p) => chats.sendDocument(p),
      answerCallbackQuery: (p) => chats.answerCallbackQuery(p),
      sendChatAction: (p) => chats.sendChatAction(p),
      getFile: (p) => chats.getFile(p),
      setMyCommands: (p) => chats.setMyCommands(p),
      getMyCommands: (p) => chats.getMyCommands(p),
      deleteMyCommands: (p) => chats.deleteMyCommands(p),
    };
  }

  /** Listens on 127.0.0.1 on a free port. */
  async start(): Promise<void> {
    const server = createServer((req, res) => void this.handle(req, res));
    server.keepAliveTimeout = 60_000;
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    this.server = server;
  }

  /** Ends held getUpdates calls, waits for webhook POSTs, and closes every connection. */
  async stop(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = undefined;
    this.feed.releasePoller();
    await this.feed.flushWebhook();
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    server.closeAllConnections();
    await closed;
  }

  /** Base URL for telegraf's `telegram.apiRoot`. */
  get apiRoot(): string {
    if (!this.server) throw new Error('TelegramFake is not started');
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  get sent(): SentRecord[] { return this.chats.sent; }
  get callbackAnswers(): CallbackAnswer[] { return this.chats.callbackAnswers; }
  get chatActions(): Array<{ chatId: string; action: string; at: number }> { return this.chats.chatActions; }
  /** Commands per scope and language; keys as made by `commandsFor`'s arguments, e.g. `default|`, `chat:42|zh`. */
  get commands(): Map<string, BotCommand[]> { return this.chats.commands; }
  get webhookAttempts(): WebhookAttempt[] { return this.feed.webhookAttempts; }

  get webhook(): WebhookInfo {
    const hook = this.feed.webhook;
    return { url: hook?.url ?? '', secretToken: hook?.secretToken, pendingUpdateCount: this.feed.pendingCount, lastErrorMessage: hook?.lastErrorMessage };
  }

  /** What the bot sent or edited in one chat. */
  messagesTo(chatId: string | number): SentRecord[] {
    const id = String(chatId);
    return this.chats.sent.filter((s) => s.chatId === id);
  }

  /** Commands set for a scope (`{ type: 'default' }` when omitted) and language ('' = all). */
  commandsFor(scope?: { type: string; chat_id?: number | string; user_id?: number }, languageCode?: string): BotCommand[] | undefined {
    return this.chats.commands.get(scopeKey(scope, languageCode || undefined));
  }

  /** Waits until `condition` holds, polling every 5 ms; throws after `timeoutMs`. */
  async waitUntil(condition: () => boolean, timeoutMs = 2_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!condition()) {
      if (Date.now() > deadline) throw new Error(`TelegramFake.waitUntil: condition not met within ${timeoutMs} ms`);
      await new Promise((r) => setTimeout(r, 5));
    }
  }

  /** A user sends text; a leading `/command` or `/command@bot` gets its bot_command entity. */
  userSendsText(o: UserText): FakeUpdate { return this.users.sendsText(o); }
  /** A user presses an inline button under a message; the callback query stays open until answered. */
  userPressesButton(o: UserButton): FakeUpdate { return this.users.pressesButton(o); }
  /** A user sends a file; the bot can fetch it with getFile and the /file/ route. */
  userSendsDocument(o: UserDocument): FakeUpdate { return this.users.sendsDocument(o); }

  /**
   * Queues an update for getUpdates, or POSTs it to the webhook if one is set. The fake numbers it
   * (any `update_id` given is replaced); the numbered update is returned.
   */
  pushUpdate(update: Record<string, unknown>): FakeUpdate { return this.feed.push(update); }
  /** Delivers a past update again (a crash before confirmation), to test dedupe by update_id. */
  redeliver(updateId: number): FakeUpdate { return this.feed.redeliver(updateId); }
  /** Waits until no webhook POST is in flight. */
  flushWebhook(): Promise<void> { return this.feed.flushWebhook(); }

  /** Answers 429 with `retry_after` (send methods unless `methods` says otherwise). Returns an undo. */
  rateLimit(fault: RateLimitFault): () => void { return this.faults.rateLimit(fault); }
  /** Applies and records the send, then destroys the connection without an answer. Returns an undo. */
  loseAnswers(fault: LoseAnswersFault): () => void { return this.faults.loseAnswers(fault); }
  /** Holds each matching call `ms` before processing it (it is still applied if the client gave up). */
  delay(ms: number, methods?: MethodSelector): () => void { return this.faults.delay(ms, methods); }
  /** Sends to this chat answer 403 "Forbidden: bot was blocked by the user". */
  blockUser(chatId: string | number): void { this.blocked.add(String(chatId)); }
  unblockUser(chatId: string | number): void { this.blocked.delete(String(chatId)); }
  /** Sends to this chat answer 400 "Bad Request: chat not found". */
  unknownChat(chatId: string | number): void { this.unknown.add(String(chatId)); }
  /** Removes every fault switch (blocked and unknown chats too). */
  clearFaults(): void {
    this.faults.clear();
    this.blocked.clear();
    this.unknown.clear();
  }

  /**
   * Enforces Telegram's flood limits on sends (defaults 30/s overall, 1/s per chat, 20/min per group;
   * groups are negative chat ids): excess sends answer 429 and are not applied. `false` turns it off.
   */
  enforceLimits(options: LimitOptions | false): void {
    this.limits = options === false ? undefined : new FloodLimits({
      globalPerSecond: 30, perChatPerSecond: 1, perGroupPerMinute: 20, scale: 1, ...options,
    });
  }
  /** Sends refused by `enforceLimits`. */
  get rejected429(): number { return this.limits?.rejected ?? 0; }
  /** When `enforceLimits` accepted each send (ms since the epoch). */
  get acceptedAt(): readonly number[] { return this.limits?.acceptedAt ?? []; }

  private gate(method: string, chatId: string): void {
    if (this.unknown.has(chatId)) throw new ApiError(400, 'Bad Request: chat not found');
    if (this.blocked.has(chatId)) throw new ApiError(403, 'Forbidden: bot was blocked by the user');
    if (this.limits && LIMITED_METHODS.has(method)) {
      const retryAfter = this.limits.admit(chatId, Number(chatId) < 0, Date.now());
      if (retryAfter !== undefined) throw tooMany(retryAfter);
    }
  }

  private async call(method: string, params: Params, closed: AbortSignal, viaWebhookReply = false): Promise<unknown> {
    const handler = Object.hasOwn(this.handlers, method) ? this.handlers[method] : undefined;
    if (!handler) throw new ApiError(404, 'Not Found: method not found');
    this.calls.push({ method, params, at: Date.now(), viaWebhookReply });
    const retryAfter = this.faults.retryAfterFor(method, params.chat_id === undefined ? undefined : String(params.chat_id));
    if (retryAfter !== undefined) throw tooMany(retryAfter);
    const delay = this.faults.delayFor(method);
    if (delay > 0) await new Promise((r) => setTimeout(r, delay));
    return await handler(params, closed);
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://fake');
    const closed = new AbortController();
    res.on('close', () => closed.abort());
    try {
      const file = /^\/file\/bot([^/]+)\/(.+)$/.exec(url.pathname);
      if (file) return this.download(res, file[1]!, decodeURIComponent(file[2]!));
      const route = /^\/bot([^/]+)\/([A-Za-z]+)$/.exec(url.pathname);
      if (!route) throw new ApiError(404, 'Not Found');
      if (route[1] !== this.token) throw new ApiError(401, 'Unauthorized');
      const method = route[2]!;
      const result = await this.call(method, await readParams(req, url), closed.signal);
      if (this.faults.shouldLoseAnswer(method)) {
        req.socket.destroy();
        return;
      }
      if (!res.destroyed) answer(res, 200, { ok: true, result });
    } catch (error) {
      if (res.writableEnded || res.destroyed) return;
      if (error instanceof ApiError) answerError(res, error);
      else if (error instanceof SyntaxError) answerError(res, new ApiError(400, "Bad Request: can't parse JSON"));
      else answer(res, 500, { ok: false, error_code: 500, description: `Internal Server Error: ${String(error)}` });
    }
  }

  private download(res: ServerResponse, token: string, path: string): void {
    const file = token === this.token ? [...this.chats.files.values()].find((f) => f.path === path) : undefined;
    if (!file) return answer(res, 404, { ok: false, error_code: 404, description: 'Not Found' });
    res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': file.data.length });
    res.end(file.data);
  }
}

function tooMany(retryAfter: number): ApiError {
  return new ApiError(429, `Too Many Requests: retry after ${retryAfter}`, { retry_after: retryAfter });
}

/**
 * One Telegram bot process: takes raw updates (from telegraf's long polling or from the webhook),
 * turns them into IncomingMessages, lets the router answer, and puts the answers in the chat.
 *
 * Updates of one chat are handled one after another in this process, so a dialogue answer never
 * overtakes the command that started the dialogue (telegraf handles a polled batch concurrently).
 * Duplicates across processes are the router's business (update_id in Redis, 48 h).
 */
import { Telegraf } from 'telegraf';
import type { App } from '../../app.js';
import { localeFromHint, t } from '../../core/i18n.js';
import type { FileAttachment, IncomingMessage } from '../../core/messages.js';
import { TelegramMessenger } from './messenger.js';
import { errorText } from './delivery-failure.js';
import { MemberMenus } from './menu.js';
import { memberOfTelegramUser, setTelegramReachability } from './members.js';
import { deliverReplies, type ReplyContext } from './replies.js';
import { parseUpdate, type DocumentRef, type ParsedUpdate } from './updates.js';

export interface TelegramBotOptions {
  token: string;
  apiRoot?: string;
  /** Time limit of one Bot API call. */
  timeoutMs?: number;
}

/** Telegram lets bots download files up to 20 MB. */
const MAX_DOWNLOAD_BYTES = 20 * 1024 * 1024;
const DOWNLOAD_TIMEOUT_MS = 60_000;

export class TelegramBot {
  private readonly chats = new Map<string, Promise<void>>();
  private readonly inFlight = new Set<Promise<void>>();
  private readonly replies: ReplyContext;
  private readonly menus: MemberMenus;
  private readonly commandNames: Set<string>;

  private constructor(
    private readonly app: App,
    readonly telegraf: Telegraf,
    readonly messenger: TelegramMessenger,
    readonly username: string,
  ) {
    const { deps } = app;
    this.replies = { db: deps.db, logger: deps.logger, messenger, botUsername: username, defaultLocale: deps.defaultLocale, now: () => deps.clock.now() };
    this.menus = new MemberMenus(deps.redis, messenger, app.router.catalog, deps.logger);
    this.commandNames = new Set(app.router.catalog.flatMap((c) => [c.name, ...(c.aliases ?? [])]));
    telegraf.use(async (ctx) => this.handleUpdate(ctx.update));
    telegraf.catch((err, ctx) => deps.logger.error({ updateId: ctx.update.update_id, err: errorText(err) }, 'telegram update failed'));
  }

  /** Connects (getMe) and returns a bot ready to take updates. */
  static async create(app: App, opts: TelegramBotOptions): Promise<TelegramBot> {
    // Our replies wait out 429s, so one update may take a while; polling moves on after this.
    const telegraf = new Telegraf(opts.token, { telegram: { ...(opts.apiRoot && { apiRoot: opts.apiRoot }), webhookReply: false }, handlerTimeout: 300_000 });
    // Answers inside the webhook response cannot report errors; we always call the API.
    telegraf.telegram.webhookReply = false;
    const messenger = new TelegramMessenger(telegraf.telegram, opts.timeoutMs);
    const me = await messenger.call<NonNullable<Telegraf['botInfo']>>('getMe', {});
    telegraf.botInfo = me;
    return new TelegramBot(app, telegraf, messenger, me.username);
  }

  /** Handles one update as Telegram sent it; resolves when its replies are out (or given up). */
  handleUpdate(raw: unknown): Promise<void> {
    const parsed = parseUpdate(raw, { botUsername: this.username, isCommand: (n) => this.commandNames.has(n), now: this.app.deps.clock.now() });
    const work = this.dispatch(parsed).catch((err: unknown) => {
      this.app.deps.logger.error({ updateId: (raw as { update_id?: unknown } | null)?.update_id, err: errorText(err) }, 'telegram update failed');
    });
    this.inFlight.add(work);
    void work.finally(() => this.inFlight.delete(work));
    return work;
  }

  /** Resolves when every update taken so far is done. */
  async idle(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.allSettled([...this.inFlight]);
  }

  private async dispatch(p: ParsedUpdate): Promise<void> {
    switch (p.type) {
      case 'ignored':
        return;
      case 'unroutable-button':
        return this.answerButton(p.callbackQueryId);
      case 'reachability':
        return setTelegramReachability(this.app.deps.db, p.userId, p.reachable ? null : this.app.deps.clock.now());
      default:
        return this.inChat(p.msg.chat.chatId, () => this.route(p));
    }
  }

  /** Runs `job` after the jobs already queued for this chat. */
  private inChat(chatId: string, job: () => Promise<void>): Promise<void> {
    const run = (this.chats.get(chatId) ?? Promise.resolve()).then(job);
    const tail = run.catch(() => undefined);
    this.chats.set(chatId, tail);
    void tail.then(() => {
      if (this.chats.get(chatId) === tail) this.chats.delete(chatId);
    });
    return run;
  }

  private async route(p: Extract<ParsedUpdate, { type: 'message' | 'button' }>): Promise<void> {
    let msg = p.msg;
    if (p.type === 'message' && p.document) {
      const file = await this.download(p.document);
      if (typeof file === 'string') return deliverReplies(this.replies, msg, [{ text: t(await this.localeOf(msg), file) }]);
      msg = { ...msg, file };
    }
    const replies = await this.app.router.handle(msg);
    // Answered before the replies go out, so the spinner stops even while a reply waits out a 429.
    if (p.type === 'button') await this.answerButton(p.callbackQueryId);
    await deliverReplies(this.replies, msg, replies);
    if (msg.chat.kind === 'private') await this.syncMenu(msg);
  }

  private async answerButton(callbackQueryId: string): Promise<void> {
    try {
      await this.messenger.call('answerCallbackQuery', { callback_query_id: callbackQueryId });
    } catch (err) {
      // A query older than ~15 s cannot be answered any more; the press itself was handled.
      this.app.deps.logger.debug({ callbackQueryId, err: errorText(err) }, 'callback query not answered');
    }
  }

  /** The file's bytes, or the locale key of the reason it could not be fetched. */
  private async download(doc: DocumentRef): Promise<FileAttachment | string> {
    if (doc.size !== undefined && doc.size > MAX_DOWNLOAD_BYTES) return 'telegram.fileTooBig';
    try {
      const file = await this.messenger.call<{ file_id: string; file_unique_id: string; file_path?: string }>('getFile', { file_id: doc.fileId });
      const link = await this.messenger.telegram.getFileLink(file);
      const res = await fetch(link, { signal: AbortSignal.timeout(DOWNLOAD_TIMEOUT_MS) });
      if (!res.ok) return 'telegram.fileFailed';
      const data = Buffer.from(await res.arrayBuffer());
      if (data.length > MAX_DOWNLOAD_BYTES) return 'telegram.fileTooBig';
      return { name: doc.name, mimeType: doc.mimeType, data };
    } catch (err) {
      this.app.deps.logger.warn({ err: err instanceof Error ? err.name : String(err) }, 'telegram file download failed');
      return 'telegram.fileFailed';
    }
  }

  private async localeOf(msg: IncomingMessage) {
    const member = await memberOfTelegramUser(this.app.deps.db, msg.senderId);
    return member?.locale ?? localeFromHint(msg.senderLanguage) ?? this.app.deps.defaultLocale;
  }

  private async syncMenu(msg: IncomingMessage): Promise<void> {
    try {
      const member = await memberOfTelegramUser(this.app.deps.db, msg.senderId);
      if (member) await this.menus.sync(msg.chat.chatId, member);
    } catch (err) {
      this.app.deps.logger.warn({ updateId: msg.id, err: errorText(err) }, 'telegram menu sync failed');
    }
  }
}


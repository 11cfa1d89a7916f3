import { UserError, TemporaryFailure } from '../core/errors.js';
import { cleanInput, tokenize } from '../core/input.js';
import { t as translate, localeFromHint, type Params } from '../core/i18n.js';
import type { IncomingMessage } from '../core/messages.js';
import { isTransientError } from '../store/errors.js';
import { adoptLocaleHint, roleAllows, type Member } from '../domain/members/members.js';
import { noDialog } from './dialogs.js';
import { admitMessage } from './flood.js';
import { loadSender } from './sender.js';
import { parseCommandArgs } from './args.js';
import type { ButtonAction, Command, Ctx, Deps, DialogHandler, Feature, HandlerResult, MemberCtx, Reply } from './types.js';

/**
 * Turns a platform-neutral incoming message into replies: finds the command, button or dialogue
 * handler, checks the sender's role, and answers every failure in the sender's language.
 */
export class Router {
  private readonly commands = new Map<string, Command<unknown>>();
  private readonly buttons = new Map<string, ButtonAction<unknown>>();
  private readonly dialogs = new Map<string, DialogHandler>();
  readonly catalog: Command<unknown>[] = [];

  constructor(
    private readonly deps: Deps,
    private readonly features: Feature[],
  ) {
    for (const f of features) {
      for (const c of f.commands ?? []) {
        this.catalog.push(c);
        for (const name of [c.name, ...(c.aliases ?? [])]) this.register(this.commands, name, c);
      }
      for (const b of f.buttons ?? []) this.register(this.buttons, b.prefix, b);
      for (const d of f.dialogs ?? []) this.register(this.dialogs, d.kind, d);
    }
  }

  private register<T>(map: Map<string, T>, key: string, value: T): void {
    if (map.has(key)) throw new Error(`registered twice: ${key}`);
    map.set(key, value);
  }

  /** Commands that `member` may use, in registration order; for /help and platform menus. */
  commandsFor(member: Member | null): Command<unknown>[] {
    return this.catalog.filter((c) => c.summaryKey && (c.role === 'guest' ? true : roleAllows(member?.role, c.role)));
  }

  async handle(msg: IncomingMessage): Promise<Reply[]> {
    const { deps } = this;
    const now = deps.clock.now();
    const hint = localeFromHint(msg.senderLanguage);
    let ctx: Ctx = this.guestCtx(msg, null, hint);
    try {
      // The console's ids are its own line numbers: they repeat across runs and are never re-delivered.
      const seenKey = msg.chat.platform === 'console' ? undefined : `seen:${msg.chat.platform}:${msg.id}`;
      const admission = await admitMessage(deps.redis, seenKey, `${msg.chat.platform}:${msg.senderId}`, deps.settings.flood, now);
      if (admission === 'duplicate' || admission === 'ignore') return [];
      const sender = await loadSender(deps.db, msg, now);
      if (sender) {
        const member = await adoptLocaleHint(deps.db, sender.member, hint);
        ctx = { ...this.guestCtx(msg, member, undefined), dialog: sender.dialog };
      }
      if (admission === 'warn') return [{ text: ctx.t('errors.flood', { seconds: deps.settings.flood.windowSeconds }) }];
      return toReplies(await this.dispatch(ctx));
    } catch (err) {
      return [this.failureReply(ctx, err)];
    }
  }

  private async dispatch(ctx: Ctx): Promise<HandlerResult> {
    const { msg } = ctx;
    if (msg.buttonData !== undefined) return this.pressButton(ctx, msg.buttonData);
    const text = cleanInput(msg.text).trim();
    if (msg.file) {
      const mctx = this.requireMember(ctx, 'staff');
      for (const f of this.features) {
        const r = await f.onFile?.(mctx);
        if (r !== undefined) return r;
      }
      throw new UserError('errors.fileNotExpected');
    }
    const command = /^\/([A-Za-z_]+)(?:@(\S+))?(?:\s+([\s\S]*))?$/u.exec(text);
    if (command) return this.runCommand(ctx, command[1]!.toLowerCase(), command[3] ?? '');
    const dialog = ctx.dialog.current;
    if (dialog) {
      const handler = this.dialogs.get(dialog.kind);
      if (!handler) {
        await ctx.dialog.end();
        throw new UserError('errors.dialogGone');
      }
      return handler.onText(this.requireMember(ctx, handler.role), dialog.state, text);
    }
    // In groups the bot only answers what is addressed to it as a command.
    if (msg.chat.kind === 'group') return undefined;
    return { text: ctx.t(ctx.member ? 'errors.notACommand' : 'errors.unbound') };
  }

  private async runCommand(ctx: Ctx, name: string, argText: string): Promise<HandlerResult> {
    const command = this.commands.get(name);
    if (!command) throw new UserError(ctx.member ? 'errors.unknownCommand' : 'errors.unbound', { name });
    if (command.role === 'guest' && command.runGuest) {
      return command.runGuest(ctx, parseCommandArgs(command, tokenize(argText)), argText);
    }
    const mctx = this.requireMember(ctx, command.role === 'guest' ? 'member' : command.role);
    if (command.privateOnly && ctx.msg.chat.kind === 'group') {
      return { text: ctx.t('errors.privateOnly', { command: `/${command.name}` }), privateStart: command.name };
    }
    return command.run(mctx, parseCommandArgs(command, tokenize(argText)), argText);
  }

  private async pressButton(ctx: Ctx, data: string): Promise<HandlerResult> {
    const [prefix = '', ...parts] = data.split(':');
    const action = this.buttons.get(prefix);
    if (!action) throw new UserError('errors.buttonExpired');
    const mctx = this.requireMember(ctx, action.role);
    const parsed = action.parts ? action.parts.safeParse(parts) : { success: true as const, data: parts };
    if (!parsed.success) throw new UserError('errors.buttonExpired');
    return action.run(mctx, parsed.data);
  }

  private requireMember(ctx: Ctx, role: Member['role']): MemberCtx {
    if (!ctx.member) throw new UserError('errors.unbound');
    if (!roleAllows(ctx.member.role, role)) throw new UserError('errors.forbidden');
    return ctx as MemberCtx;
  }

  private failureReply(ctx: Ctx, err: unknown): Reply {
    if (err instanceof UserError) return { text: ctx.t(err.key, err.params) };
    if (err instanceof TemporaryFailure || isTransientError(err)) {
      this.deps.logger.warn({ msgId: ctx.msg.id, platform: ctx.msg.chat.platform, err }, 'temporary failure while handling a message');
      return { text: ctx.t('errors.tryAgain') };
    }
    this.deps.logger.error({ msgId: ctx.msg.id, platform: ctx.msg.chat.platform, err }, 'handler failed');
    return { text: ctx.t('errors.internal') };
  }

  private guestCtx(msg: IncomingMessage, member: Member | null, hint: Ctx['locale'] | undefined): Ctx {
    const locale = member?.locale ?? hint ?? this.deps.defaultLocale;
    const timeZone = member?.timeZone ?? this.deps.defaultTimeZone;
    return {
      msg, member, locale, timeZone, deps: this.deps, dialog: noDialog,
      t: (key: string, params?: Params) => translate(locale, key, params, timeZone),
      commands: () => this.commandsFor(member),
    };
  }
}

function toReplies(r: HandlerResult): Reply[] {
  if (r === undefined) return [];
  return Array.isArray(r) ? r : [r];
}

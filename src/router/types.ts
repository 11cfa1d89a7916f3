import type { z } from 'zod';
import type { Redis } from 'ioredis';
import type { Db } from '../store/db.js';
import type { Clock } from '../core/clock.js';
import type { Logger } from '../core/logger.js';
import type { IncomingMessage, OutgoingMessage } from '../core/messages.js';
import type { Locale, Params } from '../core/i18n.js';
import type { Member, Role } from '../domain/members/members.js';
import type { Settings } from '../settings.js';

/** What handlers may use; built once per process in src/app.ts. */
export interface Deps {
  db: Db;
  redis: Redis;
  clock: Clock;
  logger: Logger;
  settings: Settings;
  defaultLocale: Locale;
  defaultTimeZone: string;
}

/** An answer from a handler: what the member sees in the same chat. */
export interface Reply extends OutgoingMessage {
  /**
   * Set when the member should continue in a private chat: adapters that can (Telegram) add a
   * deep-link button carrying this start parameter.
   */
  privateStart?: string;
  /**
   * For a button press: how the message that carried the button should look now (e.g. "收到 ✓"
   * instead of the button). Adapters edit that message; `text` may then be empty (nothing new sent).
   */
  updatePressed?: OutgoingMessage;
}

export type HandlerResult = Reply | Reply[] | undefined;

/** The guided dialogue, if any, the member is in in this chat. */
export interface DialogControl {
  readonly current: { kind: string; state: unknown } | undefined;
  start(kind: string, state: unknown): Promise<void>;
  update(state: unknown): Promise<void>;
  end(): Promise<void>;
}

/** Everything a handler gets for one incoming message. */
export interface Ctx {
  msg: IncomingMessage;
  /** The bound member, or null for someone the bot does not know yet. */
  member: Member | null;
  locale: Locale;
  timeZone: string;
  deps: Deps;
  dialog: DialogControl;
  /** The text for `key` in the member's language, with dates in their time zone. */
  t(key: string, params?: Params): string;
  /** The commands this sender may use (for /help). */
  commands(): Command<unknown>[];
}

/** Ctx for anything that needs a bound member; the router checks before calling. */
export interface MemberCtx extends Ctx {
  member: Member;
}

/** A slash command. `args` parses the words after the command name (see core/input.ts). */
export interface Command<A = string[]> {
  name: string;
  aliases?: string[];
  /** The least role that may run it; 'guest' for people not yet bound. */
  role: Role | 'guest';
  /** Locale key of the one-line description in /help; omitted commands are hidden from /help. */
  summaryKey?: string;
  /** Locale key of the expected form, e.g. "/signup SHIFT_ID". */
  usageKey: string;
  /** Personal commands answer only in a private chat; in a group the member is sent there. */
  privateOnly?: boolean;
  args?: z.ZodType<A, any>;
  run(ctx: MemberCtx, args: A, argText: string): Promise<HandlerResult>;
  /** For role 'guest' commands, run gets a Ctx whose member may be null. */
  runGuest?(ctx: Ctx, args: A, argText: string): Promise<HandlerResult>;
}

/**
 * A button press. Button data is "prefix:part:part…" (≤ 64 bytes); the router finds the action
 * by prefix and parses the parts with `parts`.
 */
export interface ButtonAction<P = string[]> {
  prefix: string;
  role: Role;
  parts?: z.ZodType<P, any>;
  run(ctx: MemberCtx, parts: P): Promise<HandlerResult>;
}

/** A step-by-step dialogue: plain text from the member goes to `onText` while it is active. */
export interface DialogHandler {
  kind: string;
  role: Role;
  onText(ctx: MemberCtx, state: unknown, text: string): Promise<HandlerResult>;
}

/** What one feature contributes to the router. */
export interface Feature {
  name: string;
  commands?: Command<any>[];
  buttons?: ButtonAction<any>[];
  dialogs?: DialogHandler[];
  /** Handles a file sent by a member (staff imports). Return undefined when it is not for you. */
  onFile?(ctx: MemberCtx): Promise<HandlerResult | undefined>;
}

/** Builds button data and checks the 64-byte limit every platform can carry. */
export function buttonData(prefix: string, ...parts: (string | number)[]): string {
  const data = [prefix, ...parts].join(':');
  if (Buffer.byteLength(data, 'utf8') > 64) throw new Error(`button data over 64 bytes: ${prefix}`);
  return data;
}

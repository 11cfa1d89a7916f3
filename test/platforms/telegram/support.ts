/**
 * End-to-end set-up for the Telegram adapter: a fresh database and Redis prefix, the router over
 * the given features, the Bot API fake, and the real telegraf started through startTelegram with
 * TELEGRAM_API_ROOT pointing at the fake. Tests talk as Telegram users and read what the fake got.
 */
import { inject } from 'vitest';
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { eq } from 'drizzle-orm';
import { FixedClock } from '../../../src/core/clock.js';
import { createLogger } from '../../../src/core/logger.js';
import { loadConfig, type Config } from '../../../src/config.js';
import { loadSettings } from '../../../src/settings.js';
import { Router } from '../../../src/router/router.js';
import type { Deps, Feature } from '../../../src/router/types.js';
import type { App } from '../../../src/app.js';
import { identities, members } from '../../../src/store/schema/index.js';
import { startTelegram, type StartTelegramOptions, type TelegramRuntime } from '../../../src/platforms/telegram/index.js';
import { freshDatabase } from '../../support/db.js';
import { TelegramFake, type FakeUpdate, type SentRecord } from '../../support/telegram-fake.js';
import type { UserRef } from '../../support/telegram-fake-users.js';

/** A token the config accepts (digits, colon, 20+ characters). */
export const FAKE_TOKEN = '123456789:TEST-fake-token-for-tongxin-e2e';

export type MemberRow = typeof members.$inferInsert;

export interface TestApp extends App {
  clock: FixedClock;
}

/** The core over `features` on a fresh database and a Redis key prefix of its own. */
export async function testApp(kind: 'pglite' | 'postgres', features: Feature[], opts: { at?: string; settings?: unknown } = {}): Promise<TestApp> {
  const database = await freshDatabase(kind);
  const redis = new Redis(inject('redisUrl'), { keyPrefix: `t${randomBytes(5).toString('hex')}:`, maxRetriesPerRequest: null });
  const clock = new FixedClock(new Date(opts.at ?? '2026-12-01T02:00:00Z'));
  const deps: Deps = {
    db: database.db, redis, clock, logger: createLogger(process.env.TEST_LOG_LEVEL ?? 'silent'),
    settings: loadSettings(undefined, opts.settings ?? {}), defaultLocale: 'zh-Hans', defaultTimeZone: 'Asia/Shanghai',
  };
  return {
    deps, router: new Router(deps, features), database, clock,
    async close() {
      redis.disconnect();
      await database.close();
    },
  };
}

/** Configuration as main would load it, pointing telegraf at the fake. */
export function telegramConfig(fake: TelegramFake, extra: Record<string, string> = {}): Config {
  return loadConfig({ TELEGRAM_BOT_TOKEN: fake.token, TELEGRAM_API_ROOT: fake.apiRoot, ...extra });
}

/** A running adapter against the fake, plus helpers to act as Telegram users. */
export class TelegramWorld {
  private seq = 0;
  private constructor(readonly app: TestApp, readonly fake: TelegramFake, readonly runtime: TelegramRuntime) {}

  static async start(app: TestApp, opts: { config?: Record<string, string>; start?: StartTelegramOptions; fake?: TelegramFake } = {}): Promise<TelegramWorld> {
    const fake = opts.fake ?? new TelegramFake({ token: FAKE_TOKEN, webhookRetryDelayMs: 10 });
    if (!opts.fake) await fake.start();
    const runtime = await startTelegram(app, telegramConfig(fake, opts.config), opts.start);
    return new TelegramWorld(app, fake, runtime);
  }

  get db() {
    return this.app.deps.db;
  }

  /** Adds a roster member (defaults: Simplified Chinese, Shanghai, member). */
  async addMember(values: Partial<MemberRow> & { name: string }) {
    const [row] = await this.db.insert(members).values({ rosterKey: `k-${values.name}-${++this.seq}`, ...values }).returning();
    return row!;
  }

  /** Links a Telegram user to a member, as a completed binding would. */
  async linkTelegram(memberId: number, userId: number): Promise<void> {
    await this.db.insert(identities).values({ platform: 'telegram', platformUserId: String(userId), memberId, chatId: String(userId) });
  }

  async member(id: number) {
    const [row] = await this.db.select().from(members).where(eq(members.id, id));
    return row!;
  }

  /**
   * Does `act` and returns what the bot then sent or edited in `chatId`, waiting for `expect`
   * records. Updates of one chat are handled in order, so waiting for a later answer also proves
   * an earlier update produced nothing more.
   */
  async exchange(chatId: number, act: () => FakeUpdate | void, expect = 1): Promise<SentRecord[]> {
    const before = this.fake.messagesTo(chatId).length;
    act();
    await this.fake.waitUntil(() => this.fake.messagesTo(chatId).length >= before + expect, 15_000);
    return this.fake.messagesTo(chatId).slice(before);
  }

  /** A user types `text`; returns the bot's answers in that chat. */
  says(user: UserRef, text: string, expect = 1): Promise<SentRecord[]> {
    return this.exchange(user.chatId ?? user.userId, () => this.fake.userSendsText({ ...user, text }), expect);
  }

  /** A user presses the button with `label` under the last bot message that has it. */
  async presses(user: UserRef, label: string, expect = 1): Promise<SentRecord[]> {
    const chatId = user.chatId ?? user.userId;
    const { messageId, data } = this.findButton(chatId, label);
    return this.exchange(chatId, () => this.fake.userPressesButton({ ...user, chatId, messageId, data }), expect);
  }

  /** The latest button labelled `label` (exactly, or containing it) in the chat. */
  findButton(chatId: number, label: string): { messageId: number; data: string } {
    return this.latestButton(chatId, (b) => b.text === label || b.text.includes(label), `"${label}"`);
  }

  /** A user presses the latest button in the chat whose callback data is `data`. */
  pressesData(user: UserRef, data: string, expect = 1): Promise<SentRecord[]> {
    const chatId = user.chatId ?? user.userId;
    const { messageId } = this.latestButton(chatId, (b) => b.callback_data === data, data);
    return this.exchange(chatId, () => this.fake.userPressesButton({ ...user, chatId, messageId, data }), expect);
  }

  private latestButton(chatId: number, match: (b: { text: string; callback_data: string }) => boolean, what: string): { messageId: number; data: string } {
    // The fake keeps a message as last sent or edited; records are searched newest first.
    for (const s of [...this.fake.messagesTo(chatId)].reverse()) {
      const rows = (s.replyMarkup as { inline_keyboard?: Array<Array<{ text: string; callback_data?: string }>> } | undefined)?.inline_keyboard ?? [];
      const b = rows.flat().find((x) => x.callback_data !== undefined && match(x as { text: string; callback_data: string }));
      if (b) return { messageId: s.messageId, data: b.callback_data! };
    }
    throw new Error(`no button ${what} in chat ${chatId}`);
  }

  async close(): Promise<void> {
    await this.runtime.stop();
    await this.fake.stop();
    await this.app.close();
  }
}

/** Texts of sent records, joined, for assertions on what a user reads. */
export function texts(records: SentRecord[]): string {
  return records.map((r) => r.text ?? '').join('\n');
}

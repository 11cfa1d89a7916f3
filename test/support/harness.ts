import { inject } from 'vitest';
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { eq } from 'drizzle-orm';
import { FixedClock } from '../../src/core/clock.js';
import { createLogger } from '../../src/core/logger.js';
import { loadSettings, type Settings } from '../../src/settings.js';
import { Router } from '../../src/router/router.js';
import type { Deps, Feature, Reply } from '../../src/router/types.js';
import type { ChatRef, IncomingMessage, Platform } from '../../src/core/messages.js';
import { members } from '../../src/store/schema/index.js';
import type { Database } from '../../src/store/db.js';
import { features as allFeatures } from '../../handlers/index.js';
import { freshDatabase } from './db.js';

export type MemberRow = typeof members.$inferInsert;

/** A new Redis connection to the test server, with keys under a prefix no other test uses. */
export function testRedis(): { redis: Redis; prefix: string } {
  const prefix = `t${randomBytes(5).toString('hex')}:`;
  const redis = new Redis(inject('redisUrl'), { keyPrefix: prefix, maxRetriesPerRequest: null });
  return { redis, prefix };
}

export interface HarnessOptions {
  kind?: 'pglite' | 'postgres';
  at?: string;
  settings?: unknown;
  features?: Feature[];
}

/**
 * The whole core against a real database and Redis, driven through the router as a platform
 * would: `as(member).send('/cmd')` returns the replies that member would see.
 */
export class Harness {
  private seq = 0;
  private constructor(
    readonly database: Database,
    readonly redis: Redis,
    readonly clock: FixedClock,
    readonly deps: Deps,
    readonly router: Router,
  ) {}

  static async start(opts: HarnessOptions = {}): Promise<Harness> {
    const database = await freshDatabase(opts.kind ?? 'pglite');
    const { redis } = testRedis();
    const clock = new FixedClock(new Date(opts.at ?? '2026-12-01T02:00:00Z'));
    const settings: Settings = loadSettings(undefined, opts.settings ?? {});
    const deps: Deps = {
      db: database.db, redis, clock, logger: createLogger('silent'), settings,
      defaultLocale: 'zh-Hans', defaultTimeZone: 'Asia/Shanghai',
    };
    return new Harness(database, redis, clock, deps, new Router(deps, opts.features ?? allFeatures));
  }

  get db() {
    return this.database.db;
  }

  /** Adds a member (defaults: Simplified Chinese, Shanghai, role member) and binds a console identity. */
  async addMember(values: Partial<MemberRow> & { name: string }): Promise<typeof members.$inferSelect> {
    const [row] = await this.db
      .insert(members)
      .values({ rosterKey: `k-${values.name}-${++this.seq}`, ...values })
      .returning();
    return row!;
  }

  async reload(memberId: number) {
    const [row] = await this.db.select().from(members).where(eq(members.id, memberId));
    return row!;
  }

  /** A sender: on the console by default (identity = member id), or any platform account. */
  as(member: { id: number } | { platform: Platform; userId: string; language?: string }, chat?: Partial<ChatRef>) {
    const platform = 'id' in member ? 'console' : member.platform;
    const senderId = 'id' in member ? String(member.id) : member.userId;
    const chatRef: ChatRef = { platform, chatId: chat?.chatId ?? `dm-${senderId}`, kind: chat?.kind ?? 'private' };
    const base = () => ({
      id: `m${++this.seq}-${randomBytes(3).toString('hex')}`, chat: chatRef, senderId,
      senderLanguage: 'language' in member ? member.language : undefined, receivedAt: this.clock.now(),
    });
    return {
      send: (text: string): Promise<Reply[]> => this.router.handle({ ...base(), text }),
      press: (data: string): Promise<Reply[]> => this.router.handle({ ...base(), text: '', buttonData: data }),
      sendFile: (name: string, data: Buffer): Promise<Reply[]> =>
        this.router.handle({ ...base(), text: '', file: { name, mimeType: 'application/octet-stream', data } }),
      raw: (msg: Partial<IncomingMessage>): Promise<Reply[]> => this.router.handle({ ...base(), text: '', ...msg }),
    };
  }

  /** The text of all replies joined, for assertions on what the member reads. */
  static text(replies: Reply[]): string {
    return replies.map((r) => r.text).join('\n');
  }

  async close(): Promise<void> {
    this.redis.disconnect();
    await this.database.close();
  }
}

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Locale } from '../../src/core/i18n.js';
import { startLocalRedis, type LocalRedis } from '../../src/store/local-redis.js';
import { MainProcess, printed } from '../support/main-process.js';
import { buildApp } from '../support/build.js';

const answers = (locale: Locale, keys: string[]) => keys.map((k) => printed(locale, k));

/** Demo members (and their languages) and the demo's three shifts: 20 sign-ups, the later ones waitlisted. */
const MEMBERS: Array<[string, Locale]> = [['王明', 'zh-Hans'], ['李华', 'zh-Hans'], ['陳大文', 'zh-Hant'], ['林美玲', 'zh-Hant'], ['Alice Smith', 'en']];
const SIGNUPS = [1, 2, 3].flatMap((shift) => MEMBERS.map(([name, locale]) => ({ name, locale, shift }))).slice(0, 10);
const LANES = 2;

/**
 * Item 3 of issue 15: the embedded database keeps a sign-up the member was told about, when the
 * process is killed right after telling them. In each lane, every start first checks the last
 * start's sign-up (signing up again must answer "you are on it already"), then signs up once
 * more and is killed with SIGKILL as soon as the answer is printed: 20 kills in all. The built
 * output runs (as the Docker image does), which starts in half the time of tsx.
 */
describe('the embedded database (PGlite) under SIGKILL', () => {
  let build: Awaited<ReturnType<typeof buildApp>>;
  const dirs: string[] = [];
  const redises: LocalRedis[] = [];

  beforeAll(async () => {
    build = await buildApp();
  });
  afterAll(async () => {
    for (const r of redises) await r.stop();
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
    build?.remove();
  });

  const start = (dataDir: string, redis: LocalRedis) => MainProcess.start({ args: build.args, dataDir, env: { REDIS_URL: redis.url } });

  async function signUp(bot: MainProcess, s: (typeof SIGNUPS)[number], expect: 'new' | 'kept'): Promise<string> {
    bot.type(`/as ${s.name}`);
    bot.type(`/signup ${s.shift}`);
    const fresh = answers(s.locale, ['shifts.signup.confirmed', 'shifts.signup.waitlisted']);
    const kept = answers(s.locale, ['shifts.error.alreadyConfirmed', 'shifts.error.alreadyWaitlisted']);
    const failed = answers(s.locale, ['errors.tryAgain', 'errors.internal']);
    const said = await bot.reply([...fresh, ...kept, ...failed], `the answer to ${s.name}'s /signup ${s.shift}`, 90_000);
    const wanted = expect === 'new' ? fresh : kept;
    if (!wanted.some((w) => w.test(said))) throw new Error(`${s.name}, /signup ${s.shift}: expected ${expect === 'new' ? 'a sign-up' : 'the sign-up already there'}, got: ${said}`);
    return said;
  }

  async function lane(): Promise<number> {
    const dir = mkdtempSync(join(tmpdir(), 'tongxin-pglite-kill-'));
    dirs.push(dir);
    const redis = await startLocalRedis(join(dir, 'redis'));
    redises.push(redis);
    let kills = 0;
    for (let i = 0; i <= SIGNUPS.length; i++) {
      const bot = start(join(dir, 'data'), redis);
      try {
        await bot.ready(120_000);
        if (i > 0) await signUp(bot, SIGNUPS[i - 1]!, 'kept');
        if (i === SIGNUPS.length) {
          for (const s of SIGNUPS) await signUp(bot, s, 'kept');
          expect(await bot.close()).toBe(0);
          break;
        }
        await signUp(bot, SIGNUPS[i]!, 'new');
        bot.child.kill('SIGKILL');
        expect(await bot.exited).toBe('SIGKILL');
        kills++;
      } finally {
        await bot.cleanup();
      }
    }
    return kills;
  }

  it(`keeps every sign-up that was answered, over ${LANES * SIGNUPS.length} kills right after the answer`, { timeout: 600_000 }, async () => {
    const kills = await Promise.all(Array.from({ length: LANES }, () => lane()));
    expect(kills.reduce((a, b) => a + b, 0)).toBe(20);
  });

  it('refuses a second process on the same data folder while the first runs, and the first keeps its data', { timeout: 180_000 }, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tongxin-pglite-twice-'));
    dirs.push(dir);
    const redis = await startLocalRedis(join(dir, 'redis'));
    redises.push(redis);
    const first = start(join(dir, 'data'), redis);
    const second = start(join(dir, 'data'), redis);
    try {
      await first.ready(120_000).catch(() => second.ready(120_000));
      const [running, refused] = first.running && first.stdout.includes('同心') ? [first, second] : [second, first];
      expect(await refused.exited).toBe(4);
      expect(refused.stderr).toMatch(/is in use by process \d+/);
      await signUp(running, SIGNUPS[0]!, 'new');
      expect(await running.close()).toBe(0);
      const again = start(join(dir, 'data'), redis);
      try {
        await again.ready(120_000);
        await signUp(again, SIGNUPS[0]!, 'kept');
        expect(await again.close()).toBe(0);
      } finally {
        await again.cleanup();
      }
    } finally {
      await first.cleanup();
      await second.cleanup();
    }
  });
});

/**
 * Per-chat send limits shared by every process, in Redis, plus the platform-wide pause a 429
 * starts. The overall per-platform rate is BullMQ's own limiter on the outbound queue; BullMQ has
 * no per-chat limiter, so this sliding-window log (one sorted set per chat and window) covers
 * Telegram's 1/s per chat and 20/min per group and WeCom's per-member and per-robot limits.
 */
import type { Redis } from 'ioredis';
import { createHash, randomUUID } from 'node:crypto';
import type { ChatRef, Platform } from '../src/core/messages.js';
import type { DeliverySettings } from '../src/domain/delivery/settings.js';

interface Window {
  max: number;
  ms: number;
  name: string;
}

/** Result of asking to send now: go, wait for the platform's pause, or wait for this chat's window. */
export type Admission = { kind: 'go' } | { kind: 'paused'; ms: number } | { kind: 'chat-busy'; ms: number };

/**
 * KEYS[1] is the platform pause key, KEYS[2] the chat's block key, KEYS[3..] the windows;
 * ARGV = unique id, then max and window length per window. All windows are checked first and
 * only then recorded, so a refused send uses up nothing. Redis's own clock is used so processes
 * with skewed clocks agree.
 */
const ADMIT = `
local pause = redis.call('PTTL', KEYS[1])
if pause > 0 then return {1, pause} end
local block = redis.call('PTTL', KEYS[2])
if block > 0 then return {2, block} end
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local wait = 0
for i = 3, #KEYS do
  local max = tonumber(ARGV[2 * i - 4])
  local window = tonumber(ARGV[2 * i - 3])
  redis.call('ZREMRANGEBYSCORE', KEYS[i], '-inf', now - window)
  local count = redis.call('ZCARD', KEYS[i])
  if count >= max then
    local edge = redis.call('ZRANGE', KEYS[i], count - max, count - max, 'WITHSCORES')
    local w = tonumber(edge[2]) + window - now
    if w > wait then wait = w end
  end
end
if wait > 0 then return {2, wait} end
for i = 3, #KEYS do
  redis.call('ZADD', KEYS[i], now, ARGV[1] .. ':' .. i)
  redis.call('PEXPIRE', KEYS[i], tonumber(ARGV[2 * i - 3]))
end
return {0, 0}
`;

/** Extends the pause to at least `ms` from now; never shortens one already running. */
const PAUSE = `
local left = redis.call('PTTL', KEYS[1])
if left < tonumber(ARGV[1]) then redis.call('SET', KEYS[1], '1', 'PX', ARGV[1]) end
return 1
`;

/** Runs a Lua script by its SHA (sending the text only when Redis does not know it yet, e.g. after a restart). */
async function runScript(redis: Redis, lua: string, sha: string, keys: string[], args: string[]): Promise<unknown> {
  try {
    return await redis.evalsha(sha, keys.length, ...keys, ...args);
  } catch (err) {
    if (!(err instanceof Error) || !err.message.includes('NOSCRIPT')) throw err;
    return redis.eval(lua, keys.length, ...keys, ...args);
  }
}

const sha1 = (text: string) => createHash('sha1').update(text).digest('hex');
const ADMIT_SHA = sha1(ADMIT);
const PAUSE_SHA = sha1(PAUSE);

export class SendLimiter {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
    private readonly settings: DeliverySettings,
  ) {}

  private pauseKey(platform: Platform): string {
    return `${this.prefix}:pause:${platform}`;
  }

  private blockKey(to: ChatRef): string {
    return `${this.prefix}:block:${to.platform}:${to.chatId}`;
  }

  /** The windows that apply to one chat on one platform. */
  windows(to: ChatRef): Window[] {
    const out: Window[] = [];
    const add = (max: number, ms: number, name: string) => {
      if (max > 0) out.push({ max, ms, name });
    };
    if (to.platform === 'telegram') {
      const l = this.settings.limits.telegram;
      add(l.perChatPerSecond, 1000, 's');
      if (to.kind === 'group') add(l.perGroupPerMinute, 60_000, 'm');
    } else if (to.platform === 'wecom') {
      const l = this.settings.limits.wecom;
      if (to.kind === 'group') add(l.perGroupPerMinute, 60_000, 'm');
      else {
        add(l.perMemberPerMinute, 60_000, 'm');
        add(l.perMemberPerHour, 3_600_000, 'h');
      }
    }
    return out;
  }

  /** Records one send to `to` if the platform is not paused and the chat's windows allow it. */
  async admit(to: ChatRef): Promise<Admission> {
    const windows = this.windows(to);
    const keys = [this.pauseKey(to.platform), this.blockKey(to), ...windows.map((w) => `${this.prefix}:limit:${to.platform}:${w.name}:${to.chatId}`)];
    const args = [randomUUID(), ...windows.flatMap((w) => [String(w.max), String(w.ms)])];
    const [code, ms] = (await runScript(this.redis, ADMIT, ADMIT_SHA, keys, args)) as [number, number];
    if (code === 1) return { kind: 'paused', ms };
    if (code === 2) return { kind: 'chat-busy', ms };
    return { kind: 'go' };
  }

  /** Stops every send to `platform` for `ms` (the platform answered 429 with retry_after). */
  async pause(platform: Platform, ms: number): Promise<void> {
    await runScript(this.redis, PAUSE, PAUSE_SHA, [this.pauseKey(platform)], [String(Math.ceil(ms))]);
  }

  /** Holds sends to one chat for `ms` (a platform's limit for that member or robot chat was hit). */
  async block(to: ChatRef, ms: number): Promise<void> {
    await runScript(this.redis, PAUSE, PAUSE_SHA, [this.blockKey(to)], [String(Math.ceil(ms))]);
  }

  /** Milliseconds the platform stays paused (0 when it is not). */
  async pausedFor(platform: Platform): Promise<number> {
    return Math.max(0, await this.redis.pttl(this.pauseKey(platform)));
  }
}

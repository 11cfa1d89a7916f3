/**
 * Send limits shared by every process, in Redis: the platform-wide pace, per-chat windows, and
 * the platform-wide pause a 429 starts. Nothing in BullMQ fits: its limiter counts jobs taken per
 * fixed window, so it lets a full window through at the end of one second and another at the
 * start of the next, and Telegram, which counts over any second, answers 429. Here each send
 * reserves the next slot of an even pace (a GCRA-like schedule) a little under the platform's
 * rate, and a sliding-window log (one sorted set per chat and window) covers Telegram's 1/s per
 * chat and 20/min per group and WeCom's per-member and per-robot limits, counted at the slot.
 */
import type { Redis } from 'ioredis';
import { randomUUID } from 'node:crypto';
import { RedisScript } from '../src/store/redis-script.js';
import type { ChatRef, Platform } from '../src/core/messages.js';
import type { DeliverySettings } from '../src/domain/delivery/settings.js';

interface Window {
  max: number;
  ms: number;
  name: string;
}

/**
 * Result of asking to send: go at the reserved slot of the pace, or wait for the
 * platform (paused, or the pace is booked further ahead than a worker should sleep), or wait for
 * this chat's window.
 */
export type Admission = Go | { kind: 'paused'; ms: number } | { kind: 'chat-busy'; ms: number };
/**
 * A reserved slot, in this process's clock (ms since the epoch): send not before `at`, and not
 * after `deadline`, or the send may crowd the next ones; `ticket` names the reservation's entries
 * in the chat windows.
 */
export type Go = { kind: 'go'; at: number; deadline: number; ticket: string };

/**
 * The share of the platform's rate we pace at. The platform counts arrivals, and requests arrive
 * a little unevenly after their slots; 3% of headroom (9 sends a second at Telegram's 300 ×10 in
 * bench/fanout.ts) absorbs that together with LATE_MS. A 429 pauses the platform's sends for
 * retry_after; nothing is lost.
 */
const PACE_SHARE = 0.97;
/** A slot further ahead than this is not slept for: the worker hands the job back to the queue. */
const MAX_PACE_WAIT_MS = 250;
/**
 * A send this much after its slot (a busy event loop, or a slow answer from Redis) takes a fresh
 * slot instead: late sends going out together with the punctual ones after them would crowd one
 * second. 15 ms late puts at most 5 extra sends in a second, inside the headroom; a tighter bound
 * burned so many slots under load that the pace fell to 90%.
 */
const LATE_MS = 15;

/**
 * KEYS[1] is the platform pause key, KEYS[2] the chat's block key, KEYS[3] the platform's pace key,
 * KEYS[4..] the chat's windows. ARGV = unique id, the id of a reservation this one replaces (or
 * ''), pace interval in ms (0: no pace), longest wait for a slot, then max and window length per
 * window. All windows are checked first and only then recorded, so a refused send uses up
 * nothing. Redis's own clock is used so processes with skewed clocks agree. Returns
 * {0, ms until the slot} or {1 paused | 2 chat busy, ms to wait}.
 */
const ADMIT = new RedisScript(`
if ARGV[2] ~= '' then
  for i = 4, #KEYS do redis.call('ZREM', KEYS[i], ARGV[2] .. ':' .. i) end
end
local pause = redis.call('PTTL', KEYS[1])
if pause > 0 then return {1, pause} end
local block = redis.call('PTTL', KEYS[2])
if block > 0 then return {2, block} end
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local interval = tonumber(ARGV[3])
local slot = now
if interval > 0 then
  slot = math.max(now, tonumber(redis.call('GET', KEYS[3]) or '0'))
  if slot - now > tonumber(ARGV[4]) then return {1, slot - now} end
end
local wait = 0
for i = 4, #KEYS do
  local max = tonumber(ARGV[2 * i - 3])
  local window = tonumber(ARGV[2 * i - 2])
  redis.call('ZREMRANGEBYSCORE', KEYS[i], '-inf', slot - window)
  local count = redis.call('ZCARD', KEYS[i])
  if count >= max then
    local edge = redis.call('ZRANGE', KEYS[i], count - max, count - max, 'WITHSCORES')
    local w = tonumber(edge[2]) + window - slot
    if w > wait then wait = w end
  end
end
if wait > 0 then return {2, wait} end
if interval > 0 then redis.call('SET', KEYS[3], string.format('%.3f', slot + interval), 'PX', math.ceil(slot - now + interval) + 1000) end
for i = 4, #KEYS do
  redis.call('ZADD', KEYS[i], slot, ARGV[1] .. ':' .. i)
  redis.call('PEXPIRE', KEYS[i], math.ceil(slot - now) + tonumber(ARGV[2 * i - 2]))
end
return {0, math.ceil(slot - now)}
`);

/** Extends the pause to at least `ms` from now; never shortens one already running. */
const PAUSE = new RedisScript(`
local left = redis.call('PTTL', KEYS[1])
if left < tonumber(ARGV[1]) then redis.call('SET', KEYS[1], '1', 'PX', ARGV[1]) end
return 1
`);


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
    // Windows a little longer than the platform's, for the same reason as PACE_SHARE.
    const add = (max: number, ms: number, name: string) => {
      if (max > 0) out.push({ max, ms: Math.ceil(ms / PACE_SHARE), name });
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

  /** Milliseconds between two sends to `platform`, or 0 when only per-chat limits apply. */
  paceMs(platform: Platform): number {
    const perSecond = this.settings.limits[platform].globalPerSecond;
    return perSecond > 0 ? 1000 / (perSecond * PACE_SHARE) : 0;
  }

  /**
   * Reserves the next slot of the platform's pace for one send to `to`, if the platform is not
   * paused and the chat's windows allow a send at that slot; `replacing` gives back the chat
   * window entries of an earlier reservation. The caller waits with untilSlot() and then sends.
   */
  async admit(to: ChatRef, replacing = ''): Promise<Admission> {
    const windows = this.windows(to);
    const keys = [
      this.pauseKey(to.platform), this.blockKey(to), `${this.prefix}:pace:${to.platform}`,
      ...windows.map((w) => `${this.prefix}:limit:${to.platform}:${w.name}:${to.chatId}`),
    ];
    const ticket = randomUUID();
    const args = [ticket, replacing, String(this.paceMs(to.platform)), String(MAX_PACE_WAIT_MS), ...windows.flatMap((w) => [String(w.max), String(w.ms)])];
    // Redis reserved the slot somewhere between asking and the answer: sending `ms` after the
    // answer is never early, and a slow answer eats into the lateness allowed from the asking.
    const asked = Date.now();
    const [code, ms] = (await ADMIT.run(this.redis, keys, args)) as [number, number];
    if (code === 1) return { kind: 'paused', ms };
    if (code === 2) return { kind: 'chat-busy', ms };
    return { kind: 'go', at: Date.now() + ms, deadline: asked + ms + LATE_MS, ticket };
  }

  /**
   * Sleeps until an admitted send's slot. Waking after its deadline (the event loop or Redis was
   * slow) takes a fresh slot instead, which may come back paused or chat-busy like any admission.
   */
  async untilSlot(to: ChatRef, admission: Go): Promise<Admission> {
    let current: Admission = admission;
    while (current.kind === 'go') {
      const wait = current.at - Date.now();
      if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
      if (Date.now() <= current.deadline) return current;
      current = await this.admit(to, current.ticket);
    }
    return current;
  }

  /** Stops every send to `platform` for `ms` (the platform answered 429 with retry_after). */
  async pause(platform: Platform, ms: number): Promise<void> {
    await PAUSE.run(this.redis, [this.pauseKey(platform)], [Math.ceil(ms)]);
  }

  /** Holds sends to one chat for `ms` (a platform's limit for that member or robot chat was hit). */
  async block(to: ChatRef, ms: number): Promise<void> {
    await PAUSE.run(this.redis, [this.blockKey(to)], [Math.ceil(ms)]);
  }

  /** Milliseconds the platform stays paused (0 when it is not). */
  async pausedFor(platform: Platform): Promise<number> {
    return Math.max(0, await this.redis.pttl(this.pauseKey(platform)));
  }
}

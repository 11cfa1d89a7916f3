/**
 * WeCom's per-member limits for app messages: 30 per minute and 1000 per hour. WeCom answers
 * errcode 0 to the excess and drops it silently, so we must count before sending. The counts
 * live in Redis (a sorted set of send times per member) so every process shares them, and the
 * windows slide, as WeCom's do.
 */
import { randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import { RedisScript } from '../../store/redis-script.js';

export interface MemberLimits {
  perMinute: number;
  perHour: number;
}

export const WECOM_MEMBER_LIMITS: MemberLimits = { perMinute: 30, perHour: 1000 };
/**
 * Our send time is taken before the request; WeCom's when it arrives. Counting windows a second
 * longer than WeCom's keeps a late-arriving earlier send from making the next one look early.
 */
const WINDOW_MARGIN_MS = 1000;

// KEYS[1] = the member's set. ARGV: now, minute window, hour window, per minute, per hour, ids…
// Returns 0 when the ids were added, else the milliseconds until enough of the window frees.
const RESERVE = new RedisScript(`
local now = tonumber(ARGV[1])
local minuteMs = tonumber(ARGV[2])
local hourMs = tonumber(ARGV[3])
local perMinute = tonumber(ARGV[4])
local perHour = tonumber(ARGV[5])
local count = #ARGV - 5
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - hourMs)
local inHour = redis.call('ZCARD', KEYS[1])
local inMinute = redis.call('ZCOUNT', KEYS[1], '(' .. (now - minuteMs), '+inf')
local wait = 0
if inMinute + count > perMinute then
  local recent = redis.call('ZRANGEBYSCORE', KEYS[1], '(' .. (now - minuteMs), '+inf', 'WITHSCORES', 'LIMIT', inMinute + count - perMinute - 1, 1)
  wait = math.max(wait, tonumber(recent[2]) + minuteMs - now)
end
if inHour + count > perHour then
  local oldest = redis.call('ZRANGE', KEYS[1], inHour + count - perHour - 1, inHour + count - perHour - 1, 'WITHSCORES')
  wait = math.max(wait, tonumber(oldest[2]) + hourMs - now)
end
if wait > 0 then return wait end
for i = 6, #ARGV do redis.call('ZADD', KEYS[1], now, ARGV[i]) end
redis.call('PEXPIRE', KEYS[1], hourMs)
return 0
`);

/** The outcome of asking for sends: granted (with a way to give them back) or wait. */
export type Reservation = { granted: true; release(): Promise<void> } | { granted: false; retryAfterMs: number };

/** Counts app messages per member in Redis before they are sent. */
export class MemberSendLimiter {
  private readonly limits: MemberLimits;
  private readonly now: () => number;
  private readonly keyPrefix: string;

  constructor(
    private readonly redis: Redis,
    options: { limits?: MemberLimits; now?: () => number; keyPrefix?: string } = {},
  ) {
    this.limits = options.limits ?? WECOM_MEMBER_LIMITS;
    this.now = options.now ?? Date.now;
    this.keyPrefix = options.keyPrefix ?? 'wecom:app-sends:';
  }

  /** The most messages one send may ask for at once. */
  get maxBatch(): number {
    return Math.min(this.limits.perMinute, this.limits.perHour);
  }

  /**
   * Takes `count` sends to `userId` now, or says how long until they would fit. All or nothing:
   * a message split into parts goes out whole or not at all.
   */
  async reserve(userId: string, count: number): Promise<Reservation> {
    if (count < 1 || count > this.maxBatch) throw new RangeError(`cannot reserve ${count} sends at once`);
    const key = `${this.keyPrefix}${userId}`;
    const now = this.now();
    const ids = Array.from({ length: count }, (_, i) => `${now}-${randomBytes(5).toString('hex')}-${i}`);
    const wait = Number(
      await RESERVE.run(this.redis, [key], [now, 60_000 + WINDOW_MARGIN_MS, 3_600_000 + WINDOW_MARGIN_MS, this.limits.perMinute, this.limits.perHour, ...ids]),
    );
    if (wait > 0) return { granted: false, retryAfterMs: Math.ceil(wait) };
    return {
      granted: true,
      // Only for sends that certainly did not reach WeCom (refused, or never left).
      release: async () => {
        await this.redis.zrem(key, ...ids);
      },
    };
  }
}

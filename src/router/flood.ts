import type { Redis } from 'ioredis';

export type FloodVerdict = 'ok' | 'warn' | 'ignore';

/**
 * A fixed-window counter per sender in Redis, shared by every bot process. The first message
 * over the limit is answered once with a warning; the rest are ignored until the window passes.
 */
export async function checkFlood(
  redis: Redis,
  senderKey: string,
  limit: number,
  windowSeconds: number,
  now: Date,
): Promise<FloodVerdict> {
  const window = Math.floor(now.getTime() / 1000 / windowSeconds);
  const key = `flood:${senderKey}:${window}`;
  const [[, count]] = (await redis.multi().incr(key).expire(key, windowSeconds * 2).exec()) as [[null, number]];
  if (count <= limit) return 'ok';
  return count === limit + 1 ? 'warn' : 'ignore';
}

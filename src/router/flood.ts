import type { Redis } from 'ioredis';
import { RedisScript } from '../store/redis-script.js';

/** What to do with an incoming message before any handler runs. */
export type Admission = 'ok' | 'warn' | 'ignore' | 'duplicate';

/** How long an incoming message id is remembered, so a re-delivered update acts only once. */
const SEEN_TTL_SECONDS = 48 * 3600;

/**
 * One Redis round trip before a message is handled: 'duplicate' when its id was seen in the last
 * 48 h (platforms re-deliver), otherwise a fixed-window flood count per sender shared by every
 * bot process. The first message over the limit is answered once with a warning ('warn'); the
 * rest are ignored until the window passes. `seenKey` is undefined where ids never repeat.
 */
export async function admitMessage(
  redis: Redis,
  seenKey: string | undefined,
  senderKey: string,
  flood: { limit: number; windowSeconds: number },
  now: Date,
): Promise<Admission> {
  const window = Math.floor(now.getTime() / 1000 / flood.windowSeconds);
  const floodKey = `flood:${senderKey}:${window}`;
  const count = (seenKey
    ? await ADMIT.run(redis, [floodKey, seenKey], [flood.windowSeconds * 2, SEEN_TTL_SECONDS])
    : await ADMIT.run(redis, [floodKey], [flood.windowSeconds * 2])) as number;
  if (count < 0) return 'duplicate';
  if (count <= flood.limit) return 'ok';
  return count === flood.limit + 1 ? 'warn' : 'ignore';
}

// A script, so a re-delivered message does not count towards the flood limit and both checks
// still take one round trip. KEYS: flood counter[, seen id]; ARGV: counter TTL[, seen TTL].
const ADMIT = new RedisScript(`
if KEYS[2] and not redis.call('SET', KEYS[2], '1', 'EX', ARGV[2], 'NX') then return -1 end
local n = redis.call('INCR', KEYS[1])
if n == 1 then redis.call('EXPIRE', KEYS[1], ARGV[1]) end
return n`);

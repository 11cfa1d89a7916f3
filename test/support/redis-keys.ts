import type { Redis } from 'ioredis';

/**
 * Deletes every key matching `pattern`: a test's or a benchmark's private prefix. SCAN patterns are
 * not prefixed by ioredis's keyPrefix, so pass a connection without one.
 */
export async function deleteKeys(redis: Redis, pattern: string): Promise<void> {
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', pattern, 'COUNT', 1000);
    cursor = next;
    if (keys.length > 0) await redis.del(...keys);
  } while (cursor !== '0');
}

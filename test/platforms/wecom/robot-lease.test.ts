import { afterEach, describe, expect, inject, it } from 'vitest';
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { createLogger } from '../../../src/core/logger.js';
import { RedisLease } from '../../../src/platforms/wecom/robot-lease.js';

const logger = createLogger('silent');
const cleanup: (() => unknown)[] = [];
afterEach(async () => {
  for (const undo of cleanup.splice(0).reverse()) await undo();
});

function redisClient(options: { offlineQueue?: boolean } = {}): Redis {
  const redis = new Redis(inject('redisUrl'), { enableOfflineQueue: options.offlineQueue ?? true, maxRetriesPerRequest: options.offlineQueue === false ? 0 : null });
  redis.on('error', () => {});
  cleanup.push(() => redis.disconnect());
  return redis;
}

function lease(redis: Redis, key: string, ttlMs = 600) {
  const log: string[] = [];
  const l = new RedisLease(redis, { key, ttlMs, logger }, { onAcquired: () => log.push('acquired'), onLost: (why) => log.push(`lost:${why}`) });
  cleanup.push(() => l.stop());
  return { lease: l, log };
}

describe('robot connection lease', () => {
  const key = () => `test:lease:${randomBytes(4).toString('hex')}`;

  it('is held by one process at a time and passes on when the holder stops', async () => {
    const k = key();
    const one = lease(redisClient(), k);
    const two = lease(redisClient(), k);
    one.lease.start();
    await expect.poll(() => one.lease.held, { timeout: 10_000 }).toBe(true);
    two.lease.start();
    // Several renewal periods pass with the first one holding.
    await new Promise((ok) => setTimeout(ok, 1_000));
    expect([one.lease.held, two.lease.held]).toEqual([true, false]);
    await one.lease.stop();
    expect(one.log).toEqual(['acquired', 'lost:released']);
    await expect.poll(() => two.lease.held, { timeout: 10_000 }).toBe(true);
  });

  it('lets go when another process took the lease', async () => {
    const k = key();
    const redis = redisClient();
    const one = lease(redis, k);
    one.lease.start();
    await expect.poll(() => one.lease.held, { timeout: 10_000 }).toBe(true);
    await redis.set(k, 'someone-else');
    await expect.poll(() => one.log, { timeout: 10_000 }).toEqual(['acquired', 'lost:taken']);
    expect(await redis.get(k)).toBe('someone-else');
  });

  it('lets go before its lease could run out when Redis stops answering', async () => {
    const k = key();
    const redis = redisClient({ offlineQueue: false });
    const one = lease(redis, k, 900);
    one.lease.start();
    await expect.poll(() => one.lease.held, { timeout: 10_000 }).toBe(true);
    redis.disconnect();
    await expect.poll(() => one.log, { timeout: 3_000 }).toEqual(['acquired', 'lost:unconfirmed']);
  });

  it('stands aside for a while after being kicked', async () => {
    const k = key();
    const one = lease(redisClient(), k, 300);
    one.lease.start();
    await expect.poll(() => one.lease.held, { timeout: 10_000 }).toBe(true);
    await one.lease.standAside(1_500);
    expect(one.lease.held).toBe(false);
    await new Promise((ok) => setTimeout(ok, 300));
    expect(one.lease.held).toBe(false);
    await expect.poll(() => one.lease.held, { timeout: 3_000 }).toBe(true);
  });
});

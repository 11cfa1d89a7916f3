import type { Redis } from 'ioredis';
import { RedisScript } from './redis-script.js';

/** How many tries of a guessable secret (a binding code, a check-in code) one person gets, and for how long. */
export interface AttemptLimit {
  max: number;
  windowSeconds: number;
}

/** A try that may go ahead, or a refusal with the seconds until tries are allowed again. */
export type AttemptOutcome = { allowed: true } | { allowed: false; retryInSeconds: number };

/**
 * Takes one try from the budget under `key` before the secret is checked. The count is raised
 * and compared in one script, so parallel guesses cannot all read the same count and pass: of
 * twenty at once, exactly `max` are checked. A right answer gives the budget back
 * (`clearAttempts`); a wrong one keeps the try spent.
 */
export async function takeAttempt(redis: Redis, key: string, limit: AttemptLimit): Promise<AttemptOutcome> {
  const result = (await TAKE.run(redis, [key], [limit.max, limit.windowSeconds])) as number;
  return result > 0 ? { allowed: true } : { allowed: false, retryInSeconds: Math.max(1, -result) };
}

/** Forgets the spent tries under `key` (after a right answer). */
export async function clearAttempts(redis: Redis, key: string): Promise<void> {
  await redis.del(key);
}

/** Gives back one try taken by `takeAttempt`, when the answer turned out not to be a guess (nothing was open to guess). */
export async function returnAttempt(redis: Redis, key: string): Promise<void> {
  await RETURN.run(redis, [key], []);
}

const RETURN = new RedisScript(`
local n = tonumber(redis.call('GET', KEYS[1]) or '0')
if n > 0 then redis.call('DECR', KEYS[1]) end
return 0`);

// KEYS: the counter; ARGV: max tries, window seconds. Returns the try's number when allowed,
// or minus the seconds left in the window when the budget is spent.
const TAKE = new RedisScript(`
local n = redis.call('INCR', KEYS[1])
if n == 1 then redis.call('EXPIRE', KEYS[1], ARGV[2]) end
if n > tonumber(ARGV[1]) then
  local ttl = redis.call('TTL', KEYS[1])
  if ttl < 0 then redis.call('EXPIRE', KEYS[1], ARGV[2]) ttl = tonumber(ARGV[2]) end
  return -ttl
end
return n`);

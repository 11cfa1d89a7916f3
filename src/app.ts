import { Redis } from 'ioredis';
import type { Config } from './config.js';
import { openDatabase, type Database } from './store/db.js';
import { systemClock, type Clock } from './core/clock.js';
import { createLogger, type Logger } from './core/logger.js';
import { loadSettings, type Settings } from './settings.js';
import { Router } from './router/router.js';
import type { Deps } from './router/types.js';
import { features } from '../handlers/index.js';

/** A running core: database, Redis, and the router over every feature. */
export interface App {
  deps: Deps;
  router: Router;
  database: Database;
  close(): Promise<void>;
}

export interface AppOptions {
  config: Config;
  redisUrl: string;
  clock?: Clock;
  logger?: Logger;
  settings?: Settings;
  /** PGlite directory when DATABASE_URL is unset; `memory://` for a throwaway database. */
  pgliteDir?: string;
}

/** ioredis options every connection of ours uses: BullMQ needs no per-request retry limit. */
export function connectRedis(url: string): Redis {
  return new Redis(url, { maxRetriesPerRequest: null, enableReadyCheck: true, lazyConnect: false });
}

/** How long a member's message waits for Redis before the answer is "please try again". */
const REQUEST_REDIS_TIMEOUT_MS = 2000;

/**
 * The connection a member's message uses (the router's admission script, handlers' counters).
 * Unlike the queues', its commands give up: with Redis down, one waits at most
 * REQUEST_REDIS_TIMEOUT_MS (or one reconnection attempt) and fails as a temporary failure, so the
 * member is told to try again instead of hearing nothing until Redis returns. It reconnects by
 * itself, so service resumes without a restart.
 */
export function connectRequestRedis(url: string): Redis {
  return new Redis(url, { maxRetriesPerRequest: 1, commandTimeout: REQUEST_REDIS_TIMEOUT_MS, enableReadyCheck: true });
}

export async function createApp(opts: AppOptions): Promise<App> {
  const { config } = opts;
  const logger = opts.logger ?? createLogger(config.LOG_LEVEL);
  const database = await openDatabase({ url: config.DATABASE_URL, dataDir: opts.pgliteDir ?? config.DATA_DIR });
  const redis = connectRedis(opts.redisUrl);
  redis.on('error', (err) => logger.warn({ err: err.message }, 'redis connection error'));
  const requestRedis = connectRequestRedis(opts.redisUrl);
  requestRedis.on('error', (err) => logger.warn({ err: err.message }, 'redis connection error (requests)'));
  const deps: Deps = {
    db: database.db,
    redis,
    clock: opts.clock ?? systemClock,
    logger,
    settings: opts.settings ?? loadSettings(config.SETTINGS_FILE),
    defaultLocale: config.DEFAULT_LOCALE,
    defaultTimeZone: config.DEFAULT_TIMEZONE,
  };
  // Platform adapters keep `deps.redis` (leases, relays, blocking reads); messages get the one that gives up.
  const router = new Router({ ...deps, redis: requestRedis }, features);
  return {
    deps,
    router,
    database,
    async close() {
      redis.disconnect();
      requestRedis.disconnect();
      await database.close();
    },
  };
}

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

export async function createApp(opts: AppOptions): Promise<App> {
  const { config } = opts;
  const logger = opts.logger ?? createLogger(config.LOG_LEVEL);
  const database = await openDatabase({ url: config.DATABASE_URL, dataDir: opts.pgliteDir ?? config.DATA_DIR });
  const redis = connectRedis(opts.redisUrl);
  redis.on('error', (err) => logger.warn({ err: err.message }, 'redis connection error'));
  const deps: Deps = {
    db: database.db,
    redis,
    clock: opts.clock ?? systemClock,
    logger,
    settings: opts.settings ?? loadSettings(config.SETTINGS_FILE),
    defaultLocale: config.DEFAULT_LOCALE,
    defaultTimeZone: config.DEFAULT_TIMEZONE,
  };
  const router = new Router(deps, features);
  return {
    deps,
    router,
    database,
    async close() {
      redis.disconnect();
      await database.close();
    },
  };
}

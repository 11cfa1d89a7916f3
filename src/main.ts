import { join } from 'node:path';
import { ConfigError, enabledPlatforms, loadConfig, type Config } from './config.js';
import { createApp, type App } from './app.js';
import { createLogger } from './core/logger.js';
import { startLocalRedis, RedisNotInstalledError, type LocalRedis } from './store/local-redis.js';
import { seedDemoRoster } from './domain/members/demo-roster.js';
import { runConsoleChat } from './platforms/console/console-chat.js';

/**
 * Starts Tongxin. With no platform configured it opens the console chat on stdin/stdout;
 * otherwise it runs the configured platform adapters.
 */
async function main(): Promise<number> {
  let config: Config;
  try {
    config = loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      for (const p of err.problems) process.stderr.write(`config: ${p}\n`);
      return 2;
    }
    throw err;
  }
  const platforms = enabledPlatforms(config);
  const consoleMode = !platforms.telegram && !platforms.wecomBot && !platforms.wecomApp;
  // The console prints answers on stdout; logs go to stderr and stay quiet unless asked for.
  const logger = createLogger(consoleMode && !process.env.LOG_LEVEL ? 'warn' : config.LOG_LEVEL);

  let localRedis: LocalRedis | undefined;
  let redisUrl = config.REDIS_URL;
  if (!redisUrl) {
    try {
      localRedis = await startLocalRedis(join(config.DATA_DIR, 'redis'));
    } catch (err) {
      if (err instanceof RedisNotInstalledError) {
        process.stderr.write(`${err.message}\n`);
        return 3;
      }
      throw err;
    }
    redisUrl = localRedis.url;
  }
  let app: App | undefined;
  try {
    app = await createApp({ config, redisUrl, logger });
    if (!config.DATABASE_URL) await seedDemoRoster(app.deps.db);
    if (consoleMode) {
      await runConsoleChat(app);
      return 0;
    }
    logger.error('platform adapters are not wired yet');
    return 1;
  } finally {
    await app?.close();
    await localRedis?.stop();
  }
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`fatal: ${err instanceof Error ? err.stack : String(err)}\n`);
    process.exit(1);
  },
);

import { join } from 'node:path';
import { sql } from 'drizzle-orm';
import type { FastifyInstance } from 'fastify';
import { ConfigError, enabledPlatforms, loadConfig, type Config } from './config.js';
import { connectRedis, createApp, type App } from './app.js';
import { createLogger, type Logger } from './core/logger.js';
import type { Messenger, Platform } from './core/messages.js';
import { startLocalRedis, RedisNotInstalledError, type LocalRedis } from './store/local-redis.js';
import { FolderInUseError } from './store/folder-holder.js';
import { EMBEDDED_DURABILITY } from './store/db.js';
import { seedConsoleDemo } from './domain/demo/console-demo.js';
import { deliveryCounts } from './domain/delivery/stats.js';
import { runConsoleChat } from './platforms/console/console-chat.js';
import { ConsoleMessenger } from './platforms/console/console-messenger.js';
import { createTelegramMessenger, startTelegram } from './platforms/telegram/index.js';
import { startWecom } from './platforms/wecom/index.js';
import { adminOnly, buildHttpServer } from './http/server.js';
import { createMetrics } from './http/metrics.js';
import { startDeliveryEngine, type DeliveryEngine } from '../jobs/engine.js';
import { engineRoles, takesUpdates, type ProcessRole } from '../jobs/roles.js';
import { featureRecurringHandlers, featureReminderSources } from '../jobs/sources.js';
import { queueCounts, queueDashboard } from '../jobs/dashboard.js';

/** A platform adapter as this process runs it: the messenger to send with, health, and how to stop. */
interface RunningPlatform {
  messenger: Messenger;
  status(): { ok: boolean; detail?: unknown };
  stop(): Promise<void>;
}

/**
 * Starts Tongxin. With no platform configured it opens the console chat on stdin/stdout (and the
 * console prints what the bot sends on its own); otherwise it runs the parts of ROLE (default
 * `all`): platform adapters and HTTP (bot), outbound delivery (worker), reminders and digests
 * (scheduler), until SIGTERM or SIGINT.
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
  const logger = createLogger(consoleMode && !process.env.LOG_LEVEL ? 'warn' : config.LOG_LEVEL, 'tongxin', consoleMode ? 'stderr' : 'stdout');
  const role: ProcessRole = consoleMode ? 'all' : config.ROLE;
  // Listened for from the start: a signal during start-up stops the process once it has started,
  // instead of killing it with its private redis-server left running.
  const stopping = stopSignal(logger);

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
  const bullConnection = connectRedis(redisUrl);
  bullConnection.on('error', (err) => logger.warn({ err: err.message }, 'redis connection error (queues)'));
  const running: RunningPlatform[] = [];
  let engine: DeliveryEngine | undefined;
  let http: FastifyInstance | undefined;
  try {
    if (!consoleMode && !config.DATABASE_URL) logger.warn(EMBEDDED_DURABILITY);
    app = await createApp({ config, redisUrl, logger });
    // The demo is for trying Tongxin in the terminal; a deployment starts from its own roster.
    if (consoleMode) await seedConsoleDemo(app.deps.db, app.deps.settings, app.deps.clock.now());
    const { db } = app.deps;
    const metrics = consoleMode ? undefined : createMetrics({ deliveryCounts: () => deliveryCounts(db), queueCounts: () => queueCounts(engine?.allQueues() ?? []) });
    if (!consoleMode) {
      http = await buildHttpServer({
        logger, adminToken: config.ADMIN_TOKEN, metrics, metricsToken: config.METRICS_TOKEN,
        health: {
          database: () => db.execute(sql`select 1`),
          redis: () => app!.deps.redis.ping(),
          platforms: () => Object.fromEntries(running.map((p) => [p.messenger.platform, p.status()])),
        },
      });
    }

    // ── Platform adapters: start each configured platform and register its messenger. ──
    if (consoleMode) {
      running.push(idle(new ConsoleMessenger({ db, write: (s) => process.stdout.write(`${s}\n`), defaultLocale: config.DEFAULT_LOCALE })));
    }
    if (platforms.telegram) {
      if (takesUpdates(role)) {
        const telegram = await startTelegram(app, config, { http });
        running.push({ messenger: telegram.messenger, status: () => ({ ok: true, detail: config.TELEGRAM_WEBHOOK_URL ? 'webhook' : 'polling' }), stop: () => telegram.stop() });
      } else if (role === 'worker') {
        running.push(idle(createTelegramMessenger({ token: config.TELEGRAM_BOT_TOKEN!, ...(config.TELEGRAM_API_ROOT && { apiRoot: config.TELEGRAM_API_ROOT }) })));
      }
    }
    if ((platforms.wecomBot || platforms.wecomApp) && role !== 'scheduler') {
      // Only a process taking updates may hold the robot's WebSocket; workers send through the holder.
      const wecom = await startWecom(app, config, { holdRobot: takesUpdates(role) });
      if (wecom.callbackRoute && takesUpdates(role)) await http?.register(wecom.callbackRoute);
      // Standing by while another process holds the robot is normal; holding it unconnected is not.
      const wecomHealth = () => {
        const status = wecom.status();
        return { ok: !(status.robot === 'holding' && !status.robotConnected), detail: status };
      };
      running.push({ messenger: wecom.messenger, status: wecomHealth, stop: () => wecom.stop() });
    }

    const settings = app.deps.settings.delivery;
    engine = await startDeliveryEngine({
      context: {
        db, clock: app.deps.clock, logger, settings,
        groupReader: { locale: config.DEFAULT_LOCALE, timeZone: config.DEFAULT_TIMEZONE },
        active: activePlatforms(config, consoleMode),
        ...(metrics && { observeSend: metrics.observeSend }),
      },
      connection: bullConnection,
      roles: engineRoles(role),
      messengers: running.map((p) => p.messenger),
      reminderSources: featureReminderSources,
      recurring: featureRecurringHandlers(db, settings, settings.schedules.timeZone ?? config.DEFAULT_TIMEZONE),
    });
    if (http && takesUpdates(role) && config.ADMIN_TOKEN) {
      const dashboard = queueDashboard(engine.allQueues());
      await http.register(adminOnly(dashboard.plugin, config.ADMIN_TOKEN), { prefix: dashboard.prefix });
    }
    if (http) await http.listen({ port: config.HTTP_PORT, host: config.HTTP_HOST });
    logger.info({ role, platforms: running.map((p) => p.messenger.platform) }, 'tongxin started');

    if (consoleMode) {
      // SIGTERM or Ctrl+C ends the chat as the end of input does (also when it came during start-up).
      const stopChat = new AbortController();
      void stopping.then(() => stopChat.abort());
      await runConsoleChat(app, { signal: stopChat.signal });
      // Let what the last commands caused (confirmations to others, notices) be printed.
      await engine.flush(3000);
    } else {
      await stopping;
    }
    return 0;
  } finally {
    // Stop taking updates first, then let the workers finish the jobs they hold.
    for (const p of running) await p.stop().catch((err: unknown) => logger.warn({ err }, 'platform stop failed'));
    await http?.close();
    await engine?.close();
    bullConnection.disconnect();
    await app?.close();
    await localRedis?.stop();
  }
}

/** A messenger with nothing running behind it (a send-only client, the console). */
function idle(messenger: Messenger): RunningPlatform {
  return { messenger, status: () => ({ ok: true }), stop: async () => {} };
}

/** Platforms the deployment runs anywhere; routing picks among these. */
function activePlatforms(config: Config, consoleMode: boolean): Set<Platform> {
  const p = enabledPlatforms(config);
  const active = new Set<Platform>();
  if (consoleMode) active.add('console');
  if (p.telegram) active.add('telegram');
  if (p.wecomBot || p.wecomApp) active.add('wecom');
  return active;
}

/** Resolves on the first SIGTERM or SIGINT; a second one exits at once. */
function stopSignal(logger: Logger): Promise<void> {
  return new Promise((resolve) => {
    const onSignal = (signal: NodeJS.Signals) => {
      logger.info({ signal }, 'stopping: finishing jobs in flight');
      process.once(signal, () => process.exit(130));
      resolve();
    };
    process.once('SIGTERM', onSignal);
    process.once('SIGINT', onSignal);
  });
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    if (err instanceof FolderInUseError) {
      process.stderr.write(`${err.message}\n`);
      process.exit(4);
    }
    process.stderr.write(`fatal: ${err instanceof Error ? err.stack : String(err)}\n`);
    process.exit(1);
  },
);

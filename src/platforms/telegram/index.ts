/**
 * Starts the Telegram adapter for src/main.ts.
 *
 * Long polling by default (one process only: Telegram answers a second poller with 409). With
 * TELEGRAM_WEBHOOK_URL set, the webhook route is registered on the caller's fastify server and any
 * number of bot processes may serve it. Either way the command menus are published at start.
 *
 *   const telegram = await startTelegram(app, config, { http: server }); // before server.listen()
 *   …
 *   await telegram.stop();
 */
import type { FastifyInstance } from 'fastify';
import type { App } from '../../app.js';
import type { Config } from '../../config.js';
import type { Messenger } from '../../core/messages.js';
import { TelegramBot } from './bot.js';
import { errorText } from './delivery-failure.js';
import { publishGlobalMenus } from './menu.js';
import { ALLOWED_UPDATES } from './updates.js';
import { telegramWebhookRoute, webhookPath } from './webhook.js';

export { createTelegramMessenger, TelegramMessenger } from './messenger.js';
export { telegramWebhookRoute, webhookPath, type TelegramWebhookOptions } from './webhook.js';
export { TelegramBot } from './bot.js';

export interface StartTelegramOptions {
  /**
   * The HTTP server for webhook mode (required when TELEGRAM_WEBHOOK_URL is set). The route is
   * registered on it here, so call startTelegram before the server listens.
   */
  http?: Pick<FastifyInstance, 'register'>;
  /** Time limit of one Bot API call (default 15 s). */
  timeoutMs?: number;
  /** Webhook mode: most concurrent POSTs Telegram makes to us (default 40). */
  maxConnections?: number;
}

export interface TelegramRuntime {
  /** Sends through this bot's Bot API client; for the outbound worker. */
  messenger: Messenger;
  /** Stops taking updates and waits for the ones in progress. The webhook stays set for other processes. */
  stop(): Promise<void>;
}

/** See the file comment. */
export async function startTelegram(app: App, config: Config, opts: StartTelegramOptions = {}): Promise<TelegramRuntime> {
  const { logger } = app.deps;
  if (!config.TELEGRAM_BOT_TOKEN) throw new Error('TELEGRAM_BOT_TOKEN is not set');
  const bot = await TelegramBot.create(app, {
    token: config.TELEGRAM_BOT_TOKEN,
    ...(config.TELEGRAM_API_ROOT && { apiRoot: config.TELEGRAM_API_ROOT }),
    ...(opts.timeoutMs && { timeoutMs: opts.timeoutMs }),
  });
  await publishGlobalMenus(bot.messenger, app.router.catalog).catch((err: unknown) => {
    logger.warn({ err: errorText(err) }, 'could not publish the telegram command menus');
  });

  if (config.TELEGRAM_WEBHOOK_URL) {
    if (!opts.http) throw new Error('TELEGRAM_WEBHOOK_URL is set but no HTTP server was given for the webhook');
    if (!config.TELEGRAM_WEBHOOK_SECRET) throw new Error('TELEGRAM_WEBHOOK_SECRET is required with TELEGRAM_WEBHOOK_URL');
    let accepting = true;
    await opts.http.register(telegramWebhookRoute, {
      path: webhookPath(config.TELEGRAM_WEBHOOK_URL),
      secret: config.TELEGRAM_WEBHOOK_SECRET,
      onUpdate: (update) => bot.handleUpdate(update),
      isAccepting: () => accepting,
    });
    await bot.messenger.call('setWebhook', {
      url: config.TELEGRAM_WEBHOOK_URL,
      secret_token: config.TELEGRAM_WEBHOOK_SECRET,
      allowed_updates: [...ALLOWED_UPDATES],
      max_connections: opts.maxConnections ?? 40,
    });
    logger.info({ bot: bot.username, mode: 'webhook' }, 'telegram adapter started');
    return {
      messenger: bot.messenger,
      async stop() {
        accepting = false;
        await bot.idle();
      },
    };
  }

  let settled = false;
  const launched = bot.telegraf.launch({ allowedUpdates: [...ALLOWED_UPDATES] }).catch((err: unknown) => {
    logger.error({ err: errorText(err) }, 'telegram polling stopped');
  }).finally(() => {
    settled = true;
  });
  logger.info({ bot: bot.username, mode: 'polling' }, 'telegram adapter started');
  return {
    messenger: bot.messenger,
    async stop() {
      // launch() first removes any webhook, then starts polling; stop() refuses until then.
      while (!settled) {
        try {
          bot.telegraf.stop('shutdown');
          break;
        } catch {
          await new Promise((r) => setTimeout(r, 20));
        }
      }
      await launched;
      await bot.idle();
    },
  };
}

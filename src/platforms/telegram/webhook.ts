/**
 * The Telegram webhook as a fastify plugin, for the HTTP server src/main.ts runs.
 *
 * Telegram POSTs each update with the `X-Telegram-Bot-Api-Secret-Token` header we gave setWebhook.
 * A missing or wrong header gets 401 before the body is read, and nothing is processed. The
 * handler keeps no state of its own: duplicates are caught by the router's update_id dedupe in
 * Redis, so several bot processes can sit behind one webhook URL.
 *
 *   await server.register(telegramWebhookRoute, { path: '/telegram/webhook', secret, onUpdate });
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyPluginAsync } from 'fastify';
import { telegramUpdate, type TelegramUpdate } from './updates.js';

export interface TelegramWebhookOptions {
  /** Path of the route, e.g. '/telegram/webhook' (the path part of TELEGRAM_WEBHOOK_URL). */
  path: string;
  /** TELEGRAM_WEBHOOK_SECRET, as given to setWebhook's secret_token. */
  secret: string;
  /** Processes one update; the POST is answered when it resolves (so Telegram retries on a crash). */
  onUpdate: (update: TelegramUpdate) => Promise<void>;
  /** False while the bot shuts down: updates are refused with 503 and Telegram retries them later. */
  isAccepting?: () => boolean;
}

export const TELEGRAM_SECRET_HEADER = 'x-telegram-bot-api-secret-token';
const BODY_LIMIT_BYTES = 1024 * 1024;

/** The route path for a webhook URL: its path, or /telegram/webhook when it has none. */
export function webhookPath(webhookUrl: string): string {
  const { pathname } = new URL(webhookUrl);
  return pathname === '/' || pathname === '' ? '/telegram/webhook' : pathname;
}

/** Compares in constant time (hashing first makes the lengths equal). */
function sameSecret(given: string | string[] | undefined, expected: string): boolean {
  if (typeof given !== 'string') return false;
  const digest = (s: string) => createHash('sha256').update(s).digest();
  return timingSafeEqual(digest(given), digest(expected));
}

/** See the file comment. */
export const telegramWebhookRoute: FastifyPluginAsync<TelegramWebhookOptions> = async (server, opts) => {
  if (opts.secret.length < 16) throw new Error('the Telegram webhook secret must be at least 16 characters');
  server.post(opts.path, {
    bodyLimit: BODY_LIMIT_BYTES,
    // Checked before the body is read: a caller without the secret costs us nothing.
    onRequest: async (request, reply) => {
      if (!sameSecret(request.headers[TELEGRAM_SECRET_HEADER], opts.secret)) {
        return reply.code(401).send({ ok: false, error: 'unauthorized' });
      }
      if (opts.isAccepting && !opts.isAccepting()) return reply.code(503).send({ ok: false, error: 'shutting down' });
      return undefined;
    },
  }, async (request, reply) => {
    const parsed = telegramUpdate.safeParse(request.body);
    if (!parsed.success) return reply.code(400).send({ ok: false, error: 'not a Telegram update' });
    await opts.onUpdate(parsed.data);
    return reply.code(200).send({ ok: true });
  });
};

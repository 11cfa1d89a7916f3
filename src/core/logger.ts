import { pino, type Logger } from 'pino';
import { loggableError } from './loggable-error.js';

/**
 * Paths that may carry a secret or a member's words; pino replaces them before anything is
 * written. Log ids, never names, texts or tokens.
 */
const REDACT = [
  '*.token', '*.secret', '*.password', '*.access_token', '*.authorization', '*.text', '*.name',
  'TELEGRAM_BOT_TOKEN', 'WECOM_BOT_SECRET', 'WECOM_AGENT_SECRET', 'WECOM_TOKEN', 'WECOM_ENCODING_AES_KEY',
  'ADMIN_TOKEN', 'METRICS_TOKEN', 'DATABASE_URL', 'REDIS_URL', 'req.headers.authorization',
  'req.headers["x-telegram-bot-api-secret-token"]',
];

export type { Logger };

/** A logger writing JSON lines to stdout, or to stderr where stdout is the console chat. */
export function createLogger(level: string, name = 'tongxin', to: 'stdout' | 'stderr' = 'stdout'): Logger {
  const options = { name, level, redact: { paths: REDACT, censor: '[redacted]' }, serializers: { err: loggableError } };
  return to === 'stderr' ? pino(options, pino.destination(2)) : pino(options);
}

/** Removes a bot token from an error message before it is logged (telegraf puts URLs with it there). */
export function scrubSecrets(message: string): string {
  return message.replace(/bot\d+:[\w-]+/g, 'bot[redacted]').replace(/access_token=[^&\s]+/g, 'access_token=[redacted]');
}

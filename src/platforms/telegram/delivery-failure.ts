/**
 * Translates what telegraf throws into the delivery engine's terms (core/delivery-errors.ts).
 *
 * telegraf raises a `TelegramError` for every answer Telegram gave (code = error_code), a node-fetch
 * `FetchError` when the connection failed, and an `AbortError` when our signal timed the call out.
 * Telegram has no idempotency key, so anything that may have reached Telegram without an answer
 * coming back is `uncertain`, never `not-sent`.
 */
import { TelegramError } from 'telegraf';
import { DeliveryError, type DeliveryFailure } from '../../core/delivery-errors.js';
import { scrubSecrets } from '../../core/logger.js';

/**
 * Answers that say the chat itself cannot be written to (as opposed to this one message being
 * wrong). 403 always means that; these are the 400 descriptions Telegram uses for it.
 */
const UNREACHABLE_400 = /chat not found|user not found|peer_id_invalid|user is deactivated|group chat was upgraded|have no rights to send|not enough rights|chat_write_forbidden|bot was kicked|need administrator rights/i;

/**
 * Connection errors raised before a single byte of the request could be written: the request
 * never reached Telegram, so sending it again cannot duplicate it.
 */
const NOT_SENT_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'EADDRNOTAVAIL']);

/** The failure behind a rejected Bot API call; a DeliveryError passes through unchanged. */
export function deliveryFailureOf(err: unknown): DeliveryFailure {
  if (err instanceof DeliveryError) return err.failure;
  if (err instanceof TelegramError) return fromTelegram(err);
  const e = err as { name?: unknown; code?: unknown; type?: unknown; message?: unknown } | null;
  if (e && (e.name === 'AbortError' || e.type === 'aborted')) {
    return { kind: 'uncertain', reason: 'no answer within the time limit' };
  }
  if (e && e.name === 'FetchError') {
    const code = typeof e.code === 'string' ? e.code : String(e.type ?? 'unknown');
    return NOT_SENT_CODES.has(code)
      ? { kind: 'not-sent', reason: `connection failed: ${code}` }
      : { kind: 'uncertain', reason: `connection lost: ${code}` };
  }
  // Not a network or API error: we cannot prove nothing left, so we must not invite a resend.
  return { kind: 'uncertain', reason: `unexpected error: ${err instanceof Error ? err.name : typeof err}` };
}

/** `deliveryFailureOf` wrapped in the error type a Messenger throws. */
export function toDeliveryError(err: unknown): DeliveryError {
  return err instanceof DeliveryError ? err : new DeliveryError(deliveryFailureOf(err));
}

function fromTelegram(err: TelegramError): DeliveryFailure {
  const { code } = err;
  const description = String(err.description ?? '');
  if (code === 429) {
    const seconds = Number(err.parameters?.retry_after ?? 1);
    return { kind: 'rate-limited', retryAfterMs: Math.max(1, Math.ceil(seconds * 1000)) };
  }
  if (code === 403) return { kind: 'unreachable', reason: description };
  if (code === 400 && UNREACHABLE_400.test(description)) return { kind: 'unreachable', reason: description };
  // A wrong token or API root: Telegram did nothing; the send can go once the configuration is fixed.
  if (code === 401 || code === 404) return { kind: 'not-sent', reason: `${code} ${description}` };
  // A 5xx comes from Telegram's front end: the request may or may not have been processed.
  if (code >= 500) return { kind: 'uncertain', reason: `${code} ${description}` };
  return { kind: 'rejected', reason: `${code} ${description}` };
}

/** Whether an edit failed only because the message already looks like that (a repeated edit). */
export function isNotModified(err: unknown): boolean {
  return err instanceof TelegramError && err.code === 400 && /message is not modified/i.test(String(err.description));
}

/** An error as one log line, with any bot token scrubbed out (telegraf puts API URLs in messages). */
export function errorText(err: unknown): string {
  return scrubSecrets(err instanceof Error ? `${err.name}: ${err.message}` : String(err));
}

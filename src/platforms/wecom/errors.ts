/**
 * WeCom failures in the delivery engine's terms (core/delivery-errors.ts). The app API answers
 * `{ errcode, errmsg }`; the robot SDK rejects with the answer frame (not an Error) when errcode
 * is non-zero, and with an Error when the socket is down or the ack never came.
 */
import { DeliveryError, type DeliveryFailure } from '../../core/delivery-errors.js';

/** api freq out of limit: WeCom gives no retry hint; its windows are per minute. */
const RATE_LIMIT_WAIT_MS: Record<number, number> = { 45009: 60_000, 45033: 2_000, 45047: 60_000 };
/** The member or chat does not exist or is outside the app's visible range. */
const UNREACHABLE = new Set([81013, 60111, 60102, 86003]);
/** A token that expired or was replaced: fetch a new one and try once more. */
export const TOKEN_ERRCODES = new Set([40014, 42001]);

/** The failure an errcode answer means (never called with errcode 0). */
export function errcodeFailure(errcode: number, errmsg: string): DeliveryFailure {
  const wait = RATE_LIMIT_WAIT_MS[errcode];
  if (wait !== undefined) return { kind: 'rate-limited', retryAfterMs: wait };
  const reason = `wecom errcode ${errcode}: ${errmsg.slice(0, 120)}`;
  if (UNREACHABLE.has(errcode)) return { kind: 'unreachable', reason };
  return { kind: 'rejected', reason };
}

// Socket errors that mean the request never reached WeCom.
const NOT_CONNECTED = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'UND_ERR_CONNECT_TIMEOUT']);

/**
 * A fetch that threw. Before the request could leave (refused, DNS) it is `not-sent`; once it
 * may have left (timeout, connection cut mid-answer) it is `uncertain` — unless `sending` is
 * false (token requests change nothing, so they can always be retried).
 */
export function fetchFailure(err: unknown, sending: boolean): DeliveryError {
  const name = err instanceof Error ? err.name : '';
  const cause = err instanceof Error ? (err.cause as { code?: string } | undefined) : undefined;
  const code = cause?.code ?? (err as { code?: string } | null)?.code ?? name;
  const reason = `wecom api: ${code || 'network error'}`;
  if (!sending || NOT_CONNECTED.has(code)) return new DeliveryError({ kind: 'not-sent', reason });
  return new DeliveryError({ kind: 'uncertain', reason });
}

/** What a rejected robot SDK call means. */
export function robotFailure(err: unknown): DeliveryError {
  if (err instanceof DeliveryError) return err;
  const frame = err as { errcode?: unknown; errmsg?: unknown } | null;
  if (frame && typeof frame === 'object' && typeof frame.errcode === 'number') {
    return new DeliveryError(errcodeFailure(frame.errcode, String(frame.errmsg ?? '')));
  }
  const message = err instanceof Error ? err.message : String(err);
  // The SDK checks the socket before writing: nothing left.
  if (/not connected|exceeds max size/i.test(message)) return new DeliveryError({ kind: 'not-sent', reason: `wecom robot: ${message.slice(0, 120)}` });
  if (/too large|chunks exceeds/i.test(message)) return new DeliveryError({ kind: 'rejected', reason: `wecom robot: ${message.slice(0, 120)}` });
  // Ack timeout, or the socket closed while waiting: the frame was written and may have arrived.
  return new DeliveryError({ kind: 'uncertain', reason: `wecom robot: ${message.slice(0, 120)}` });
}

/**
 * A multi-part send (text, then a card) failed after an earlier part went out: resending would
 * repeat that part, so only `uncertain` is honest, whatever the later failure was.
 */
export function afterPartialSend(err: DeliveryError, partsSent: number): DeliveryError {
  if (partsSent === 0) return err;
  return new DeliveryError({ kind: 'uncertain', reason: `${partsSent} part(s) sent, then ${err.message}` });
}

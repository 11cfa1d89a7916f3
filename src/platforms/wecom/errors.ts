/**
 * WeCom failures in the delivery engine's terms (core/delivery-errors.ts). The app API answers
 * `{ errcode, errmsg }`; the robot SDK rejects with the answer frame (not an Error) when errcode
 * is non-zero, and with an Error when the socket is down or the ack never came. Codes: developer
 * document paths 90455 (全局错误码) and 101463 (智能机器人长连接).
 */
import { DeliveryError, type DeliveryFailure } from '../../core/delivery-errors.js';

/** The robot's own codes (101463). */
export const ROBOT_ERRCODE = {
  /** The req_id is unknown or its reply window has passed. */
  invalidReqId: 846605,
  /** The callback was answered already (WeCom takes one reply per message or event). */
  alreadyResponded: 846606,
  /** Over 30 messages a minute or 1000 an hour in this conversation (replies and pushes together). */
  rateLimited: 846607,
  /** The stream's update window (6 minutes) has passed. */
  streamExpired: 846608,
  /** Wrong bot id or secret on subscribe. */
  badCredentials: 853000,
} as const;

/**
 * Codes that mean "slow down, then try the same again", and how long: WeCom gives no retry hint.
 * -1 is 系统繁忙 (90455: retry later); the robot's window is per minute.
 */
const RATE_LIMIT_WAIT_MS: Record<number, number> = { [-1]: 5_000, 45009: 60_000, 45033: 2_000, 45047: 60_000, [ROBOT_ERRCODE.rateLimited]: 60_000 };
/**
 * Our configuration, not the message, is wrong (90455): 60020 this server's IP is not in the
 * app's trusted IPs, 48002 the app may not call this API, 40056 WECOM_AGENT_ID is wrong. Nothing
 * is lost: sends wait and are tried again until someone fixes it, and every one says so loudly.
 */
const CONFIGURATION: Record<number, string> = {
  60020: 'this server’s IP is not in the app’s trusted IPs (企业可信IP)',
  48002: 'the app has no permission for this API',
  40056: 'WECOM_AGENT_ID does not match the app',
};
const CONFIGURATION_WAIT_MS = 5 * 60_000;
/** The member or chat does not exist or is outside the app's visible range. */
const UNREACHABLE = new Set([81013, 60111, 86003]);
/** A token that expired or was replaced: fetch a new one and try once more. */
export const TOKEN_ERRCODES = new Set([40014, 42001]);

/** The failure an errcode answer means (never called with errcode 0). */
export function errcodeFailure(errcode: number, errmsg: string): DeliveryFailure {
  const wait = RATE_LIMIT_WAIT_MS[errcode] ?? (CONFIGURATION[errcode] ? CONFIGURATION_WAIT_MS : undefined);
  if (wait !== undefined) return { kind: 'rate-limited', retryAfterMs: wait };
  const reason = `wecom errcode ${errcode}: ${errmsg.slice(0, 120)}`;
  if (UNREACHABLE.has(errcode)) return { kind: 'unreachable', reason };
  return { kind: 'rejected', reason };
}

/** What an operator must fix when WeCom answers `errcode`, or undefined when it is not our configuration. */
export function configurationProblem(errcode: number): string | undefined {
  return CONFIGURATION[errcode];
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

/** The errcode of a rejected robot SDK call, when WeCom answered with one. */
export function robotErrcode(err: unknown): number | undefined {
  const frame = err as { errcode?: unknown } | null;
  return frame && typeof frame === 'object' && typeof frame.errcode === 'number' ? frame.errcode : undefined;
}

/** What a rejected robot SDK call means. */
export function robotFailure(err: unknown): DeliveryError {
  if (err instanceof DeliveryError) return err;
  const errcode = robotErrcode(err);
  if (errcode !== undefined) return new DeliveryError(errcodeFailure(errcode, String((err as { errmsg?: unknown }).errmsg ?? '')));
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

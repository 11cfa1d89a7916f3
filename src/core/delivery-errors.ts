/**
 * How a send failed, in the terms the delivery engine acts on. Adapters translate their
 * platform's errors into one of these; nothing else should leave a Messenger.
 */
export type DeliveryFailure =
  /** The platform asks us to slow down; try again after `retryAfterMs`. */
  | { kind: 'rate-limited'; retryAfterMs: number }
  /** The member blocked the bot or the chat/user does not exist: never retry. */
  | { kind: 'unreachable'; reason: string }
  /** Nothing reached the platform (connection refused, DNS): safe to retry. */
  | { kind: 'not-sent'; reason: string }
  /** The request left but no answer came back: it may have arrived, never resend blindly. */
  | { kind: 'uncertain'; reason: string }
  /** The platform refused this message for good (too long, bad markup). */
  | { kind: 'rejected'; reason: string };

export class DeliveryError extends Error {
  constructor(readonly failure: DeliveryFailure) {
    super(`${failure.kind}: ${'reason' in failure ? failure.reason : `retry after ${failure.retryAfterMs} ms`}`);
    this.name = 'DeliveryError';
  }
}

import type { Params } from './i18n.js';

/**
 * A failure the member caused and can fix: bad input, a rule refused, something not found.
 * The router answers it in the member's own language with `t(key, params)`; it is not logged
 * as an error. Anything that is not a UserError is a bug or an outage.
 */
export class UserError extends Error {
  constructor(
    readonly key: string,
    readonly params: Params = {},
  ) {
    super(key);
    this.name = 'UserError';
  }
}

/** A database or Redis outage the member can do nothing about but try again later. */
export class TemporaryFailure extends Error {
  constructor(cause: unknown) {
    super('temporary failure', { cause });
    this.name = 'TemporaryFailure';
  }
}

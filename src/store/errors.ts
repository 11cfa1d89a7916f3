/** PostgreSQL SQLSTATEs that mean "the connection or server went away, try again". */
const TRANSIENT_SQLSTATES = new Set(['57P01', '57P02', '57P03', '08000', '08001', '08003', '08004', '08006', '40001', '40P01', '53300']);
const TRANSIENT_NODE_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'ENOTCONN', 'EHOSTUNREACH']);
const TRANSIENT_MESSAGES = [/connection terminated/i, /connection is closed/i, /client has encountered a connection error/i,
  /terminating connection/i, /reached the max retries per request/i, /stream isn't writeable/i, /^command timed out$/i];

/**
 * Whether an error is an outage of PostgreSQL or Redis that will likely pass, rather than a bug.
 * Follows `cause`, since drizzle wraps driver errors.
 */
export function isTransientError(err: unknown): boolean {
  for (let e = err, depth = 0; e && depth < 5; depth++) {
    if (typeof e !== 'object') return false;
    const { code, message } = e as { code?: unknown; message?: unknown };
    if (typeof code === 'string' && (TRANSIENT_SQLSTATES.has(code) || TRANSIENT_NODE_CODES.has(code))) return true;
    if (typeof message === 'string' && TRANSIENT_MESSAGES.some((re) => re.test(message))) return true;
    e = (e as { cause?: unknown }).cause;
  }
  return false;
}

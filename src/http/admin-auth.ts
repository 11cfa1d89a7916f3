import { timingSafeEqual, createHash } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';

const digest = (s: string) => createHash('sha256').update(s).digest();

/** Compares in constant time (hashing first makes the lengths equal). */
function sameSecret(given: string, expected: string): boolean {
  return timingSafeEqual(digest(given), digest(expected));
}

/** The token a request carries: `Authorization: Bearer TOKEN`, or Basic auth with TOKEN as the password. */
function tokenOf(req: FastifyRequest): string | undefined {
  const header = req.headers.authorization;
  if (!header) return undefined;
  const [scheme, value = ''] = header.split(' ', 2);
  if (scheme?.toLowerCase() === 'bearer') return value.trim();
  if (scheme?.toLowerCase() === 'basic') {
    const decoded = Buffer.from(value, 'base64').toString('utf8');
    return decoded.slice(decoded.indexOf(':') + 1);
  }
  return undefined;
}

/**
 * An onRequest hook that lets through only requests carrying `token` (ADMIN_TOKEN, or
 * METRICS_TOKEN for /metrics). Browsers get a Basic auth prompt (any user name, the token as
 * password). Without a configured token nothing passes.
 */
export function requireAdminToken(token: string | undefined, realm = 'tongxin admin') {
  return async (req: FastifyRequest, reply: FastifyReply): Promise<void> => {
    const given = tokenOf(req);
    if (token && given !== undefined && sameSecret(given, token)) return;
    await reply.code(401).header('www-authenticate', `Basic realm="${realm}", charset="UTF-8"`).send({ error: 'unauthorized' });
  };
}

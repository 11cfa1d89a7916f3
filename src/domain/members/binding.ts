import { createHash, randomInt } from 'node:crypto';
import { and, eq, gt, isNull } from 'drizzle-orm';
import type { Redis } from 'ioredis';
import type { Db } from '../../store/db.js';
import { bindingCodes } from '../../store/schema/index.js';
import { UserError } from '../../core/errors.js';
import type { Platform } from '../../core/messages.js';
import { linkIdentity, memberById, type Member } from './members.js';

/** Crockford base32 without I, L, O, U: easy to read aloud and to type. */
const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
const CODE_LENGTH = 10; // 50 bits: beyond reach at 5 tries per quarter hour
export const CODE_TTL_HOURS = 72;
/** Wrong codes one account may try per window before it must wait. */
export const MAX_FAILED_ATTEMPTS = 5;
export const ATTEMPT_WINDOW_SECONDS = 15 * 60;

const hash = (code: string) => createHash('sha256').update(`tongxin-bind:${code}`).digest('hex');
const normalise = (code: string) => code.toUpperCase().replace(/[\s-]/g, '').replace(/O/g, '0').replace(/[IL]/g, '1');

/** A fresh code for `memberId`; only its hash is stored. Shown once to the staff who asked. */
export async function issueBindingCode(
  db: Db,
  memberId: number,
  staffId: number,
  now: Date,
): Promise<{ code: string; expiresAt: Date }> {
  const code = Array.from({ length: CODE_LENGTH }, () => ALPHABET[randomInt(ALPHABET.length)]).join('');
  const expiresAt = new Date(now.getTime() + CODE_TTL_HOURS * 3600_000);
  await db.insert(bindingCodes).values({ memberId, codeHash: hash(code), createdBy: staffId, expiresAt });
  return { code, expiresAt };
}

/**
 * Links the sender's platform account to the member the code was issued for. A code works once
 * and until it expires; an account that sends too many wrong codes is made to wait.
 */
export async function redeemBindingCode(
  db: Db,
  redis: Redis,
  who: { platform: Platform; platformUserId: string; chatId?: string },
  rawCode: string,
  now: Date,
): Promise<Member> {
  const attemptsKey = `bind-fail:${who.platform}:${who.platformUserId}`;
  const failed = Number((await redis.get(attemptsKey)) ?? 0);
  if (failed >= MAX_FAILED_ATTEMPTS) {
    const ttl = await redis.ttl(attemptsKey);
    throw new UserError('bind.tooManyAttempts', { minutes: Math.max(1, Math.ceil(ttl / 60)) });
  }
  const code = normalise(rawCode);
  const memberId = await db.transaction(async (tx) => {
    const [used] = await tx
      .update(bindingCodes)
      .set({ usedAt: now })
      .where(and(eq(bindingCodes.codeHash, hash(code)), isNull(bindingCodes.usedAt), gt(bindingCodes.expiresAt, now)))
      .returning({ memberId: bindingCodes.memberId });
    if (!used) return undefined;
    await linkIdentity(tx, used.memberId, who.platform, who.platformUserId, who.chatId, now);
    return used.memberId;
  });
  if (memberId === undefined) {
    const n = await redis.incr(attemptsKey);
    if (n === 1) await redis.expire(attemptsKey, ATTEMPT_WINDOW_SECONDS);
    const [known] = await db.select().from(bindingCodes).where(eq(bindingCodes.codeHash, hash(code)));
    throw new UserError(known && !known.usedAt && known.expiresAt <= now ? 'bind.expired' : 'bind.invalid');
  }
  await redis.del(attemptsKey);
  return (await memberById(db, memberId))!;
}

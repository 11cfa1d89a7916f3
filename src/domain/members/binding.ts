import { createHash, randomInt } from 'node:crypto';
import { and, eq, gt, isNull } from 'drizzle-orm';
import type { Redis } from 'ioredis';
import type { Db, Tx } from '../../store/db.js';
import { bindingCodes, identities } from '../../store/schema/index.js';
import { clearAttempts, takeAttempt, type AttemptLimit } from '../../store/attempt-limit.js';
import { UserError } from '../../core/errors.js';
import { t } from '../../core/i18n.js';
import type { Platform } from '../../core/messages.js';
import { addDeliveries } from '../outbox.js';
import { privateChatKey } from '../delivery/routing.js';
import { linkIdentity, memberById, roleAllows, type Member } from './members.js';

/** Crockford base32 without I, L, O, U: easy to read aloud and to type. */
const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
const CODE_LENGTH = 10; // 50 bits: beyond reach at 5 tries per quarter hour
export const CODE_TTL_HOURS = 72;
/** Wrong codes one account may try per window before it must wait. */
export const MAX_FAILED_ATTEMPTS = 5;
export const ATTEMPT_WINDOW_SECONDS = 15 * 60;
const ATTEMPTS: AttemptLimit = { max: MAX_FAILED_ATTEMPTS, windowSeconds: ATTEMPT_WINDOW_SECONDS };

const hash = (code: string) => createHash('sha256').update(`tongxin-bind:${code}`).digest('hex');
const normalise = (code: string) => code.toUpperCase().replace(/[\s-]/g, '').replace(/O/g, '0').replace(/[IL]/g, '1');

/**
 * Who issues a code: a staff officer or admin in the chat, or the operator at the shell
 * (`npm run cli -- bindcode`), who holds the database and so an admin's authority. Stored as
 * binding_codes.created_by, null for the operator.
 */
export type CodeIssuer = Member | 'operator';

/** Whether codes from `issuer` carry an admin's authority (judged by the issuer's role now). */
const actsAsAdmin = (issuer: CodeIssuer | Pick<Member, 'role'>) => issuer === 'operator' || issuer.role === 'admin';

/**
 * A fresh code for `target`; only its hash is stored. Shown once to whoever asked. Staff issue
 * codes for members only: a code for a staff or admin account would let its holder act as them,
 * so only an admin (or the operator) may issue one.
 */
export async function issueBindingCode(db: Db, target: Member, issuer: CodeIssuer, now: Date): Promise<{ code: string; expiresAt: Date }> {
  if (issuer !== 'operator' && !roleAllows(issuer.role, 'staff')) throw new UserError('errors.forbidden');
  if (target.role !== 'member' && !actsAsAdmin(issuer)) throw new UserError('bindcode.onlyAdmin', { name: target.name });
  const code = Array.from({ length: CODE_LENGTH }, () => ALPHABET[randomInt(ALPHABET.length)]).join('');
  const expiresAt = new Date(now.getTime() + CODE_TTL_HOURS * 3600_000);
  await db.insert(bindingCodes).values({ memberId: target.id, codeHash: hash(code), createdBy: issuer === 'operator' ? null : issuer.id, expiresAt });
  return { code, expiresAt };
}

/** The account redeeming a code: where it is and, in a private chat, its chat id. */
export interface RedeemingAccount {
  platform: Platform;
  platformUserId: string;
  chatId?: string;
}

/** What a redeemed code did: the member now linked, and the platform's earlier account it replaced. */
export interface Binding {
  member: Member;
  replaced: boolean;
}

/**
 * Links the sender's platform account to the member the code was issued for. A code works once
 * and until it expires; an account that sends too many wrong codes is made to wait (every try,
 * right or wrong, takes from the budget first, so parallel guesses get no more than the limit).
 * A member's earlier account on the same platform is replaced and told so; for a staff or admin
 * account, only a code an admin issued may do that (or bind it at all).
 */
export async function redeemBindingCode(db: Db, redis: Redis, who: RedeemingAccount, rawCode: string, now: Date): Promise<Binding> {
  const attemptsKey = `bind-fail:${who.platform}:${who.platformUserId}`;
  const attempt = await takeAttempt(redis, attemptsKey, ATTEMPTS);
  if (!attempt.allowed) throw new UserError('bind.tooManyAttempts', { minutes: Math.ceil(attempt.retryInSeconds / 60) });
  const code = normalise(rawCode);
  const outcome = await db.transaction(async (tx) => {
    const [used] = await tx
      .update(bindingCodes)
      .set({ usedAt: now })
      .where(and(eq(bindingCodes.codeHash, hash(code)), isNull(bindingCodes.usedAt), gt(bindingCodes.expiresAt, now)))
      .returning({ memberId: bindingCodes.memberId, createdBy: bindingCodes.createdBy });
    if (!used) return undefined;
    const member = (await memberById(tx, used.memberId))!;
    const issuer = used.createdBy === null ? 'operator' : await memberById(tx, used.createdBy);
    if (member.role !== 'member' && !(issuer && actsAsAdmin(issuer))) throw new UserError('bind.needsAdmin', { platform: t(member.locale, `platform.${who.platform}`) });
    const replaced = await tellReplacedAccount(tx, member, who, now);
    await linkIdentity(tx, member.id, who.platform, who.platformUserId, who.chatId, now);
    return { member, replaced };
  });
  if (outcome === undefined) {
    const [known] = await db.select().from(bindingCodes).where(eq(bindingCodes.codeHash, hash(code)));
    throw new UserError(known && !known.usedAt && known.expiresAt <= now ? 'bind.expired' : 'bind.invalid');
  }
  await clearAttempts(redis, attemptsKey);
  return outcome;
}

/**
 * When `member` already has another account on this platform, tells that account (in its own
 * private chat: it is no longer the member's channel) that a new one replaced it, so a takeover
 * cannot pass unnoticed. Returns whether there was one.
 */
async function tellReplacedAccount(tx: Tx, member: Member, who: RedeemingAccount, now: Date): Promise<boolean> {
  const [old] = await tx
    .select()
    .from(identities)
    .where(and(eq(identities.memberId, member.id), eq(identities.platform, who.platform)));
  if (!old || old.platformUserId === who.platformUserId) return false;
  // The text is written now in the member's language: a chat-addressed row is rendered for a group.
  const text = t(member.locale, 'bind.replacedNotice', { name: member.name, platform: t(member.locale, `platform.${who.platform}`), at: now }, member.timeZone);
  await addDeliveries(tx, [{
    kind: 'member.bindingReplaced', ref: `identity:${who.platform}:${old.platformUserId}:${now.getTime()}`,
    to: { chatKey: privateChatKey(who.platform, old.chatId ?? old.platformUserId) }, template: 'bind.relay', params: { text },
  }]);
  return true;
}

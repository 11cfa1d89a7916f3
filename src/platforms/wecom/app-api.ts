/**
 * The WeCom server API for the self-built app (自建应用): the access token, message/send to
 * members, media/upload for files, and updating a pressed card. Every failure leaves as a
 * DeliveryError (see errors.ts).
 *
 * A delivery (not a reply) asks WeCom to drop an identical repeat (enable_duplicate_check,
 * developer document path 90236), so a send whose answer was lost can be made again safely
 * within the interval. For that a retry must be the very same message: a card keeps its task id
 * and a file its media id for as long as the check lasts (kept in Redis, shared by every
 * process). Replies go without the check: a member who asks /help twice gets two answers.
 */
import { createHash } from 'node:crypto';
import type { Redis } from 'ioredis';
import { z } from 'zod';
import { DeliveryError } from '../../core/delivery-errors.js';
import type { FileAttachment, OutgoingMessage, SendResult } from '../../core/messages.js';
import type { Logger } from '../../core/logger.js';
import { planCards, updatedCard, type Card } from './cards.js';
import { configurationProblem, errcodeFailure, fetchFailure, afterPartialSend, TOKEN_ERRCODES } from './errors.js';
import type { MemberSendLimiter } from './app-rate-limit.js';
import { APP_TEXT_BYTES, firstLine, splitByBytes } from './text.js';

export const DEFAULT_API_ROOT = 'https://qyapi.weixin.qq.com';
/**
 * duplicate_check_interval for deliveries: an hour, far longer than the delivery engine takes to
 * retry, and short enough that the same reminder on purpose an hour later is not dropped.
 */
export const APP_DUPLICATE_CHECK_SECONDS = 3600;

export interface AppApiOptions {
  /** WECOM_API_ROOT (no trailing slash needed). */
  apiRoot: string;
  corpId: string;
  agentId: number;
  secret: string;
  limiter: MemberSendLimiter;
  /** Keeps card task ids and file media ids for the duplicate check's interval. */
  redis: Redis;
  logger: Logger;
  /** How long one request may take before it counts as lost. Default 10 s. */
  timeoutMs?: number;
}

const answerSchema = z.looseObject({ errcode: z.number(), errmsg: z.string().catch('') });
type Answer = z.infer<typeof answerSchema>;

/** One message/send body without the addressing (touser, agentid). */
type Part = { msgtype: 'text'; text: { content: string } } | { msgtype: 'template_card'; template_card: Card } | { msgtype: 'file'; file: { media_id: string } };

/** Talks to the WeCom API for one app. One instance per process; the token is cached here. */
export class WecomAppApi {
  private token?: { value: string; expiresAt: number };
  private pendingToken?: Promise<string>;
  private readonly root: string;

  constructor(private readonly options: AppApiOptions) {
    this.root = options.apiRoot.replace(/\/+$/, '');
  }

  /**
   * Sends to one member (userid). Counts against the member's WeCom limits first: over them,
   * nothing is sent and a `rate-limited` DeliveryError says when the window frees.
   */
  async sendToMember(userId: string, message: OutgoingMessage, how: { duplicateCheck: boolean } = { duplicateCheck: true }): Promise<SendResult> {
    const parts = await this.parts(userId, message, how.duplicateCheck);
    const check = how.duplicateCheck ? { enable_duplicate_check: 1, duplicate_check_interval: APP_DUPLICATE_CHECK_SECONDS } : {};
    if (parts.length === 0) throw new DeliveryError({ kind: 'rejected', reason: 'empty message' });
    if (parts.length > this.options.limiter.maxBatch) throw new DeliveryError({ kind: 'rejected', reason: `message needs ${parts.length} sends` });
    const reservation = await this.options.limiter.reserve(userId, parts.length);
    if (!reservation.granted) throw new DeliveryError({ kind: 'rate-limited', retryAfterMs: reservation.retryAfterMs });
    let sent = 0;
    let messageId = '';
    try {
      for (const part of parts) {
        const body = { touser: userId, agentid: this.options.agentId, ...part, ...check };
        const answer = await this.call('/cgi-bin/message/send', body, true);
        const invalid = typeof answer.invaliduser === 'string' ? answer.invaliduser.split('|') : [];
        if (answer.errcode === 0 && invalid.includes(userId)) throw new DeliveryError({ kind: 'unreachable', reason: 'wecom: invalid user' });
        if (answer.errcode !== 0) throw this.refusal(answer);
        sent++;
        messageId = typeof answer.msgid === 'string' ? answer.msgid : messageId;
      }
    } catch (err) {
      const failure = err instanceof DeliveryError ? err : fetchFailure(err, true);
      if (sent === 0 && failure.failure.kind !== 'uncertain') await reservation.release().catch(() => undefined);
      throw afterPartialSend(failure, sent);
    }
    return { messageId };
  }

  /**
   * Replaces a pressed card for the member who pressed it, with the response code of the press
   * (valid once, for 72 hours): new buttons, or the button replaced by the first line of text.
   */
  async updatePressedCard(press: { responseCode: string; taskId: string; userId: string; key: string }, update: OutgoingMessage): Promise<void> {
    const hasButtons = (update.buttons ?? []).some((row) => row.some((b) => b.data));
    const change = hasButtons
      ? { template_card: updatedCard(update, press.taskId, press.key) }
      : { button: { replace_name: firstLine(update.text, 20).line || '✓' } };
    const answer = await this.call(
      '/cgi-bin/message/update_template_card',
      { userids: [press.userId], agentid: this.options.agentId, response_code: press.responseCode, ...change },
      true,
    );
    if (answer.errcode !== 0) throw this.refusal(answer);
  }

  /**
   * The message as WeCom bodies for `userId`: text pieces of ≤ 2000 bytes, cards, a file — each
   * the same as in an earlier send of the same message to the same member within the check.
   */
  private async parts(userId: string, message: OutgoingMessage, same: boolean): Promise<Part[]> {
    const plan = planCards(message);
    const parts: Part[] = splitByBytes(plan.leadText, APP_TEXT_BYTES).map((content) => ({ msgtype: 'text', text: { content } }));
    for (const [i, card] of plan.cards.entries()) {
      const taskId = same ? await this.remembered(`card:${userId}:${i}:${digest({ ...card, task_id: '' })}`, () => card.task_id) : card.task_id;
      parts.push({ msgtype: 'template_card', template_card: { ...card, task_id: taskId } });
    }
    if (message.file) {
      const file = message.file;
      const mediaId = same ? await this.remembered(`media:${digest([file.name, file.mimeType, file.data.toString('base64')])}`, () => this.upload(file)) : await this.upload(file);
      parts.push({ msgtype: 'file', file: { media_id: mediaId } });
    }
    return parts;
  }

  /**
   * The value kept under `key` for the duplicate check's interval, made by `make` the first time.
   * Media ids live three days (90253), longer than the check. A Redis that does not answer makes
   * the send `not-sent`: a fresh id could slip past WeCom's check.
   */
  private async remembered(key: string, make: () => string | Promise<string>): Promise<string> {
    const redisKey = `wecom:app-same:${key}`;
    try {
      const known = await this.options.redis.get(redisKey);
      if (known) return known;
      const value = await make();
      const won = await this.options.redis.set(redisKey, value, 'EX', APP_DUPLICATE_CHECK_SECONDS, 'NX');
      return won === 'OK' ? value : ((await this.options.redis.get(redisKey)) ?? value);
    } catch (err) {
      if (err instanceof DeliveryError) throw err;
      throw new DeliveryError({ kind: 'not-sent', reason: `wecom app: ${(err as Error).message.slice(0, 80)}` });
    }
  }

  /** A refusal as a DeliveryError; one caused by our configuration is logged loudly too. */
  private refusal(answer: Answer): DeliveryError {
    const problem = configurationProblem(answer.errcode);
    if (problem) this.options.logger.error({ errcode: answer.errcode }, `wecom app: ${problem}; sends wait until it is fixed`);
    return new DeliveryError(errcodeFailure(answer.errcode, answer.errmsg));
  }

  /** Uploads a file as temporary media (3 days); an upload shows nothing, so failures are `not-sent`. */
  private async upload(file: FileAttachment): Promise<string> {
    const form = new FormData();
    form.append('media', new Blob([new Uint8Array(file.data)], { type: file.mimeType }), file.name);
    const answer = await this.withToken((token) =>
      this.request(`/cgi-bin/media/upload?access_token=${encodeURIComponent(token)}&type=file`, { method: 'POST', body: form }, false),
    );
    if (answer.errcode !== 0) {
      const refused = this.refusal(answer).failure;
      throw new DeliveryError(refused.kind === 'rejected' ? refused : { kind: 'not-sent', reason: `wecom upload: ${refused.kind}` });
    }
    if (typeof answer.media_id !== 'string') throw new DeliveryError({ kind: 'not-sent', reason: 'wecom upload: no media_id' });
    return answer.media_id;
  }

  /** POSTs JSON to `path` with the access token, renewing the token once if WeCom says it expired. */
  private call(path: string, body: object, sending: boolean): Promise<Answer> {
    const init = { method: 'POST', body: JSON.stringify(body), headers: { 'content-type': 'application/json' } };
    return this.withToken((token) => this.request(`${path}?access_token=${encodeURIComponent(token)}`, init, sending));
  }

  private async withToken(run: (token: string) => Promise<Answer>): Promise<Answer> {
    const token = await this.accessToken();
    const answer = await run(token);
    if (!TOKEN_ERRCODES.has(answer.errcode)) return answer;
    if (this.token?.value === token) this.token = undefined;
    return run(await this.accessToken());
  }

  private async request(pathAndQuery: string, init: RequestInit, sending: boolean): Promise<Answer> {
    let response: Response;
    let raw: unknown;
    try {
      response = await fetch(`${this.root}${pathAndQuery}`, { ...init, signal: AbortSignal.timeout(this.options.timeoutMs ?? 10_000) });
      raw = await response.json();
    } catch (err) {
      throw fetchFailure(err, sending);
    }
    const parsed = answerSchema.safeParse(raw);
    if (!response.ok || !parsed.success) {
      const kind = sending ? 'uncertain' : 'not-sent';
      throw new DeliveryError({ kind, reason: `wecom api: HTTP ${response.status}, unexpected answer` });
    }
    return parsed.data;
  }

  /** The cached token, fetched once for all concurrent callers when missing or near expiry. */
  private async accessToken(): Promise<string> {
    if (this.token && this.token.expiresAt > Date.now()) return this.token.value;
    this.pendingToken ??= this.fetchToken().finally(() => {
      this.pendingToken = undefined;
    });
    return this.pendingToken;
  }

  private async fetchToken(): Promise<string> {
    const { corpId, secret } = this.options;
    const query = `corpid=${encodeURIComponent(corpId)}&corpsecret=${encodeURIComponent(secret)}`;
    const answer = await this.request(`/cgi-bin/gettoken?${query}`, { method: 'GET' }, false);
    if (answer.errcode !== 0 || typeof answer.access_token !== 'string') {
      this.options.logger.error({ errcode: answer.errcode }, 'wecom: gettoken refused; check WECOM_CORP_ID and WECOM_AGENT_SECRET');
      throw new DeliveryError({ kind: 'not-sent', reason: `wecom gettoken errcode ${answer.errcode}` });
    }
    const expiresIn = typeof answer.expires_in === 'number' ? answer.expires_in : 7200;
    // Renew five minutes early so a token never expires between our check and WeCom's.
    this.token = { value: answer.access_token, expiresAt: Date.now() + Math.max(60, expiresIn - 300) * 1000 };
    return this.token.value;
  }
}

/** A short, stable name for `value`'s content. */
function digest(value: unknown): string {
  return createHash('sha256').update(JSON.stringify(value)).digest('base64url').slice(0, 32);
}

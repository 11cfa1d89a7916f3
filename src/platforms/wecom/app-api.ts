/**
 * The WeCom server API for the self-built app (自建应用): the access token, message/send to
 * members, appchat/send to app group chats, media/upload for files, and updating a pressed
 * card. Every failure leaves as a DeliveryError (see errors.ts).
 */
import { z } from 'zod';
import { DeliveryError } from '../../core/delivery-errors.js';
import type { FileAttachment, OutgoingMessage, SendResult } from '../../core/messages.js';
import type { Logger } from '../../core/logger.js';
import { planCards, updatedCard, type Card } from './cards.js';
import { errcodeFailure, fetchFailure, afterPartialSend, TOKEN_ERRCODES } from './errors.js';
import type { MemberSendLimiter } from './app-rate-limit.js';
import { APP_TEXT_BYTES, firstLine, splitByBytes } from './text.js';

export const DEFAULT_API_ROOT = 'https://qyapi.weixin.qq.com';

export interface AppApiOptions {
  /** WECOM_API_ROOT (no trailing slash needed). */
  apiRoot: string;
  corpId: string;
  agentId: number;
  secret: string;
  limiter: MemberSendLimiter;
  logger: Logger;
  /** How long one request may take before it counts as lost. Default 10 s. */
  timeoutMs?: number;
}

const answerSchema = z.looseObject({ errcode: z.number(), errmsg: z.string().catch('') });
type Answer = z.infer<typeof answerSchema>;

/** One message/send body without the addressing (touser / chatid, agentid). */
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
  async sendToMember(userId: string, message: OutgoingMessage): Promise<SendResult> {
    const parts = await this.parts(message, true);
    if (parts.length === 0) throw new DeliveryError({ kind: 'rejected', reason: 'empty message' });
    if (parts.length > this.options.limiter.maxBatch) throw new DeliveryError({ kind: 'rejected', reason: `message needs ${parts.length} sends` });
    const reservation = await this.options.limiter.reserve(userId, parts.length);
    if (!reservation.granted) throw new DeliveryError({ kind: 'rate-limited', retryAfterMs: reservation.retryAfterMs });
    let sent = 0;
    let messageId = '';
    try {
      for (const part of parts) {
        const answer = await this.call('/cgi-bin/message/send', { touser: userId, agentid: this.options.agentId, ...part }, true);
        const invalid = typeof answer.invaliduser === 'string' ? answer.invaliduser.split('|') : [];
        if (answer.errcode === 0 && invalid.includes(userId)) throw new DeliveryError({ kind: 'unreachable', reason: 'wecom: invalid user' });
        if (answer.errcode !== 0) throw new DeliveryError(errcodeFailure(answer.errcode, answer.errmsg));
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
   * Sends to a group chat the app created (appchat). Such chats cannot carry card buttons:
   * the text goes alone, with links written out.
   */
  async sendToAppChat(chatId: string, message: OutgoingMessage): Promise<SendResult> {
    const parts = await this.parts(message, false);
    if (parts.length === 0) throw new DeliveryError({ kind: 'rejected', reason: 'empty message' });
    let sent = 0;
    try {
      for (const part of parts) {
        const answer = await this.call('/cgi-bin/appchat/send', { chatid: chatId, ...part }, true);
        if (answer.errcode !== 0) throw new DeliveryError(errcodeFailure(answer.errcode, answer.errmsg));
        sent++;
      }
    } catch (err) {
      throw afterPartialSend(err instanceof DeliveryError ? err : fetchFailure(err, true), sent);
    }
    return { messageId: `appchat:${chatId}:${Date.now()}` };
  }

  /**
   * Replaces a pressed card for the member who pressed it, with the response code of the press
   * (valid once, for 72 hours): new buttons, or the button replaced by the first line of text.
   */
  async updatePressedCard(press: { responseCode: string; taskId: string; userId: string }, update: OutgoingMessage): Promise<void> {
    const hasButtons = (update.buttons ?? []).some((row) => row.some((b) => b.data));
    const change = hasButtons
      ? { template_card: updatedCard(update, press.taskId) }
      : { button: { replace_name: firstLine(update.text, 20).line || '✓' } };
    const answer = await this.call(
      '/cgi-bin/message/update_template_card',
      { userids: [press.userId], agentid: this.options.agentId, response_code: press.responseCode, ...change },
      true,
    );
    if (answer.errcode !== 0) throw new DeliveryError(errcodeFailure(answer.errcode, answer.errmsg));
  }

  /** The message as WeCom bodies: text pieces of ≤ 2000 bytes, cards (members only), a file. */
  private async parts(message: OutgoingMessage, cards: boolean): Promise<Part[]> {
    const plan = cards ? planCards(message) : { leadText: withLinks(message), cards: [] };
    const parts: Part[] = splitByBytes(plan.leadText, APP_TEXT_BYTES).map((content) => ({ msgtype: 'text', text: { content } }));
    for (const card of plan.cards) parts.push({ msgtype: 'template_card', template_card: card });
    if (message.file) parts.push({ msgtype: 'file', file: { media_id: await this.upload(message.file) } });
    return parts;
  }

  /** Uploads a file as temporary media (3 days); an upload shows nothing, so failures are `not-sent`. */
  private async upload(file: FileAttachment): Promise<string> {
    const form = new FormData();
    form.append('media', new Blob([new Uint8Array(file.data)], { type: file.mimeType }), file.name);
    const answer = await this.withToken((token) =>
      this.request(`/cgi-bin/media/upload?access_token=${encodeURIComponent(token)}&type=file`, { method: 'POST', body: form }, false),
    );
    if (answer.errcode !== 0) throw new DeliveryError(errcodeFailure(answer.errcode, answer.errmsg));
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

/** Text with url buttons written out, for channels without buttons. */
function withLinks(message: OutgoingMessage): string {
  const links = (message.buttons ?? []).flat().filter((b) => b.url).map((b) => `${b.label}: ${b.url}`);
  return [message.text.trim(), ...links].filter(Boolean).join('\n');
}

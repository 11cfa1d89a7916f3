/**
 * The outbound worker of one platform: takes `send` jobs (a delivery id each), renders the row in
 * the reader's language and zone, and hands it to that platform's Messenger. Rate limits, retries
 * and the sent/failed/uncertain bookkeeping live here and nowhere else (see domain/delivery/status.ts
 * for why a row is claimed before the send and what a crash leaves behind).
 */
import { DelayedError, Worker, type Job, type Queue } from 'bullmq';
import { DeliveryError } from '../../src/core/delivery-errors.js';
import type { ChatRef, Messenger } from '../../src/core/messages.js';
import { renderDelivery } from '../../src/domain/delivery/render.js';
import { isScheduled, releaseUnqueued } from '../../src/domain/delivery/queueing.js';
import { memberChannels, pickChannel } from '../../src/domain/delivery/routing.js';
import {
  claimDelivery, failPending, finishClaim, loadDelivery, markCrashedSend, markSent, markUnreachable, releaseClaim,
  type DeliveryRow,
} from '../../src/domain/delivery/status.js';
import { outboundPayload } from '../queues.js';
import type { EngineContext, SendObservation } from '../context.js';
import type { Admission, SendLimiter } from '../limiter.js';

/** What became of one processing of a send job (the job's return value, shown in the dashboard). */
export type SendOutcome = SendObservation;

/** Platforms whose "slow down" applies to every send, not just to the chat that was refused. */
const PLATFORM_WIDE_429: ReadonlySet<string> = new Set(['telegram']);

/** Kept on the job when the send succeeded but recording it did not, so a re-run can record it. */
interface SentProgress {
  claim: string;
  messageId: string;
}

export interface OutboundWorkerOptions {
  engine: EngineContext;
  messenger: Messenger;
  limiter: SendLimiter;
  queue: Queue;
}

/** The processor of `outbound-<platform>`; exported separately so tests can drive single jobs. */
export function outboundProcessor(opts: OutboundWorkerOptions) {
  const { engine, messenger, limiter, queue } = opts;
  const { db, clock, logger } = engine;
  const platform = messenger.platform;
  /**
   * Until when this process knows the platform is paused. Set in the same tick a 429 is seen and
   * checked right before each send, so no job of this process that was already past the Redis
   * check can slip a send in before the pause is in Redis.
   */
  let pausedUntil = 0;

  return async (job: Job, token?: string): Promise<SendOutcome> => {
    const { deliveryId } = outboundPayload.parse(job.data);
    const found = await loadDelivery(db, deliveryId);
    if (!found) return 'skipped';
    const { row } = found;
    if (row.status === 'sending') return resumeInterrupted(job, row);
    if (row.status !== 'pending') return 'skipped';
    const now = clock.now();
    if (!isDue(row, now)) {
      await job.moveToDelayed(Date.now() + (row.notBefore.getTime() - now.getTime()), token);
      throw new DelayedError();
    }
    if (row.platform !== platform || !row.chatId) {
      // Routed elsewhere since this job was queued; the relay queues it where it now belongs.
      await releaseUnqueued(db, [row.id]);
      return 'rerouted';
    }
    const to: ChatRef = { platform, chatId: row.chatId, kind: row.chatKey !== null ? 'group' : 'private' };
    const admission = await limiter.admit(to);
    if (admission.kind !== 'go') return holdBack(job, token, admission);
    const message = renderDelivery(row, found.recipient ?? engine.groupReader);
    const claim = await claimDelivery(db, row.id, now);
    if (!claim) return 'skipped';
    const slot = await limiter.untilSlot(to, admission);
    if (slot.kind !== 'go' || Date.now() < pausedUntil) {
      const wait = slot.kind !== 'go' ? slot : { kind: 'paused' as const, ms: pausedUntil - Date.now() };
      await releaseClaim(db, row.id, claim, wait.kind === 'paused' ? 'platform paused' : 'chat busy');
      return holdBack(job, token, wait);
    }
    const started = performance.now();
    let messageId: string;
    try {
      messageId = (await messenger.send({ chatId: to.chatId, kind: to.kind }, message)).messageId;
    } catch (err) {
      const outcome = await onFailure(job, token, to, row, claim, err);
      engine.observeSend?.(platform, outcome, (performance.now() - started) / 1000);
      return outcome;
    }
    engine.observeSend?.(platform, 'sent', (performance.now() - started) / 1000);
    await recordSent(job, row.id, claim, messageId, found.recipient?.unreachableAt != null);
    return 'sent';
  };

  /** Hands the job back: the whole queue waits out a platform pause, one chat's job its window. */
  async function holdBack(job: Job, token: string | undefined, admission: Exclude<Admission, { kind: 'go' }>): Promise<never> {
    if (admission.kind === 'paused') {
      await queue.rateLimit(admission.ms);
      throw Worker.RateLimitError();
    }
    await job.moveToDelayed(Date.now() + admission.ms, token);
    throw new DelayedError();
  }

  function isDue(row: DeliveryRow, now: Date): boolean {
    return !isScheduled(row) || row.notBefore.getTime() <= now.getTime();
  }

  /** The row was claimed by an earlier run of this job that did not finish. */
  async function resumeInterrupted(job: Job, row: DeliveryRow): Promise<SendOutcome> {
    const progress = job.progress as Partial<SentProgress> | undefined;
    if (progress && typeof progress === 'object' && progress.claim === row.claimToken && typeof progress.messageId === 'string') {
      await markSent(db, row.id, progress.claim, platform, progress.messageId, clock.now());
      return 'sent';
    }
    if (await markCrashedSend(db, row.id, row.claimToken)) {
      logger.warn({ deliveryId: row.id, platform }, 'send interrupted after the claim; marked uncertain');
    }
    return 'uncertain';
  }

  async function recordSent(job: Job, id: number, claim: string, messageId: string, clearUnreachable: boolean): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      try {
        await markSent(db, id, claim, platform, messageId, clock.now(), clearUnreachable);
        return;
      } catch (err) {
        if (attempt >= 3) {
          // The message is out; make sure a re-run of this job records it instead of calling it uncertain.
          await job.updateProgress({ claim, messageId } satisfies SentProgress);
          throw err;
        }
        await new Promise((r) => setTimeout(r, 200 * attempt));
      }
    }
  }

  async function onFailure(job: Job, token: string | undefined, to: ChatRef, row: DeliveryRow, claim: string, err: unknown): Promise<SendOutcome> {
    if (!(err instanceof DeliveryError)) {
      logger.error({ deliveryId: row.id, platform, err }, 'messenger threw something other than a DeliveryError');
      await finishClaim(db, row.id, claim, 'uncertain', `unexpected: ${err instanceof Error ? err.name : typeof err}`);
      return 'uncertain';
    }
    const failure = err.failure;
    if (failure.kind === 'rate-limited' && PLATFORM_WIDE_429.has(platform)) pausedUntil = Math.max(pausedUntil, Date.now() + failure.retryAfterMs);
    switch (failure.kind) {
      case 'rate-limited':
        await releaseClaim(db, row.id, claim, err.message);
        if (PLATFORM_WIDE_429.has(platform)) {
          // Telegram's flood control: nothing goes to the platform until retry_after has passed.
          await limiter.pause(platform, failure.retryAfterMs);
          await queue.rateLimit(failure.retryAfterMs);
          logger.info({ platform, retryAfterMs: failure.retryAfterMs }, 'platform asked to slow down; outbound paused');
          throw Worker.RateLimitError();
        }
        // WeCom's limits are per member and per robot chat: hold that chat only.
        await limiter.block(to, failure.retryAfterMs);
        await job.moveToDelayed(Date.now() + failure.retryAfterMs, token);
        throw new DelayedError();
      case 'not-sent': {
        await releaseClaim(db, row.id, claim, err.message);
        if (job.attemptsMade + 1 >= (job.opts.attempts ?? 1)) {
          await failPending(db, row.id, err.message);
          return 'failed';
        }
        throw new Error(`not sent: ${failure.reason}`);
      }
      case 'uncertain':
        await finishClaim(db, row.id, claim, 'uncertain', err.message);
        return 'uncertain';
      case 'rejected':
        await finishClaim(db, row.id, claim, 'failed', err.message);
        return 'failed';
      case 'unreachable': {
        const others = row.memberId === null
          ? undefined
          : pickChannel((await memberChannels(db, [row.memberId], engine.active)).get(row.memberId) ?? [], [...row.unreachableOn, platform]);
        const result = await markUnreachable(db, row.id, claim, platform, failure.reason, {
          memberId: row.memberId, otherChannels: others !== undefined, now: clock.now(),
        });
        return result;
      }
    }
  }
}

/**
 * Robot sends from processes that do not hold the robot's connection (delivery workers, a
 * standby bot). The request goes into a Redis list that the holder pops from; the outcome comes
 * back on a pub/sub channel. A request nobody took is taken back out of the list on timeout
 * (`not-sent`, safe to retry); one that was taken but never answered is `uncertain`. The wait is
 * sized to the send: every part and every upload step may take WeCom's 5 s ack.
 */
import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import { z } from 'zod';
import { DeliveryError, type DeliveryFailure } from '../../core/delivery-errors.js';
import type { Logger } from '../../core/logger.js';
import type { OutgoingMessage, SendResult } from '../../core/messages.js';
import { robotSendBudgetMs, type RobotChat } from './robot-outbound.js';

/** How long a requester waits for the holder to take a request, before the send's own time. */
export const DEFAULT_RELAY_TIMEOUT_MS = 15_000;

const requestSchema = z.object({
  id: z.string(),
  chatId: z.string().min(1),
  kind: z.enum(['private', 'group']),
  deadline: z.number(),
  message: z.object({
    text: z.string(),
    buttons: z.array(z.array(z.object({ label: z.string(), data: z.string().optional(), url: z.string().optional() }))).optional(),
    file: z.object({ name: z.string(), mimeType: z.string(), data: z.string() }).optional(),
  }),
});
const failureSchema = z.union([
  z.object({ kind: z.literal('rate-limited'), retryAfterMs: z.number() }),
  z.object({ kind: z.enum(['unreachable', 'not-sent', 'uncertain', 'rejected']), reason: z.string() }),
]);
const resultSchema = z.union([
  z.object({ id: z.string(), ok: z.literal(true), messageId: z.string() }),
  z.object({ id: z.string(), ok: z.literal(false), failure: failureSchema }),
]);
type RelayResult = z.infer<typeof resultSchema>;

/** Both ends of the relay for one robot. */
export class RobotRelay {
  private readonly listKey: string;
  private readonly channel: string;
  private readonly waiting = new Map<string, (result: RelayResult) => void>();
  private subscriber?: Promise<Redis>;
  private blocking?: Redis;
  private serving?: Promise<void>;
  private wanted = false;
  private sender?: (to: RobotChat, message: OutgoingMessage) => Promise<SendResult>;

  constructor(
    private readonly redis: Redis,
    botId: string,
    private readonly logger: Logger,
    private readonly timeoutMs = DEFAULT_RELAY_TIMEOUT_MS,
  ) {
    this.listKey = `wecom:robot-relay:${botId}`;
    // Channels are not key-prefixed by ioredis; results carry a random id, so sharing is harmless.
    this.channel = `wecom:robot-relay-results:${botId}`;
  }

  /**
   * Asks the holder to send; resolves or throws as if sent here. The holder must take the request
   * within `timeoutMs` and then has the send's own budget to carry it out.
   */
  async send(to: RobotChat, message: OutgoingMessage): Promise<SendResult> {
    await this.subscribe();
    const id = randomUUID();
    const file = message.file ? { ...message.file, data: message.file.data.toString('base64') } : undefined;
    const budget = robotSendBudgetMs(message);
    const waitMs = this.timeoutMs + budget;
    const request = JSON.stringify({ id, chatId: to.chatId, kind: to.kind, deadline: Date.now() + waitMs, message: { text: message.text, buttons: message.buttons, file } });
    const answered = new Promise<RelayResult>((resolve) => this.waiting.set(id, resolve));
    let timer: NodeJS.Timeout | undefined;
    try {
      await this.redis.rpush(this.listKey, request).catch((err: Error) => {
        throw new DeliveryError({ kind: 'not-sent', reason: `wecom robot relay: ${err.message.slice(0, 80)}` });
      });
      const timedOut = new Promise<undefined>((resolve) => (timer = setTimeout(() => resolve(undefined), waitMs + 1_000)));
      const result = await Promise.race([answered, timedOut]);
      if (result?.ok) return { messageId: result.messageId };
      if (result) throw new DeliveryError(result.failure as DeliveryFailure);
    } finally {
      clearTimeout(timer);
      this.waiting.delete(id);
    }
    const removed = await this.redis.lrem(this.listKey, 1, request).catch(() => 0);
    if (removed === 1) throw new DeliveryError({ kind: 'not-sent', reason: 'wecom robot: no process holds the connection' });
    throw new DeliveryError({ kind: 'uncertain', reason: 'wecom robot relay: the holder took the send but did not answer' });
  }

  /**
   * Holder side: pops requests and sends them with `send` until stopServing(). Calling it again
   * while the loop winds down keeps the loop going.
   */
  serve(send: (to: RobotChat, message: OutgoingMessage) => Promise<SendResult>): void {
    this.sender = send;
    this.wanted = true;
    this.serving ??= this.popLoop().finally(() => {
      this.serving = undefined;
    });
  }

  /** Stops taking requests; a send in progress finishes first. */
  async stopServing(): Promise<void> {
    this.wanted = false;
    await this.serving;
  }

  private async popLoop(): Promise<void> {
    const blocking = (this.blocking ??= quiet(this.redis.duplicate()));
    while (this.wanted) {
      let popped: [string, string] | null;
      try {
        popped = await blocking.blpop(this.listKey, 1);
      } catch (err) {
        if (!this.wanted) break;
        this.logger.warn({ err: (err as Error).message }, 'wecom robot relay: waiting for requests failed');
        await new Promise((ok) => setTimeout(ok, 500));
        continue;
      }
      if (popped && this.sender) await this.carryOut(popped[1], this.sender);
    }
  }

  async close(): Promise<void> {
    await this.stopServing();
    this.blocking?.disconnect();
    (await this.subscriber?.catch(() => undefined))?.disconnect();
  }

  private async carryOut(raw: string, send: (to: RobotChat, message: OutgoingMessage) => Promise<SendResult>): Promise<void> {
    let request: z.infer<typeof requestSchema>;
    try {
      request = requestSchema.parse(JSON.parse(raw));
    } catch {
      this.logger.warn('wecom robot relay: malformed request dropped');
      return;
    }
    let result: RelayResult;
    const { file, ...rest } = request.message;
    const message: OutgoingMessage = { ...rest, ...(file ? { file: { ...file, data: Buffer.from(file.data, 'base64') } } : {}) };
    // A request with less time left than the send may take is not started: the requester could not wait for it.
    if (Date.now() > request.deadline - robotSendBudgetMs(message)) {
      result = { id: request.id, ok: false, failure: { kind: 'not-sent', reason: 'wecom robot relay: request expired in the queue' } };
    } else {
      result = await send({ chatId: request.chatId, kind: request.kind }, message).then(
        (sent): RelayResult => ({ id: request.id, ok: true, messageId: sent.messageId }),
        (err: unknown): RelayResult => ({
          id: request.id,
          ok: false,
          failure: err instanceof DeliveryError ? err.failure : { kind: 'uncertain', reason: 'wecom robot relay: unexpected failure' },
        }),
      );
    }
    await this.redis.publish(this.channel, JSON.stringify(result)).catch((err: Error) => {
      this.logger.warn({ err: err.message }, 'wecom robot relay: result not published');
    });
  }

  private subscribe(): Promise<Redis> {
    this.subscriber ??= (async () => {
      const subscriber = quiet(this.redis.duplicate());
      subscriber.on('message', (_channel: string, raw: string) => {
        let parsed: RelayResult;
        try {
          parsed = resultSchema.parse(JSON.parse(raw));
        } catch {
          return;
        }
        this.waiting.get(parsed.id)?.(parsed);
      });
      await subscriber.subscribe(this.channel);
      return subscriber;
    })();
    // A failed subscription is tried again on the next send.
    this.subscriber.catch(() => (this.subscriber = undefined));
    return this.subscriber;
  }
}

/** Connection errors show up as failed commands, handled where they happen. */
function quiet(redis: Redis): Redis {
  redis.on('error', () => {});
  return redis;
}

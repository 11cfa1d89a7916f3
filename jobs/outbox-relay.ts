/**
 * The outbox relay: moves outbox rows (written by the domain in the same transaction as the
 * change) onto the outbound queue of the platform they are routed to. Runs as a poller in every
 * bot and worker process; concurrent relays skip each other's rows, and job ids derived from
 * the delivery id keep a row from being queued twice.
 */
import type { Queue } from 'bullmq';
import type { Platform } from '../src/core/messages.js';
import { groupBy } from '../src/core/group-by.js';
import { releaseUnqueued, takeUnqueued } from '../src/domain/delivery/queueing.js';
import { outboundJobOptions, type OutboundPayload } from './queues.js';
import type { EngineContext } from './context.js';

export class OutboxRelay {
  constructor(
    private readonly engine: EngineContext,
    private readonly queues: ReadonlyMap<Platform, Queue>,
  ) {}

  /** Queues one batch; returns how many rows it took (a full batch means more may be waiting). */
  async relayOnce(): Promise<number> {
    const { db, clock, settings } = this.engine;
    const limit = await this.room();
    if (limit === 0) return 0;
    const routed = await takeUnqueued(db, {
      now: clock.now(), horizonMs: settings.relay.horizonSeconds * 1000, limit, active: this.engine.active,
    });
    let failure: unknown;
    for (const [platform, rows] of groupBy(routed, (r) => r.route.platform)) {
      const queue = this.queues.get(platform);
      try {
        if (!queue) throw new Error(`no outbound queue for ${platform}`);
        await queue.addBulk(rows.map((r) => ({
          name: 'send', data: { deliveryId: r.id } satisfies OutboundPayload, opts: outboundJobOptions(settings, r.id, r.delayMs),
        })));
      } catch (err) {
        // Give the rows back at once; if even that fails the sweep finds them without a job.
        await releaseUnqueued(db, rows.map((r) => r.id)).catch(() => undefined);
        failure = err;
      }
    }
    if (failure) throw failure;
    return routed.length;
  }

  /**
   * How many rows to take now: up to a batch, while some platform's queue holds less than
   * `aheadSeconds` of its pace in waiting jobs. Which platform a row goes to is decided only as
   * it is taken, so one queue running short is enough to relay.
   */
  private async room(): Promise<number> {
    const { batchSize, aheadSeconds } = this.engine.settings.relay;
    let room = this.queues.size === 0 ? batchSize : 0;
    for (const [platform, queue] of this.queues) {
      const ahead = Math.ceil(this.engine.settings.limits[platform].globalPerSecond * aheadSeconds);
      room = Math.max(room, ahead - (await queue.getWaitingCount()));
    }
    return Math.min(batchSize, room);
  }
}

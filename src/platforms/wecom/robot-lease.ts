/**
 * Who may hold the robot's WebSocket. WeCom keeps one connection per robot — a second one kicks
 * the first — so exactly one process connects: the holder of a lease in Redis
 * (`SET key holder NX PX ttl`, renewed every third of the ttl). A process that cannot confirm its
 * lease before it could have expired lets go, so a standby that takes over never overlaps it.
 * When the holder dies, its lease runs out and a standby takes it within ttl + ttl/3.
 */
import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { Logger } from '../../core/logger.js';

/** Default lease time: a dead holder is replaced within 20 s (WeCom: within 30 s). */
export const DEFAULT_LEASE_TTL_MS = 15_000;

const RENEW = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) else return 0 end`;
const RELEASE = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) else return 0 end`;

export interface LeaseEvents {
  /** This process now holds the lease: connect. */
  onAcquired(): void;
  /** This process no longer holds it (taken, unconfirmed, released): disconnect at once. */
  onLost(reason: 'taken' | 'unconfirmed' | 'released'): void;
}

export interface LeaseOptions {
  key: string;
  ttlMs?: number;
  logger: Logger;
}

/** A renewing lease in Redis. `start()` competes for it; `stop()` lets go of it. */
export class RedisLease {
  readonly holderId = `${hostname()}:${process.pid}:${randomBytes(4).toString('hex')}`;
  readonly ttlMs: number;
  private timer?: NodeJS.Timeout;
  private running?: Promise<void>;
  private heldSince?: number;
  private lastConfirmedAt = 0;
  private pausedUntil = 0;

  constructor(
    private readonly redis: Redis,
    private readonly options: LeaseOptions,
    private readonly events: LeaseEvents,
  ) {
    this.ttlMs = options.ttlMs ?? DEFAULT_LEASE_TTL_MS;
  }

  get held(): boolean {
    return this.heldSince !== undefined;
  }

  /** Starts competing (first attempt at once). */
  start(): void {
    if (this.timer) return;
    this.timer = setInterval(() => void this.tick(), Math.max(50, Math.floor(this.ttlMs / 3)));
    void this.tick();
  }

  /** Stops competing and releases the lease if held. */
  async stop(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    await this.running;
    await this.letGo('released');
  }

  /**
   * Gives the lease up and stays out for `ms` — after being kicked by a connection that did not
   * go through the lease, fighting it back at once would only make both flap.
   */
  async standAside(ms: number): Promise<void> {
    this.pausedUntil = Date.now() + ms;
    await this.letGo('released');
  }

  private async letGo(reason: 'released' | 'taken' | 'unconfirmed'): Promise<void> {
    if (!this.held) return;
    this.heldSince = undefined;
    this.events.onLost(reason);
    if (reason === 'released') {
      await this.redis.eval(RELEASE, 1, this.options.key, this.holderId).catch((err: Error) => {
        this.options.logger.warn({ err: err.message }, 'wecom robot lease: release failed; it runs out by itself');
      });
    }
  }

  private tick(): Promise<void> {
    if (this.running) return this.running;
    const startedAt = Date.now();
    const work = this.held ? this.renew(startedAt) : startedAt >= this.pausedUntil ? this.acquire(startedAt) : Promise.resolve();
    this.running = work.finally(() => {
      this.running = undefined;
    });
    return this.running;
  }

  private async acquire(startedAt: number): Promise<void> {
    const won = await this.redis.set(this.options.key, this.holderId, 'PX', this.ttlMs, 'NX').catch(() => null);
    if (won !== 'OK') return;
    this.heldSince = startedAt;
    this.lastConfirmedAt = startedAt;
    this.options.logger.info({ holder: this.holderId }, 'wecom robot lease acquired');
    this.events.onAcquired();
  }

  private async renew(startedAt: number): Promise<void> {
    let confirmed: boolean;
    try {
      confirmed = Number(await this.redis.eval(RENEW, 1, this.options.key, this.holderId, this.ttlMs)) === 1;
    } catch (err) {
      // Redis did not answer: the lease may still be ours, until it could have run out. Let go
      // before the next renewal would come too late.
      const expiresBy = this.lastConfirmedAt + this.ttlMs;
      if (Date.now() + this.ttlMs / 3 >= expiresBy) {
        this.options.logger.warn({ err: (err as Error).message }, 'wecom robot lease unconfirmed; disconnecting');
        await this.letGo('unconfirmed');
      }
      return;
    }
    if (confirmed) {
      this.lastConfirmedAt = startedAt;
      return;
    }
    this.options.logger.warn({ holder: this.holderId }, 'wecom robot lease taken by another process; disconnecting');
    await this.letGo('taken');
  }
}

/**
 * How long to stand aside after WeCom gave the robot to another connection (disconnected_event).
 * Two deployments with the same bot id would otherwise take it from each other for ever and trip
 * WeCom's protection of the subscription: each kick doubles the pause, up to `maxMs`; a quiet
 * spell of `quietMs` after the last pause starts over.
 */
export class KickBackoff {
  private kicks = 0;
  private lastKickAt = 0;
  private lastPauseMs = 0;

  constructor(
    private readonly firstMs: number,
    private readonly maxMs = 30 * 60_000,
    private readonly quietMs = 10 * 60_000,
    private readonly now: () => number = Date.now,
  ) {}

  /** The pause for a kick now, and how many kicks in a row this makes. */
  next(): { pauseMs: number; kicks: number } {
    const now = this.now();
    if (now - this.lastKickAt > this.lastPauseMs + this.quietMs) this.kicks = 0;
    this.kicks++;
    this.lastKickAt = now;
    this.lastPauseMs = Math.min(this.firstMs * 2 ** (this.kicks - 1), this.maxMs);
    return { pauseMs: this.lastPauseMs, kicks: this.kicks };
  }
}

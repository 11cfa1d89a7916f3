import { Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { Platform } from '../core/messages.js';
import { systemClock, type Clock } from '../core/clock.js';

/** Where /metrics reads its numbers when scraped. */
export interface MetricsSources {
  /** Jobs per queue and state (waiting, active, delayed, failed…). */
  queueCounts?: () => Promise<Record<string, Record<string, number>>>;
  /** Outbox rows per status and platform. */
  deliveryCounts: () => Promise<Array<{ status: string; platform: string | null; count: number }>>;
}

/** The Prometheus registry of one process, and the hook the delivery engine reports sends to. */
export interface Metrics {
  registry: Registry;
  /** Records one platform call: its duration and how it ended. */
  observeSend(platform: Platform, outcome: string, seconds: number): void;
}

/** How often /metrics reads the counts again at most, however often it is scraped. */
const COUNTS_MAX_AGE_MS = 15_000;

/**
 * `read`, called at most once per `maxAgeMs`: callers within that time share the last answer,
 * and callers while a read is running wait for it rather than starting another. A failed read is
 * not kept.
 */
export function cachedRead<T>(read: () => Promise<T>, maxAgeMs: number, clock: Clock = systemClock): () => Promise<T> {
  let last: { at: number; value: Promise<T> } | undefined;
  return () => {
    const now = clock.now().getTime();
    if (last && now - last.at < maxAgeMs) return last.value;
    const value = read();
    const entry = { at: now, value };
    last = entry;
    value.catch(() => {
      if (last === entry) last = undefined;
    });
    return value;
  };
}

/**
 * Builds the registry: process defaults, queue depths and deliveries by status, and the send
 * latency histogram (filled by the outbound workers of this process). Counting the outbox groups
 * every row of it (half a second with two million rows), so the counts are read at most every
 * 15 s and shared by the scrapes in between: ten scrapes a second cost one count, not ten, and
 * members' queries no longer wait behind them.
 */
export function createMetrics(sources: MetricsSources, clock: Clock = systemClock): Metrics {
  const queueCounts = sources.queueCounts && cachedRead(sources.queueCounts, COUNTS_MAX_AGE_MS, clock);
  const deliveryCounts = cachedRead(sources.deliveryCounts, COUNTS_MAX_AGE_MS, clock);
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'tongxin_' });
  new Gauge({
    name: 'tongxin_queue_jobs',
    help: 'Jobs in each BullMQ queue by state',
    labelNames: ['queue', 'state'],
    registers: [registry],
    async collect() {
      if (!queueCounts) return;
      const counted = await queueCounts();
      this.reset();
      for (const [queue, counts] of Object.entries(counted)) {
        for (const [state, n] of Object.entries(counts)) this.set({ queue, state }, n);
      }
    },
  });
  new Gauge({
    name: 'tongxin_deliveries',
    help: 'Outbox rows by status and platform (uncertain = may have arrived, never resent automatically)',
    labelNames: ['status', 'platform'],
    registers: [registry],
    async collect() {
      const counted = await deliveryCounts();
      this.reset();
      for (const row of counted) this.set({ status: row.status, platform: row.platform ?? 'none' }, row.count);
    },
  });
  const latency = new Histogram({
    name: 'tongxin_send_seconds',
    help: 'Duration of one platform send call, by platform and outcome',
    labelNames: ['platform', 'outcome'],
    buckets: [0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30],
    registers: [registry],
  });
  return {
    registry,
    observeSend: (platform, outcome, seconds) => latency.observe({ platform, outcome }, seconds),
  };
}

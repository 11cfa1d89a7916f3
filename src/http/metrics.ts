import { Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { Platform } from '../core/messages.js';

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

/**
 * Builds the registry: process defaults, queue depths and deliveries by status (read when
 * scraped), and the send latency histogram (filled by the outbound workers of this process).
 */
export function createMetrics(sources: MetricsSources): Metrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'tongxin_' });
  new Gauge({
    name: 'tongxin_queue_jobs',
    help: 'Jobs in each BullMQ queue by state',
    labelNames: ['queue', 'state'],
    registers: [registry],
    async collect() {
      if (!sources.queueCounts) return;
      this.reset();
      for (const [queue, counts] of Object.entries(await sources.queueCounts())) {
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
      this.reset();
      for (const row of await sources.deliveryCounts()) this.set({ status: row.status, platform: row.platform ?? 'none' }, row.count);
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

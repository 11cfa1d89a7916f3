import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import type { FastifyInstance } from 'fastify';
import { buildHttpServer } from '../../src/http/server.js';
import { createMetrics } from '../../src/http/metrics.js';
import { createLogger } from '../../src/core/logger.js';
import { FixedClock } from '../../src/core/clock.js';
import { deliveryCounts } from '../../src/domain/delivery/stats.js';
import { queueCounts } from '../../jobs/dashboard.js';
import { EngineHarness } from '../jobs/support/engine-harness.js';
import { RecordingMessenger } from '../jobs/support/recording-messenger.js';

const METRICS_TOKEN = 'metrics-token-0123456789abcdef';

/** Item 17 of issue 15: scrapes are cheap (no count of the outbox per scrape) and may need a token. */
describe('/metrics under frequent scrapes', () => {
  let h: EngineHarness;
  let server: FastifyInstance;
  const clock = new FixedClock(new Date('2026-12-01T02:00:00Z'));
  const reads = { deliveries: 0, queues: 0 };

  beforeAll(async () => {
    h = await EngineHarness.start({ messengers: [new RecordingMessenger('telegram')] });
    const metrics = createMetrics({
      deliveryCounts: () => (reads.deliveries++, deliveryCounts(h.db)),
      queueCounts: () => (reads.queues++, queueCounts(h.engine.allQueues())),
    }, clock);
    server = await buildHttpServer({ logger: createLogger('silent'), health: { database: () => h.db.execute(sql`select 1`), redis: () => h.connection.ping() }, metrics, metricsToken: METRICS_TOKEN });
  });
  afterAll(async () => {
    await server?.close();
    await h?.close();
  });

  const scrape = (authorization = `Bearer ${METRICS_TOKEN}`) => server.inject({ method: 'GET', url: '/metrics', headers: { authorization } });
  const deliverOne = async (ref: string) => {
    const m = await h.addMember({ name: `M-${ref}` });
    await h.deliver([{ kind: 'test', ref, to: { memberId: m.id }, template: 'common.yes' }]);
  };

  it('answers only with METRICS_TOKEN', async () => {
    expect((await server.inject({ method: 'GET', url: '/metrics' })).statusCode).toBe(401);
    expect((await scrape('Bearer wrong-token-wrong-token')).statusCode).toBe(401);
    expect((await scrape(`Basic ${Buffer.from(`prometheus:${METRICS_TOKEN}`).toString('base64')}`)).statusCode).toBe(200);
  });

  it('counts the outbox and the queues at most once per 15 s, however many scrapes come', async () => {
    clock.advance(60_000);
    await deliverOne('r:1');
    const before = { ...reads };
    const answers = await Promise.all(Array.from({ length: 10 }, () => scrape()));
    for (let i = 0; i < 10; i++) answers.push(await scrape());
    expect(answers.every((a) => a.statusCode === 200)).toBe(true);
    expect(answers.every((a) => /tongxin_deliveries\{status="unreachable",platform="none"\} 1|tongxin_deliveries\{status="pending",platform="none"\} 1/.test(a.body))).toBe(true);
    expect({ deliveries: reads.deliveries - before.deliveries, queues: reads.queues - before.queues }).toEqual({ deliveries: 1, queues: 1 });

    // A new row shows once the counts are older than 15 s.
    await deliverOne('r:2');
    clock.advance(15_001);
    const later = await scrape();
    expect(later.body).toMatch(/tongxin_deliveries\{status="(?:unreachable|pending)",platform="none"\} 2/);
    expect(reads.deliveries - before.deliveries).toBe(2);
  });
});

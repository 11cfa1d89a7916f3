import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import type { FastifyInstance } from 'fastify';
import { buildHttpServer } from '../../src/http/server.js';
import { createMetrics } from '../../src/http/metrics.js';
import { createLogger } from '../../src/core/logger.js';
import { deliveryCounts } from '../../src/domain/delivery/stats.js';
import { queueDashboard, queueCounts } from '../../jobs/dashboard.js';
import { EngineHarness } from '../jobs/support/engine-harness.js';
import { RecordingMessenger } from '../jobs/support/recording-messenger.js';

const TOKEN = 'admin-token-0123456789abcdef';

describe('http: health, metrics, queue dashboard', () => {
  let h: EngineHarness;
  let server: FastifyInstance;
  let redisUp = true;

  beforeAll(async () => {
    const telegram = new RecordingMessenger('telegram');
    const metrics = createMetrics({ deliveryCounts: () => deliveryCounts(h.db), queueCounts: () => queueCounts(h.engine.allQueues()) });
    h = await EngineHarness.start({ messengers: [telegram] });
    h.context.observeSend = metrics.observeSend;
    server = await buildHttpServer({
      logger: createLogger('silent'),
      health: {
        database: () => h.db.execute(sql`select 1`),
        redis: async () => {
          if (!redisUp) throw new Error('down');
          return h.connection.ping();
        },
        platforms: () => ({ telegram: { ok: true, detail: 'polling' } }),
      },
      metrics, dashboard: queueDashboard(h.engine.allQueues()), adminToken: TOKEN,
      routes: [async (app) => void app.post('/hook', async () => ({ got: true }))],
    });
    const m = await h.addMember({ name: 'Metric' });
    await h.link(m.id, 'telegram', '42');
    await h.deliver([{ kind: 'test', ref: 'r:1', to: { memberId: m.id }, template: 'common.yes' }]);
    await h.drain();
  });
  afterAll(async () => {
    await server?.close();
    await h?.close();
  });

  it('/healthz reports database, Redis and platforms, and 503 when a part is down', async () => {
    const ok = await server.inject({ method: 'GET', url: '/healthz' });
    expect(ok.statusCode).toBe(200);
    expect(ok.json()).toEqual({ status: 'ok', database: 'ok', redis: 'ok', platforms: { telegram: { ok: true, detail: 'polling' } } });
    redisUp = false;
    const down = await server.inject({ method: 'GET', url: '/healthz' });
    redisUp = true;
    expect(down.statusCode).toBe(503);
    expect(down.json()).toMatchObject({ status: 'down', redis: 'down', database: 'ok' });
  });

  it('/metrics has queue depths, deliveries by status and the send latency histogram', async () => {
    const res = await server.inject({ method: 'GET', url: '/metrics' });
    expect(res.statusCode).toBe(200);
    expect(res.body).toMatch(/tongxin_deliveries\{status="sent",platform="telegram"\} 1/);
    expect(res.body).toMatch(/tongxin_queue_jobs\{queue="outbound-telegram",state="waiting"\} 0/);
    expect(res.body).toMatch(/tongxin_send_seconds_count\{platform="telegram",outcome="sent"\} 1/);
  });

  it('the queue dashboard needs the admin token', async () => {
    expect((await server.inject({ method: 'GET', url: '/admin/queues' })).statusCode).toBe(401);
    expect((await server.inject({ method: 'GET', url: '/admin/queues', headers: { authorization: 'Bearer wrong-token-wrong-token' } })).statusCode).toBe(401);
    const page = await server.inject({ method: 'GET', url: '/admin/queues', headers: { authorization: `Bearer ${TOKEN}` } });
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('Tongxin queues');
    const basic = Buffer.from(`staff:${TOKEN}`).toString('base64');
    const api = await server.inject({ method: 'GET', url: '/admin/queues/api/queues', headers: { authorization: `Basic ${basic}` } });
    expect(api.statusCode).toBe(200);
    expect(api.body).toContain('outbound-telegram');
  });

  it('serves extra routes given by platform adapters', async () => {
    expect((await server.inject({ method: 'POST', url: '/hook', payload: {} })).json()).toEqual({ got: true });
  });
});

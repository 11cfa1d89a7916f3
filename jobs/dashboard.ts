import type { FastifyPluginAsync } from 'fastify';
import type { Queue } from 'bullmq';
import { createBullBoard } from '@bull-board/api';
import type { IServerAdapter } from '@bull-board/api/typings/app';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { FastifyAdapter } from '@bull-board/fastify';

/** Where the queue dashboard is served. */
export const DASHBOARD_PATH = '/admin/queues';

/**
 * The Bull Board queue dashboard over the engine's queues, as a fastify plugin for src/http to
 * mount behind ADMIN_TOKEN. Job payloads hold ids only, so the dashboard shows no personal data.
 */
export function queueDashboard(queues: Queue[]): { prefix: string; plugin: FastifyPluginAsync } {
  const serverAdapter = new FastifyAdapter();
  serverAdapter.setBasePath(DASHBOARD_PATH);
  // @bull-board/fastify carries its own copy of @bull-board/api: the same shape, a different type.
  createBullBoard({ queues: queues.map((q) => new BullMQAdapter(q)), serverAdapter: serverAdapter as unknown as IServerAdapter, options: { uiConfig: { boardTitle: 'Tongxin queues' } } });
  const plugin = serverAdapter.registerPlugin() as unknown as FastifyPluginAsync;
  return { prefix: DASHBOARD_PATH, plugin };
}

/** Job counts per queue, for /metrics. */
export async function queueCounts(queues: Queue[]): Promise<Record<string, Record<string, number>>> {
  const out: Record<string, Record<string, number>> = {};
  await Promise.all(queues.map(async (q) => {
    out[q.name] = await q.getJobCounts('waiting', 'active', 'delayed', 'failed', 'completed', 'prioritized');
  }));
  return out;
}

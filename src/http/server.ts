/**
 * The HTTP side of a Tongxin process: /healthz, /metrics (behind METRICS_TOKEN when set), the queue dashboard behind ADMIN_TOKEN,
 * and whatever routes platform adapters bring (the Telegram webhook, the WeCom callback).
 */
import Fastify, { LogController, type FastifyInstance, type FastifyPluginAsync } from 'fastify';
import type { Logger } from '../core/logger.js';
import { requireAdminToken } from './admin-auth.js';
import { checkHealth, type HealthChecks } from './health.js';
import type { Metrics } from './metrics.js';

/** A plugin mounted under a path prefix (the queue dashboard). */
export interface MountedPlugin {
  prefix: string;
  plugin: FastifyPluginAsync;
}

export interface HttpServerOptions {
  logger: Logger;
  health: HealthChecks;
  metrics?: Metrics;
  /** When set, /metrics answers only requests carrying it (Bearer, or Basic with it as the password). */
  metricsToken?: string;
  /** The queue dashboard (built in jobs/dashboard.ts); served only with ADMIN_TOKEN set. */
  dashboard?: MountedPlugin;
  adminToken?: string;
  /** More routes: platform webhooks and callbacks. */
  routes?: FastifyPluginAsync[];
  /** Largest request body accepted (webhook updates, callbacks). */
  bodyLimit?: number;
}

/**
 * Wraps a plugin so every request to it needs ADMIN_TOKEN; register it with a `prefix`. Without a
 * token configured the plugin answers 401 to everyone.
 */
export function adminOnly(plugin: FastifyPluginAsync, adminToken: string | undefined): FastifyPluginAsync {
  return async (scope) => {
    scope.addHook('onRequest', requireAdminToken(adminToken));
    await scope.register(plugin);
  };
}

/** Builds (does not start) the server; add more routes with `server.register` before `listen`. */
export async function buildHttpServer(opts: HttpServerOptions): Promise<FastifyInstance> {
  const server = Fastify({
    loggerInstance: opts.logger.child({ part: 'http' }),
    // Requests are not logged one by one: webhook bodies carry members' words.
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: opts.bodyLimit ?? 1_048_576,
  });

  server.get('/healthz', async (_req, reply) => {
    const report = await checkHealth(opts.health);
    return reply.code(report.status === 'ok' ? 200 : 503).send(report);
  });

  if (opts.metrics) {
    const { registry } = opts.metrics;
    const guard = opts.metricsToken ? { onRequest: requireAdminToken(opts.metricsToken, 'tongxin metrics') } : {};
    server.get('/metrics', guard, async (_req, reply) => {
      const body = await registry.metrics();
      return reply.header('content-type', registry.contentType).send(body);
    });
  }

  if (opts.dashboard && opts.adminToken) await server.register(adminOnly(opts.dashboard.plugin, opts.adminToken), { prefix: opts.dashboard.prefix });

  for (const route of opts.routes ?? []) await server.register(route);
  // Fastify types the instance by its logger; callers only need the plain instance.
  return server as unknown as FastifyInstance;
}

/**
 * One bot process for the failover test: the core (its own PGlite, the shared Redis under the
 * test's prefix) and the WeCom robot against the fake server. It reports on stdout, one JSON
 * object per line: {event:'ready'}, {event:'status', robot}, {event:'handled', id} for each
 * message the router acted on (a repeat the router recognises is not reported).
 * Usage: node --import tsx robot-process.ts '<json args>'
 */
import { readFileSync } from 'node:fs';
import { PGlite } from '@electric-sql/pglite';
import { Redis } from 'ioredis';
import { openPglite } from '../../../src/store/db.js';
import { systemClock } from '../../../src/core/clock.js';
import { createLogger } from '../../../src/core/logger.js';
import { loadSettings } from '../../../src/settings.js';
import { loadConfig } from '../../../src/config.js';
import { Router } from '../../../src/router/router.js';
import { features } from '../../../handlers/index.js';
import { startWecom } from '../../../src/platforms/wecom/index.js';

interface Args {
  redisUrl: string;
  prefix: string;
  wsUrl: string;
  botId: string;
  leaseTtlMs: number;
  pgliteTemplate: string;
}

const args = JSON.parse(process.argv[2] ?? '{}') as Args;
const emit = (line: object) => process.stdout.write(`${JSON.stringify(line)}\n`);

const redis = new Redis(args.redisUrl, { keyPrefix: args.prefix, maxRetriesPerRequest: null });
redis.on('error', () => {});
const database = await openPglite(new PGlite({ loadDataDir: new Blob([readFileSync(args.pgliteTemplate)]) }));
const deps = {
  db: database.db, redis, clock: systemClock, logger: createLogger('silent'),
  settings: loadSettings(undefined, { flood: { limit: 1000 } }), defaultLocale: 'zh-Hans' as const, defaultTimeZone: 'Asia/Shanghai',
};
const router = new Router(deps, features);
const handle = router.handle.bind(router);
router.handle = async (msg) => {
  const replies = await handle(msg);
  if (replies.length > 0) emit({ event: 'handled', id: msg.id });
  return replies;
};
const config = loadConfig({ WECOM_BOT_ID: args.botId, WECOM_BOT_SECRET: 'secret-test', WECOM_WS_URL: args.wsUrl, LOG_LEVEL: 'silent' });
const wecom = await startWecom({ deps, router, database, close: async () => {} }, config, { robotLeaseTtlMs: args.leaseTtlMs });

let last = '';
const watch = setInterval(() => {
  const { robot, robotConnected } = wecom.status();
  const now = `${robot}:${robotConnected}`;
  if (now !== last) emit({ event: 'status', robot, connected: robotConnected });
  last = now;
}, 20);
emit({ event: 'ready', pid: process.pid });

process.on('SIGTERM', () => {
  clearInterval(watch);
  void (async () => {
    await wecom.stop();
    emit({ event: 'stopped' });
    redis.disconnect();
    await database.close();
    process.exit(0);
  })();
});

/**
 * A delivery engine in its own process, for tests that kill or duplicate processes. Configured by
 * environment: ENGINE_DATABASE_URL (PostgreSQL), REDIS_URL, ENGINE_PREFIX, ENGINE_ROLE (worker |
 * scheduler), ENGINE_SETTINGS (JSON of the delivery settings section), TELEGRAM_TOKEN and
 * TELEGRAM_API_ROOT (worker), CLOCK_AT (a fixed clock, scheduler). Exits cleanly on SIGTERM.
 */
import { Redis } from 'ioredis';
import { openDatabase } from '../../../src/store/db.js';
import { FixedClock, systemClock } from '../../../src/core/clock.js';
import { createLogger } from '../../../src/core/logger.js';
import { loadSettings } from '../../../src/settings.js';
import { createTelegramMessenger } from '../../../src/platforms/telegram/messenger.js';
import { startDeliveryEngine } from '../../../jobs/engine.js';
import { engineRoles } from '../../../jobs/roles.js';

const env = process.env;
const database = await openDatabase({ url: env.ENGINE_DATABASE_URL!, poolSize: 4 });
const connection = new Redis(env.REDIS_URL!, { maxRetriesPerRequest: null });
const settings = loadSettings(undefined, { delivery: JSON.parse(env.ENGINE_SETTINGS ?? '{}') }).delivery;
const clock = env.CLOCK_AT ? new FixedClock(new Date(env.CLOCK_AT)) : systemClock;
const role = env.ENGINE_ROLE === 'scheduler' ? 'scheduler' : 'worker';
const logger = createLogger(env.ENGINE_LOG ?? 'silent');
const messengers = role === 'worker'
  ? [createTelegramMessenger({ token: env.TELEGRAM_TOKEN!, apiRoot: env.TELEGRAM_API_ROOT!, timeoutMs: 5000 })]
  : [];
const engine = await startDeliveryEngine({
  context: {
    db: database.db, clock, logger, settings,
    groupReader: { locale: 'zh-Hans', timeZone: 'Asia/Shanghai' }, active: new Set(['telegram']),
  },
  connection, prefix: env.ENGINE_PREFIX!, roles: engineRoles(role), messengers,
  recurring: role === 'scheduler' ? (await import('./test-digests.js')).testRecurringWork(database.db, settings) : {},
});

process.once('SIGTERM', async () => {
  await engine.close();
  connection.disconnect();
  await database.close();
  process.exit(0);
});

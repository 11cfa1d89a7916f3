/**
 * Digests benchmark: the weekly member digest for 50,000 members, composed from the features' own
 * sources (jobs/sources.ts) and written to the outbox — what the recurring worker's
 * 'member-digest' job does on Monday morning — timed, with the process's peak RSS.
 */
import { eq, sql } from 'drizzle-orm';
import { deliveries } from '../src/store/schema/index.js';
import { loadSettings } from '../src/settings.js';
import { featureRecurringHandlers } from '../jobs/sources.js';
import { addTelegramMembers } from './engine-support.js';
import { freshBenchDatabase, round, rssPeak, scaled, type Benchmark } from './support.js';

/** Monday 2026-11-30 08:30 in Shanghai, the members' zone: every digest is due. */
const MONDAY_MORNING = new Date('2026-11-30T00:30:00Z');

export const digests: Benchmark = async (env) => {
  const count = scaled(50_000, 500);
  const database = await freshBenchDatabase(env.databaseUrl, 10);
  try {
    await addTelegramMembers(database.db, count, 3_000_000);
    await database.db.execute(sql`update members set time_zone = 'Asia/Shanghai'`);
    const settings = loadSettings(undefined, {});
    const memberDigest = featureRecurringHandlers(database.db, settings.delivery, 'Asia/Shanghai')['member-digest'];
    if (!memberDigest) throw new Error('no member-digest handler');
    global.gc?.();
    const baseline = round(process.memoryUsage.rss() / 1024 / 1024);
    const peak = rssPeak();
    const started = performance.now();
    const written = await memberDigest(MONDAY_MORNING);
    const seconds = (performance.now() - started) / 1000;
    const peakMb = peak.stop();
    const [row] = await database.db.select({ n: sql<number>`count(*)::int` }).from(deliveries).where(eq(deliveries.kind, 'digest.member'));
    const goalSeconds = 60 * (count / 50_000);
    return [
      { label: 'members', value: count },
      { label: 'digests written to the outbox', value: row?.n ?? written, goal: `${count}`, pass: (row?.n ?? written) === count },
      { label: 'compose + enqueue time', value: round(seconds, 1), unit: 's', goal: `≤ ${round(goalSeconds, 1)}`, pass: seconds <= goalSeconds },
      { label: 'rate', value: Math.round(count / seconds), unit: 'digests/s' },
      { label: 'RSS before', value: baseline, unit: 'MB' },
      { label: 'peak RSS', value: peakMb, unit: 'MB', goal: '≤ 512', pass: peakMb <= 512 },
    ];
  } finally {
    await database.close();
  }
};

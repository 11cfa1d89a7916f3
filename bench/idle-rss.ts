/**
 * Idle RSS benchmark: the real bot process (`node --import tsx src/main.ts`, ROLE=bot) with 50,000
 * members in its database, long-polling the fake Telegram Bot API, on a private redis-server (its
 * BullMQ prefix is fixed, so it must not share a Redis with anything else). RSS is read from
 * /proc once the process has started and settled.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { openDatabase, type Database } from '../src/store/db.js';
import { startLocalRedis } from '../src/store/local-redis.js';
import { TelegramFake } from '../test/support/telegram-fake.js';
import { addTelegramMembers } from './engine-support.js';
import { freshBenchDatabase, percentile, round, scaled, sleep, waitFor, type Benchmark } from './support.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const SETTLE_MS = 10_000;
const SAMPLE_MS = 5_000;

function rssMb(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+) kB/.exec(status)?.[1] ?? NaN) / 1024;
}

export const idleRss: Benchmark = async (env) => {
  const count = scaled(50_000, 500);
  const dir = mkdtempSync(join(tmpdir(), 'tongxin-bench-idle-'));
  const redis = await startLocalRedis(join(dir, 'redis'));
  const fake = new TelegramFake({ token: '123456789:BENCH-fake-token-0123456789' });
  await fake.start();
  // A fresh server database, or a PGlite directory the bot opens after we filled it.
  const database: Database & { url?: string } = env.databaseUrl ? await freshBenchDatabase(env.databaseUrl, 5) : await openDatabase({ dataDir: join(dir, 'data') });
  let child: ReturnType<typeof spawn> | undefined;
  try {
    await addTelegramMembers(database.db, count, 4_000_000);
    const databaseUrl = database.url;
    if (!databaseUrl) await database.close();
    let log = '';
    child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
      cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'],
      env: {
        PATH: process.env.PATH, HOME: process.env.HOME, ROLE: 'bot', LOG_LEVEL: 'info', HTTP_PORT: '0',
        REDIS_URL: redis.url, DATA_DIR: join(dir, 'data'), ...(databaseUrl ? { DATABASE_URL: databaseUrl } : {}),
        TELEGRAM_BOT_TOKEN: fake.token, TELEGRAM_API_ROOT: fake.apiRoot,
      },
    });
    child.stdout!.on('data', (d: Buffer) => (log += d.toString()));
    child.stderr!.on('data', (d: Buffer) => (log += d.toString()));
    const exited = new Promise<number | null>((resolve) => child!.once('exit', resolve));
    let exitCode: number | null | undefined;
    void exited.then((code) => (exitCode = code));
    await waitFor(() => {
      if (exitCode !== undefined) throw new Error(`the bot exited (${exitCode}): ${log.slice(-300)}`);
      return log.includes('tongxin started');
    }, 60_000, 'bot start', 200);
    await sleep(SETTLE_MS);
    const samples: number[] = [];
    for (let t = 0; t < SAMPLE_MS; t += 500) {
      samples.push(rssMb(child.pid!));
      await sleep(500);
    }
    const polling = fake.calls.some((c) => c.method === 'getUpdates');
    child.kill('SIGTERM');
    await Promise.race([exited, sleep(10_000)]);
    return [
      { label: 'members in the database', value: count },
      { label: 'bot long-polling the fake', value: polling ? 'yes' : 'no', goal: 'yes', pass: polling },
      { label: `idle RSS (median, ${SETTLE_MS / 1000} s after start)`, value: round(percentile(samples, 50)), unit: 'MB' },
      { label: 'idle RSS (max of samples)', value: round(Math.max(...samples)), unit: 'MB' },
    ];
  } finally {
    if (child && child.exitCode === null) child.kill('SIGKILL');
    if (database.url) await database.close();
    await fake.stop();
    await redis.stop();
    rmSync(dir, { recursive: true, force: true });
  }
};

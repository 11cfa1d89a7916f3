/**
 * Shared plumbing of the benchmarks: a fresh database and a private Redis key space per benchmark,
 * the size scale (BENCH_SCALE), percentiles, and the result rows the table and results.json show.
 */
import pg from 'pg';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { openDatabase, type Database } from '../src/store/db.js';
import { startLocalRedis, type LocalRedis } from '../src/store/local-redis.js';

/** Multiplies every benchmark size; BENCH_SCALE=0.1 makes a quick run. */
export const SCALE = (() => {
  const raw = Number(process.env.BENCH_SCALE ?? '1');
  return Number.isFinite(raw) && raw > 0 ? raw : 1;
})();

/** `n` scaled by BENCH_SCALE, never below `min`. */
export function scaled(n: number, min = 1): number {
  return Math.max(min, Math.round(n * SCALE));
}

/** One measured figure with its goal; `pass` is undefined when the figure has no goal. */
export interface Metric {
  label: string;
  value: number | string;
  unit?: string;
  goal?: string;
  pass?: boolean;
}

/** The machine's CPU time so far, from /proc/stat (Linux), in clock ticks: all of it, and the steal. */
export function cpuTimes(): { total: number; steal: number } | undefined {
  try {
    // cpu  user nice system idle iowait irq softirq steal guest guest_nice
    const fields = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1, 9).map(Number);
    return { total: fields.reduce((a, b) => a + b, 0), steal: fields[7] ?? 0 };
  } catch {
    return undefined;
  }
}

/**
 * The share of CPU time the virtual machine's host took between two cpuTimes(): on a shared
 * host, a benchmark that ran while the host took a fifth of the CPU measured the neighbours too.
 */
export function stealShare(before: ReturnType<typeof cpuTimes>, after: ReturnType<typeof cpuTimes>): number | undefined {
  if (!before || !after || after.total === before.total) return undefined;
  return (after.steal - before.steal) / (after.total - before.total);
}

export interface BenchResult {
  name: string;
  metrics: Metric[];
  /** Set instead of metrics when the benchmark could not run. */
  notMeasured?: string;
  seconds?: number;
}

/** A benchmark: gets the shared environment, returns its figures. */
export type Benchmark = (env: BenchEnv) => Promise<Metric[]>;

/** Where the benchmarks run: the Redis URL to use and how to get a fresh database. */
export interface BenchEnv {
  redisUrl: string;
  databaseUrl: string | undefined;
}

let localRedis: LocalRedis | undefined;
let localRedisDir: string | undefined;

/** REDIS_URL, or a private redis-server started for this run. */
export async function benchRedisUrl(): Promise<string> {
  if (process.env.REDIS_URL) return process.env.REDIS_URL;
  localRedisDir = mkdtempSync(join(tmpdir(), 'tongxin-bench-redis-'));
  localRedis = await startLocalRedis(localRedisDir);
  return localRedis.url;
}

export async function stopBenchRedis(): Promise<void> {
  await localRedis?.stop();
  if (localRedisDir) rmSync(localRedisDir, { recursive: true, force: true });
}

/** A unique prefix for BullMQ and Redis keys, so a benchmark never meets anything else. */
export function uniquePrefix(what: string): string {
  return `bench-${what}-${randomBytes(4).toString('hex')}`;
}

/**
 * A fresh migrated database: a new database on the server in DATABASE_URL (dropped by close()),
 * or an in-memory PGlite.
 */
export async function freshBenchDatabase(serverUrl: string | undefined, poolSize = 20): Promise<Database & { url?: string }> {
  if (!serverUrl) return openDatabase({ dataDir: 'memory://' });
  const name = `tongxin_bench_${randomBytes(6).toString('hex')}`;
  await adminQuery(serverUrl, `CREATE DATABASE ${name}`);
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  const database = await openDatabase({ url: url.toString(), poolSize });
  return {
    ...database,
    url: url.toString(),
    async close() {
      await database.close();
      await adminQuery(serverUrl, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    },
  };
}

async function adminQuery(serverUrl: string, sql: string): Promise<void> {
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  try {
    await admin.query(sql);
  } finally {
    await admin.end();
  }
}

/** A Redis connection as BullMQ wants it (no per-request retry limit). */
export function benchRedis(url: string, keyPrefix?: string): Redis {
  return new Redis(url, { maxRetriesPerRequest: null, ...(keyPrefix && { keyPrefix }) });
}

export { deleteKeys } from '../test/support/redis-keys.js';

/** The `p`-th percentile (0–100) of `values` (nearest rank). */
export function percentile(values: number[], p: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank]!;
}

export function round(n: number, digits = 1): number {
  const f = 10 ** digits;
  return Math.round(n * f) / f;
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Waits until `condition` holds, checking every `everyMs`; throws after `timeoutMs`. */
export async function waitFor(condition: () => boolean | Promise<boolean>, timeoutMs: number, what: string, everyMs = 100): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`${what}: not reached within ${timeoutMs} ms`);
    await sleep(everyMs);
  }
}

/** Samples this process's RSS every `everyMs` until stopped; returns the peak in MB. */
export function rssPeak(everyMs = 50): { stop(): number } {
  let peak = process.memoryUsage.rss();
  const timer = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage.rss());
  }, everyMs);
  return {
    stop() {
      clearInterval(timer);
      peak = Math.max(peak, process.memoryUsage.rss());
      return round(peak / 1024 / 1024);
    },
  };
}

/** Inserts many rows in chunks (PostgreSQL allows at most 65,535 parameters per statement). */
export async function inChunks<T>(rows: T[], size: number, insert: (chunk: T[]) => Promise<unknown>): Promise<void> {
  for (let i = 0; i < rows.length; i += size) await insert(rows.slice(i, i + size));
}

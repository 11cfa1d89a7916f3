/**
 * `npm run bench [-- name ...]`: runs each benchmark in its own Node process (so one benchmark's
 * memory never shows in another's RSS), prints a table with the goal beside every figure, and
 * writes bench/results.json. BENCH_SCALE=0.1 scales the sizes down for a quick run; BENCH_STRICT=1
 * exits non-zero when a goal is missed (otherwise only when a benchmark could not run).
 */
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { fileURLToPath } from 'node:url';
import { benchRedisUrl, cpuTimes, round, SCALE, stealShare, stopBenchRedis, type Benchmark, type BenchResult, type Metric } from './support.js';

/** Every benchmark, in run order, with the module that exports it. */
const BENCHMARKS: Record<string, () => Promise<Benchmark>> = {
  inbound: async () => (await import('./inbound.js')).inbound,
  fanout: async () => (await import('./fanout.js')).fanout,
  reminders: async () => (await import('./reminders.js')).reminders,
  digests: async () => (await import('./digests.js')).digests,
  'idle-rss': async () => (await import('./idle-rss.js')).idleRss,
};

/** Benchmarks that could not be made to run, and why; shown in the table instead of figures. */
const NOT_MEASURED: Record<string, string> = {};

const CHILD_FLAG = '--child';
const RESULT_MARK = '@@bench-result@@';

async function runChild(name: string): Promise<void> {
  const load = BENCHMARKS[name];
  if (!load) throw new Error(`unknown benchmark ${name}`);
  const metrics = await (await load())({ redisUrl: process.env.REDIS_URL!, databaseUrl: process.env.DATABASE_URL });
  process.stdout.write(`${RESULT_MARK}${JSON.stringify(metrics)}\n`);
}

function spawnChild(name: string, redisUrl: string): Promise<BenchResult> {
  const started = Date.now();
  const cpuBefore = cpuTimes();
  // Shown beside the figures: on a shared host, time the host took is time the benchmark lost.
  const withSteal = (metrics: Metric[]): Metric[] => {
    const steal = stealShare(cpuBefore, cpuTimes());
    return steal === undefined ? metrics : [...metrics, { label: 'CPU taken by the host meanwhile (steal)', value: round(steal * 100, 1), unit: '%' }];
  };
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', fileURLToPath(import.meta.url), CHILD_FLAG, name], {
      env: { ...process.env, REDIS_URL: redisUrl }, stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.on('exit', (code) => {
      const seconds = (Date.now() - started) / 1000;
      const line = out.split('\n').find((l) => l.startsWith(RESULT_MARK));
      if (code === 0 && line) return resolve({ name, seconds, metrics: withSteal(JSON.parse(line.slice(RESULT_MARK.length)) as Metric[]) });
      const why = (err.trim().split('\n').find((l) => /Error/.test(l)) ?? err.trim().split('\n').pop() ?? `exit ${code}`).slice(0, 160);
      resolve({ name, seconds, metrics: [], notMeasured: `failed: ${why}` });
    });
  });
}

function formatValue(m: Metric): string {
  return `${m.value}${m.unit ? ` ${m.unit}` : ''}`;
}

function printTable(results: BenchResult[]): void {
  const rows: string[][] = [['benchmark', 'figure', 'measured', 'goal', 'result']];
  for (const r of results) {
    if (r.notMeasured) rows.push([r.name, '—', `not measured: ${r.notMeasured}`, '', 'n/a']);
    for (const m of r.metrics) rows.push([r.name, m.label, formatValue(m), m.goal ?? '', m.pass === undefined ? '' : m.pass ? 'PASS' : 'FAIL']);
  }
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((row) => row[c]!.length)));
  const line = (row: string[]) => row.map((cell, c) => cell.padEnd(widths[c]!)).join(' | ');
  console.log(line(rows[0]!));
  console.log(widths.map((w) => '-'.repeat(w)).join('-|-'));
  for (const row of rows.slice(1)) console.log(line(row));
}

async function main(): Promise<void> {
  if (process.argv[2] === CHILD_FLAG) {
    await runChild(process.argv[3]!);
    process.exit(0);
  }
  const chosen = process.argv.slice(2).filter((a) => !a.startsWith('-'));
  const names = [...Object.keys(BENCHMARKS), ...Object.keys(NOT_MEASURED)].filter((n) => chosen.length === 0 || chosen.includes(n));
  const redisUrl = await benchRedisUrl();
  const started = Date.now();
  const results: BenchResult[] = [];
  try {
    for (const name of names) {
      if (NOT_MEASURED[name]) {
        results.push({ name, metrics: [], notMeasured: NOT_MEASURED[name] });
        continue;
      }
      console.error(`bench: ${name} …`);
      const result = await spawnChild(name, redisUrl);
      console.error(`bench: ${name} done in ${(result.seconds ?? 0).toFixed(1)} s${result.notMeasured ? ` (${result.notMeasured})` : ''}`);
      results.push(result);
    }
  } finally {
    await stopBenchRedis();
  }
  const totalSeconds = (Date.now() - started) / 1000;
  printTable(results);
  console.log(`\nscale ${SCALE}, ${cpus().length} cores, ${process.env.DATABASE_URL ? 'PostgreSQL' : 'PGlite'}, total ${totalSeconds.toFixed(0)} s`);
  const crashed = results.some((r) => r.notMeasured?.startsWith('failed'));
  const missedGoal = results.some((r) => r.metrics.some((m) => m.pass === false));
  writeFileSync(fileURLToPath(new URL('./results.json', import.meta.url)), `${JSON.stringify({
    at: new Date().toISOString(), scale: SCALE, cores: cpus().length, node: process.version,
    database: process.env.DATABASE_URL ? 'postgres' : 'pglite', totalSeconds, results,
  }, null, 2)}\n`);
  // A goal missed is a finding, not a broken run; BENCH_STRICT=1 makes it fail the command too.
  process.exitCode = crashed || (process.env.BENCH_STRICT === '1' && missedGoal) ? 1 : 0;
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(2);
});

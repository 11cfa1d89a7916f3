import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { sql } from 'drizzle-orm';
import type { Db } from '../../../src/store/db.js';
import { deliveries } from '../../../src/store/schema/index.js';
import { waitFor } from './engine-harness.js';

export { serverDatabase } from '../../support/db.js';

const ENGINE_PROCESS = fileURLToPath(new URL('./engine-process.ts', import.meta.url));

/** A running engine-process.ts child; `exited` resolves with its exit code or signal. */
export interface EngineChild {
  child: ChildProcess;
  exited: Promise<number | string>;
  /** Output written to stderr, for failure messages. */
  stderr(): string;
}

export function spawnEngine(env: Record<string, string>): EngineChild {
  const child = spawn(process.execPath, ['--import', 'tsx', ENGINE_PROCESS], {
    env: { ...process.env, ...env }, stdio: ['ignore', 'ignore', 'pipe'],
  });
  let err = '';
  child.stderr!.on('data', (d: Buffer) => (err = (err + d.toString()).slice(-4000)));
  const exited = new Promise<number | string>((resolve) => child.once('exit', (code, signal) => resolve(code ?? signal ?? 'unknown')));
  return { child, exited, stderr: () => err };
}

/** Stops a child with SIGTERM (it finishes its jobs), or SIGKILL after `graceMs`. */
export async function stopEngine(e: EngineChild, graceMs = 15_000): Promise<number | string> {
  if (e.child.exitCode !== null || e.child.signalCode !== null) return e.exited;
  e.child.kill('SIGTERM');
  const timer = setTimeout(() => e.child.kill('SIGKILL'), graceMs);
  const result = await e.exited;
  clearTimeout(timer);
  return result;
}

/**
 * The crash scenario of the engine tests: a worker process sends until `killWhen` holds, is
 * killed with SIGKILL, and a fresh one is started and left until no delivery is pending or
 * being sent. Both children are stopped before this returns.
 */
export async function killMidBatchAndRestart(opts: {
  env: Record<string, string>;
  db: Db;
  killWhen: () => boolean;
  timeoutMs: number;
}): Promise<void> {
  let first: EngineChild | undefined;
  let second: EngineChild | undefined;
  try {
    first = spawnEngine(opts.env);
    await waitFor(opts.killWhen, opts.timeoutMs, 'enough of the batch sent before the kill', 100);
    first.child.kill('SIGKILL');
    if ((await first.exited) !== 'SIGKILL') throw new Error('the first worker was not killed by SIGKILL');
    second = spawnEngine(opts.env);
    const unfinished = async () => {
      const [row] = await opts.db
        .select({ n: sql<number>`count(*)::int` })
        .from(deliveries)
        .where(sql`${deliveries.status} in ('pending', 'sending')`);
      return row!.n;
    };
    await waitFor(async () => (await unfinished()) === 0, opts.timeoutMs, 'every delivery finished', 200);
    if ((await stopEngine(second)) !== 0) throw new Error('the restarted worker did not stop cleanly');
  } finally {
    if (first) await stopEngine(first);
    if (second) await stopEngine(second);
  }
}

import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

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

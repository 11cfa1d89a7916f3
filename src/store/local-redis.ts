import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { claimFolder, isRunning, releaseFolder, writeHolder, type FolderHolder } from './folder-holder.js';

/** A redis-server child process owned by this process; used when REDIS_URL is unset. */
export interface LocalRedis {
  url: string;
  stop(): Promise<void>;
}

export class RedisNotInstalledError extends Error {
  constructor() {
    super(
      'redis-server was not found. Install it (Debian/Ubuntu: `sudo apt-get install redis-server`, ' +
        'macOS: `brew install redis`) or set REDIS_URL to a running Redis.',
    );
  }
}

export function redisServerInstalled(): boolean {
  const probe = spawnSync('redis-server', ['--version'], { stdio: 'ignore' });
  return probe.status === 0;
}

async function freePort(): Promise<number> {
  return new Promise((ok, fail) => {
    const srv = createServer();
    srv.once('error', fail);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => ok(port));
    });
  });
}

/** The file in the data folder naming the process that runs its redis-server, and the server's pid. */
const HOLDER_FILE = 'tongxin-redis.json';

/**
 * Starts redis-server with AOF on and its data under `dir`, on a free loopback port so it never
 * collides with a Redis already running. The child is stopped with this process. A server that
 * a crashed process left running on the same folder (found through the holder file) is stopped
 * first, so two servers never share one append-only file; a folder whose process is alive is
 * refused (FolderInUseError).
 */
export async function startLocalRedis(dir: string): Promise<LocalRedis> {
  if (!redisServerInstalled()) throw new RedisNotInstalledError();
  const absDir = resolve(dir);
  mkdirSync(absDir, { recursive: true });
  const holderFile = join(absDir, HOLDER_FILE);
  const stale = claimFolder(holderFile, absDir);
  await stopStaleServer(stale);
  const port = await freePort();
  const child: ChildProcess = spawn(
    'redis-server',
    ['--port', String(port), '--bind', '127.0.0.1', '--dir', absDir, '--appendonly', 'yes',
      '--save', '', '--maxmemory-policy', 'noeviction', '--loglevel', 'warning'],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  writeHolder(holderFile, { redisPid: child.pid, port });
  const killChild = () => child.kill('SIGTERM');
  process.once('exit', killChild);
  try {
    await waitForPort(port, child);
  } catch (err) {
    releaseFolder(holderFile);
    throw err;
  }
  return {
    url: `redis://127.0.0.1:${port}`,
    stop: () =>
      new Promise<void>((ok) => {
        process.removeListener('exit', killChild);
        const done = () => {
          releaseFolder(holderFile);
          ok();
        };
        if (child.exitCode !== null || child.signalCode !== null) return done();
        child.once('exit', done);
        child.kill('SIGTERM');
      }),
  };
}

/** Stops the redis-server a dead holder left running (SIGTERM: it finishes its append-only file). */
async function stopStaleServer(stale: FolderHolder | undefined): Promise<void> {
  const pid = stale?.redisPid;
  if (typeof pid !== 'number' || !isRunning(pid, 'redis-server')) return;
  process.kill(pid, 'SIGTERM');
  for (let i = 0; i < 200 && isRunning(pid, 'redis-server'); i++) await new Promise((r) => setTimeout(r, 50));
  if (isRunning(pid, 'redis-server')) process.kill(pid, 'SIGKILL');
}

async function waitForPort(port: number, child: ChildProcess): Promise<void> {
  const { connect } = await import('node:net');
  for (let i = 0; i < 100; i++) {
    if (child.exitCode !== null) throw new Error(`redis-server exited with code ${child.exitCode}`);
    const up = await new Promise<boolean>((ok) => {
      const s = connect(port, '127.0.0.1');
      s.once('connect', () => { s.destroy(); ok(true); });
      s.once('error', () => ok(false));
    });
    if (up) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error('redis-server did not start listening within 5 s');
}

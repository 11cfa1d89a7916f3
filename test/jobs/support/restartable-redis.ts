import { spawn, type ChildProcess } from 'node:child_process';
import { connect } from 'node:net';
import { startLocalRedis, type LocalRedis } from '../../../src/store/local-redis.js';

/**
 * A private redis-server (AOF on, started with src/store/local-redis.ts) that a test can stop and
 * start again on the same port and data directory, as an operator restarting Redis would. Never
 * the shared test Redis.
 */
export class RestartableRedis {
  private first: LocalRedis | undefined;
  private again: ChildProcess | undefined;

  private constructor(readonly url: string, private readonly dir: string, first: LocalRedis) {
    this.first = first;
  }

  static async start(dir: string): Promise<RestartableRedis> {
    const local = await startLocalRedis(dir);
    return new RestartableRedis(local.url, dir, local);
  }

  get port(): number {
    return Number(new URL(this.url).port);
  }

  /** Stops the server (SIGTERM: it writes its AOF and exits, like `systemctl stop redis`). */
  async stop(): Promise<void> {
    if (this.first) {
      await this.first.stop();
      this.first = undefined;
    }
    const child = this.again;
    if (child && child.exitCode === null) {
      await new Promise<void>((ok) => {
        child.once('exit', () => ok());
        child.kill('SIGTERM');
      });
    }
    this.again = undefined;
  }

  /** Starts it again with the same settings as src/store/local-redis.ts, on the same port and directory. */
  async restart(): Promise<void> {
    await this.stop();
    this.again = spawn('redis-server', ['--port', String(this.port), '--bind', '127.0.0.1', '--dir', this.dir, '--appendonly', 'yes',
      '--save', '', '--maxmemory-policy', 'noeviction', '--loglevel', 'warning'], { stdio: 'ignore' });
    for (let i = 0; i < 200; i++) {
      const up = await new Promise<boolean>((ok) => {
        const s = connect(this.port, '127.0.0.1');
        s.once('connect', () => (s.destroy(), ok(true)));
        s.once('error', () => ok(false));
      });
      if (up) return;
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error('redis-server did not come back');
  }
}

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { serverDatabase } from '../support/db.js';
import { MainProcess } from '../support/main-process.js';
import { TelegramFake } from '../support/telegram-fake.js';

/** Every live process as [pid, parent pid, command line] (Linux /proc). */
function processes(): Array<{ pid: number; ppid: number; command: string }> {
  const out: Array<{ pid: number; ppid: number; command: string }> = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      // "pid (comm) state ppid …": comm may hold spaces, so read after its closing parenthesis.
      const [state, ppid] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (state === 'Z') continue;
      out.push({ pid: Number(entry), ppid: Number(ppid), command: readFileSync(`/proc/${entry}/cmdline`, 'utf8').replaceAll('\0', ' ') });
    } catch {
      // gone while we looked
    }
  }
  return out;
}

/** `pid` and everything it started, and what they started, … */
function tree(pid: number): Array<{ pid: number; command: string }> {
  const all = processes();
  const found = all.filter((p) => p.pid === pid);
  for (let i = 0; i < found.length; i++) found.push(...all.filter((p) => p.ppid === found[i]!.pid));
  return found;
}

const alive = (pid: number) => processes().some((p) => p.pid === pid);
const redisOf = (pid: number) => tree(pid).find((p) => p.command.startsWith('redis-server'));

async function until(condition: () => boolean, what: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`${what}: not within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Kills what a test left running (its own children only, by pid). */
function killAll(pids: number[]): void {
  for (const pid of pids) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
}

/** Item 18 of issue 15: the private redis-server a process starts when REDIS_URL is unset. */
describe.skipIf(!existsSync('/proc/self/stat'))('the private redis-server of the real process', () => {
  // A PostgreSQL database when there is one: it starts faster than a fresh PGlite, and the
  // database plays no part here.
  let server: { url: string; drop(): Promise<void> } | undefined;
  const env = (): Record<string, string> => (server ? { DATABASE_URL: server.url } : {});
  beforeAll(async () => {
    if (process.env.DATABASE_URL) server = await serverDatabase(process.env.DATABASE_URL);
  });
  afterAll(async () => {
    await server?.drop();
  });

  it('left running by a crash is stopped by the next start on the same data folder, not joined by a second', { timeout: 180_000 }, async () => {
    const first = MainProcess.start({ env: env() });
    let second: MainProcess | undefined;
    const leftovers: number[] = [];
    try {
      await first.ready();
      const stale = redisOf(first.pid);
      expect(stale, 'the first process runs its own redis-server').toBeDefined();
      leftovers.push(stale!.pid);
      first.child.kill('SIGKILL');
      await first.exited;
      expect(alive(stale!.pid), 'a crash leaves the redis-server running').toBe(true);

      second = MainProcess.start({ dataDir: first.dataDir, env: env() });
      await second.ready();
      const current = redisOf(second.pid);
      expect(current).toBeDefined();
      leftovers.push(current!.pid);
      await until(() => !alive(stale!.pid), 'the stale redis-server stopped');
      expect(processes().filter((p) => p.command.startsWith('redis-server') && [stale!.pid, current!.pid].includes(p.pid))).toHaveLength(1);

      second.type('/help');
      await second.waitFor(() => second!.stdout.includes('/help'), 'an answer on the new redis-server');
      expect(await second.close()).toBe(0);
      await until(() => !alive(current!.pid), 'the redis-server stopped with its process');
    } finally {
      await second?.cleanup();
      await first.cleanup();
      killAll(leftovers);
    }
  });

  it('`npm start` passes SIGTERM on: the bot and its redis-server stop, nothing is left running', { timeout: 180_000 }, async () => {
    const telegram = new TelegramFake({ token: '123456789:TEST-fake-token-0123456789' });
    await telegram.start();
    const npm = MainProcess.start({
      command: 'npm', args: ['start', '--silent'],
      env: { ...env(), TELEGRAM_BOT_TOKEN: telegram.token, TELEGRAM_API_ROOT: telegram.apiRoot, HTTP_PORT: '0', LOG_LEVEL: 'info' },
    });
    let started: Array<{ pid: number; command: string }> = [];
    try {
      await npm.waitFor(() => npm.stdout.includes('tongxin started'), 'the bot started', 90_000);
      started = tree(npm.pid);
      expect(started.some((p) => p.command.startsWith('redis-server')), started.map((p) => p.command).join('\n')).toBe(true);
      expect(await npm.stop('SIGTERM')).not.toBe('SIGKILL');
      await until(() => started.every((p) => !alive(p.pid)), `everything npm start ran stopped (${started.map((p) => p.command).join(' | ')})`);
    } finally {
      await npm.cleanup();
      killAll(started.map((p) => p.pid));
      await telegram.stop();
    }
  });
});

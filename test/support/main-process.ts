import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { t, type Locale, type Params } from '../../src/core/i18n.js';

/** The repository root: the working directory of the spawned processes. */
export const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url));

const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * A text of the locale files as the pattern of the line the console prints: its first line, with
 * `params` filled in and any other parameter matching anything.
 */
export function printed(locale: Locale, key: string, params?: Params): RegExp {
  const first = t(locale, key, params).split('\n')[0]!;
  return new RegExp(`^${escapeRegExp(first).replace(/\\\{\\\{\w+\\\}\\\}/g, '.*?')}$`);
}

/** How the process is started: the TypeScript through tsx (as `npm start`), or the built output. */
export const FROM_SOURCE = ['--import', 'tsx', 'src/main.ts'];

export interface MainProcessOptions {
  /** Environment on top of PATH, HOME and DATA_DIR; nothing else of the test's environment leaks in. */
  env?: Record<string, string>;
  /** Reuse a data folder (a restart); default a new temp folder, removed by cleanup(). */
  dataDir?: string;
  /** Arguments to node; default FROM_SOURCE. */
  args?: string[];
  /** Run a command instead of node (e.g. npm). */
  command?: string;
}

/**
 * The real Tongxin process for fault tests, started the way production starts it, with its own
 * DATA_DIR. With no platform configured it is the console chat: `type()` sends a line, and
 * `reply()` waits for what the bot answers. Waits throw with the output's tail when the process
 * exits first, so a crash shows up as itself rather than as a timeout.
 */
export class MainProcess {
  stdout = '';
  stderr = '';
  /** Resolves with the exit code, or the signal's name. */
  readonly exited: Promise<number | string>;
  private exit: number | string | undefined;
  /** Where reply() continues reading stdout. */
  private cursor = 0;

  private constructor(readonly child: ChildProcess, readonly dataDir: string, private readonly ownsDataDir: boolean) {
    child.stdout!.on('data', (d: Buffer) => (this.stdout += d.toString()));
    child.stderr!.on('data', (d: Buffer) => (this.stderr += d.toString()));
    child.stdin!.on('error', () => {});
    this.exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve((this.exit = code ?? signal ?? 'unknown'))));
  }

  static start(opts: MainProcessOptions = {}): MainProcess {
    const dataDir = opts.dataDir ?? mkdtempSync(join(tmpdir(), 'tongxin-main-'));
    const child = spawn(opts.command ?? process.execPath, opts.args ?? FROM_SOURCE, {
      cwd: REPO_ROOT,
      env: { PATH: process.env.PATH, HOME: process.env.HOME, DATA_DIR: dataDir, ...opts.env },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    return new MainProcess(child, dataDir, opts.dataDir === undefined);
  }

  get pid(): number {
    return this.child.pid!;
  }

  get running(): boolean {
    return this.exit === undefined;
  }

  /** Types one line into the console chat. */
  type(line: string): void {
    this.child.stdin!.write(`${line}\n`);
  }

  /** Waits until `condition` holds of the output (or throws when the process ends first). */
  async waitFor(condition: () => boolean, what: string, timeoutMs = 60_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!condition()) {
      if (!this.running) throw new Error(`the process exited (${this.exit}) before ${what}\n${this.tail()}`);
      if (Date.now() > deadline) throw new Error(`${what}: not within ${timeoutMs} ms\n${this.tail()}`);
      await new Promise((r) => setTimeout(r, 25));
    }
  }

  /** Waits for the console's banner: the chat is open. */
  async ready(timeoutMs = 90_000): Promise<void> {
    await this.waitFor(() => /同心 控制台|Tongxin console/.test(this.stdout), 'the console banner', timeoutMs);
    this.cursor = this.stdout.length;
  }

  /**
   * Waits for the next stdout line (after the last one reply() returned) that matches one of
   * `answers`, and returns it. Lines in between (notices the bot prints on its own) are skipped.
   */
  async reply(answers: RegExp[], what: string, timeoutMs = 60_000): Promise<string> {
    let found: string | undefined;
    await this.waitFor(() => {
      const lines = this.stdout.slice(this.cursor).split('\n');
      let offset = this.cursor;
      for (const line of lines.slice(0, -1)) {
        offset += line.length + 1;
        if (answers.some((a) => a.test(line))) {
          found = line;
          this.cursor = offset;
          return true;
        }
      }
      return false;
    }, what, timeoutMs);
    return found!;
  }

  /** Ends the chat (end of input) and waits for the process to exit; SIGKILL after `graceMs`. */
  async close(graceMs = 30_000): Promise<number | string> {
    this.child.stdin!.end();
    return this.stop(undefined, graceMs);
  }

  /** Sends `signal` (if given) and waits for the exit; SIGKILL after `graceMs`. */
  async stop(signal?: NodeJS.Signals, graceMs = 30_000): Promise<number | string> {
    if (!this.running) return this.exited;
    if (signal) this.child.kill(signal);
    const timer = setTimeout(() => this.child.kill('SIGKILL'), graceMs);
    const result = await this.exited;
    clearTimeout(timer);
    return result;
  }

  /** Kills the process if it still runs and removes a data folder this helper made. */
  async cleanup(): Promise<void> {
    if (this.running) {
      this.child.kill('SIGKILL');
      await this.exited;
    }
    if (this.ownsDataDir) rmSync(this.dataDir, { recursive: true, force: true });
  }

  tail(): string {
    return `stdout: …${this.stdout.slice(-1500)}\nstderr: …${this.stderr.slice(-1500)}`;
  }
}

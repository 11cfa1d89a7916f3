import { existsSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';

/**
 * Which process holds a data folder (the embedded database's, the private Redis's), as a small
 * JSON file in it, so a second process does not open the same files and a crashed one's leftovers
 * are found. Our own: proper-lockfile's staleness is time-based (at least 5 s), so every restart
 * after a kill -9 would wait for it, and an OS-level lock (flock) is not in Node. Two processes
 * starting within the same few milliseconds on a folder a crashed process left behind could both
 * take it; any other overlap is refused.
 */
export interface FolderHolder {
  pid: number;
  [detail: string]: unknown;
}

/** Thrown when a live process holds the folder; the message says which and what to do. */
export class FolderInUseError extends Error {
  constructor(readonly folder: string, readonly pid: number) {
    super(`${folder} is in use by process ${pid} (another Tongxin). Stop it first, or give this one its own DATA_DIR.`);
    this.name = 'FolderInUseError';
  }
}

/** The holder recorded in `file`, if the file is there and readable. */
export function readHolder(file: string): FolderHolder | undefined {
  try {
    const parsed = JSON.parse(readFileSync(file, 'utf8')) as Partial<FolderHolder>;
    return typeof parsed.pid === 'number' && Number.isInteger(parsed.pid) && parsed.pid > 0 ? (parsed as FolderHolder) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Whether `pid` is a running `program` (node, redis-server). A pid a dead process left may have
 * gone to another program since: where the command line can be read (/proc, or ps), it must name
 * the program; elsewhere a live pid counts.
 */
export function isRunning(pid: number, program: string): boolean {
  try {
    process.kill(pid, 0);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  const command = commandLine(pid);
  return command === undefined || command.includes(program);
}

function commandLine(pid: number): string | undefined {
  try {
    if (existsSync('/proc/self/cmdline')) return readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ');
    return execFileSync('ps', ['-o', 'command=', '-p', String(pid)], { encoding: 'utf8' });
  } catch {
    return undefined;
  }
}

/**
 * Takes the folder of `file` for this process: refused (FolderInUseError) while another live node
 * process holds it; a holder that died is replaced. Returns the holder it replaced, if any.
 */
export function claimFolder(file: string, folder: string, details: Record<string, unknown> = {}): FolderHolder | undefined {
  const record = JSON.stringify({ pid: process.pid, ...details });
  try {
    writeFileSync(file, record, { flag: 'wx' });
    return undefined;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
  }
  const previous = readHolder(file);
  if (previous && previous.pid !== process.pid && isRunning(previous.pid, 'node')) throw new FolderInUseError(folder, previous.pid);
  writeHolder(file, details);
  return previous;
}

/** Records `details` for this process (atomically: a reader sees the old or the new file, never half). */
export function writeHolder(file: string, details: Record<string, unknown>): void {
  const temporary = `${file}.${process.pid}`;
  writeFileSync(temporary, JSON.stringify({ pid: process.pid, ...details }));
  renameSync(temporary, file);
}

/** Gives the folder up, if this process still holds it. */
export function releaseFolder(file: string): void {
  if (readHolder(file)?.pid === process.pid) rmSync(file, { force: true });
}

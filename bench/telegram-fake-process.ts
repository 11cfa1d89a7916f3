/**
 * The fake Bot API in a process of its own, for the fan-out benchmark. Telegram's servers do not
 * share our event loop: in one process, a pause of the engine's loop (garbage collection, a burst
 * of query results) also delayed the fake's reading of requests, so sends that left on their
 * paced schedule were counted as arriving in a bunch. A child process keeps its own clock, as
 * Telegram does, and takes no CPU time from the engine's event loop.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { TelegramFake, type LimitOptions } from '../test/support/telegram-fake.js';

/** What the child reports of the sends it saw. */
export interface FakeSummary {
  /** Arrival time of every accepted send (ms since the epoch). */
  acceptedAt: number[];
  rejected429: number;
  /** Every sendMessage call, accepted or not, in arrival order. */
  sendCalls: Array<{ chatId: string; at: number }>;
  /** The chat of every message the fake applied, in order. */
  sentChatIds: string[];
}

const CHILD_FLAG = '--telegram-fake-child';
type Request = { id: number; what: 'accepted' | 'summary' };

/** The parent's handle on the child: where the API is, and questions about what it saw. */
export class TelegramFakeProcess {
  private next = 0;
  private readonly waiting = new Map<number, (value: unknown) => void>();

  private constructor(
    private readonly child: ChildProcess,
    readonly apiRoot: string,
    readonly token: string,
  ) {
    child.on('message', (m: { id: number; value: unknown }) => {
      this.waiting.get(m.id)?.(m.value);
      this.waiting.delete(m.id);
    });
  }

  /** Starts the child with `limits` enforced. */
  static async start(limits: LimitOptions): Promise<TelegramFakeProcess> {
    const child = fork(fileURLToPath(import.meta.url), [CHILD_FLAG, JSON.stringify(limits)], { execArgv: ['--import', 'tsx'] });
    const ready = await new Promise<{ apiRoot: string; token: string }>((resolve, reject) => {
      child.once('message', resolve);
      child.once('exit', (code) => reject(new Error(`fake Bot API process exited with ${code}`)));
    });
    return new TelegramFakeProcess(child, ready.apiRoot, ready.token);
  }

  private ask<T>(what: Request['what']): Promise<T> {
    const id = ++this.next;
    return new Promise((resolve) => {
      this.waiting.set(id, resolve as (value: unknown) => void);
      this.child.send({ id, what } satisfies Request);
    });
  }

  /** How many sends were accepted so far. */
  accepted(): Promise<number> {
    return this.ask('accepted');
  }

  summary(): Promise<FakeSummary> {
    return this.ask('summary');
  }

  async stop(): Promise<void> {
    const exited = new Promise((resolve) => this.child.once('exit', resolve));
    this.child.kill('SIGTERM');
    await exited;
  }
}

async function runChild(limits: LimitOptions): Promise<void> {
  const fake = new TelegramFake();
  await fake.start();
  fake.enforceLimits(limits);
  process.on('message', (m: Request) => {
    const value = m.what === 'accepted' ? fake.acceptedAt.length : {
      acceptedAt: [...fake.acceptedAt],
      rejected429: fake.rejected429,
      sendCalls: fake.calls.filter((c) => c.method === 'sendMessage').map((c) => ({ chatId: String(c.params.chat_id), at: c.at })),
      sentChatIds: fake.sent.map((s) => s.chatId),
    } satisfies FakeSummary;
    process.send!({ id: m.id, value });
  });
  process.on('SIGTERM', () => void fake.stop().finally(() => process.exit(0)));
  process.send!({ apiRoot: fake.apiRoot, token: fake.token });
}

if (process.argv[2] === CHILD_FLAG) await runChild(JSON.parse(process.argv[3]!) as LimitOptions);

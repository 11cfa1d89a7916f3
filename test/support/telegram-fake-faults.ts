/**
 * Fault switches and Telegram's flood limits for the Bot API fake (see telegram-fake.ts).
 */

/** Methods that put something in a chat; faults apply to these unless told otherwise. */
export const SEND_METHODS: readonly string[] = [
  'sendMessage', 'sendDocument', 'editMessageText', 'editMessageReplyMarkup', 'answerCallbackQuery', 'sendChatAction',
];

/** Methods that count against Telegram's per-chat and global message limits. */
export const LIMITED_METHODS: ReadonlySet<string> = new Set(['sendMessage', 'sendDocument', 'editMessageText', 'editMessageReplyMarkup']);

/** Which methods a fault applies to: a list, or `'*'` for every method including getUpdates. */
export type MethodSelector = readonly string[] | '*';

export interface RateLimitFault {
  /** Seconds reported in `parameters.retry_after`. */
  retryAfter: number;
  /** Answer this many calls with 429, then stop; without it, every call until cleared. */
  count?: number;
  /** Only calls to this chat. */
  chatId?: string | number;
  methods?: MethodSelector;
}

export interface LoseAnswersFault {
  /** Lose each answer with this probability (0..1). */
  probability?: number;
  /** Lose the next `count` answers, then stop. */
  count?: number;
  methods?: MethodSelector;
  /** Random source for `probability`; defaults to Math.random. */
  random?: () => number;
}

export interface LimitOptions {
  globalPerSecond?: number;
  perChatPerSecond?: number;
  perGroupPerMinute?: number;
  /**
   * Time compression: windows are 1 s / scale and 60 s / scale, so a benchmark can run `scale`
   * times faster. `retry_after` is then in real seconds and may be fractional.
   */
  scale?: number;
}

interface Rule { methods: MethodSelector; remaining: number }

function applies(rule: Rule, method: string): boolean {
  return rule.methods === '*' || rule.methods.includes(method);
}

/** Takes one use of the first matching rule; exhausted rules are removed. */
function take<R extends Rule>(rules: R[], method: string, extra: (rule: R) => boolean = () => true): R | undefined {
  const index = rules.findIndex((r) => applies(r, method) && extra(r));
  const rule = rules[index];
  if (!rule) return undefined;
  if (--rule.remaining <= 0) rules.splice(index, 1);
  return rule;
}

/** Runtime-settable failures. Every setter returns a function that removes that fault again. */
export class Faults {
  private rateLimits: Array<Rule & { retryAfter: number; chatId?: string }> = [];
  private losses: Array<Rule & { probability: number; random: () => number }> = [];
  private delays: Array<Rule & { ms: number }> = [];

  rateLimit(fault: RateLimitFault): () => void {
    const rule = {
      methods: fault.methods ?? SEND_METHODS,
      remaining: fault.count ?? Infinity,
      retryAfter: fault.retryAfter,
      ...(fault.chatId === undefined ? {} : { chatId: String(fault.chatId) }),
    };
    this.rateLimits.push(rule);
    return () => remove(this.rateLimits, rule);
  }

  loseAnswers(fault: LoseAnswersFault): () => void {
    const rule = {
      methods: fault.methods ?? SEND_METHODS,
      remaining: fault.count ?? Infinity,
      probability: fault.probability ?? 1,
      random: fault.random ?? Math.random,
    };
    this.losses.push(rule);
    return () => remove(this.losses, rule);
  }

  delay(ms: number, methods: MethodSelector = SEND_METHODS): () => void {
    const rule = { methods, remaining: Infinity, ms };
    this.delays.push(rule);
    return () => remove(this.delays, rule);
  }

  clear(): void {
    this.rateLimits = [];
    this.losses = [];
    this.delays = [];
  }

  /** `retry_after` seconds if this call is to be answered 429. */
  retryAfterFor(method: string, chatId: string | undefined): number | undefined {
    return take(this.rateLimits, method, (r) => r.chatId === undefined || r.chatId === chatId)?.retryAfter;
  }

  shouldLoseAnswer(method: string): boolean {
    return take(this.losses, method, (r) => r.random() < r.probability) !== undefined;
  }

  delayFor(method: string): number {
    return this.delays.reduce((sum, r) => (applies(r, method) ? sum + r.ms : sum), 0);
  }
}

function remove<T>(list: T[], item: T): void {
  const index = list.indexOf(item);
  if (index !== -1) list.splice(index, 1);
}

/** Sliding-window enforcement of Telegram's documented flood limits. */
export class FloodLimits {
  rejected = 0;
  readonly acceptedAt: number[] = [];
  private readonly global: number[] = [];
  private readonly perChat = new Map<string, number[]>();
  private readonly perGroup = new Map<string, number[]>();
  private readonly second: number;
  private readonly minute: number;
  private readonly scale: number;

  constructor(private readonly options: Required<LimitOptions>) {
    this.scale = options.scale;
    this.second = 1000 / options.scale;
    this.minute = 60_000 / options.scale;
  }

  /** Accepts the send and returns undefined, or returns the `retry_after` seconds for a 429. */
  admit(chatId: string, isGroup: boolean, now: number): number | undefined {
    const chat = getOrCreate(this.perChat, chatId);
    const group = isGroup ? getOrCreate(this.perGroup, chatId) : undefined;
    const waits = [
      waitMs(this.global, this.options.globalPerSecond, this.second, now),
      waitMs(chat, this.options.perChatPerSecond, this.second, now),
      group ? waitMs(group, this.options.perGroupPerMinute, this.minute, now) : 0,
    ];
    const wait = Math.max(...waits);
    if (wait > 0) {
      this.rejected++;
      // Telegram reports whole seconds, at least 1; under time compression, whole scaled seconds.
      return Math.max(1, Math.ceil((wait * this.scale) / 1000)) / this.scale;
    }
    this.global.push(now);
    chat.push(now);
    group?.push(now);
    this.acceptedAt.push(now);
    return undefined;
  }
}

function getOrCreate(map: Map<string, number[]>, key: string): number[] {
  let list = map.get(key);
  if (!list) map.set(key, (list = []));
  return list;
}

/** Drops timestamps older than the window; how long until one more fits (0 if it fits now). */
function waitMs(stamps: number[], max: number, window: number, now: number): number {
  let expired = 0;
  while (expired < stamps.length && stamps[expired]! <= now - window) expired++;
  if (expired > 0) stamps.splice(0, expired);
  if (stamps.length < max) return 0;
  return stamps[stamps.length - max]! + window - now;
}

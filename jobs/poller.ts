import type { Logger } from '../src/core/logger.js';

/**
 * Runs `round` every `intervalMs` without overlapping itself; a round that reports a full batch
 * runs again at once. A failing round (database or Redis away) is logged and retried with a
 * growing pause, so an outage neither spins nor stops the poller.
 */
export class Poller {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private stopped = false;
  private failures = 0;
  /** When the next round is due (ms since the epoch), while one is scheduled. */
  private nextAt = Infinity;
  /** A wake-up that came during a round: the round after it runs this soon at the latest. */
  private wakeWithinMs: number | undefined;

  constructor(
    private readonly name: string,
    private readonly intervalMs: number,
    private readonly round: () => Promise<boolean>,
    private readonly logger: Logger,
  ) {}

  start(): this {
    this.schedule(0);
    return this;
  }

  /**
   * Brings the next round forward to within `ms`: something was just written for it. Many
   * wake-ups in a burst still make one round per `ms`, not one each.
   */
  wake(ms: number): void {
    if (this.stopped) return;
    if (this.running) this.wakeWithinMs = Math.min(this.wakeWithinMs ?? ms, ms);
    else if (this.nextAt > Date.now() + ms) {
      clearTimeout(this.timer);
      this.schedule(ms);
    }
  }

  private schedule(ms: number): void {
    if (this.stopped) return;
    this.nextAt = Date.now() + ms;
    this.timer = setTimeout(() => void this.run(), ms);
  }

  private async run(): Promise<void> {
    if (this.running) return this.running;
    clearTimeout(this.timer);
    this.nextAt = Infinity;
    this.running = (async () => {
      let again = false;
      try {
        again = await this.round();
        this.failures = 0;
      } catch (err) {
        this.failures++;
        if (this.failures === 1 || this.failures % 20 === 0) {
          this.logger.warn({ poller: this.name, failures: this.failures, err }, 'poll round failed');
        }
      }
      this.running = undefined;
      const next = again ? 0 : this.intervalMs * Math.min(1 + this.failures, 10);
      this.schedule(Math.min(next, this.wakeWithinMs ?? next));
      this.wakeWithinMs = undefined;
    })();
    return this.running;
  }

  /** Stops polling and waits for a round in progress. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.running;
  }
}

/**
 * Runs tasks one after another per key (per member) and all keys side by side. A member's
 * messages must be handled in the order they came — a dialogue's next answer depends on the
 * last — while different members must not wait for each other.
 */
export class KeyedSerial {
  private readonly tails = new Map<string, Promise<void>>();
  private readonly inFlight = new Set<Promise<void>>();

  constructor(private readonly onError: (err: unknown) => void) {}

  /** Queues `task` behind the earlier tasks of `key`. A failing task does not stop the next. */
  run(key: string, task: () => Promise<void>): void {
    const previous = this.tails.get(key) ?? Promise.resolve();
    const next = previous.then(task).catch(this.onError);
    this.tails.set(key, next);
    this.inFlight.add(next);
    void next.finally(() => {
      this.inFlight.delete(next);
      if (this.tails.get(key) === next) this.tails.delete(key);
    });
  }

  /** Resolves when every queued task has finished. */
  async idle(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.all([...this.inFlight]);
  }
}

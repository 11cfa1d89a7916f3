/**
 * The update side of the Telegram Bot API fake (see telegram-fake.ts): the queue of pending updates,
 * getUpdates long polling with offset confirmation, and webhook delivery with retries.
 */
import { ApiError, type Params } from './telegram-fake-http.js';

/** An update as Telegram sends it: `update_id` plus one field named after its type. */
export type FakeUpdate = { update_id: number } & Record<string, unknown>;

export interface WebhookState {
  url: string;
  secretToken?: string;
  maxConnections: number;
  allowedUpdates: string[];
  lastErrorDate?: number;
  lastErrorMessage?: string;
}

/** One POST of an update to the webhook, as recorded by the fake. */
export interface WebhookAttempt {
  updateId: number;
  status: number | 'error';
  at: number;
}

interface Pending {
  update: FakeUpdate;
  /** Re-queued by `redeliver`: kept until returned once, whatever offset the client confirms. */
  forced: boolean;
  inFlight: boolean;
}

interface Poller {
  limit: number;
  wake: (error?: ApiError) => void;
}

export interface FeedOptions {
  /** Tries per update before the webhook counts as failing. */
  webhookAttempts: number;
  webhookRetryDelayMs: number;
  /** Runs a method the bot answered in the webhook response body (telegraf's webhookReply). */
  onWebhookReply: (method: string, params: Params) => Promise<void>;
}

const CONFLICT_WEBHOOK = "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to delete the webhook first";
const CONFLICT_POLLER = 'Conflict: terminated by other getUpdates request; make sure that only one bot instance is running';

export class UpdateFeed {
  webhook: WebhookState | undefined;
  readonly webhookAttempts: WebhookAttempt[] = [];
  private pending: Pending[] = [];
  private readonly history = new Map<number, FakeUpdate>();
  private nextId = 100_000;
  private allowedUpdates: string[] = [];
  private poller: Poller | undefined;
  private readonly deliveries = new Set<Promise<void>>();

  constructor(private readonly options: FeedOptions) {}

  get pendingCount(): number {
    return this.pending.length;
  }

  /** Queues an update (numbering it) and hands it to the waiting poller or the webhook. */
  push(body: Record<string, unknown>): FakeUpdate {
    const update: FakeUpdate = { ...body, update_id: this.nextId++ };
    this.history.set(update.update_id, update);
    this.pending.push({ update, forced: false, inFlight: false });
    this.notify();
    return update;
  }

  /** Queues a past update again, as Telegram does when an update was not confirmed in time. */
  redeliver(updateId: number): FakeUpdate {
    const update = this.history.get(updateId);
    if (!update) throw new Error(`no update ${updateId} was ever pushed`);
    const queued = this.pending.find((p) => p.update === update);
    // Still queued (returned but not yet confirmed): make sure the coming confirmation keeps it.
    if (queued) queued.forced = true;
    else {
      this.pending.push({ update, forced: true, inFlight: false });
      this.pending.sort((a, b) => a.update.update_id - b.update.update_id);
    }
    this.notify();
    return update;
  }

  /** getUpdates: confirms updates below `offset`, then answers at once or holds up to `timeout` s. */
  async getUpdates(params: { offset?: number; limit?: number; timeout?: number; allowedUpdates?: string[] }, closed: AbortSignal): Promise<FakeUpdate[]> {
    if (this.webhook) throw new ApiError(409, CONFLICT_WEBHOOK);
    this.poller?.wake(new ApiError(409, CONFLICT_POLLER));
    if (params.allowedUpdates) this.allowedUpdates = params.allowedUpdates;
    if (params.offset !== undefined) this.confirm(params.offset);
    const limit = Math.min(100, Math.max(1, params.limit ?? 100));
    const timeout = params.timeout ?? 0;
    if (timeout > 0 && this.countDeliverable() === 0 && !closed.aborted) {
      await new Promise<void>((resolve, reject) => {
        const poller: Poller = {
          limit,
          wake: (error) => {
            clearTimeout(timer);
            closed.removeEventListener('abort', onClose);
            if (this.poller === poller) this.poller = undefined;
            if (error) reject(error);
            else resolve();
          },
        };
        const onClose = (): void => poller.wake();
        const timer = setTimeout(() => poller.wake(), timeout * 1000);
        closed.addEventListener('abort', onClose);
        this.poller = poller;
      });
    }
    return this.take(limit);
  }

  setWebhook(state: WebhookState, dropPending: boolean): void {
    if (dropPending) this.pending = [];
    this.webhook = state;
    this.poller?.wake(new ApiError(409, CONFLICT_WEBHOOK));
    this.notify();
  }

  deleteWebhook(dropPending: boolean): void {
    if (dropPending) this.pending = this.pending.filter((p) => p.inFlight);
    this.webhook = undefined;
  }

  /** Waits until no webhook POST is in flight. */
  async flushWebhook(): Promise<void> {
    while (this.deliveries.size > 0) await Promise.allSettled([...this.deliveries]);
  }

  /** Ends a held getUpdates with an empty answer (used when the fake stops). */
  releasePoller(): void {
    this.poller?.wake();
  }

  private confirm(offset: number): void {
    if (offset < 0) {
      this.pending = this.pending.slice(offset);
      return;
    }
    this.pending = this.pending.filter((p) => p.forced || p.update.update_id >= offset);
  }

  private isAllowed(update: FakeUpdate, allowed: string[]): boolean {
    if (allowed.length === 0) return true;
    return Object.keys(update).some((k) => k !== 'update_id' && allowed.includes(k));
  }

  private countDeliverable(): number {
    return this.pending.filter((p) => this.isAllowed(p.update, this.allowedUpdates)).length;
  }

  private take(limit: number): FakeUpdate[] {
    // Telegram never delivers update types outside allowed_updates: they are dropped.
    this.pending = this.pending.filter((p) => this.isAllowed(p.update, this.allowedUpdates));
    const batch = this.pending.slice(0, limit);
    for (const p of batch) p.forced = false;
    return batch.map((p) => p.update);
  }

  private notify(): void {
    if (this.webhook) this.pumpWebhook(this.webhook);
    else if (this.poller && this.countDeliverable() > 0) this.poller.wake();
  }

  private pumpWebhook(hook: WebhookState): void {
    this.pending = this.pending.filter((p) => this.isAllowed(p.update, hook.allowedUpdates));
    let inFlight = this.pending.filter((p) => p.inFlight).length;
    for (const p of this.pending) {
      if (inFlight >= hook.maxConnections) break;
      if (p.inFlight) continue;
      p.inFlight = true;
      inFlight++;
      const delivery = this.deliver(hook, p).finally(() => this.deliveries.delete(delivery));
      this.deliveries.add(delivery);
    }
  }

  private async deliver(hook: WebhookState, p: Pending): Promise<void> {
    for (let attempt = 1; attempt <= this.options.webhookAttempts; attempt++) {
      if (this.webhook !== hook) break;
      const error = await this.post(hook, p.update);
      if (error === undefined) {
        this.pending = this.pending.filter((q) => q !== p);
        if (this.webhook === hook) this.pumpWebhook(hook);
        return;
      }
      hook.lastErrorDate = Math.floor(Date.now() / 1000);
      hook.lastErrorMessage = error;
      if (attempt < this.options.webhookAttempts) {
        await new Promise((r) => setTimeout(r, this.options.webhookRetryDelayMs * attempt));
      }
    }
    // Left pending: the next push, setWebhook or deleteWebhook + getUpdates picks it up again.
    p.inFlight = false;
  }

  /** One POST; undefined on success, else the error Telegram would show in getWebhookInfo. */
  private async post(hook: WebhookState, update: FakeUpdate): Promise<string | undefined> {
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (hook.secretToken) headers['x-telegram-bot-api-secret-token'] = hook.secretToken;
    try {
      const res = await fetch(hook.url, { method: 'POST', headers, body: JSON.stringify(update), signal: AbortSignal.timeout(10_000) });
      this.webhookAttempts.push({ updateId: update.update_id, status: res.status, at: Date.now() });
      const text = await res.text();
      if (res.status < 200 || res.status > 299) return `Wrong response from the webhook: ${res.status} ${res.statusText}`;
      if (text && res.headers.get('content-type')?.includes('application/json')) {
        const reply = JSON.parse(text) as Params;
        if (typeof reply.method === 'string') await this.options.onWebhookReply(reply.method, reply).catch(() => undefined);
      }
      return undefined;
    } catch (error) {
      this.webhookAttempts.push({ updateId: update.update_id, status: 'error', at: Date.now() });
      return `Connection failed: ${(error as Error).message}`;
    }
  }
}

import type { Db } from '../src/store/db.js';
import type { Clock } from '../src/core/clock.js';
import type { Logger } from '../src/core/logger.js';
import type { Platform } from '../src/core/messages.js';
import type { DeliverySettings } from '../src/domain/delivery/settings.js';
import type { Reader } from '../src/domain/delivery/render.js';

/** How one send ended, for metrics: the send latency histogram is labelled with it. */
export type SendObservation = 'sent' | 'failed' | 'uncertain' | 'rerouted' | 'skipped';

/** What every part of the delivery engine shares within one process. */
export interface EngineContext {
  db: Db;
  clock: Clock;
  logger: Logger;
  settings: DeliverySettings;
  /** Language and zone for group chats, which have no member behind them. */
  groupReader: Reader;
  /** The platforms this deployment runs (in any process); routing only picks these. */
  active: ReadonlySet<Platform>;
  /** Called after each platform call with its duration; /metrics turns it into a histogram. */
  observeSend?: (platform: Platform, outcome: SendObservation, seconds: number) => void;
}

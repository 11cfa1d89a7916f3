/**
 * The WeCom smart robot (智能机器人) over its WebSocket, through the official SDK (developer
 * document path 101463): members' messages (single chats, and @-mentions in groups) and card
 * presses go to the router (robot-inbound.ts); answers and pushes go back as markdown and
 * template cards (robot-outbound.ts). Only the lease holder connects (see robot-lease.ts); this
 * class does what one connection does.
 *
 * "Connected" means authenticated: the socket is open before WeCom has accepted the subscription,
 * and nothing may be sent on it until then. A refused subscription (853000, wrong bot id or
 * secret) is reported loudly and tried again only after a growing pause: WeCom protects the
 * subscription against frequent attempts, and retrying cannot fix a wrong secret.
 */
import { WSClient } from '@wecom/aibot-node-sdk';
import type { Redis } from 'ioredis';
import type { IncomingMessage, OutgoingMessage, SendResult } from '../../core/messages.js';
import { DeliveryError } from '../../core/delivery-errors.js';
import type { Logger } from '../../core/logger.js';
import type { Locale } from '../../core/i18n.js';
import type { Reply } from '../../router/types.js';
import { GroupReplyWords } from './group-replies.js';
import { GroupSummaries } from './group-summary.js';
import { RobotInbound } from './robot-inbound.js';
import { RobotOutbound, type RobotChat } from './robot-outbound.js';

/** First pause after a refused subscription; it doubles up to an hour. */
export const DEFAULT_AUTH_RETRY_MS = 60_000;
const MAX_AUTH_RETRY_MS = 3_600_000;

export interface RobotOptions {
  botId: string;
  secret: string;
  /** WECOM_WS_URL; the SDK's default (WeCom's server) when unset. */
  wsUrl?: string;
  handle(msg: IncomingMessage): Promise<Reply[]>;
  logger: Logger;
  redis: Redis;
  /** Language of the adapter's own words in groups (the deployment's default). */
  groupLocale: Locale;
  /** A member's language for the adapter's own answers in their single chat. */
  localeOf(userid: string): Promise<Locale>;
  /** Another connection for this robot took over (WeCom sent disconnected_event). */
  onKicked(): void;
  authRetryMs?: number;
  groupSummaryMs?: number;
}

/** One robot connection: connect, disconnect, answer what comes in, send on its own. */
export class RobotConnection {
  private client?: WSClient;
  private authenticated = false;
  private wanted = false;
  private authRefusals = 0;
  private retryTimer?: NodeJS.Timeout;
  private readonly outbound: RobotOutbound;
  private readonly inbound: RobotInbound;
  private readonly summaries: GroupSummaries;

  constructor(private readonly options: RobotOptions) {
    const { logger, redis, botId } = options;
    const words = new GroupReplyWords(redis, botId);
    this.outbound = new RobotOutbound({ words, groupLocale: options.groupLocale, logger });
    this.summaries = new GroupSummaries({
      post: (chatId, text) => this.send({ chatId, kind: 'group' }, { text }),
      logger,
      windowMs: options.groupSummaryMs,
    });
    this.inbound = new RobotInbound({ handle: options.handle, outbound: this.outbound, words, summaries: this.summaries, localeOf: options.localeOf, logger });
  }

  /** Authenticated: WeCom accepted the subscription on the open socket. */
  get connected(): boolean {
    return this.authenticated;
  }

  /** WeCom refused WECOM_BOT_ID / WECOM_BOT_SECRET on the last attempt. */
  get credentialsRefused(): boolean {
    return this.authRefusals > 0;
  }

  /** Opens the connection (the SDK keeps reconnecting after drops until disconnect()). */
  connect(): void {
    this.wanted = true;
    if (!this.client && !this.retryTimer) this.open();
  }

  /** Closes the connection; frames still being handled finish (their answers may fail). */
  disconnect(): void {
    this.wanted = false;
    clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
    this.drop();
  }

  /** Resolves when every message received so far has been handled and every group summary posted. */
  async idle(): Promise<void> {
    await this.inbound.idle();
    await this.summaries.idle();
  }

  /** Sends on the robot's own initiative to a group (chatid) or a member's single chat (userid). */
  async send(to: RobotChat, message: OutgoingMessage): Promise<SendResult> {
    const client = this.client;
    if (!client || !this.authenticated) throw new DeliveryError({ kind: 'not-sent', reason: 'wecom robot: not connected' });
    return this.outbound.send(client, to, message);
  }

  private open(): void {
    const { botId, secret, wsUrl, logger } = this.options;
    // The SDK reconnects after drops forever; refused subscriptions are handled here instead.
    const client = new WSClient({ botId, secret, wsUrl, logger: sdkLogger(logger), maxReconnectAttempts: -1, maxAuthFailureAttempts: -1 });
    this.client = client;
    const mine = () => this.client === client;
    client.on('error', (err) => {
      if (mine() && /^Authentication failed/.test(err.message)) this.refused(err.message);
      else logger.warn({ err: err.message.slice(0, 200) }, 'wecom robot: connection error');
    });
    client.on('authenticated', () => {
      if (!mine()) return;
      this.authenticated = true;
      this.authRefusals = 0;
      logger.info('wecom robot: connected');
    });
    client.on('disconnected', (reason) => {
      if (mine()) this.authenticated = false;
      logger.info({ reason: reason.slice(0, 100) }, 'wecom robot: disconnected');
    });
    client.on('event.disconnected_event', () => {
      if (!mine()) return;
      this.drop();
      this.options.onKicked();
    });
    this.inbound.listen(client, mine);
    client.connect();
  }

  private refused(message: string): void {
    this.drop();
    this.authRefusals++;
    const waitMs = Math.min((this.options.authRetryMs ?? DEFAULT_AUTH_RETRY_MS) * 2 ** (this.authRefusals - 1), MAX_AUTH_RETRY_MS);
    this.options.logger.error(
      { code: /code: (\d+)/.exec(message)?.[1], refusals: this.authRefusals, retryInMs: waitMs },
      'wecom robot: WeCom refused the subscription; check WECOM_BOT_ID and WECOM_BOT_SECRET',
    );
    if (!this.wanted) return;
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined;
      if (this.wanted && !this.client) this.open();
    }, waitMs);
  }

  private drop(): void {
    const client = this.client;
    this.client = undefined;
    this.authenticated = false;
    if (!client) return;
    client.removeAllListeners();
    client.on('error', () => {});
    client.disconnect();
  }
}

/**
 * The SDK's logger: its debug lines carry whole frames (members' texts), so they are dropped;
 * other lines keep their first argument only, which never holds frame contents.
 */
function sdkLogger(logger: Logger) {
  const line = (message: unknown) => ({ sdk: String(message).slice(0, 200) });
  return {
    debug() {},
    info: (message: string) => logger.debug(line(message), 'wecom sdk'),
    warn: (message: string) => logger.warn(line(message), 'wecom sdk'),
    error: (message: string) => logger.error(line(message), 'wecom sdk'),
  };
}

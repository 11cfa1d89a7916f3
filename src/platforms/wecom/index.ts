/**
 * The WeCom adapter: the smart robot (groups and single chats, over a WebSocket held by one
 * process at a time) and the self-built app (direct messages; callbacks over HTTP). src/main.ts
 * starts it with startWecom() and registers `callbackRoute` on the HTTP server.
 */
import type { FastifyPluginAsync } from 'fastify';
import type { App } from '../../app.js';
import { enabledPlatforms, type Config } from '../../config.js';
import type { Messenger } from '../../core/messages.js';
import { WecomAppApi, DEFAULT_API_ROOT } from './app-api.js';
import { AppInbox } from './app-inbox.js';
import { MemberSendLimiter, type MemberLimits } from './app-rate-limit.js';
import { wecomCallbackRoute } from './app-callback-route.js';
import { createCallbackSecurity, redisNonceStore } from './callback-security.js';
import { createWecomMessenger, type RobotSender } from './messenger.js';
import { RobotConnection } from './robot.js';
import { KickBackoff, RedisLease } from './robot-lease.js';
import { localeOfWecomUser } from './members.js';
import { RobotRelay } from './robot-relay.js';

export { wecomCallbackRoute, DEFAULT_CALLBACK_PATH } from './app-callback-route.js';
export { DEFAULT_LEASE_TTL_MS } from './robot-lease.js';

export interface WecomOptions {
  /** Lease time for the robot connection (default 15 s: a dead holder is replaced within 20 s). */
  robotLeaseTtlMs?: number;
  /**
   * Whether this process may hold the robot connection (default true). Processes that only
   * send (delivery workers) may say false: their group sends go through the holder.
   */
  holdRobot?: boolean;
  /** How long a send waits for the robot holder in another process (default 15 s). */
  relayTimeoutMs?: number;
  /** WeCom's per-member app limits (default 30/min, 1000/h); tests lower them. */
  memberLimits?: MemberLimits;
  /** Milliseconds since the epoch for the member limits and callback timestamps (tests). */
  now?: () => number;
  /** Path of the callback route (default /wecom/callback). */
  callbackPath?: string;
  /** First pause after WeCom refused the robot's credentials (default 60 s, doubling). */
  robotAuthRetryMs?: number;
  /** How long press answers in a group gather into one message (default 10 s). */
  groupSummaryMs?: number;
}

/** What /healthz may report. */
export interface WecomStatus {
  robot: 'off' | 'standby' | 'holding';
  /** Authenticated on the robot's WebSocket (not merely an open socket). */
  robotConnected: boolean;
  /** WeCom refused WECOM_BOT_ID / WECOM_BOT_SECRET on the last attempt. */
  robotCredentialsRefused: boolean;
  /** Times in a row another connection took the robot (another deployment with the same bot id). */
  robotKicks: number;
  app: boolean;
}

export interface RunningWecom {
  /** The Messenger for platform 'wecom' (private → app, group → robot). */
  messenger: Messenger;
  /** The app's callback route, for the HTTP server; undefined when the app is not configured. */
  callbackRoute?: FastifyPluginAsync;
  status(): WecomStatus;
  /** Finishes messages being handled, lets go of the robot connection and its lease. */
  stop(): Promise<void>;
}

/** How long stop() waits for messages being handled before closing anyway. */
const STOP_GRACE_MS = 5_000;

/**
 * Starts whatever WeCom parts `config` has: the robot (WECOM_BOT_ID, WECOM_BOT_SECRET,
 * WECOM_WS_URL) and the app (WECOM_CORP_ID, WECOM_AGENT_ID, WECOM_AGENT_SECRET, WECOM_TOKEN,
 * WECOM_ENCODING_AES_KEY, WECOM_API_ROOT). Throws when neither is configured.
 */
export async function startWecom(app: App, config: Config, options: WecomOptions = {}): Promise<RunningWecom> {
  const { deps, router } = app;
  const logger = deps.logger.child({ platform: 'wecom' });
  const enabled = enabledPlatforms(config);
  if (!enabled.wecomBot && !enabled.wecomApp) throw new Error('WeCom is not configured (WECOM_BOT_ID or WECOM_CORP_ID)');
  const handle = router.handle.bind(router);
  const stops: (() => Promise<void>)[] = [];
  const idles: (() => Promise<void>)[] = [];

  let robot: RobotSender | undefined;
  let robotKicks = 0;
  let lease: RedisLease | undefined;
  let connection: RobotConnection | undefined;
  if (enabled.wecomBot) {
    const botId = config.WECOM_BOT_ID!;
    const relay = new RobotRelay(deps.redis, botId, logger, options.relayTimeoutMs);
    const robotConnection = new RobotConnection({
      botId, secret: config.WECOM_BOT_SECRET!, wsUrl: config.WECOM_WS_URL, handle, logger, redis: deps.redis,
      groupLocale: deps.defaultLocale, localeOf: (userid) => localeOfWecomUser(deps.db, userid, deps.defaultLocale),
      authRetryMs: options.robotAuthRetryMs, groupSummaryMs: options.groupSummaryMs,
      onKicked: () => {
        const { pauseMs, kicks } = kickBackoff.next();
        robotKicks = kicks;
        logger.error({ kicks, pauseMs }, 'wecom robot: another connection with this bot id took the robot (a second deployment?); standing aside');
        void robotLease.standAside(pauseMs);
      },
    });
    const robotLease = new RedisLease(deps.redis, { key: `wecom:robot-lease:${botId}`, ttlMs: options.robotLeaseTtlMs, logger }, {
      onAcquired: () => {
        robotConnection.connect();
        relay.serve((to, message) => robotConnection.send(to, message));
      },
      onLost: () => {
        robotConnection.disconnect();
        void relay.stopServing();
      },
    });
    if (options.holdRobot !== false) robotLease.start();
    const kickBackoff = new KickBackoff(robotLease.ttlMs);
    robot = { send: (to, message) => (robotLease.held ? robotConnection.send(to, message) : relay.send(to, message)) };
    lease = robotLease;
    connection = robotConnection;
    idles.push(() => robotConnection.idle());
    stops.push(async () => {
      await robotLease.stop();
      await relay.close();
    });
  }

  let api: WecomAppApi | undefined;
  let callbackRoute: FastifyPluginAsync | undefined;
  if (enabled.wecomApp) {
    const limiter = new MemberSendLimiter(deps.redis, { limits: options.memberLimits, now: options.now });
    api = new WecomAppApi({
      apiRoot: config.WECOM_API_ROOT ?? DEFAULT_API_ROOT, corpId: config.WECOM_CORP_ID!, agentId: Number(config.WECOM_AGENT_ID),
      secret: config.WECOM_AGENT_SECRET!, limiter, redis: deps.redis, logger,
    });
    const inbox = new AppInbox({ handle, api, logger });
    const security = createCallbackSecurity({
      token: config.WECOM_TOKEN!, encodingAesKey: config.WECOM_ENCODING_AES_KEY!, corpId: config.WECOM_CORP_ID!,
      nonces: redisNonceStore(deps.redis, 'wecom:callback-nonce:'), now: options.now,
    });
    callbackRoute = wecomCallbackRoute({ security, accept: (message) => inbox.accept(message), logger, path: options.callbackPath });
    idles.push(() => inbox.idle());
  }

  return {
    messenger: createWecomMessenger({ app: api, robot }),
    callbackRoute,
    status: () => ({
      robot: !lease ? 'off' : lease.held ? 'holding' : 'standby',
      robotConnected: connection?.connected ?? false,
      robotCredentialsRefused: connection?.credentialsRefused ?? false,
      robotKicks,
      app: api !== undefined,
    }),
    async stop() {
      let timer: NodeJS.Timeout | undefined;
      const grace = new Promise<void>((ok) => (timer = setTimeout(ok, STOP_GRACE_MS)));
      await Promise.race([Promise.all(idles.map((idle) => idle())), grace]);
      clearTimeout(timer);
      for (const stop of stops) await stop();
    },
  };
}

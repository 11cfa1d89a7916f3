/**
 * The WeCom adapter wired end to end for tests: the WebSocket and HTTP API fakes, the core
 * (Harness: router over a fresh database, Redis under a private prefix), startWecom() with
 * WECOM_WS_URL and WECOM_API_ROOT pointing at the fakes, and fastify serving the callback route.
 */
import Fastify, { type FastifyInstance } from 'fastify';
import type { App } from '../../../src/app.js';
import { loadConfig, type Config } from '../../../src/config.js';
import type { Feature } from '../../../src/router/types.js';
import { startWecom, type RunningWecom, type WecomOptions } from '../../../src/platforms/wecom/index.js';
import { Harness } from '../../support/harness.js';
import { WecomWsFake, type RecordedFrame } from '../../support/wecom-ws-fake.js';
import { WecomApiFake } from '../../support/wecom-api-fake.js';
import { randomCallbackKeys, type CallbackKeys } from '../../support/wecom-callback-builder.js';

export interface Rig {
  h: Harness;
  ws: WecomWsFake;
  api: WecomApiFake;
  keys: CallbackKeys;
  config: Config;
  wecom: RunningWecom;
  http: FastifyInstance;
  /**
   * Moves WeCom's clock on (its per-chat limits and reply windows), as if the member paused:
   * a story told in a test is faster than any person types.
   */
  pause(ms: number): void;
  close(): Promise<void>;
}

export interface RigOptions {
  kind?: 'pglite' | 'postgres';
  robot?: boolean;
  app?: boolean;
  features?: Feature[];
  wecom?: WecomOptions;
  settings?: unknown;
  /** Clock of the API fake (and of our member limits, through wecom.now). */
  now?: () => number;
  /** WECOM_BOT_SECRET to use (default the fake's; another one is refused with 853000). */
  robotSecret?: string;
}

/** The core as src/app.ts would build it, from a harness. */
export function appOf(h: Harness): App {
  return { deps: h.deps, router: h.router, database: h.database, close: () => h.close() };
}

export function wecomConfig(ws: WecomWsFake | undefined, api: WecomApiFake | undefined, keys: CallbackKeys, robotSecret = 'secret-test'): Config {
  return loadConfig({
    ...(ws ? { WECOM_BOT_ID: ws.defaultBotId, WECOM_BOT_SECRET: robotSecret, WECOM_WS_URL: ws.url } : {}),
    ...(api
      ? {
          WECOM_CORP_ID: api.corpId, WECOM_AGENT_ID: String(api.agentId), WECOM_AGENT_SECRET: 'corp-secret-test',
          WECOM_TOKEN: keys.token, WECOM_ENCODING_AES_KEY: keys.encodingAesKey, WECOM_API_ROOT: api.url,
        }
      : {}),
    LOG_LEVEL: 'silent',
  });
}

export async function startRig(options: RigOptions = {}): Promise<Rig> {
  const h = await Harness.start({ kind: options.kind, features: options.features, settings: options.settings ?? { flood: { limit: 1000 } } });
  let paused = 0;
  const ws = await WecomWsFake.start({ now: () => Date.now() + paused });
  const api = await WecomApiFake.start({ now: options.now });
  const keys = randomCallbackKeys(api.corpId);
  const config = wecomConfig(options.robot === false ? undefined : ws, options.app === false ? undefined : api, keys, options.robotSecret);
  const wecom = await startWecom(appOf(h), config, { robotLeaseTtlMs: 1_500, now: options.now, groupSummaryMs: 1_500, ...options.wecom });
  const http = Fastify();
  if (wecom.callbackRoute) await http.register(wecom.callbackRoute);
  await http.ready();
  if (options.robot !== false && !options.robotSecret) await waitUntil(() => ws.isSubscribed(), 10_000);
  return {
    h, ws, api, keys, config, wecom, http,
    pause: (ms) => {
      paused += ms;
    },
    async close() {
      await http.close();
      await wecom.stop();
      await ws.close();
      await api.close();
      await h.close();
    },
  };
}

/** The markdown (stream or proactive) and cards the robot sent in answer to one callback. */
export function answersTo(ws: WecomWsFake, reqId: string): RecordedFrame[] {
  return ws.frames.filter((f) => f.reqId === reqId && f.cmd.startsWith('aibot_respond'));
}

/** Text a frame shows: stream content, markdown, or a card's title and subtitle. */
export function shownText(frame: RecordedFrame): string {
  const body = frame.body as {
    stream?: { content?: string };
    markdown?: { content?: string };
    text?: { content?: string };
    template_card?: { main_title?: { title?: string }; sub_title_text?: string };
  };
  const card = body.template_card ? [body.template_card.main_title?.title, body.template_card.sub_title_text].filter(Boolean).join('\n') : '';
  return [body.stream?.content, body.markdown?.content, body.text?.content, card].filter(Boolean).join('\n');
}

/**
 * Waits for a frame of `cmd` matching `where`, and returns it — after checking that WeCom
 * accepted it (errcode 0): a refused frame is something members never see.
 */
export async function frameOf(ws: WecomWsFake, cmd: string, where: (f: RecordedFrame) => boolean = () => true, timeoutMs = 8_000) {
  const frame = await ws.waitForFrame((f) => f.cmd === cmd && where(f), timeoutMs);
  expectAccepted(frame);
  return frame;
}

/** Fails unless WeCom would have taken `frame`. */
export function expectAccepted(frame: RecordedFrame): void {
  if (frame.answer === 'no-answer' || frame.answer.errcode !== 0) {
    throw new Error(`WeCom refused ${frame.cmd}: ${JSON.stringify(frame.answer)} for ${JSON.stringify(frame.body).slice(0, 300)}`);
  }
}

/** Fails if WeCom refused any frame the adapter sent (other than the `expected` errcodes a test provoked). */
export function expectNoRefusals(ws: WecomWsFake, expected: number[] = []): void {
  const refused = ws.refusals().filter((f) => f.answer === 'no-answer' || !expected.includes(f.answer.errcode));
  if (refused.length > 0) throw new Error(`WeCom refused: ${refused.map((f) => `${f.cmd} ${JSON.stringify(f.answer)}`).join('; ')}`);
}

/** Resolves once `check()` holds; fails after `timeoutMs`. For set-up outside a test body. */
export async function waitUntil(check: () => boolean | Promise<boolean>, timeoutMs: number): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > until) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((ok) => setTimeout(ok, 25));
  }
}

/**
 * Webhook mode: the route on a fastify server of our own (as main registers it on its server),
 * the fake POSTing updates with the secret header, a wrong or missing secret refused, and two bot
 * processes behind one webhook acting once on the same update.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServer, type AddressInfo } from 'node:net';
import Fastify, { type FastifyInstance } from 'fastify';
import { t } from '../../../src/core/i18n.js';
import { Router } from '../../../src/router/router.js';
import { coreFeature } from '../../../handlers/core.js';
import { staffMembersFeature } from '../../../handlers/staff-members.js';
import { startTelegram, type TelegramRuntime } from '../../../src/platforms/telegram/index.js';
import { DATABASE_KINDS } from '../../support/db.js';
import { TelegramWorld, telegramConfig, testApp, type TestApp } from './support.js';

const SECRET = 'webhook-secret-0123456789';
const features = [coreFeature, staffMembersFeature];

async function freePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as AddressInfo;
  await new Promise((resolve) => probe.close(resolve));
  return port;
}

let nextUpdateId = 900_000;
function helpUpdate(userId: number) {
  return {
    update_id: nextUpdateId++,
    message: {
      message_id: nextUpdateId, date: Math.floor(Date.now() / 1000), text: '/help',
      chat: { id: userId, type: 'private', first_name: 'U' }, from: { id: userId, is_bot: false, first_name: 'U', language_code: 'en' },
      entities: [{ type: 'bot_command', offset: 0, length: 5 }],
    },
  };
}

async function post(url: string, body: unknown, secret?: string): Promise<number> {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (secret !== undefined) headers['x-telegram-bot-api-secret-token'] = secret;
  const res = await fetch(url, { method: 'POST', headers, body: JSON.stringify(body) });
  await res.arrayBuffer();
  return res.status;
}

describe.each(DATABASE_KINDS)('Telegram webhook on %s', { timeout: 60_000 }, (kind) => {
  let app: TestApp;
  let w: TelegramWorld;
  let serverA: FastifyInstance;
  let serverB: FastifyInstance;
  let processB: TelegramRuntime;
  let urlA: string;
  let urlB: string;

  beforeAll(async () => {
    app = await testApp(kind, features);
    const [portA, portB] = [await freePort(), await freePort()];
    urlA = `http://127.0.0.1:${portA}/telegram/webhook`;
    urlB = `http://127.0.0.1:${portB}/telegram/webhook`;
    const webhookConfig = { TELEGRAM_WEBHOOK_URL: urlA, TELEGRAM_WEBHOOK_SECRET: SECRET };
    serverA = Fastify();
    w = await TelegramWorld.start(app, { config: webhookConfig, start: { http: serverA } });
    await serverA.listen({ port: portA, host: '127.0.0.1' });
    // A second bot process: its own router and adapter, the same database and Redis, the same public URL.
    serverB = Fastify();
    processB = await startTelegram({ ...app, router: new Router(app.deps, features) }, telegramConfig(w.fake, webhookConfig), { http: serverB });
    await serverB.listen({ port: portB, host: '127.0.0.1' });
  });

  afterAll(async () => {
    await w?.fake.flushWebhook();
    await processB?.stop();
    await serverB?.close();
    await w?.close();
    await serverA?.close();
  });

  it('registers the webhook with its secret and handles what Telegram POSTs', async () => {
    expect(w.fake.webhook).toMatchObject({ url: urlA, secretToken: SECRET });
    const replies = await w.says({ userId: 7001, languageCode: 'en' }, 'hello');
    expect(replies.map((r) => r.text)).toEqual([t('en', 'errors.unbound')]);
    await w.fake.flushWebhook();
    expect(w.fake.webhookAttempts.every((a) => a.status === 200)).toBe(true);
    // telegraf did not answer anything inside the webhook response.
    expect(w.fake.calls.some((c) => c.viaWebhookReply)).toBe(false);
  });

  it('refuses a missing or wrong secret with 401 and processes nothing', async () => {
    const update = helpUpdate(7002);
    expect(await post(urlA, update)).toBe(401);
    expect(await post(urlA, update, 'wrong-secret-0123456789')).toBe(401);
    expect(await post(urlA, update, `${SECRET}x`)).toBe(401);
    expect(w.fake.messagesTo(7002)).toHaveLength(0);
    // Nothing was recorded either: the same update with the right secret is handled in full.
    expect(await post(urlA, update, SECRET)).toBe(200);
    expect(w.fake.messagesTo(7002)).toHaveLength(1);
    expect(w.fake.messagesTo(7002)[0]!.text!.startsWith(t('en', 'help.titleGuest'))).toBe(true);
  });

  it('refuses a body that is not an update', async () => {
    expect(await post(urlA, { hello: 'world' }, SECRET)).toBe(400);
  });

  it('acts once when two processes get the same update', async () => {
    const update = helpUpdate(7003);
    const statuses = await Promise.all([post(urlA, update, SECRET), post(urlB, update, SECRET), post(urlA, update, SECRET)]);
    expect(statuses).toEqual([200, 200, 200]);
    expect(w.fake.messagesTo(7003)).toHaveLength(1);
    // Each process answers other updates normally.
    expect(await post(urlB, helpUpdate(7003), SECRET)).toBe(200);
    expect(w.fake.messagesTo(7003)).toHaveLength(2);
  });
});

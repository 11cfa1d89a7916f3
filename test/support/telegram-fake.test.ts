import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Input, Markup, Telegraf, TelegramError } from 'telegraf';
import { TelegramFake } from './telegram-fake.js';

/** telegraf types `signal` as the abort-controller polyfill's; node-fetch accepts the native one. */
type TelegrafSignal = NonNullable<Parameters<Telegraf['telegram']['callApi']>[2]>['signal'];

let fake: TelegramFake;
let bot: Telegraf;
let launched: Promise<void> | undefined;

beforeEach(async () => {
  fake = new TelegramFake({ webhookRetryDelayMs: 10 });
  await fake.start();
  bot = new Telegraf(fake.token, { telegram: { apiRoot: fake.apiRoot } });
  launched = undefined;
});

afterEach(async () => {
  if (launched) {
    bot.stop('test over');
    await launched;
  }
  await fake.stop();
});

/** Starts long polling without awaiting launch(), which only resolves when the bot stops. */
function launchPolling(): void {
  launched = bot.launch({ dropPendingUpdates: false });
}

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected a rejection');
}

describe('TelegramFake driven by telegraf', { timeout: 10_000 }, () => {
  it('delivers a command by long polling and records the reply', async () => {
    bot.start((ctx) => ctx.reply(`hello ${ctx.from.first_name}`));
    bot.command('help', (ctx) => ctx.reply('help in group'));
    launchPolling();
    fake.userSendsText({ userId: 42, text: '/start', firstName: 'Li' });
    fake.userSendsText({ userId: 42, chatId: -100500, text: `/help@${fake.botUsername}` });
    await fake.waitUntil(() => fake.sent.length === 2);
    expect(fake.messagesTo(42).map((m) => m.text)).toEqual(['hello Li']);
    expect(fake.messagesTo(-100500)[0]).toMatchObject({ method: 'sendMessage', text: 'help in group' });
    // The next getUpdates confirms both updates through its offset.
    await fake.waitUntil(() => fake.webhook.pendingUpdateCount === 0);
  });

  it('redelivers an update with the same update_id', async () => {
    const seen: number[] = [];
    bot.on('message', (ctx) => void seen.push(ctx.update.update_id));
    launchPolling();
    const update = fake.userSendsText({ userId: 1, text: 'hi' });
    await fake.waitUntil(() => seen.length === 1);
    fake.redeliver(update.update_id);
    await fake.waitUntil(() => seen.length === 2);
    expect(seen).toEqual([update.update_id, update.update_id]);
  });

  it('routes a button press to bot.action and records answerCallbackQuery and the edit', async () => {
    const sent = await bot.telegram.sendMessage(42, 'Attend?', Markup.inlineKeyboard([Markup.button.callback('Yes', 'rsvp:yes')]));
    bot.action('rsvp:yes', async (ctx) => {
      await ctx.answerCbQuery('Noted');
      await ctx.editMessageText('Attending');
    });
    launchPolling();
    fake.userPressesButton({ userId: 42, chatId: 42, messageId: sent.message_id, data: 'rsvp:yes' });
    await fake.waitUntil(() => fake.sent.length === 2);
    expect(fake.callbackAnswers).toMatchObject([{ text: 'Noted', showAlert: false }]);
    expect(fake.sent[1]).toMatchObject({ method: 'editMessageText', messageId: sent.message_id, text: 'Attending', replyMarkup: undefined });
  });

  it('receives sendDocument as multipart with the bytes, and serves files users send', async () => {
    const csv = Buffer.from('name,phone\n张三,123\n');
    await bot.telegram.sendDocument(7, Input.fromBuffer(csv, 'members.csv'), { caption: 'export' });
    expect(fake.sent[0]).toMatchObject({ method: 'sendDocument', chatId: '7', text: 'export', document: { filename: 'members.csv', mimeType: 'text/csv' } });
    expect(fake.sent[0]!.document!.data.equals(csv)).toBe(true);

    const downloaded: Buffer[] = [];
    bot.on('document', async (ctx) => {
      const link = await ctx.telegram.getFileLink(ctx.message.document.file_id);
      downloaded.push(Buffer.from(await (await fetch(link)).arrayBuffer()));
    });
    launchPolling();
    const bytes = Buffer.from([0, 1, 2, 255]);
    fake.userSendsDocument({ userId: 7, fileName: 'staff.xlsx', mimeType: 'application/octet-stream', data: bytes });
    await fake.waitUntil(() => downloaded.length === 1);
    expect(downloaded[0]!.equals(bytes)).toBe(true);
  });

  it('surfaces 429 as a TelegramError with parameters.retry_after, without applying the send', async () => {
    fake.rateLimit({ retryAfter: 3, count: 1 });
    const error = await rejection(bot.telegram.sendMessage(5, 'one'));
    expect(error).toBeInstanceOf(TelegramError);
    expect((error as TelegramError).code).toBe(429);
    expect((error as TelegramError).parameters?.retry_after).toBe(3);
    expect((error as TelegramError).description).toBe('Too Many Requests: retry after 3');
    expect(fake.sent).toHaveLength(0);
    await bot.telegram.sendMessage(5, 'two');
    expect(fake.sent).toHaveLength(1);
  });

  it('surfaces a blocked user as 403 and an unknown chat as 400', async () => {
    fake.blockUser(9);
    fake.unknownChat(10);
    const blocked = (await rejection(bot.telegram.sendMessage(9, 'hi'))) as TelegramError;
    expect([blocked.code, blocked.description]).toEqual([403, 'Forbidden: bot was blocked by the user']);
    const unknown = (await rejection(bot.telegram.sendMessage(10, 'hi'))) as TelegramError;
    expect([unknown.code, unknown.description]).toEqual([400, 'Bad Request: chat not found']);
  });

  it('validates like Telegram', async () => {
    const describeError = async (p: Promise<unknown>): Promise<string> => {
      const e = (await rejection(p)) as TelegramError;
      return `${e.code} ${e.description}`;
    };
    expect(await describeError(bot.telegram.sendMessage(1, ' '))).toBe('400 Bad Request: message text is empty');
    expect(await describeError(bot.telegram.sendMessage(1, '字'.repeat(4097)))).toBe('400 Bad Request: message is too long');
    await bot.telegram.sendMessage(1, '😀'.repeat(2048)); // 4096 UTF-16 units exactly
    expect(await describeError(bot.telegram.sendMessage(1, 'x', Markup.inlineKeyboard([Markup.button.callback('b', 'd'.repeat(65))]))))
      .toBe('400 Bad Request: BUTTON_DATA_INVALID');
    expect(await describeError(bot.telegram.sendMessage(1, 'abc', { entities: [{ type: 'bold', offset: 1, length: 3 }] })))
      .toBe("400 Bad Request: can't parse entities");
    expect(await describeError(bot.telegram.callApi('noSuchMethod' as 'getMe', {}))).toBe('404 Not Found: method not found');
    expect(await describeError(bot.telegram.callApi('toString' as 'getMe', {}))).toBe('404 Not Found: method not found');
    const wrongToken = new Telegraf('1:wrong', { telegram: { apiRoot: fake.apiRoot } });
    expect(await describeError(wrongToken.telegram.getMe())).toBe('401 Unauthorized');
  });

  it('applies a send whose answer is lost, while telegraf sees a network error', async () => {
    fake.loseAnswers({ count: 1 });
    const error = (await rejection(bot.telegram.sendMessage(3, 'maybe'))) as Error;
    expect(error).not.toBeInstanceOf(TelegramError);
    expect(error.name).toBe('FetchError');
    expect(fake.messagesTo(3).map((m) => m.text)).toEqual(['maybe']);
  });

  it('lets a caller time out a slow send with callApi and a signal; the send still lands', async () => {
    fake.delay(300);
    const error = (await rejection(bot.telegram.callApi('sendMessage', { chat_id: 3, text: 'slow' }, { signal: AbortSignal.timeout(50) as unknown as TelegrafSignal }))) as Error;
    expect(error.name).toBe('AbortError');
    await fake.waitUntil(() => fake.sent.length === 1);
  });

  it('holds getUpdates for its timeout and answers as soon as an update arrives', async () => {
    const t0 = Date.now();
    expect(await bot.telegram.callApi('getUpdates', { timeout: 1 })).toEqual([]);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(950);
    const waiting = bot.telegram.callApi('getUpdates', { timeout: 30 });
    setTimeout(() => fake.userSendsText({ userId: 2, text: 'wake' }), 50);
    const updates = await waiting;
    expect(updates).toHaveLength(1);
    expect(Date.now() - t0).toBeLessThan(2_000);
  });

  it('stores commands per scope and language', async () => {
    await bot.telegram.setMyCommands([{ command: 'rsvp', description: '回复' }], { scope: { type: 'all_private_chats' }, language_code: 'zh' });
    expect(fake.commandsFor({ type: 'all_private_chats' }, 'zh')).toEqual([{ command: 'rsvp', description: '回复' }]);
    expect(await bot.telegram.getMyCommands({ scope: { type: 'all_private_chats' }, language_code: 'zh' })).toHaveLength(1);
    expect(await bot.telegram.getMyCommands()).toEqual([]);
    await expect(bot.telegram.setMyCommands([{ command: 'Bad-Name', description: 'x' }])).rejects.toThrow('BOT_COMMAND_INVALID');
  });

  it('enforces flood limits when asked, refusing and counting excess sends', async () => {
    fake.enforceLimits({ perChatPerSecond: 1 });
    await bot.telegram.sendMessage(11, 'first');
    const error = (await rejection(bot.telegram.sendMessage(11, 'second'))) as TelegramError;
    expect([error.code, error.parameters?.retry_after]).toEqual([429, 1]);
    await bot.telegram.sendMessage(12, 'other chat');
    expect([fake.rejected429, fake.acceptedAt.length, fake.sent.length]).toEqual([1, 2, 2]);
  });

  it('takes 1,000 concurrent sends quickly', async () => {
    const t0 = performance.now();
    for (let batch = 0; batch < 20; batch++) {
      await Promise.all(Array.from({ length: 50 }, (_, i) => bot.telegram.sendMessage(1000 + i, `m${batch}`)));
    }
    expect(fake.sent).toHaveLength(1_000);
    expect(fake.messagesTo(1000).map((m) => m.messageId)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
    expect(performance.now() - t0).toBeLessThan(8_000);
  });
});

describe('TelegramFake webhook mode', { timeout: 10_000 }, () => {
  let hookServer: Server;
  let seen: Array<{ headers: IncomingHttpHeaders; status: number }>;
  let failFirst: number;

  beforeEach(async () => {
    seen = [];
    failFirst = 0;
    const callback = bot.webhookCallback('/hook', { secretToken: 's3cret' });
    hookServer = createServer((req, res) => {
      if (failFirst-- > 0) {
        seen.push({ headers: req.headers, status: 500 });
        res.writeHead(500).end();
        return;
      }
      res.on('finish', () => seen.push({ headers: req.headers, status: res.statusCode }));
      void callback(req, res);
    });
    await new Promise<void>((resolve) => hookServer.listen(0, '127.0.0.1', resolve));
  });

  afterEach(async () => {
    await fake.flushWebhook();
    await new Promise((resolve) => hookServer.close(resolve));
  });

  const hookUrl = (): string => `http://127.0.0.1:${(hookServer.address() as AddressInfo).port}/hook`;

  it('POSTs updates with the secret header and runs the method telegraf answers in the body', async () => {
    const sent = await bot.telegram.sendMessage(8, 'pick', Markup.inlineKeyboard([Markup.button.callback('A', 'a')]));
    bot.action('a', (ctx) => ctx.answerCbQuery('got it'));
    await bot.telegram.setWebhook(hookUrl(), { secret_token: 's3cret' });
    expect(fake.webhook).toMatchObject({ url: hookUrl(), secretToken: 's3cret' });
    fake.userPressesButton({ userId: 8, chatId: 8, messageId: sent.message_id, data: 'a' });
    await fake.flushWebhook();
    expect(seen[0]!.headers['x-telegram-bot-api-secret-token']).toBe('s3cret');
    // telegraf answered answerCbQuery in the webhook response body, not by an API call.
    expect(fake.callbackAnswers).toMatchObject([{ text: 'got it' }]);
    expect(fake.calls.filter((c) => c.method === 'answerCallbackQuery')).toMatchObject([{ viaWebhookReply: true }]);
    expect((await bot.telegram.getWebhookInfo()).pending_update_count).toBe(0);
  });

  it('retries a failing webhook and refuses getUpdates while it is set', async () => {
    bot.on('message', (ctx) => ctx.reply('pong'));
    await bot.telegram.setWebhook(hookUrl(), { secret_token: 's3cret' });
    failFirst = 2;
    fake.userSendsText({ userId: 4, text: 'ping' });
    await fake.flushWebhook();
    expect(seen.map((s) => s.status)).toEqual([500, 500, 200]);
    expect(fake.messagesTo(4).map((m) => m.text)).toEqual(['pong']);
    const conflict = (await rejection(bot.telegram.callApi('getUpdates', {}))) as TelegramError;
    expect(conflict.code).toBe(409);
    await bot.telegram.deleteWebhook();
    expect(fake.webhook.url).toBe('');
  });
});

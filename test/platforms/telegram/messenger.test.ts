import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { TelegramError } from 'telegraf';
import { DeliveryError, type DeliveryFailure } from '../../../src/core/delivery-errors.js';
import { createTelegramMessenger, type TelegramMessenger } from '../../../src/platforms/telegram/messenger.js';
import { deliveryFailureOf } from '../../../src/platforms/telegram/delivery-failure.js';
import { TelegramFake } from '../../support/telegram-fake.js';

let fake: TelegramFake;
let messenger: TelegramMessenger;
const alice = { chatId: '4201', kind: 'private' as const };

async function failure(p: Promise<unknown>): Promise<DeliveryFailure> {
  try {
    await p;
  } catch (err) {
    expect(err).toBeInstanceOf(DeliveryError);
    return (err as DeliveryError).failure;
  }
  throw new Error('expected a DeliveryError');
}

/** A port nothing listens on: the connection is refused before a byte is written. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

beforeAll(async () => {
  fake = new TelegramFake();
  await fake.start();
  messenger = createTelegramMessenger({ token: fake.token, apiRoot: fake.apiRoot, timeoutMs: 2_000 });
});

afterAll(async () => {
  await fake.stop();
});

beforeEach(() => {
  fake.clearFaults();
  fake.enforceLimits(false);
  fake.sent.length = 0;
});

describe('TelegramMessenger.send', { timeout: 20_000 }, () => {
  it('sends plain text as entities-free text, never with parse_mode, and returns the message id', async () => {
    const text = '<b>not bold</b> *not bold* _x_ [a](b)';
    const { messageId } = await messenger.send(alice, { text });
    expect(fake.sent).toMatchObject([{ method: 'sendMessage', chatId: '4201', text, parseMode: undefined, messageId: Number(messageId) }]);
  });

  it('splits long text, skips whitespace-only chunks and puts the buttons on the last part', async () => {
    const text = `${'a'.repeat(4000)}${' '.repeat(4200)}b`;
    await messenger.send(alice, { text, buttons: [[{ label: '收到', data: 'n:ack:1' }, { label: 'Web', url: 'https://example.org/x' }]] });
    expect(fake.sent.map((s) => s.text!.trim())).toEqual(['a'.repeat(4000), 'b']);
    expect(fake.sent[0]!.replyMarkup).toBeUndefined();
    expect(fake.sent[1]!.replyMarkup).toEqual({
      inline_keyboard: [[{ text: '收到', callback_data: 'n:ack:1', hide: false }, { text: 'Web', url: 'https://example.org/x', hide: false }]],
    });
  });

  it('sends a file as a document with the text as caption, or the text first when it is long', async () => {
    const data = Buffer.from('name,phone\n张三,1\n');
    await messenger.send(alice, { text: 'export', file: { name: 'members.csv', mimeType: 'text/csv', data }, buttons: [[{ label: 'ok', data: 'x' }]] });
    expect(fake.sent).toMatchObject([{ method: 'sendDocument', text: 'export', document: { filename: 'members.csv' } }]);
    expect(fake.sent[0]!.document!.data.equals(data)).toBe(true);
    expect(fake.sent[0]!.replyMarkup).toMatchObject({ inline_keyboard: [[{ callback_data: 'x' }]] });
    fake.sent.length = 0;
    await messenger.send(alice, { text: '字'.repeat(2000), file: { name: 'a.ics', mimeType: 'text/calendar', data } });
    expect(fake.sent.map((s) => s.method)).toEqual(['sendMessage', 'sendDocument']);
    expect(fake.sent[1]!.text).toBe('');
  });

  it('refuses a message with nothing to send', async () => {
    expect(await failure(messenger.send(alice, { text: '  \n ' }))).toMatchObject({ kind: 'rejected' });
  });

  it('waits out a rate limit on a later part itself, so no part is sent twice', async () => {
    fake.enforceLimits({ perChatPerSecond: 1, scale: 20 }); // one send per 50 ms per chat
    await messenger.send(alice, { text: ['x'.repeat(4000), 'y'.repeat(4090), 'z'.repeat(10)].join('\n') });
    expect(fake.rejected429).toBeGreaterThan(0);
    expect(fake.sent.map((s) => s.text![0])).toEqual(['x', 'y', 'z']);
  });
});

describe('TelegramMessenger.edit', { timeout: 20_000 }, () => {
  it('replaces text and buttons, removes buttons, and treats a repeated edit as done', async () => {
    const { messageId } = await messenger.send(alice, { text: 'Attend?', buttons: [[{ label: 'Yes', data: 'r:y' }]] });
    await messenger.edit(alice, messageId, { text: 'Attending ✓', buttons: [[{ label: 'Cancel', data: 'r:n' }]] });
    await messenger.edit(alice, messageId, { text: 'Attending ✓', buttons: [[{ label: 'Cancel', data: 'r:n' }]] });
    await messenger.edit(alice, messageId, { text: '', buttons: [] });
    expect(fake.sent.map((s) => [s.method, s.text, JSON.stringify(s.replyMarkup ?? null)])).toEqual([
      ['sendMessage', 'Attend?', JSON.stringify({ inline_keyboard: [[{ text: 'Yes', callback_data: 'r:y', hide: false }]] })],
      ['editMessageText', 'Attending ✓', JSON.stringify({ inline_keyboard: [[{ text: 'Cancel', callback_data: 'r:n', hide: false }]] })],
      ['editMessageReplyMarkup', undefined, 'null'],
    ]);
  });

  it('reports an edit of a message that does not exist as rejected', async () => {
    expect(await failure(messenger.edit(alice, '999999', { text: 'x' }))).toMatchObject({ kind: 'rejected' });
  });
});

describe('TelegramMessenger failures', { timeout: 20_000 }, () => {
  it('429 → rate-limited with retryAfterMs, and nothing applied', async () => {
    fake.rateLimit({ retryAfter: 3, count: 1 });
    expect(await failure(messenger.send(alice, { text: 'hi' }))).toEqual({ kind: 'rate-limited', retryAfterMs: 3000 });
    expect(fake.sent).toHaveLength(0);
  });

  it('403 blocked and 400 chat not found → unreachable', async () => {
    fake.blockUser(77);
    fake.unknownChat(78);
    expect(await failure(messenger.send({ chatId: '77', kind: 'private' }, { text: 'hi' }))).toEqual({ kind: 'unreachable', reason: 'Forbidden: bot was blocked by the user' });
    expect(await failure(messenger.send({ chatId: '78', kind: 'private' }, { text: 'hi' }))).toEqual({ kind: 'unreachable', reason: 'Bad Request: chat not found' });
  });

  it('other 400 → rejected', async () => {
    const f = await failure(messenger.send(alice, { text: 'x', buttons: [[{ label: 'b', data: 'd'.repeat(65) }]] }));
    expect(f).toEqual({ kind: 'rejected', reason: '400 Bad Request: BUTTON_DATA_INVALID' });
  });

  it('connection refused → not-sent', async () => {
    const offline = createTelegramMessenger({ token: fake.token, apiRoot: `http://127.0.0.1:${await closedPort()}`, timeoutMs: 2_000 });
    expect(await failure(offline.send(alice, { text: 'hi' }))).toMatchObject({ kind: 'not-sent', reason: 'connection failed: ECONNREFUSED' });
  });

  it('no answer in time → uncertain, while the send still lands', async () => {
    const impatient = createTelegramMessenger({ token: fake.token, apiRoot: fake.apiRoot, timeoutMs: 50 });
    fake.delay(300);
    expect(await failure(impatient.send(alice, { text: 'slow' }))).toMatchObject({ kind: 'uncertain' });
    await fake.waitUntil(() => fake.sent.length === 1);
  });

  it('socket hang up after the send → uncertain', async () => {
    fake.loseAnswers({ count: 1 });
    expect(await failure(messenger.send(alice, { text: 'maybe' }))).toMatchObject({ kind: 'uncertain', reason: expect.stringContaining('ECONNRESET') });
    expect(fake.sent.map((s) => s.text)).toEqual(['maybe']);
  });

  it('a lost answer on a later part → uncertain, naming how much arrived', async () => {
    fake.loseAnswers({ count: 1, methods: ['sendDocument'] });
    const f = await failure(messenger.send(alice, { text: 'z'.repeat(3000), file: { name: 'r.csv', mimeType: 'text/csv', data: Buffer.from('a') } }));
    expect(f).toMatchObject({ kind: 'uncertain', reason: expect.stringContaining('1 of 2 parts arrived') });
  });

  it('maps the other unreachable answers Telegram gives, and 5xx as uncertain', () => {
    const err = (code: number, description: string) => new TelegramError({ error_code: code, description });
    expect(deliveryFailureOf(err(403, 'Forbidden: user is deactivated')).kind).toBe('unreachable');
    expect(deliveryFailureOf(err(403, 'Forbidden: bot was kicked from the group chat')).kind).toBe('unreachable');
    expect(deliveryFailureOf(err(400, 'Bad Request: group chat was upgraded to a supergroup chat')).kind).toBe('unreachable');
    expect(deliveryFailureOf(err(400, 'Bad Request: message is too long')).kind).toBe('rejected');
    expect(deliveryFailureOf(err(502, 'Bad Gateway')).kind).toBe('uncertain');
    expect(deliveryFailureOf(err(401, 'Unauthorized')).kind).toBe('not-sent');
  });
});

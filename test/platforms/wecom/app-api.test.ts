import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createServer } from 'node:net';
import type { Redis } from 'ioredis';
import { testRedis } from '../../support/harness.js';
import { WecomApiFake } from '../../support/wecom-api-fake.js';
import { createLogger } from '../../../src/core/logger.js';
import { DeliveryError } from '../../../src/core/delivery-errors.js';
import { WecomAppApi } from '../../../src/platforms/wecom/app-api.js';
import { MemberSendLimiter } from '../../../src/platforms/wecom/app-rate-limit.js';
import { createWecomMessenger } from '../../../src/platforms/wecom/messenger.js';

let redis: Redis;
let api: WecomApiFake;
let clock: number;
const now = () => clock;

let logged: { level: string; msg: string }[];
function appApi(root = api.url, limiter = new MemberSendLimiter(redis, { now })) {
  const logger = createLogger('silent');
  logger.error = ((_o: unknown, msg: string) => logged.push({ level: 'error', msg })) as unknown as typeof logger.error;
  return new WecomAppApi({ apiRoot: root, corpId: api.corpId, agentId: api.agentId, secret: 'corp-secret-test', limiter, redis, logger, timeoutMs: 2_000 });
}

async function failureOf(sending: Promise<unknown>) {
  const err = await sending.then(() => undefined, (e: unknown) => e);
  expect(err).toBeInstanceOf(DeliveryError);
  return (err as DeliveryError).failure;
}

beforeAll(() => {
  redis = testRedis().redis;
});
beforeEach(() => {
  logged = [];
});
afterAll(() => redis.disconnect());
beforeEach(async () => {
  clock = Date.UTC(2026, 11, 1, 2);
  api = await WecomApiFake.start({ now });
});
afterEach(() => api.close());

describe('WeCom app API', () => {
  it('sends text to a member, fetching the token once and renewing it on 42001 and 40014', async () => {
    const messenger = createWecomMessenger({ app: appApi() });
    const sent = await messenger.send({ kind: 'private', chatId: 'zhangsan' }, { text: '您的社情民意信息已被采用' });
    expect(sent.messageId).toMatch(/^msgid-/);
    expect(api.deliveredTo('zhangsan')[0]?.body).toMatchObject({ msgtype: 'text', agentid: api.agentId, text: { content: '您的社情民意信息已被采用' } });
    await messenger.send({ kind: 'private', chatId: 'zhangsan' }, { text: '二' });
    expect(api.tokenRequests).toBe(1);

    api.expireTokens();
    await messenger.send({ kind: 'private', chatId: 'zhangsan' }, { text: '三' });
    api.forgetTokens();
    await messenger.send({ kind: 'private', chatId: 'zhangsan' }, { text: '四' });
    expect(api.tokenRequests).toBe(3);
    expect(api.deliveredTo('zhangsan').map((m) => (m.body.text as { content: string }).content)).toEqual(['您的社情民意信息已被采用', '二', '三', '四']);
    // No access token ever leaves in an error or a body.
    expect(JSON.stringify(api.delivered)).not.toContain('token-');
  });

  it('never lets WeCom drop a message: the 31st in a minute waits, the window frees later', async () => {
    const messenger = createWecomMessenger({ app: appApi() });
    for (let i = 0; i < 30; i++) await messenger.send({ kind: 'private', chatId: 'lisi' }, { text: `提醒 ${i}` });
    const failure = await failureOf(messenger.send({ kind: 'private', chatId: 'lisi' }, { text: '第31条' }));
    expect(failure).toMatchObject({ kind: 'rate-limited' });
    const wait = (failure as { retryAfterMs: number }).retryAfterMs;
    expect(wait).toBeGreaterThan(59_000);
    expect(wait).toBeLessThanOrEqual(61_000);
    // Another member is not held up.
    await messenger.send({ kind: 'private', chatId: 'wangwu' }, { text: '你好' });
    clock += wait;
    await messenger.send({ kind: 'private', chatId: 'lisi' }, { text: '第31条' });
    expect(api.deliveredTo('lisi')).toHaveLength(31);
    expect(api.droppedCount).toBe(0);
  });

  it('respects 1000 per hour', async () => {
    const limiter = new MemberSendLimiter(redis, { now });
    for (let minute = 0; minute < 34; minute++) {
      for (let i = 0; i < (minute < 33 ? 30 : 10); i++) expect((await limiter.reserve('zhaoliu', 1)).granted).toBe(true);
      clock += 61_001;
    }
    const refused = await limiter.reserve('zhaoliu', 1);
    expect(refused).toMatchObject({ granted: false });
    // The oldest send frees the hour 3601 s after it was made.
    expect((refused as { retryAfterMs: number }).retryAfterMs).toBe(3_601_000 - 34 * 61_001);
  });

  it('maps WeCom errors to delivery failures', async () => {
    const messenger = createWecomMessenger({ app: appApi() });
    const to = { kind: 'private' as const, chatId: 'zhangsan' };
    api.failNext(45009, 'api freq out of limit');
    expect(await failureOf(messenger.send(to, { text: 'x' }))).toEqual({ kind: 'rate-limited', retryAfterMs: 60_000 });
    api.failNext(45033, 'api concurrent out of limit');
    expect(await failureOf(messenger.send(to, { text: 'x' }))).toMatchObject({ kind: 'rate-limited' });
    api.failNext(60111, 'userid not found');
    expect(await failureOf(messenger.send(to, { text: 'x' }))).toMatchObject({ kind: 'unreachable' });
    api.unknownUsers.add('ghost');
    expect(await failureOf(messenger.send({ kind: 'private', chatId: 'ghost' }, { text: 'x' }))).toMatchObject({ kind: 'unreachable' });
    api.failNext(44004, 'empty content');
    expect(await failureOf(messenger.send(to, { text: 'x' }))).toMatchObject({ kind: 'rejected' });
    // 60102 says a userid already exists (creating members); it does not make anyone unreachable.
    api.failNext(60102, 'userid existed');
    expect(await failureOf(messenger.send(to, { text: 'x' }))).toMatchObject({ kind: 'rejected' });
    api.loseNextAnswers(1);
    expect(await failureOf(messenger.send(to, { text: '丢失的回答' }))).toMatchObject({ kind: 'uncertain' });
    expect(api.deliveredTo('zhangsan').map((m) => (m.body.text as { content: string }).content)).toEqual(['丢失的回答']);
    api.delayMs = 3_000;
    expect(await failureOf(messenger.send(to, { text: '超时' }))).toMatchObject({ kind: 'uncertain' });
  });

  it('reports not-sent when WeCom cannot be reached', async () => {
    const closed = createServer();
    await new Promise<void>((ok) => closed.listen(0, '127.0.0.1', ok));
    const port = (closed.address() as { port: number }).port;
    await new Promise((ok) => closed.close(ok));
    const messenger = createWecomMessenger({ app: appApi(`http://127.0.0.1:${port}`) });
    expect(await failureOf(messenger.send({ kind: 'private', chatId: 'zhangsan' }, { text: 'x' }))).toMatchObject({ kind: 'not-sent' });
  });

  it('sends long text in pieces under 2048 bytes, buttons as a card, and files', async () => {
    const messenger = createWecomMessenger({ app: appApi() });
    const long = Array.from({ length: 120 }, (_, i) => `第${i}行：本周值班安排`).join('\n');
    await messenger.send({ kind: 'private', chatId: 'sunqi' }, { text: long, buttons: [[{ label: '收到', data: 'nt:ack:3' }]] });
    const got = api.deliveredTo('sunqi');
    const texts = got.filter((m) => m.msgtype === 'text').map((m) => (m.body.text as { content: string }).content);
    expect(texts.length).toBeGreaterThan(1);
    for (const t of texts) expect(Buffer.byteLength(t)).toBeLessThanOrEqual(2048);
    expect(texts.join('\n')).toBe(long);
    expect(got.at(-1)?.body).toMatchObject({ msgtype: 'template_card', template_card: { card_type: 'button_interaction', button_list: [{ key: 'nt:ack:3' }] } });

    await messenger.send({ kind: 'private', chatId: 'sunqi' }, { text: '您的值班日历', file: { name: 'duty.ics', mimeType: 'text/calendar', data: Buffer.from('BEGIN:VCALENDAR') } });
    expect(api.uploads[0]).toMatchObject({ filename: 'duty.ics', data: Buffer.from('BEGIN:VCALENDAR') });
    expect(api.deliveredTo('sunqi').at(-1)?.body).toMatchObject({ msgtype: 'file', file: { media_id: api.uploads[0]?.mediaId } });
  });

  it('retries when WeCom is busy (-1), and waits loudly while our configuration is wrong (60020, 48002, 40056)', async () => {
    const messenger = createWecomMessenger({ app: appApi() });
    const to = { kind: 'private' as const, chatId: 'zhangsan' };
    api.failNext(-1, 'system busy');
    expect(await failureOf(messenger.send(to, { text: '忙' }))).toEqual({ kind: 'rate-limited', retryAfterMs: 5_000 });
    for (const errcode of [60020, 48002, 40056]) {
      api.failNext(errcode, `fake ${errcode}`);
      expect(await failureOf(messenger.send(to, { text: '配置' }))).toEqual({ kind: 'rate-limited', retryAfterMs: 300_000 });
    }
    expect(logged.map((l) => l.msg)).toEqual([
      expect.stringContaining('trusted IPs'), expect.stringContaining('no permission'), expect.stringContaining('WECOM_AGENT_ID'),
    ]);
    await messenger.send(to, { text: '好了' });
    expect(api.deliveredTo('zhangsan').map((m) => (m.body.text as { content: string }).content)).toEqual(['好了']);
  });

  it('asks WeCom to drop repeats, so a send whose answer was lost is retried without reaching the member twice', async () => {
    const messenger = createWecomMessenger({ app: appApi() });
    expect(messenger.duplicateCheckMs).toBe(3_600_000);
    const to = { kind: 'private' as const, chatId: 'zhouqi' };
    const notice = {
      text: '通知 #12：周五下午两点召开专题协商会', buttons: [[{ label: '收到', data: 'nr:12' }]],
      file: { name: 'agenda.txt', mimeType: 'text/plain', data: Buffer.from('会议议程：一、二、三') },
    };
    api.loseNextAnswers(1, '/cgi-bin/message/send');
    expect(await failureOf(messenger.send(to, notice))).toMatchObject({ kind: 'uncertain' });
    // The delivery engine may send again within duplicateCheckMs: every part is the same message.
    await messenger.send(to, notice);
    await messenger.send(to, notice);
    const sends = api.requests.filter((r) => r.path === '/cgi-bin/message/send');
    expect(sends).toHaveLength(5);
    expect(api.deliveredTo('zhouqi').map((m) => m.msgtype)).toEqual(['template_card', 'file']);
    expect(api.duplicatesDropped).toBe(3);
    expect(api.uploads).toHaveLength(1);
    expect(api.deliveredTo('zhouqi')[0]?.body).toMatchObject({ enable_duplicate_check: 1, duplicate_check_interval: 3_600 });
  });

  it('reaches no group without the robot: appchat/send works only for chats the app created', async () => {
    const messenger = createWecomMessenger({ app: appApi() });
    expect(await failureOf(messenger.send({ kind: 'group', chatId: 'wrkRobotGroup' }, { text: '委员读书群通知' }))).toMatchObject({ kind: 'unreachable' });
    expect(api.requests.filter((r) => r.path === '/cgi-bin/appchat/send')).toEqual([]);
  });
});

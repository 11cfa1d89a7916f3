import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { WSClient, generateReqId, type WSClientEventMap, type WSClientOptions, type WsFrame } from '@wecom/aibot-node-sdk';
import { ROBOT_ERRCODES, WecomWsFake } from './wecom-ws-fake.js';
import { WecomApiFake } from './wecom-api-fake.js';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createCallbackSecurity, memoryNonceStore } from '../../src/platforms/wecom/callback-security.js';
import { randomCallbackKeys, textMessageXml } from './wecom-callback-builder.js';

const quiet = { debug() {}, info() {}, warn() {}, error() {} };

let fake: WecomWsFake;
const clients: WSClient[] = [];

function newClient(options: Partial<WSClientOptions> = {}): WSClient {
  const client = new WSClient({
    botId: 'bot-test',
    secret: 'secret-test',
    wsUrl: fake.url,
    logger: quiet,
    reconnectInterval: 50,
    maxReconnectAttempts: -1,
    ...options,
  });
  clients.push(client);
  return client;
}

/** Resolves with the arguments of the next `event` the client emits. */
function next<E extends keyof WSClientEventMap>(client: WSClient, event: E, timeoutMs = 3000) {
  return new Promise<Parameters<WSClientEventMap[E]>>((ok, fail) => {
    const timer = setTimeout(() => fail(new Error(`no ${String(event)} within ${timeoutMs} ms`)), timeoutMs);
    const listener = (...args: Parameters<WSClientEventMap[E]>) => {
      clearTimeout(timer);
      ok(args);
    };
    client.once(event, listener as never);
  });
}

async function connected(options: Partial<WSClientOptions> = {}): Promise<WSClient> {
  const client = newClient(options);
  const authenticated = next(client, 'authenticated');
  client.connect();
  await authenticated;
  return client;
}

beforeEach(async () => {
  fake = await WecomWsFake.start({ replyWindowMs: 1000, streamWindowMs: 1000, perMinute: 5 });
});

afterEach(async () => {
  for (const client of clients.splice(0)) if (client.isConnected) client.disconnect();
  await fake.close();
});

const E = ROBOT_ERRCODES;
/** The errcode a call was answered with (0 when it resolved). */
async function errcodeOf(call: Promise<unknown>): Promise<number> {
  return call.then(() => 0, (answer: { errcode?: number }) => answer.errcode ?? -999);
}
const card = (taskId: string, key = 'ack:42') => ({ card_type: 'button_interaction' as const, main_title: { title: '通知' }, button_list: [{ text: '收到', key }], task_id: taskId });

describe('WeCom WebSocket fake with the real SDK', () => {
  it('subscribes with bot id and secret, and refuses a wrong secret with 853000', async () => {
    await connected();
    expect(fake.isSubscribed()).toBe(true);
    expect(fake.framesOfCmd('aibot_subscribe')[0]?.body).toMatchObject({ bot_id: 'bot-test', secret: 'secret-test' });

    const wrong = newClient({ secret: 'nope', maxAuthFailureAttempts: 0 });
    const errors: Error[] = [];
    wrong.on('error', (e) => errors.push(e));
    wrong.connect();
    await fake.waitForFrame((f) => f.cmd === 'aibot_subscribe' && f.body.secret === 'nope');
    await expect.poll(() => errors.map((e) => e.name)).toContain('WSAuthFailureError');
    expect(errors[0]?.message).toMatch(/Authentication failed.*853000/);
  });

  it('takes one stream reply per message, and refuses a second reply, an unknown req_id and the combined card reply', async () => {
    const client = await connected();
    const received = next(client, 'message.text');
    const sent = fake.userSays({ userid: 'zhangsan', chattype: 'single', text: '/duty 明天' });
    const [frame] = await received;
    expect(frame.headers.req_id).toBe(sent.reqId);
    expect(frame.body).toMatchObject({ msgid: sent.msgid, chattype: 'single', from: { userid: 'zhangsan' }, text: { content: '/duty 明天' } });
    expect(frame.body?.chatid).toBeUndefined();

    const stream = generateReqId('stream');
    await client.replyStream(frame, stream, '**已报名**', false);
    await client.replyStream(frame, stream, '**已报名** 明天 9:00', true);
    const reply = fake.framesOfCmd('aibot_respond_msg')[1]!;
    expect(reply.reqId).toBe(sent.reqId);
    expect(reply.body).toMatchObject({ msgtype: 'stream', stream: { finish: true, content: '**已报名** 明天 9:00' } });
    expect(await errcodeOf(client.replyStream(frame, stream, 'again', true))).toBe(E.alreadyResponded);
    expect(await errcodeOf(client.replyTemplateCard(frame, card('t-late')))).toBe(E.alreadyResponded);
    expect(await errcodeOf(client.replyStream({ headers: { req_id: 'req-forged' } }, stream, 'x', true))).toBe(E.invalidReqId);

    const other = next(client, 'message.text');
    fake.userSays({ userid: 'zhangsan', chattype: 'single', text: '/notice' });
    const [second] = await other;
    expect(await errcodeOf(client.replyStreamWithCard(second, generateReqId('stream'), '通知', true, { templateCard: card('t-combined') }))).toBe(E.invalidMessageType);
  });

  it('lets a stream be updated for its window only (846608 after)', async () => {
    const client = await connected();
    const received = next(client, 'message.text');
    fake.userSays({ userid: 'zhangsan', chattype: 'single', text: '/long' });
    const [frame] = await received;
    const stream = generateReqId('stream');
    await client.replyStream(frame, stream, '正在处理…', false);
    await new Promise((ok) => setTimeout(ok, 1100));
    expect(await errcodeOf(client.replyStream(frame, stream, '处理完了', true))).toBe(E.streamExpired);
  });

  it('puts the @-mention into group messages, gives each message its own msgid, and shows some members under an opaque id', async () => {
    const client = await connected();
    const frames: WsFrame[] = [];
    client.on('message.text', (f) => frames.push(f));
    fake.userSays({ userid: 'lisi', chatid: 'wrkSFfCgAA', chattype: 'group', text: '/help' });
    fake.userSays({ userid: 'lisi', chatid: 'wrkSFfCgAA', chattype: 'group', text: '/help' });
    const opaque = fake.hideUserId('wangwu');
    fake.userSays({ userid: 'wangwu', chattype: 'single', text: 'hi' });
    await expect.poll(() => frames.length).toBe(3);
    expect(frames[0]?.body).toMatchObject({ chattype: 'group', chatid: 'wrkSFfCgAA', text: { content: '@Tongxin /help' } });
    expect(frames[0]?.body.msgid).not.toBe(frames[1]?.body.msgid);
    expect(frames[2]?.body.from.userid).toBe(opaque);
    expect(opaque).toMatch(/^wo[0-9a-f]{30}$/);
  });

  it('replies with a template card and updates it after a press, once, within the window, with a valid card', async () => {
    const client = await connected();
    const received = next(client, 'message.text');
    fake.userSays({ userid: 'wangwu', chattype: 'single', text: '/notice' });
    const [message] = await received;
    await client.replyTemplateCard(message, card('notice-42'));
    expect(fake.framesOfCmd('aibot_respond_msg')[0]?.body).toMatchObject({ msgtype: 'template_card', template_card: { task_id: 'notice-42', button_list: [{ key: 'ack:42' }] } });
    expect(() => fake.userPressesCardButton({ userid: 'wangwu', taskId: 'notice-42', eventKey: 'forged' })).toThrow(/no card/);

    const pressed = next(client, 'event.template_card_event');
    const press = fake.userPressesCardButton({ userid: 'wangwu', taskId: 'notice-42', eventKey: 'ack:42' });
    const [event] = await pressed;
    // The real protocol nests the details; the SDK's types claim event.event_key.
    expect(event.body?.event).toMatchObject({ template_card_event: { event_key: 'ack:42', task_id: 'notice-42' } });
    // 101032: a text notice needs card_action; a button card needs a button; the task id must be the pressed one.
    expect(await errcodeOf(client.updateTemplateCard(event, { card_type: 'text_notice', main_title: { title: '已收到' }, task_id: 'notice-42' }))).toBe(E.invalidParameter);
    expect(await errcodeOf(client.updateTemplateCard(event, { ...card('notice-42'), button_list: [] }))).toBe(E.invalidParameter);
    expect(await errcodeOf(client.updateTemplateCard(event, card('notice-43')))).toBe(E.invalidParameter);
    await client.updateTemplateCard(event, { ...card('notice-42'), main_title: { title: '已收到' } }, ['wangwu']);
    const update = fake.framesOfCmd('aibot_respond_update_msg').at(-1);
    expect(update?.reqId).toBe(press.reqId);
    expect(update?.body).toMatchObject({ response_type: 'update_template_card', template_card: { task_id: 'notice-42' } });
    expect(await errcodeOf(client.updateTemplateCard(event, card('notice-42')))).toBe(E.alreadyResponded);

    const late = next(client, 'event.template_card_event');
    fake.userPressesCardButton({ userid: 'wangwu', taskId: 'notice-42', eventKey: 'ack:42' });
    const [lateEvent] = await late;
    await new Promise((ok) => setTimeout(ok, 1100));
    expect(await errcodeOf(client.updateTemplateCard(lateEvent, card('notice-42')))).toBe(E.invalidReqId);
  });

  it('pushes only into chats that wrote first, with their chat_type, cards to single chats only, within the per-chat limit', async () => {
    const client = await connected();
    const heard = next(client, 'message.text');
    fake.userSays({ userid: 'lisi', chatid: 'wrkSFfCgAA', chattype: 'group', text: '/help' });
    fake.userSays({ userid: 'zhangsan', chattype: 'single', text: '/help' });
    await heard;
    const markdown = (content: string, chat_type?: number) => ({ msgtype: 'markdown', markdown: { content }, ...(chat_type ? { chat_type } : {}) }) as never;
    expect(await errcodeOf(client.sendMessage('wrkNeverTalked', markdown('x', 2)))).toBe(E.invalidParameter);
    expect(await errcodeOf(client.sendMessage('wrkSFfCgAA', markdown('x')))).toBe(E.invalidParameter);
    expect(await errcodeOf(client.sendMessage('wrkSFfCgAA', markdown('x', 1)))).toBe(E.invalidParameter);
    expect(await errcodeOf(client.sendMessage('wrkSFfCgAA', { msgtype: 'template_card', template_card: card('g1'), chat_type: 2 } as never))).toBe(E.invalidParameter);
    expect(await errcodeOf(client.sendMessage('wrkSFfCgAA', markdown('字'.repeat(1400), 2)))).toBe(E.invalidParameter);
    await client.sendMessage('zhangsan', { msgtype: 'template_card', template_card: card('s1'), chat_type: 1 } as never);
    for (let i = 0; i < 5; i++) await client.sendMessage('wrkSFfCgAA', markdown(`# 值班提醒 ${i}`, 2));
    // 101463: 30 a minute per conversation (5 here), pushes and replies together.
    expect(await errcodeOf(client.sendMessage('wrkSFfCgAA', markdown('one too many', 2)))).toBe(E.rateLimited);
    expect(fake.framesOfCmd('aibot_send_msg').find((f) => f.body.chatid === 'wrkSFfCgAA' && f.answer !== 'no-answer' && f.answer.errcode === 0)?.body).toMatchObject({
      chatid: 'wrkSFfCgAA', chat_type: 2, msgtype: 'markdown', markdown: { content: '# 值班提醒 0' },
    });
  });

  it('reports queued errcodes and lost answers', async () => {
    const client = await connected();
    const heard = next(client, 'message.text');
    fake.userSays({ userid: 'zhangsan', chattype: 'single', text: 'hi' });
    await heard;
    fake.answerNext({ errcode: E.rateLimited, errmsg: 'api freq out of limit' }, 'aibot_send_msg');
    // An errcode answer rejects with the answer frame itself, not with an Error.
    await expect(client.sendMessage('zhangsan', { msgtype: 'markdown', markdown: { content: 'x' }, chat_type: 1 } as never)).rejects.toMatchObject({ errcode: E.rateLimited });
    // No answer: the SDK's fixed 5 s ack timeout (a private field, shortened here) rejects with an Error.
    (client as unknown as { wsManager: { replyAckTimeout: number } }).wsManager.replyAckTimeout = 200;
    fake.answerNext('no-answer', 'aibot_send_msg');
    await expect(client.sendMessage('zhangsan', { msgtype: 'markdown', markdown: { content: 'y' }, chat_type: 1 } as never)).rejects.toThrow(/ack timeout/);
    expect(fake.framesOfCmd('aibot_send_msg')).toHaveLength(2);
  });

  it('uploads files of 6 bytes to 20 MB in chunks and sends them by media id', async () => {
    const client = await connected();
    const heard = next(client, 'message.text');
    fake.userSays({ userid: 'zhangsan', chattype: 'single', text: 'hi' });
    await heard;
    await expect(client.uploadMedia(Buffer.from('tiny'), { type: 'file', filename: 'a.txt' })).rejects.toMatchObject({ errcode: E.invalidFileSize });
    const data = Buffer.alloc(600 * 1024, 7);
    const { media_id } = await client.uploadMedia(data, { type: 'file', filename: 'duty.ics' });
    const stored = fake.state().media.get(media_id);
    expect(stored?.filename).toBe('duty.ics');
    expect(stored?.data.equals(data)).toBe(true);
    expect(await errcodeOf(client.sendMessage('zhangsan', { msgtype: 'file', file: { media_id: 'forged' }, chat_type: 1 } as never))).toBe(E.invalidMediaId);
    await client.sendMessage('zhangsan', { msgtype: 'file', file: { media_id }, chat_type: 1 } as never);
  });

  it('lets a second connection with the same bot id kick the first', async () => {
    const first = await connected();
    const kicked = next(first, 'event.disconnected_event');
    const firstDown = next(first, 'disconnected');
    const second = await connected();
    await kicked;
    await firstDown;
    expect(first.isConnected).toBe(false);
    expect(fake.connectionCount).toBe(2);

    const received = next(second, 'message.text');
    fake.userSays({ userid: 'zhangsan', chattype: 'single', text: 'hi' });
    await received;
    // The kicked SDK must not fight back by reconnecting.
    await new Promise((ok) => setTimeout(ok, 300));
    expect(fake.connectionCount).toBe(2);
  });

  it('reconnects after the connection drops', async () => {
    const client = await connected();
    const down = next(client, 'disconnected');
    const back = next(client, 'authenticated');
    fake.dropConnection();
    await down;
    await back;
    expect(fake.connectionCount).toBe(2);
    const received = next(client, 'message.text');
    fake.userSays({ userid: 'zhangsan', chattype: 'single', text: 'still there?' });
    expect((await received)[0].body?.text.content).toBe('still there?');
  });

  it('answers one welcome reply to enter_chat', async () => {
    const client = await connected();
    const entered = next(client, 'event.enter_chat');
    fake.userEntersChat({ userid: 'zhaoliu' });
    const [event] = await entered;
    await client.replyWelcome(event, { msgtype: 'text', text: { content: '欢迎' } });
    expect(fake.framesOfCmd('aibot_respond_welcome_msg')[0]?.body).toMatchObject({ text: { content: '欢迎' } });
    expect(await errcodeOf(client.replyWelcome(event, { msgtype: 'text', text: { content: '欢迎' } }))).toBe(E.alreadyResponded);
  });
});

describe('WeCom HTTP API fake', () => {
  let api: WecomApiFake;
  let clock = Date.UTC(2025, 5, 1);
  beforeEach(async () => {
    clock = Date.UTC(2025, 5, 1);
    api = await WecomApiFake.start({ now: () => clock });
  });
  afterEach(() => api.close());

  async function call(path: string, body?: unknown, init: RequestInit = {}) {
    const response = await fetch(`${api.url}${path}`, {
      method: body === undefined ? 'GET' : 'POST',
      body: body === undefined ? undefined : JSON.stringify(body),
      ...init,
    });
    return (await response.json()) as { errcode: number; errmsg: string; [field: string]: unknown };
  }
  async function token(): Promise<string> {
    const answer = await call(`/cgi-bin/gettoken?corpid=${api.corpId}&corpsecret=corp-secret-test`);
    expect(answer).toMatchObject({ errcode: 0, expires_in: 7200 });
    return String(answer.access_token);
  }
  const text = (touser: string, content = '值班提醒') => ({ touser, msgtype: 'text', agentid: api.agentId, text: { content } });

  it('issues tokens, sends messages and answers token errors', async () => {
    expect(await call(`/cgi-bin/gettoken?corpid=${api.corpId}&corpsecret=wrong`)).toMatchObject({ errcode: 40001 });
    const t = await token();
    expect(await call(`/cgi-bin/message/send?access_token=${t}`, text('zhangsan'))).toMatchObject({ errcode: 0, invaliduser: '' });
    // 90248: appchat/send reaches only chats the app created.
    expect(await call(`/cgi-bin/appchat/send?access_token=${t}`, { chatid: 'wrkRobotGroup', msgtype: 'markdown', markdown: { content: '**x**' } }))
      .toMatchObject({ errcode: 86003 });
    api.appChats.add('c1');
    expect(await call(`/cgi-bin/appchat/send?access_token=${t}`, { chatid: 'c1', msgtype: 'markdown', markdown: { content: '**x**' } }))
      .toMatchObject({ errcode: 0 });
    expect(api.deliveredTo('zhangsan')).toHaveLength(1);
    expect(api.deliveredTo('c1')[0]?.msgtype).toBe('markdown');

    api.expireTokens();
    expect(await call(`/cgi-bin/message/send?access_token=${t}`, text('zhangsan'))).toMatchObject({ errcode: 42001 });
    api.forgetTokens();
    expect(await call(`/cgi-bin/message/send?access_token=${t}`, text('zhangsan'))).toMatchObject({ errcode: 40014 });
    clock += 7201_000;
    const expired = await token();
    clock += 7201_000;
    expect(await call(`/cgi-bin/message/send?access_token=${expired}`, text('zhangsan'))).toMatchObject({ errcode: 42001 });
    expect(api.delivered).toHaveLength(2);
  });

  it('fails on request, refuses unknown members, drops beyond 30 per minute', async () => {
    const t = await token();
    api.failNext(45009, 'api freq out of limit');
    expect(await call(`/cgi-bin/message/send?access_token=${t}`, text('a'))).toMatchObject({ errcode: 45009 });
    api.unknownUsers.add('ghost');
    expect(await call(`/cgi-bin/message/send?access_token=${t}`, text('ghost'))).toMatchObject({ errcode: 81013 });
    expect(await call(`/cgi-bin/message/send?access_token=${t}`, text('ghost|a'))).toMatchObject({ errcode: 0, invaliduser: 'ghost' });
    expect(api.delivered).toHaveLength(1);

    for (let i = 0; i < 31; i++) {
      expect(await call(`/cgi-bin/message/send?access_token=${t}`, text('b', `n${i}`))).toMatchObject({ errcode: 0 });
    }
    expect(api.deliveredTo('b')).toHaveLength(30);
    expect(api.droppedCount).toBe(1);
    clock += 61_000;
    await call(`/cgi-bin/message/send?access_token=${t}`, text('b'));
    expect(api.deliveredTo('b')).toHaveLength(31);
  });

  it('loses answers after applying, delays answers, and takes file uploads', async () => {
    const t = await token();
    api.loseNextAnswers(1);
    await expect(call(`/cgi-bin/message/send?access_token=${t}`, text('a'))).rejects.toThrow();
    expect(api.deliveredTo('a')).toHaveLength(1);
    api.delayMs = 300;
    await expect(call(`/cgi-bin/message/send?access_token=${t}`, text('a'), { signal: AbortSignal.timeout(50) })).rejects.toThrow();
    api.delayMs = 0;
    expect(api.deliveredTo('a')).toHaveLength(2);

    const form = new FormData();
    form.append('media', new Blob([Buffer.from('BEGIN:VCALENDAR')]), 'duty.ics');
    const upload = await fetch(`${api.url}/cgi-bin/media/upload?access_token=${t}&type=file`, { method: 'POST', body: form });
    const uploaded = (await upload.json()) as { errcode: number; media_id: string };
    expect(uploaded.errcode).toBe(0);
    expect(api.uploads[0]).toMatchObject({ filename: 'duty.ics', data: Buffer.from('BEGIN:VCALENDAR') });
    const file = { touser: 'a', msgtype: 'file', agentid: api.agentId, file: { media_id: uploaded.media_id } };
    expect(await call(`/cgi-bin/message/send?access_token=${t}`, file)).toMatchObject({ errcode: 0 });
  });

  it('drops an identical repeat within duplicate_check_interval when asked to, and checks cards', async () => {
    const t = await token();
    const checked = (content: string, interval = 600) => ({ ...text('a', content), enable_duplicate_check: 1, duplicate_check_interval: interval });
    expect(await call(`/cgi-bin/message/send?access_token=${t}`, checked('一'))).toMatchObject({ errcode: 0 });
    expect(await call(`/cgi-bin/message/send?access_token=${t}`, checked('一'))).toMatchObject({ errcode: 0 });
    expect(await call(`/cgi-bin/message/send?access_token=${t}`, text('a', '一'))).toMatchObject({ errcode: 0 });
    expect(api.deliveredTo('a')).toHaveLength(2);
    expect(api.duplicatesDropped).toBe(1);
    clock += 601_000;
    expect(await call(`/cgi-bin/message/send?access_token=${t}`, checked('一'))).toMatchObject({ errcode: 0 });
    expect(api.deliveredTo('a')).toHaveLength(3);
    expect(await call(`/cgi-bin/message/send?access_token=${t}`, checked('二', 5 * 3600))).toMatchObject({ errcode: 40058 });

    const cardBody = (card: object) => ({ touser: 'a', msgtype: 'template_card', agentid: api.agentId, template_card: card });
    expect(await call(`/cgi-bin/message/send?access_token=${t}`, cardBody({ card_type: 'text_notice', main_title: { title: '通知' }, task_id: 't1' }))).toMatchObject({ errcode: 40058 });
    expect(await call(`/cgi-bin/message/send?access_token=${t}`, cardBody({ card_type: 'button_interaction', main_title: { title: '通知' }, button_list: [{ text: '收到', key: 'k' }], task_id: 'bad id!' })))
      .toMatchObject({ errcode: 40058 });
    expect(await call(`/cgi-bin/message/send?access_token=${t}`, cardBody({ card_type: 'button_interaction', main_title: { title: '通知' }, button_list: [{ text: '收到', key: 'k' }], task_id: 't2' })))
      .toMatchObject({ errcode: 0 });
  });

  it('posts genuine callbacks that callback-security opens', async () => {
    const keys = randomCallbackKeys(api.corpId);
    const security = createCallbackSecurity({ ...keys, nonces: memoryNonceStore() });
    const opened: string[] = [];
    const webhook = createServer(async (req, res) => {
      const chunks: Buffer[] = [];
      for await (const chunk of req) chunks.push(chunk as Buffer);
      const query = Object.fromEntries(new URL(req.url ?? '/', 'http://x').searchParams);
      const message = await security.openCallback(query, Buffer.concat(chunks)).catch(() => undefined);
      if (message) opened.push(message.Content ?? '');
      res.statusCode = message ? 200 : 400;
      res.end(message ? 'success' : 'refused');
    });
    await new Promise<void>((ok) => webhook.listen(0, '127.0.0.1', ok));
    const target = `http://127.0.0.1:${(webhook.address() as AddressInfo).port}/wecom/callback`;
    const response = await api.postCallback(target, keys, textMessageXml({ from: 'zhangsan', content: '/myrecord' }));
    expect(await response.text()).toBe('success');
    expect(opened).toEqual(['/myrecord']);
    await new Promise((ok) => webhook.close(ok));
  });
});

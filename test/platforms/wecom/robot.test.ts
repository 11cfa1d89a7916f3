import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { DATABASE_KINDS } from '../../support/db.js';
import { features } from '../../../handlers/index.js';
import { buttonData, type Feature } from '../../../src/router/types.js';
import { DeliveryError } from '../../../src/core/delivery-errors.js';
import { ROBOT_ERRCODES } from '../../support/wecom-ws-fake.js';
import { startWecom } from '../../../src/platforms/wecom/index.js';
import { WSClient } from '@wecom/aibot-node-sdk';
import { appOf, expectNoRefusals, frameOf, shownText, startRig, type Rig } from './rig.js';

/** Test-only commands: a card whose press updates it, a long text with buttons, and one that waits until let go. */
let release: (() => void) | undefined;
const probe: Feature = {
  name: 'probe',
  commands: [
    { name: 'probe', role: 'member', usageKey: 'help.usage', run: async () => ({ text: '请确认', buttons: [[{ label: '收到', data: buttonData('probe', 'ack', 1) }]] }) },
    {
      name: 'probelong', role: 'member', usageKey: 'help.usage',
      run: async () => ({ text: `本周值班安排如下，请选择\n${'第一时段 上午九点到十二点\n'.repeat(12)}`, buttons: [[{ label: '报名', data: buttonData('probe', 'ack', 2) }]] }),
    },
    {
      name: 'slow', role: 'member', usageKey: 'help.usage',
      run: async () => {
        await new Promise<void>((ok) => (release = ok));
        return { text: '慢慢处理完了' };
      },
    },
  ],
  buttons: [{ prefix: 'probe', role: 'member', run: async (_ctx, parts: string[]) => ({ text: `已确认 ${parts.join(':')}`, updatePressed: { text: '已收到 ✓' } }) }],
};

async function failureOf(sending: Promise<unknown>) {
  const err = await sending.then(() => undefined, (e: unknown) => e);
  expect(err).toBeInstanceOf(DeliveryError);
  return (err as DeliveryError).failure;
}
type CardBody = { template_card: { task_id: string; button_list: { key: string; text: string }[] } };
const E = ROBOT_ERRCODES;

describe.each(DATABASE_KINDS)('WeCom robot end to end through the fake server (%s)', (kind) => {
  let rig: Rig;
  /** Errcodes a test provokes on purpose; any other refusal fails it. */
  let provoked: number[];
  let seen = 0;
  beforeAll(async () => {
    rig = await startRig({ kind, app: false, features: [...features, probe] });
    await rig.h.addMember({ name: '张三', wecomUserId: 'zhangsan' });
    await rig.h.addMember({ name: '李四', wecomUserId: 'lisi' });
    await rig.h.addMember({ name: '陳大文', wecomUserId: 'chantaiman', locale: 'zh-Hant' });
  });
  afterAll(() => rig?.close());
  beforeEach(() => {
    provoked = [];
    seen = rig.ws.refusals().length;
  });
  afterEach(() => {
    const refused = rig.ws.refusals().slice(seen).filter((f) => f.answer === 'no-answer' || !provoked.includes(f.answer.errcode));
    expect(refused.map((f) => `${f.cmd} ${JSON.stringify(f.answer)}`)).toEqual([]);
  });

  async function answer(reqId: string, cmd = 'aibot_respond_msg') {
    const frame = await frameOf(rig.ws, cmd, (f) => f.reqId === reqId);
    return { frame, text: shownText(frame) };
  }
  const pushTo = (chatid: string, text?: string) => frameOf(rig.ws, 'aibot_send_msg', (f) => f.body.chatid === chatid && (!text || shownText(f).includes(text)));

  it('binds a rostered userid on first contact and answers /help in Simplified Chinese', async () => {
    const help = rig.ws.userSays({ userid: 'zhangsan', chattype: 'single', text: '/help' });
    const { frame, text } = await answer(help.reqId);
    expect(frame.body).toMatchObject({ msgtype: 'stream', stream: { finish: true } });
    expect(text).toContain('您可以使用以下命令：');
    const me = rig.ws.userSays({ userid: 'zhangsan', chattype: 'single', text: '/me' });
    const card = (await answer(me.reqId)).text;
    expect(card).toContain('姓名：张三');
    expect(card).toContain('已关联：企业微信');
  });

  it('welcomes a member who opens the single chat', async () => {
    const entered = rig.ws.userEntersChat({ userid: 'lisi' });
    const welcome = await frameOf(rig.ws, 'aibot_respond_welcome_msg', (f) => f.reqId === entered.reqId);
    expect(shownText(welcome)).toContain('李四，您好！我是同心履职助手。');
  });

  it('tells someone not on the roster how to bind', async () => {
    const help = rig.ws.userSays({ userid: 'stranger', chattype: 'single', text: '/help' });
    expect((await answer(help.reqId)).text).toContain('绑定账号后可以使用更多功能');
    const hello = rig.ws.userSays({ userid: 'stranger', chattype: 'single', text: '你好' });
    expect((await answer(hello.reqId)).text).toContain('您的账号尚未与委员名录关联');
  });

  it('answers @-mentioned commands in a group and stays quiet on other group talk', async () => {
    const chatid = 'wrkGroupA';
    const chatter = rig.ws.userSays({ userid: 'lisi', chatid, chattype: 'group', text: '大家好' });
    const help = rig.ws.userSays({ userid: 'lisi', chatid, chattype: 'group', text: '/help' });
    expect((await answer(help.reqId)).text).toContain('您可以使用以下命令：');
    // The same member's messages are handled in order, so the first one is done by now.
    expect(rig.ws.frames.filter((f) => f.reqId === chatter.reqId)).toEqual([]);
  });

  it('acts once on a message WeCom delivers twice', async () => {
    const first = rig.ws.userSays({ userid: 'zhangsan', chattype: 'single', text: '/lang' });
    await answer(first.reqId);
    const again = rig.ws.userSays({ userid: 'zhangsan', chattype: 'single', text: '/lang', msgid: first.msgid });
    const after = rig.ws.userSays({ userid: 'zhangsan', chattype: 'single', text: '/help' });
    await answer(after.reqId);
    expect(rig.ws.frames.filter((f) => f.reqId === again.reqId)).toEqual([]);
  });

  it('answers a card as the reply, and updates the pressed card at once with a card WeCom takes', async () => {
    const asked = rig.ws.userSays({ userid: 'zhangsan', chattype: 'single', text: '/probe' });
    const { frame } = await answer(asked.reqId);
    const card = (frame.body as CardBody).template_card;
    expect(frame.body).toMatchObject({ msgtype: 'template_card' });
    expect(shownText(frame)).toBe('请确认');
    expect(card.button_list).toEqual([{ key: 'probe:ack:1', text: '收到', style: 1 }]);

    const press = rig.ws.userPressesCardButton({ userid: 'zhangsan', taskId: card.task_id, eventKey: 'probe:ack:1' });
    const update = await frameOf(rig.ws, 'aibot_respond_update_msg', (f) => f.reqId === press.reqId);
    // 101032: no text notice without card_action — the pressed button stays, saying what happened.
    expect(update.body).toMatchObject({
      response_type: 'update_template_card', userids: ['zhangsan'],
      template_card: { card_type: 'button_interaction', main_title: { title: '已收到 ✓' }, button_list: [{ text: '已收到 ✓', key: 'probe:ack:1' }], task_id: card.task_id },
    });
    expect((await pushTo('zhangsan', '已确认 ack:1')).body).toMatchObject({ chat_type: 1, msgtype: 'markdown' });
  });

  it('sends a long text with buttons as a stream reply and then the card, never as stream_with_template_card', async () => {
    const asked = rig.ws.userSays({ userid: 'zhangsan', chattype: 'single', text: '/probelong' });
    const { frame, text } = await answer(asked.reqId);
    expect(frame.body).toMatchObject({ msgtype: 'stream' });
    expect(text).toContain('本周值班安排如下');
    const card = await frameOf(rig.ws, 'aibot_send_msg', (f) => f.body.chatid === 'zhangsan' && f.body.msgtype === 'template_card' && (f.body as CardBody).template_card.button_list[0]?.key === 'probe:ack:2');
    expect(card.body).toMatchObject({ chat_type: 1 });
    expect(rig.ws.frames.filter((f) => f.body.msgtype === 'stream_with_template_card')).toEqual([]);
  });

  it('answers with a push when the reply is refused as too late (846605) or the stream expired (846608), not when answered already (846606)', async () => {
    provoked = [E.invalidReqId, E.streamExpired, E.alreadyResponded];
    const pushedSince = (mark: number) => rig.ws.frames.slice(mark).filter((f) => f.cmd === 'aibot_send_msg' && f.body.chatid === 'lisi' && shownText(f).includes('姓名：李四'));
    for (const errcode of [E.invalidReqId, E.streamExpired]) {
      const mark = rig.ws.frames.length;
      rig.ws.answerNext({ errcode, errmsg: 'refused' }, 'aibot_respond_msg');
      rig.ws.userSays({ userid: 'lisi', chattype: 'single', text: '/me' });
      await expect.poll(() => pushedSince(mark).length, { timeout: 10_000 }).toBe(1);
      expect(pushedSince(mark)[0]?.answer).toMatchObject({ errcode: 0 });
    }
    const mark = rig.ws.frames.length;
    rig.ws.answerNext({ errcode: E.alreadyResponded, errmsg: 'already responded' }, 'aibot_respond_msg');
    rig.ws.userSays({ userid: 'lisi', chattype: 'single', text: '/me' });
    const later = rig.ws.userSays({ userid: 'lisi', chattype: 'single', text: '/help' });
    await answer(later.reqId);
    expect(pushedSince(mark)).toEqual([]);
  });

  it('handles a card press and a welcome at once, even while the member’s earlier message is still being handled', async () => {
    const asked = rig.ws.userSays({ userid: 'lisi', chattype: 'single', text: '/probe' });
    const card = ((await answer(asked.reqId)).frame.body as CardBody).template_card;
    release = undefined;
    const slow = rig.ws.userSays({ userid: 'lisi', chattype: 'single', text: '/slow' });
    await expect.poll(() => release, { timeout: 10_000 }).toBeDefined();
    const press = rig.ws.userPressesCardButton({ userid: 'lisi', taskId: card.task_id, eventKey: 'probe:ack:1' });
    await frameOf(rig.ws, 'aibot_respond_update_msg', (f) => f.reqId === press.reqId);
    const entered = rig.ws.userEntersChat({ userid: 'lisi' });
    await frameOf(rig.ws, 'aibot_respond_welcome_msg', (f) => f.reqId === entered.reqId);
    expect(rig.ws.frames.filter((f) => f.reqId === slow.reqId)).toEqual([]);
    release!();
    expect((await answer(slow.reqId)).text).toBe('慢慢处理完了');
  });

  it('reads voice and mixed messages as text, and says in the member’s language that it reads only text and buttons', async () => {
    const voice = rig.ws.userSpeaks({ userid: 'zhangsan', chattype: 'single', text: '/help' });
    expect((await answer(voice.reqId)).text).toContain('您可以使用以下命令：');
    const mixed = rig.ws.userSendsMixed({ userid: 'lisi', chatid: 'wrkGroupA', chattype: 'group', text: '/help' });
    expect((await answer(mixed.reqId)).text).toContain('您可以使用以下命令：');
    const picture = rig.ws.userSendsMedia({ userid: 'zhangsan', chattype: 'single', msgtype: 'image' });
    expect((await answer(picture.reqId)).text).toContain('我只能读文字');
    const file = rig.ws.userSendsMedia({ userid: 'chantaiman', chattype: 'single', msgtype: 'file' });
    expect((await answer(file.reqId)).text).toContain('我只能讀取文字');
    const inGroup = rig.ws.userSendsMedia({ userid: 'lisi', chatid: 'wrkGroupA', chattype: 'group', msgtype: 'video' });
    const after = rig.ws.userSays({ userid: 'lisi', chatid: 'wrkGroupA', chattype: 'group', text: '/help' });
    await answer(after.reqId);
    expect(rig.ws.frames.filter((f) => f.reqId === inGroup.reqId)).toEqual([]);
  });

  it('pushes to a group as markdown with its chat_type, buttons as reply words, and maps errors', async () => {
    provoked = [E.rateLimited, 40099];
    const { messenger } = rig.wecom;
    const heard = rig.ws.userSays({ userid: 'lisi', chatid: 'wrkGroupC', chattype: 'group', text: '/help' });
    await answer(heard.reqId);
    const sent = await messenger.send({ kind: 'group', chatId: 'wrkGroupC' }, { text: '值班提醒\n明天 09:00' });
    const frame = await pushTo('wrkGroupC', '值班提醒');
    expect(frame.body).toMatchObject({ chat_type: 2, msgtype: 'markdown', markdown: { content: '值班提醒  \n明天 09:00' } });
    expect(sent.messageId).toBe(frame.reqId);

    await messenger.send({ kind: 'group', chatId: 'wrkGroupC' }, { text: '新通知', buttons: [[{ label: '收到', data: 'nt:ack:7' }]] });
    expect(shownText(await pushTo('wrkGroupC', '新通知'))).toBe('新通知  \n在群里 @我 并回复 「收到」 即可');

    rig.ws.answerNext({ errcode: E.rateLimited, errmsg: 'api freq out of limit' }, 'aibot_send_msg');
    expect(await failureOf(messenger.send({ kind: 'group', chatId: 'wrkGroupC' }, { text: 'x' }))).toEqual({ kind: 'rate-limited', retryAfterMs: 60_000 });
    rig.ws.answerNext({ errcode: 40099, errmsg: 'bad content' }, 'aibot_send_msg');
    expect(await failureOf(messenger.send({ kind: 'group', chatId: 'wrkGroupC' }, { text: 'x' }))).toMatchObject({ kind: 'rejected' });
    expect(await failureOf(messenger.edit({ kind: 'group', chatId: 'wrkGroupC' }, 'm1', { text: 'x' }))).toMatchObject({ kind: 'rejected' });
  });

  it('gets a retryable rate limit, not a refusal, from the 31st message a minute in one chat', async () => {
    provoked = [E.rateLimited];
    const heard = rig.ws.userSays({ userid: 'lisi', chatid: 'wrkGroupBusy', chattype: 'group', text: '/help' });
    await answer(heard.reqId);
    for (let i = 0; i < 29; i++) await rig.wecom.messenger.send({ kind: 'group', chatId: 'wrkGroupBusy' }, { text: `提醒 ${i}` });
    expect(await failureOf(rig.wecom.messenger.send({ kind: 'group', chatId: 'wrkGroupBusy' }, { text: '第 31 条' }))).toEqual({ kind: 'rate-limited', retryAfterMs: 60_000 });
  });

  it('checks a file before anything is shown, and reports a failed upload as not sent', async () => {
    provoked = [E.invalidFileSize];
    const to = { kind: 'private' as const, chatId: 'zhangsan' };
    const file = (data: Buffer) => ({ text: '您的值班日历', file: { name: 'duty.ics', mimeType: 'text/calendar', data } });
    const before = rig.ws.frames.length;
    expect(await failureOf(rig.wecom.messenger.send(to, file(Buffer.from('tiny'))))).toMatchObject({ kind: 'rejected' });
    expect(rig.ws.frames.length).toBe(before);
    rig.ws.answerNext({ errcode: E.invalidFileSize, errmsg: 'invalid file size' }, 'aibot_upload_media_init');
    expect(await failureOf(rig.wecom.messenger.send(to, file(Buffer.from('BEGIN:VCALENDAR'))))).toMatchObject({ kind: 'not-sent' });
    expect(rig.ws.framesOfCmd('aibot_send_msg').filter((f) => shownText(f).includes('您的值班日历'))).toEqual([]);
    await rig.wecom.messenger.send(to, file(Buffer.from('BEGIN:VCALENDAR')));
    const sent = await frameOf(rig.ws, 'aibot_send_msg', (f) => f.body.chatid === 'zhangsan' && f.body.msgtype === 'file');
    expect(rig.ws.state().media.get((sent.body.file as { media_id: string }).media_id)?.data.toString()).toBe('BEGIN:VCALENDAR');
  });

  it('relays sends from a process without the connection to the holder, waiting as long as the send needs', async () => {
    provoked = [E.rateLimited];
    const sender = await startWecom(appOf(rig.h), rig.config, { holdRobot: false, relayTimeoutMs: 2_000 });
    try {
      expect(sender.status()).toMatchObject({ robot: 'standby', robotConnected: false });
      const heard = rig.ws.userSays({ userid: 'lisi', chatid: 'wrkGroupE', chattype: 'group', text: '/help' });
      await answer(heard.reqId);
      const sent = await sender.messenger.send({ kind: 'group', chatId: 'wrkGroupE' }, { text: '读书会今晚开始' });
      expect(sent.messageId).toBe((await pushTo('wrkGroupE', '读书会今晚开始')).reqId);
      // Text and a file take five acks; each comes a second late here, together far beyond the relay's 2 s.
      rig.ws.answerDelayMs = 1_000;
      try {
        await sender.messenger.send({ kind: 'group', chatId: 'wrkGroupE' }, { text: '读书会材料', file: { name: 'book.txt', mimeType: 'text/plain', data: Buffer.from('第一章 总则') } });
      } finally {
        rig.ws.answerDelayMs = 0;
      }
      expect((await pushTo('wrkGroupE', '读书会材料')).body).toMatchObject({ chat_type: 2 });
      rig.ws.answerNext({ errcode: E.rateLimited, errmsg: 'api freq out of limit' }, 'aibot_send_msg');
      expect(await failureOf(sender.messenger.send({ kind: 'group', chatId: 'wrkGroupE' }, { text: 'y' }))).toMatchObject({ kind: 'rate-limited' });
    } finally {
      await sender.stop();
    }
  });

  it('counts as connected only once WeCom accepted the subscription, and sends nothing before', async () => {
    const key = 'wecom:robot-lease:bot-test';
    await rig.h.redis.set(key, 'another-process', 'PX', 60_000);
    await expect.poll(() => rig.ws.isSubscribed(), { timeout: 5_000 }).toBe(false);
    rig.ws.holdSubscribes = true;
    const subscribes = rig.ws.framesOfCmd('aibot_subscribe').length;
    await rig.h.redis.del(key);
    // The socket is open and the subscription sent; WeCom has not answered it yet.
    await expect.poll(() => rig.ws.framesOfCmd('aibot_subscribe').length, { timeout: 10_000 }).toBeGreaterThan(subscribes);
    expect(rig.wecom.status()).toMatchObject({ robot: 'holding', robotConnected: false });
    expect(await failureOf(rig.wecom.messenger.send({ kind: 'private', chatId: 'zhangsan' }, { text: '还没连上' }))).toMatchObject({ kind: 'not-sent' });
    rig.ws.releaseSubscribes();
    await expect.poll(() => rig.wecom.status().robotConnected, { timeout: 10_000 }).toBe(true);
    expect(rig.ws.framesOfCmd('aibot_send_msg').filter((f) => shownText(f).includes('还没连上'))).toEqual([]);
  });

  it('lets go of the connection when the lease is lost, and comes back when it is free', async () => {
    const key = 'wecom:robot-lease:bot-test';
    await rig.h.redis.set(key, 'another-process', 'PX', 60_000);
    await expect.poll(() => rig.wecom.status().robot, { timeout: 5_000 }).toBe('standby');
    await expect.poll(() => rig.ws.isSubscribed(), { timeout: 5_000 }).toBe(false);
    const nobody = await startWecom(appOf(rig.h), rig.config, { holdRobot: false, relayTimeoutMs: 300 });
    try {
      expect(await failureOf(nobody.messenger.send({ kind: 'group', chatId: 'wrkGroupF' }, { text: 'z' }))).toMatchObject({ kind: 'not-sent' });
    } finally {
      await nobody.stop();
    }
    await rig.h.redis.del(key);
    await expect.poll(() => rig.ws.isSubscribed(), { timeout: 5_000 }).toBe(true);
    expect(rig.wecom.status()).toMatchObject({ robot: 'holding', robotConnected: true });
  });

  it('stands aside longer each time another deployment takes the robot, and says so', async () => {
    const quiet = { debug() {}, info() {}, warn() {}, error() {} };
    const rogues: WSClient[] = [];
    let fighting = true;
    // Another deployment with the same bot id that takes the robot back whenever it loses it.
    const rogue = () => {
      if (!fighting) return;
      const client = new WSClient({ botId: 'bot-test', secret: 'secret-test', wsUrl: rig.ws.url, logger: quiet, maxReconnectAttempts: 0, scene: 9 });
      client.on('error', () => {});
      client.on('event.disconnected_event', () => fighting && setTimeout(rogue, 50));
      rogues.push(client);
      client.connect();
    };
    const ours = () => rig.ws.framesOfCmd('aibot_subscribe').filter((f) => f.body.scene === undefined && f.answer !== 'no-answer' && f.answer.errcode === 0).map((f) => f.at);
    const start = ours().length;
    try {
      rogue();
      await expect.poll(() => ours().length - start, { timeout: 20_000, interval: 100 }).toBeGreaterThanOrEqual(2);
      await expect.poll(() => rig.wecom.status().robotKicks, { timeout: 10_000 }).toBeGreaterThanOrEqual(2);
      const times = ours().slice(start);
      const kicks = rig.ws.framesOfCmd('aibot_subscribe').filter((f) => f.body.scene === 9).map((f) => f.at);
      // Our n-th comeback waits at least ttl × 2^(n-1) after the kick before it (lease ttl 1.5 s).
      const kickBefore = (t: number) => Math.max(...kicks.filter((k) => k < t));
      expect(times[0]! - kickBefore(times[0]!)).toBeGreaterThanOrEqual(1_500);
      expect(times[1]! - kickBefore(times[1]!)).toBeGreaterThanOrEqual(3_000);
    } finally {
      fighting = false;
      for (const client of rogues) client.removeAllListeners().on('error', () => {}).disconnect();
    }
    // It comes back after its last pause (which doubled with each kick), and WeCom's connection is its own.
    await expect.poll(() => rig.wecom.status(), { timeout: 60_000 }).toMatchObject({ robot: 'holding', robotConnected: true });
    const help = rig.ws.userSays({ userid: 'zhangsan', chattype: 'single', text: '/help' });
    expect((await answer(help.reqId)).text).toContain('您可以使用以下命令：');
  }, 120_000);
});

describe('WeCom robot with credentials WeCom refuses', () => {
  it('reports it and tries again only after a growing pause, not every few seconds', async () => {
    const rig = await startRig({ app: false, robotSecret: 'wrong-secret', wecom: { robotAuthRetryMs: 400 } });
    try {
      await expect.poll(() => rig.ws.framesOfCmd('aibot_subscribe').length, { timeout: 15_000 }).toBeGreaterThanOrEqual(3);
      const [a, b, c] = rig.ws.framesOfCmd('aibot_subscribe').map((f) => f.at);
      expect(rig.ws.framesOfCmd('aibot_subscribe').every((f) => f.answer !== 'no-answer' && f.answer.errcode === E.badCredentials)).toBe(true);
      expect(b! - a!).toBeGreaterThanOrEqual(400);
      expect(c! - b!).toBeGreaterThanOrEqual(800);
      expect(rig.wecom.status()).toMatchObject({ robot: 'holding', robotConnected: false, robotCredentialsRefused: true });
      expectNoRefusals(rig.ws, [E.badCredentials]);
    } finally {
      await rig.close();
    }
  }, 30_000);
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DATABASE_KINDS } from '../../support/db.js';
import { features } from '../../../handlers/index.js';
import { buttonData, type Feature } from '../../../src/router/types.js';
import { DeliveryError } from '../../../src/core/delivery-errors.js';
import { RATE_LIMITED } from '../../support/wecom-ws-fake.js';
import { startWecom } from '../../../src/platforms/wecom/index.js';
import { WSClient } from '@wecom/aibot-node-sdk';
import { appOf, frameOf, shownText, startRig, type Rig } from './rig.js';

/** A feature of this test only: a card with one button whose press updates the card. */
const probe: Feature = {
  name: 'probe',
  commands: [{
    name: 'probe', role: 'member', usageKey: 'help.usage',
    run: async () => ({ text: '请确认', buttons: [[{ label: '收到', data: buttonData('probe', 'ack', 1) }]] }),
  }],
  buttons: [{
    prefix: 'probe', role: 'member',
    run: async (_ctx, parts: string[]) => ({ text: `已确认 ${parts.join(':')}`, updatePressed: { text: '已收到 ✓' } }),
  }],
};

async function failureOf(sending: Promise<unknown>) {
  const err = await sending.then(() => undefined, (e: unknown) => e);
  expect(err).toBeInstanceOf(DeliveryError);
  return (err as DeliveryError).failure;
}

describe.each(DATABASE_KINDS)('WeCom robot end to end through the fake server (%s)', (kind) => {
  let rig: Rig;
  beforeAll(async () => {
    rig = await startRig({ kind, app: false, features: [...features, probe] });
    await rig.h.addMember({ name: '张三', wecomUserId: 'zhangsan' });
    await rig.h.addMember({ name: '李四', wecomUserId: 'lisi' });
  });
  afterAll(() => rig?.close());

  async function answer(reqId: string) {
    const frame = await frameOf(rig.ws, 'aibot_respond_msg', (f) => f.reqId === reqId);
    return { frame, text: shownText(frame) };
  }

  it('binds a rostered userid on first contact and answers /help in Simplified Chinese', async () => {
    const help = rig.ws.userSays({ userid: 'zhangsan', chattype: 'single', text: '/help' });
    const { frame, text } = await answer(help.reqId);
    expect(frame.body).toMatchObject({ msgtype: 'stream', stream: { finish: true } });
    expect(text).toContain('您可以使用以下命令：');
    expect(text).toContain('/me — 查看我的资料');
    const me = rig.ws.userSays({ userid: 'zhangsan', chattype: 'single', text: '/me' });
    const card = (await answer(me.reqId)).text;
    expect(card).toContain('姓名：张三');
    expect(card).toContain('已关联：企业微信');
  });

  it('welcomes a member who opens the single chat', async () => {
    const entered = rig.ws.userEntersChat({ userid: 'lisi' });
    const welcome = await frameOf(rig.ws, 'aibot_respond_welcome_msg', (f) => f.reqId === entered.reqId);
    expect(welcome.answer).toMatchObject({ errcode: 0 });
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

  it('puts buttons on a template card, and updates the pressed card for the presser at once', async () => {
    const chatid = 'wrkGroupB';
    const asked = rig.ws.userSays({ userid: 'zhangsan', chatid, chattype: 'group', text: '/probe' });
    const { frame } = await answer(asked.reqId);
    const card = (frame.body as { template_card: { task_id: string; button_list: { key: string; text: string }[] } }).template_card;
    expect(shownText(frame)).toBe('请确认');
    expect(card.button_list).toEqual([{ key: 'probe:ack:1', text: '收到', style: 1 }]);

    const press = rig.ws.userPressesCardButton({ userid: 'zhangsan', chatid, taskId: card.task_id, eventKey: card.button_list[0]!.key });
    const update = await frameOf(rig.ws, 'aibot_respond_update_msg', (f) => f.reqId === press.reqId);
    expect(update.answer).toMatchObject({ errcode: 0 });
    expect(update.body).toMatchObject({
      response_type: 'update_template_card',
      userids: ['zhangsan'],
      template_card: { card_type: 'text_notice', main_title: { title: '已收到 ✓' }, task_id: card.task_id },
    });
    const said = await frameOf(rig.ws, 'aibot_send_msg', (f) => f.body.chatid === chatid);
    expect(shownText(said)).toBe('已确认 ack:1');
  });

  it('sends to a group on its own, as markdown or as a card, and maps errors', async () => {
    const { messenger } = rig.wecom;
    const sent = await messenger.send({ kind: 'group', chatId: 'wrkGroupC' }, { text: '值班提醒\n明天 09:00' });
    const frame = await frameOf(rig.ws, 'aibot_send_msg', (f) => f.body.chatid === 'wrkGroupC');
    expect(frame.body).toMatchObject({ msgtype: 'markdown', markdown: { content: '值班提醒  \n明天 09:00' } });
    expect(sent.messageId).toBe(frame.reqId);

    const withButton = await messenger.send({ kind: 'group', chatId: 'wrkGroupD' }, { text: '新通知', buttons: [[{ label: '收到', data: 'nt:ack:7' }]] });
    const cardFrame = await frameOf(rig.ws, 'aibot_send_msg', (f) => f.body.chatid === 'wrkGroupD');
    expect(cardFrame.body).toMatchObject({ msgtype: 'template_card', template_card: { task_id: withButton.messageId, button_list: [{ key: 'nt:ack:7' }] } });

    rig.ws.answerNext({ errcode: RATE_LIMITED, errmsg: 'api freq out of limit' }, 'aibot_send_msg');
    expect(await failureOf(messenger.send({ kind: 'group', chatId: 'wrkGroupC' }, { text: 'x' }))).toMatchObject({ kind: 'rate-limited' });
    rig.ws.answerNext({ errcode: 40099, errmsg: 'bad content' }, 'aibot_send_msg');
    expect(await failureOf(messenger.send({ kind: 'group', chatId: 'wrkGroupC' }, { text: 'x' }))).toMatchObject({ kind: 'rejected' });
    expect(await failureOf(messenger.edit({ kind: 'group', chatId: 'wrkGroupC' }, 'm1', { text: 'x' }))).toMatchObject({ kind: 'rejected' });
  });

  it('relays sends from a process without the connection to the holder', async () => {
    const sender = await startWecom(appOf(rig.h), rig.config, { holdRobot: false });
    try {
      expect(sender.status()).toMatchObject({ robot: 'standby', robotConnected: false });
      const sent = await sender.messenger.send({ kind: 'group', chatId: 'wrkGroupE' }, { text: '读书会今晚开始' });
      const frame = await frameOf(rig.ws, 'aibot_send_msg', (f) => f.body.chatid === 'wrkGroupE');
      expect(sent.messageId).toBe(frame.reqId);
      rig.ws.answerNext({ errcode: RATE_LIMITED, errmsg: 'api freq out of limit' }, 'aibot_send_msg');
      expect(await failureOf(sender.messenger.send({ kind: 'group', chatId: 'wrkGroupE' }, { text: 'y' }))).toMatchObject({ kind: 'rate-limited' });
    } finally {
      await sender.stop();
    }
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

  it('stands aside when another connection kicks it, then takes the robot back', async () => {
    const quiet = { debug() {}, info() {}, warn() {}, error() {} };
    const rogue = new WSClient({ botId: 'bot-test', secret: 'secret-test', wsUrl: rig.ws.url, logger: quiet, maxReconnectAttempts: 0 });
    rogue.on('error', () => {});
    const connections = rig.ws.connectionCount;
    rogue.connect();
    await expect.poll(() => rig.wecom.status(), { timeout: 10_000 }).toMatchObject({ robot: 'standby', robotConnected: false });
    // It does not fight back at once; after standing aside it takes the robot again.
    await expect.poll(() => rig.ws.connectionCount, { timeout: 8_000 }).toBe(connections + 2);
    await expect.poll(() => rig.wecom.status(), { timeout: 5_000 }).toMatchObject({ robot: 'holding', robotConnected: true });
    if (rogue.isConnected) rogue.disconnect();
    const help = rig.ws.userSays({ userid: 'zhangsan', chattype: 'single', text: '/help' });
    expect((await answer(help.reqId)).text).toContain('您可以使用以下命令：');
  });
});

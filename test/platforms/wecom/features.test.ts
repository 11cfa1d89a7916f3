import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { DATABASE_KINDS } from '../../support/db.js';
import type { RecordedFrame } from '../../support/wecom-ws-fake.js';
import { EngineHarness } from '../../jobs/support/engine-harness.js';
import { buildCallback, cardEventXml } from '../../support/wecom-callback-builder.js';
import { expectAccepted, expectNoRefusals, frameOf, shownText, startRig, type Rig } from './rig.js';

type CardBody = { template_card?: { task_id: string; button_list?: { key: string; text: string }[] } };

/**
 * A member in one WeCom chat with the robot (single chat, or a group by chatid): says things,
 * reads the answers, presses card buttons — all through the fake server and the real SDK.
 */
class Chat {
  /** Request ids of what was said here: their answers belong to this chat. */
  private readonly said = new Set<string>();
  /** Where in the fake's frames the last thing said or pressed here began. */
  private mark = 0;

  constructor(
    private readonly rig: Rig,
    readonly userid: string,
    readonly chatid?: string,
    /** The id WeCom shows the robot for this member, when it is an opaque one. */
    readonly shownAs = userid,
  ) {}

  private get target(): string {
    return this.chatid ?? this.shownAs;
  }

  /** Sends `text`; resolves with what the robot answered (stream text and the card on it). */
  async say(text: string): Promise<string> {
    this.mark = this.rig.ws.frames.length;
    const { reqId } = this.rig.ws.userSays({ userid: this.userid, chatid: this.chatid, chattype: this.chatid ? 'group' : 'single', text });
    this.said.add(reqId);
    return shownText(await frameOf(this.rig.ws, 'aibot_respond_msg', (f) => f.reqId === reqId));
  }

  /** The card in this chat, sent since the last thing said or pressed, with a button whose key starts with `prefix`. */
  async card(prefix: string): Promise<{ taskId: string; key: string; label: string }> {
    const { ws } = this.rig;
    const frame = await ws.waitForFrame(
      (f) => ws.frames.indexOf(f) >= this.mark && this.inChat(f) && Boolean((f.body as CardBody).template_card?.button_list?.some((b) => b.key.startsWith(prefix))),
      8_000,
    );
    expectAccepted(frame);
    const card = (frame.body as CardBody).template_card!;
    const button = card.button_list!.find((b) => b.key.startsWith(prefix))!;
    return { taskId: card.task_id, key: button.key, label: button.text };
  }

  /** Presses the button; resolves with the first message the robot then sends here that contains `expectText`. */
  async press(prefix: string, expectText: string): Promise<string> {
    const { taskId, key } = await this.card(prefix);
    const { ws } = this.rig;
    this.mark = ws.frames.length;
    ws.userPressesCardButton({ userid: this.userid, chatid: this.chatid, taskId, eventKey: key });
    const said = await ws.waitForFrame(
      (f) => ws.frames.indexOf(f) >= this.mark && f.cmd === 'aibot_send_msg' && f.body.chatid === this.target && shownText(f).includes(expectText),
      8_000,
    );
    expectAccepted(said);
    return shownText(said);
  }

  private inChat(f: RecordedFrame): boolean {
    if (f.cmd === 'aibot_send_msg') return f.body.chatid === this.target;
    return f.cmd === 'aibot_respond_msg' && this.said.has(f.reqId);
  }
}

describe.each(DATABASE_KINDS)('WeCom end to end with the features, in Simplified Chinese (%s)', (kind) => {
  let rig: Rig;
  let staff: Chat;
  let member: Chat;
  beforeAll(async () => {
    // The roster has one member, so any notice to them reaches all members: no second approval here.
    rig = await startRig({ kind, settings: { flood: { limit: 1000 }, notices: { approveAllMembers: false } } });
    await rig.h.addMember({ name: '赵敏', wecomUserId: 'zhaomin', role: 'staff' });
    await rig.h.addMember({ name: '张三', wecomUserId: 'zhangsan', committee: '经济委员会' });
    await rig.h.addMember({ name: '李四', wecomUserId: 'lisi' });
    await rig.h.addMember({ name: '王五', wecomUserId: 'wangwu' });
    staff = (new Chat(rig, 'zhaomin'));
    member = (new Chat(rig, 'zhangsan'));
  });
  // A minute passes between stories, as between people's visits (WeCom counts 30 a minute per chat).
  beforeEach(() => rig.pause(61_000));
  // Every frame the adapter sent in these stories is one WeCom takes.
  afterEach(() => expectNoRefusals(rig.ws));
  afterAll(() => rig?.close());

  /** Staff compose a notice for `audience` and send it now; resolves with its id. */
  async function notify(text: string, audience: string): Promise<string> {
    await staff.say('/notify');
    await staff.say(text);
    await staff.say('继续');
    await staff.say(audience);
    await staff.press('ntd:now', '收到');
    await staff.press('ntd:yes', text.slice(0, 6));
    const noticeId = /#(\d+)/.exec(await staff.press('ntd:send', '#'))?.[1];
    expect(noticeId).toBeDefined();
    return noticeId!;
  }

  async function drain() {
    const engine = await EngineHarness.start({ database: rig.h.database, messengers: [rig.wecom.messenger] });
    try {
      await engine.drain();
    } finally {
      await engine.close();
    }
  }

  it('signs up for a duty shift with a card button', async () => {
    const created = await staff.say('/newshift 2026-12-10 09:00 12:00 市 3 教育民生');
    const id = /#(\d+)/.exec(created)?.[1];
    expect(id, created).toBeDefined();
    const list = await member.say('/shifts');
    expect(list).toContain('网上值班');
    expect((await member.card(`sh:su:${id}`)).label).toBe(`报名 #${id}`);
    expect(await member.press(`sh:su:${id}`, '报名成功')).toContain(`报名成功：值班 #${id}`);
    expect(await member.say('/myshifts')).toContain('教育民生');
  });

  it('submits a public-opinion note through the dialogue in a single chat', async () => {
    expect(await member.say('/newnote')).toContain('第 1/3 步');
    expect(await member.say('关于老旧小区加装电梯的建议')).toContain('第 2/3 步');
    const body = '本市老旧小区多无电梯，老年居民上下楼困难。原因是加装费用分摊难、审批环节多。建议简化审批、财政补贴并统一协调费用分摊。';
    expect(await member.say(body)).toContain('第 3/3 步');
    const preview = await member.press('sqd:cat:', '请核对您的社情民意信息');
    expect(preview).toContain('关于老旧小区加装电梯的建议');
    const filed = await member.press('sqd:ok:', '已提交');
    const noteId = /#(\d+)/.exec(filed)?.[1];
    expect(noteId, filed).toBeDefined();
    expect(await member.say('/mynotes')).toContain('关于老旧小区加装电梯的建议');
  });

  it('confirms a notice in a group with “@同心 收到” replies, answered in one message for all', async () => {
    const group = (new Chat(rig, 'zhaomin', 'wrkCommittee1'));
    expect(await group.say('/groupchat add 委员一群')).toContain('委员一群');
    expect(await staff.say('/notify')).toContain('2000');
    await staff.say('明天上午九点在三楼会议室召开全体委员会议，请准时参加。');
    await staff.say('继续');
    await staff.say('group:委员一群');
    await staff.press('ntd:now', '收到');
    const preview = await staff.press('ntd:yes', '明天上午九点');
    expect(preview).toContain('明天上午九点');
    const queued = await staff.press('ntd:send', '#');
    const noticeId = /#(\d+)/.exec(queued)?.[1];
    expect(noticeId, queued).toBeDefined();

    // The delivery engine sends the group's copy through the WeCom messenger: WeCom takes no
    // card pushed to a group, so the button is written out as the reply to give.
    await drain();
    const posted = await frameOf(rig.ws, 'aibot_send_msg', (f) => f.body.chatid === 'wrkCommittee1' && shownText(f).includes(`通知 #${noticeId}`));
    expect(posted.body).toMatchObject({ chat_type: 2, msgtype: 'markdown' });
    expect(shownText(posted)).toContain('明天上午九点在三楼会议室召开全体委员会议');
    expect(shownText(posted)).toContain('在群里 @我 并回复 「收到」 即可');

    const replies = ['zhangsan', 'lisi', 'wangwu'].map((userid) => rig.ws.userSays({ userid, chatid: 'wrkCommittee1', chattype: 'group', text: '收到' }));
    const summary = await frameOf(rig.ws, 'aibot_send_msg', (f) => f.body.chatid === 'wrkCommittee1' && shownText(f).includes('已确认收到通知'), 15_000);
    expect(shownText(summary).split('\n').map((l) => l.trim()).sort()).toEqual(
      ['张三', '李四', '王五'].map((name) => `${name} 已确认收到通知 #${noticeId} ✓`).sort(),
    );
    // No reply of its own to each 收到: one message in the group for all three.
    expect(rig.ws.frames.filter((f) => replies.some((r) => r.reqId === f.reqId))).toEqual([]);
    const report = await staff.say(`/notice ${noticeId}`);
    expect(report).toContain('群聊 1：已发送 1');
    expect(report).toContain('另有 3 人在群聊中确认。');
  });

  it('sends to a member WeCom shows under an opaque id through the robot, which the app cannot address', async () => {
    const opaque = rig.ws.hideUserId('lisi');
    rig.api.unknownUsers.add(opaque);
    await new Chat(rig, 'lisi', undefined, opaque).say('/help');
    const sent = await rig.wecom.messenger.send({ kind: 'private', chatId: opaque }, { text: '明天上午九点值班，请准时参加。' });
    const pushed = await frameOf(rig.ws, 'aibot_send_msg', (f) => f.body.chatid === opaque);
    expect(sent.messageId).toBe(pushed.reqId);
    expect(pushed.body).toMatchObject({ chat_type: 1, markdown: { content: '明天上午九点值班，请准时参加。' } });
    expect(rig.api.deliveredTo(opaque)).toEqual([]);
  });

  it('binds a member WeCom shows under an opaque id with a binding code, and reaches them through the robot', async () => {
    await rig.h.addMember({ name: '孙七', wecomUserId: 'sunqi', committee: '文史委员会' });
    const opaque = rig.ws.hideUserId('sunqi');
    // The app addresses members by directory userid only; an opaque id is no member to it.
    rig.api.unknownUsers.add(opaque);
    const sunqi = new Chat(rig, 'sunqi', undefined, opaque);
    expect(await sunqi.say('/help')).toContain('绑定账号后可以使用更多功能');
    const code = /绑定码：(\S+)/.exec(await staff.say('/bindcode 孙七'))?.[1];
    expect(code).toBeDefined();
    expect(await sunqi.say(`/bind ${code}`)).toContain('绑定成功！欢迎您，孙七。');

    const noticeId = await notify('文史委员会下周二上午召开史料征集座谈会。', 'committee:文史委员会');
    await drain();
    const card = await frameOf(rig.ws, 'aibot_send_msg', (f) => f.body.chatid === opaque && JSON.stringify(f.body).includes(`nr:${noticeId}`));
    expect(card.body).toMatchObject({ chat_type: 1, msgtype: 'template_card' });
    expect(rig.api.deliveredTo(opaque)).toEqual([]);
    const taskId = (card.body as CardBody).template_card!.task_id;
    const press = rig.ws.userPressesCardButton({ userid: 'sunqi', taskId, eventKey: `nr:${noticeId}` });
    const update = await frameOf(rig.ws, 'aibot_respond_update_msg', (f) => f.reqId === press.reqId);
    expect(update.body).toMatchObject({ userids: [opaque], template_card: { task_id: taskId, button_list: [{ text: '已收到 ✓', key: `nr:${noticeId}` }] } });
    expect(await staff.say(`/notice ${noticeId}`)).toContain('已确认收到：1 / 1');
  });

  it('confirms a notice sent to a member directly through the app, and the card shows it', async () => {
    await member.say('/help');
    const noticeId = await notify('经济委员会本周五下午两点召开专题协商会，请确认能否参加。', 'committee:经济委员会');
    await drain();
    // Direct messages go through the self-built app: the notice as a card with its button.
    const sent = rig.api.deliveredTo('zhangsan').filter((m) => JSON.stringify(m.body).includes(`nr:${noticeId}`));
    expect(sent).toHaveLength(1);
    const card = sent[0]!.body.template_card as { task_id: string; button_list: { key: string; text: string }[] };
    expect(card.button_list).toEqual([{ key: `nr:${noticeId}`, text: '收到', style: 1 }]);

    const { query, body } = buildCallback(rig.keys, cardEventXml({ from: 'zhangsan', taskId: card.task_id, eventKey: `nr:${noticeId}` }));
    const answer = await rig.http.inject({ method: 'POST', url: '/wecom/callback', query, payload: body, headers: { 'content-type': 'text/xml' } });
    expect(answer.body).toBe('success');
    await expect.poll(() => rig.api.cardUpdates.length, { timeout: 10_000 }).toBe(1);
    expect(rig.api.cardUpdates.at(-1)).toMatchObject({
      userids: ['zhangsan'],
      body: { template_card: { task_id: card.task_id, button_list: [{ text: '已收到 ✓', key: `nr:${noticeId}` }] } },
    });
    const report = await staff.say(`/notice ${noticeId}`);
    expect(report).toContain('已确认收到：1 / 1');
  });
});

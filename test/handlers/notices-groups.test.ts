import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Harness } from '../support/harness.js';
import { DATABASE_KINDS } from '../support/db.js';
import { registeredGroupChats } from '../../src/store/schema/index.js';
import { bindOn, composeAndSend, noticeRows } from '../domain/notices/support.js';

const text = Harness.text;

describe.each(DATABASE_KINDS)('group chat registry (%s)', (kind) => {
  let h: Harness;
  let staff: { id: number };
  let member: { id: number };
  const inGroup = (chatId: string) => h.as({ platform: 'telegram', userId: `telegram-${staff.id}` }, { kind: 'group', chatId });

  beforeAll(async () => {
    h = await Harness.start({ kind, settings: { flood: { limit: 1000 }, notices: { approveAllMembers: false } } });
    staff = await h.addMember({ name: '赵敏', role: 'staff' });
    member = await h.addMember({ name: '陈大文', committee: '经济委员会', region: '香港' });
    await bindOn(h, staff.id, 'telegram');
  });
  afterAll(() => h.close());

  it('registers the group a staff member writes in, with tags; renames it; refuses a taken name and unknown tags', async () => {
    expect(text(await inGroup('-1001').send('/groupchat add 港澳委员群 committee:经济委员会 region:香港'))).toMatch(
      /^已登记群聊 #\d+“港澳委员群”（委员会：经济委员会 · 地区：香港）。撰写通知时用 group:港澳委员群 选择它。$/,
    );
    expect(text(await inGroup('-1001').send('/groupchat add 港澳委员联络群 committee:经济委员会'))).toMatch(/^已更新群聊 #\d+“港澳委员联络群”（委员会：经济委员会）。$/);
    expect(text(await inGroup('-1002').send('/groupchat add 港澳委员联络群'))).toBe('已有另一个群聊叫“港澳委员联络群”。请换一个名字。');
    expect(text(await inGroup('-1002').send('/groupchat add 文化群 colour:red'))).toBe('看不懂“colour:red”。标签写成 committee:…、sector:… 或 region:…。');
    expect(text(await h.as(staff).send('/groupchat add 私聊'))).toBe('请在要登记的群聊里发送这条命令。');
    expect(text(await inGroup('-1002').send('/groupchat rename x'))).toMatch(/^请写 add（登记）、list（列表）或 remove（移除）。\n用法：/);
    expect(await h.db.select().from(registeredGroupChats)).toHaveLength(1);
    expect(text(await h.as(staff).send('/groupchat list'))).toMatch(/^已登记的群聊（1 个）：\n#\d+ 港澳委员联络群 · Telegram · 委员会：经济委员会$/);
  });

  it('sends a notice to the chosen group chat as well as to the members', async () => {
    const { id } = await composeAndSend(h, staff, { text: '本周五座谈会。', audience: 'region:香港 group:港澳委员联络群' });
    const rows = await noticeRows(h, id);
    expect(rows.map((r) => [r.memberId, r.chatKey])).toEqual([[member.id, null], [null, 'telegram:-1001']]);
    expect(text(await h.as(staff).send(`/notice ${id}`))).toContain('群聊 1：已发送 0，失败 0，不确定 0，待发送 1，已撤回 0');
    const [csv] = await h.as(staff).send(`/notice ${id} csv`);
    expect(csv!.file!.data.toString('utf8')).toMatch(/\r\n群聊,\d+,港澳委员联络群,经济委员会,,,待发送,,,\r\n$/);
  });

  it('removes a group by name or from inside it', async () => {
    expect(text(await inGroup('-1002').send('/groupchat remove'))).toBe('这个群聊没有登记。');
    expect(text(await inGroup('-1001').send('/groupchat remove'))).toMatch(/^已移除群聊 #\d+“港澳委员联络群”。/);
    expect(text(await h.as(staff).send('/groupchat remove 港澳委员联络群'))).toBe('没有登记的群聊“港澳委员联络群”。');
    expect(text(await h.as(staff).send('/groupchat list'))).toMatch(/^还没有登记的群聊。/);
  });
});

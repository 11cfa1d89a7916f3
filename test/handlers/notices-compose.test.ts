import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { Harness } from '../support/harness.js';
import { DATABASE_KINDS } from '../support/db.js';
import { dialogs, notices } from '../../src/store/schema/index.js';
import { renderDelivery } from '../../src/domain/delivery/render.js';
import { bindOn, composeAndSend, composeToPreview, noticeRows } from '../domain/notices/support.js';

const text = Harness.text;

describe.each(DATABASE_KINDS)('composing notices (%s)', (kind) => {
  let h: Harness;
  let staff: { id: number };
  let econHk: { id: number };
  let econMo: { id: number };
  let culture: { id: number };
  let english: { id: number };

  beforeAll(async () => {
    h = await Harness.start({ kind, at: '2026-12-01T02:00:00Z', settings: { flood: { limit: 1000 }, notices: { approveAllMembers: false } } });
    staff = await h.addMember({ name: '赵敏', role: 'staff', committee: '办公厅' });
    econHk = await h.addMember({ name: '陈大文', committee: '经济委员会', region: '香港', locale: 'zh-Hant', timeZone: 'Asia/Hong_Kong' });
    econMo = await h.addMember({ name: '李小明', committee: '经济委员会', region: '澳门' });
    culture = await h.addMember({ name: '王芳', committee: '文化委员会', region: '香港' });
    english = await h.addMember({ name: 'Alice Smith', committee: '经济委员会', region: '海外', locale: 'en', timeZone: 'Europe/London' });
    await bindOn(h, econHk.id, 'telegram');
    await bindOn(h, econMo.id, 'wecom');
    await bindOn(h, english.id, 'telegram', '2026-11-02T00:00:00Z');
    await bindOn(h, english.id, 'wecom', '2026-11-03T00:00:00Z');
  });
  afterAll(() => h.close());

  it('shows a preview as members see it with recipients per platform, then queues one outbox row per member', async () => {
    const preview = text(await composeToPreview(h, staff, { text: '请于周五前提交年度履职报告。', audience: 'committee:经济委员会' }));
    expect(preview).toContain('预览（成员将看到）：');
    expect(preview).toContain('【通知 #…】\n\n请于周五前提交年度履职报告。\n\n请点击下方“收到”确认。');
    expect(preview).toContain('对象：委员会：经济委员会');
    expect(preview).toContain('成员 3 人（Telegram 1，企业微信 2，未绑定 0；其中两个平台都绑定 1 人），群聊 0 个');
    const sent = await h.as(staff).press('ntd:send');
    const [notice] = await h.db.select().from(notices).orderBy(notices.id);
    expect(text(sent)).toBe(`通知 #${notice!.id} 已开始发送：成员 3 人，群聊 0 个。查看送达和确认情况：/notice ${notice!.id}`);
    const rows = await noticeRows(h, notice!.id);
    expect(rows.map((r) => r.memberId).sort()).toEqual([econHk.id, econMo.id, english.id].sort());
    expect(rows[0]!.buttons).toEqual([[{ labelKey: 'notices.receivedButton', data: `nr:${notice!.id}` }]]);
    // The delivery engine renders each copy in the reader's language at send time.
    const forHk = renderDelivery(rows.find((r) => r.memberId === econHk.id)!, { locale: 'zh-Hant', timeZone: 'Asia/Hong_Kong' });
    expect(forHk.text).toBe(`【通知 #${notice!.id}】\n\n请于周五前提交年度履职报告。\n\n請按下方「收到」確認。`);
    expect(forHk.buttons).toEqual([[{ label: '收到', data: `nr:${notice!.id}` }]]);
    expect(await h.db.select().from(dialogs).where(eq(dialogs.memberId, staff.id))).toEqual([]);
  });

  it('gives each reader the version of their language, and the common text to the others', async () => {
    const { id } = await composeAndSend(h, staff, {
      text: '明天上午九点开会。', audience: 'committee:经济委员会,文化委员会', confirm: false,
      versions: { 'zh-Hant': '明天上午九點開會。', en: 'Meeting tomorrow at 9 a.m.' },
    });
    const rows = await noticeRows(h, id);
    expect(rows.map((r) => r.memberId).sort()).toEqual([econHk.id, econMo.id, culture.id, english.id].sort());
    const render = (locale: 'zh-Hans' | 'zh-Hant' | 'en') => renderDelivery(rows[0]!, { locale, timeZone: 'Asia/Shanghai' });
    expect(render('en').text).toBe(`[Notice #${id}]\n\nMeeting tomorrow at 9 a.m.`);
    expect(render('zh-Hant').text).toBe(`【通知 #${id}】\n\n明天上午九點開會。`);
    expect(render('zh-Hans').text).toBe(`【通知 #${id}】\n\n明天上午九点开会。`);
    expect(render('en').buttons).toBeUndefined();
  });

  it('schedules a notice for a time in the staff member’s zone and cancels it before it goes', async () => {
    const { replies, id } = await composeAndSend(h, staff, { text: '周会改期。', audience: 'region:香港', when: '2026-12-03 09:30' });
    expect(text(replies)).toBe(`通知 #${id} 将于 12月3日周四 GMT+8 09:30 发送：成员 2 人，群聊 0 个。发出前可用 /notice ${id} cancel 取消。`);
    const rows = await noticeRows(h, id);
    expect(rows.map((r) => r.notBefore.toISOString())).toEqual(['2026-12-03T01:30:00.000Z', '2026-12-03T01:30:00.000Z']);
    expect(text(await h.as(staff).send(`/notice ${id} cancel`))).toBe(`已取消通知 #${id}；尚未发出的 2 份已撤回。`);
    expect((await noticeRows(h, id)).map((r) => r.status)).toEqual(['cancelled', 'cancelled']);
    expect(text(await h.as(staff).send(`/notice ${id}`))).toContain(`通知 #${id} 已取消。`);
    expect(text(await h.as(staff).send(`/notice ${id} cancel`))).toBe(`通知 #${id} 已经取消了。`);
  });

  it('refuses bad input with a clear message, keeps the dialogue where it was and creates nothing', async () => {
    const before = (await h.db.select().from(notices)).length;
    const s = h.as(staff);
    const step = async () => ((await h.db.select().from(dialogs).where(eq(dialogs.memberId, staff.id)))[0]?.state as { step: string }).step;
    await s.send('/notify');
    expect(text(await s.send('   '))).toBe('通知正文不能为空，请重新发送。');
    expect(text(await s.send('字'.repeat(2001)))).toBe('通知正文最多 2000 字，这段有 2001 字。请删减后重新发送。');
    expect(await step()).toBe('text');
    expect(text(await s.send('字'.repeat(2000)))).toContain('已收到正文（2000 字）');
    expect(text(await s.send('随便'))).toBe('请按上面的按钮选择；发送 /cancel 放弃。');
    await s.press('ntd:next');
    expect(text(await s.send('committee:不存在委员会'))).toBe('名册中没有委员会“不存在委员会”。请检查拼写。');
    expect(text(await s.send('colour:red'))).toMatch(/^没有“colour”这一类。可用：committee/);
    expect(text(await s.send('role:boss'))).toMatch(/^没有角色“boss”。/);
    expect(text(await s.send('group:不存在的群'))).toBe('没有登记名为“不存在的群”的群聊。/groupchat list 列出已登记的群聊。');
    expect(text(await s.send('all committee:经济委员会'))).toMatch(/^all（全体成员）不能与筛选条件同时使用/);
    expect(text(await s.send('committee:经济委员会 platform:none'))).toBe('这个对象目前没有任何收件人。请换一个对象。');
    expect(await step()).toBe('audience');
    await s.send('committee:文化委员会');
    expect(text(await s.send('2026-11-30 10:00'))).toBe('11月30日周一 GMT+8 10:00 已经过去，不能在过去发送。请给一个将来的时间，或按“立即发送”。');
    expect(text(await s.send('2026-12-01 10:00'))).toMatch(/已经过去/); // 02:00 UTC is 10:00 in Shanghai: not in the future
    expect(text(await s.send('明天'))).toBe('看不懂这个时间。请写成 2026-12-05 09:00，或按“立即发送”。');
    expect(text(await s.send('2026-02-30 09:00'))).toMatch(/^看不懂这个时间/);
    expect(await step()).toBe('when');
    expect(text(await s.send('/cancel'))).toBe('已退出，未保存的内容已丢弃。');
    expect((await h.db.select().from(notices)).length).toBe(before);
  });

  it('refuses everything to a member and changes nothing', async () => {
    const before = (await h.db.select().from(notices)).length;
    const m = h.as(econMo);
    const forbidden = '抱歉，您没有使用这个功能的权限。';
    for (const cmd of ['/notify', '/notices', '/notice 1', '/notice 1 approve', '/notice 1 cancel', '/notice 1 csv', '/groupchat list']) {
      expect(text(await m.send(cmd)), cmd).toBe(forbidden);
    }
    expect(text(await m.press('ntd:send'))).toBe(forbidden);
    expect(text(await m.press('nta:approve:1'))).toBe(forbidden);
    expect(text(await h.as(econMo, { kind: 'group', chatId: 'g-1' }).send('/groupchat add 群'))).toBe(forbidden);
    expect(await h.db.select().from(dialogs).where(eq(dialogs.memberId, econMo.id))).toEqual([]);
    expect((await h.db.select().from(notices)).length).toBe(before);
  });
});

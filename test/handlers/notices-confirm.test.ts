import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { Harness } from '../support/harness.js';
import { DATABASE_KINDS } from '../support/db.js';
import { auditLog, noticeConfirmations } from '../../src/store/schema/index.js';
import { unconfirmedNoticesSummary } from '../../src/domain/notices/index.js';
import { composeAndSend, markDelivered, noticeRows } from '../domain/notices/support.js';

const text = Harness.text;

describe.each(DATABASE_KINDS)('confirming notices and the report (%s)', (kind) => {
  let h: Harness;
  let staff: { id: number };
  const team: { id: number; name: string }[] = [];
  let noticeId: number;

  beforeAll(async () => {
    h = await Harness.start({ kind, settings: { flood: { limit: 1000 }, notices: { approveAllMembers: false, nudgeIntervalMinutes: 30 } } });
    staff = await h.addMember({ name: '赵敏', role: 'staff' });
    for (const name of ['陈大文', '李小明', '王芳', '=HYPERLINK("x")']) team.push(await h.addMember({ name, committee: '经济委员会' }));
    // The committee's group chat receives the notice too: a press there counts for whoever pressed.
    await h.as(staff, { kind: 'group', chatId: 'econ-group' }).send('/groupchat add 经济委员会群');
    noticeId = (await composeAndSend(h, staff, { text: '请确认参加全体会议。', audience: 'committee:经济委员会 group:经济委员会群' })).id;
    await markDelivered(h, noticeId, 'sent', [team[0]!.id, team[1]!.id, team[3]!.id]);
    await markDelivered(h, noticeId, 'failed', [team[2]!.id]);
    await markDelivered(h, noticeId);
  });
  afterAll(() => h.close());

  it('records “收到” pressed three times once, turns the button into “已收到 ✓”, and the report lists exactly the others', async () => {
    const chen = team[0]!;
    for (let i = 0; i < 3; i++) {
      const [reply] = await h.as(chen).press(`nr:${noticeId}`);
      expect(reply!.text).toBe('');
      expect(reply!.updatePressed).toEqual({
        text: `【通知 #${noticeId}】\n\n请确认参加全体会议。\n\n请点击下方“收到”确认。`,
        buttons: [[{ label: '已收到 ✓', data: `nr:${noticeId}` }]],
      });
    }
    expect(await h.db.select().from(noticeConfirmations).where(eq(noticeConfirmations.noticeId, noticeId))).toHaveLength(1);
    const report = text(await h.as(staff).send(`/notice ${noticeId}`));
    expect(report).toContain('成员 4：已发送 3，失败 1，不确定 0，待发送 0，已撤回 0');
    expect(report).toContain('已确认收到：1 / 4');
    const listed = report.split('尚未确认（3 人）：\n')[1]!.split('\n').slice(0, 3);
    expect(listed).toEqual([`#${team[1]!.id} 李小明`, `#${team[2]!.id} 王芳（发送失败）`, `#${team[3]!.id} =HYPERLINK("x")`]);
    expect(report).not.toContain('陈大文');
    const [audit] = await h.db.select().from(auditLog).where(eq(auditLog.action, 'notice.report'));
    expect(audit).toMatchObject({ actorId: staff.id, subject: `notice:${noticeId}` });
  });

  it('counts a press in a group chat for the member who pressed it, and says so once', async () => {
    const li = team[1]!;
    const inGroup = h.as(li, { kind: 'group', chatId: 'econ-group' });
    expect(text(await inGroup.press(`nr:${noticeId}`))).toBe(`李小明 已确认收到通知 #${noticeId} ✓`);
    expect(await inGroup.press(`nr:${noticeId}`)).toEqual([]);
    const outsider = await h.addMember({ name: '周杰', committee: '文化委员会' });
    await h.as(outsider, { kind: 'group', chatId: 'econ-group' }).press(`nr:${noticeId}`);
    const report = text(await h.as(staff).send(`/notice ${noticeId}`));
    expect(report).toContain('已确认收到：2 / 4');
    expect(report).toContain('另有 1 人在群聊中确认。');
  });

  it('reminds only those who have not confirmed, not twice within the interval', async () => {
    const reply = await h.as(staff).send(`/notice ${noticeId} remind`);
    expect(text(reply)).toBe(`已向 2 位尚未确认的成员再次发送通知 #${noticeId}。`);
    const nudges = await noticeRows(h, noticeId, ':nudge:1');
    expect(nudges.map((r) => r.memberId).sort()).toEqual([team[2]!.id, team[3]!.id].sort());
    expect((nudges[0]!.params as { header: { $t: string } }).header.$t).toBe('notices.delivery.nudgeHeader');
    expect(text(await h.as(staff).press(`nta:remind:${noticeId}`))).toMatch(new RegExp(`^通知 #${noticeId} 刚提醒过，.*之后才能再次提醒。$`));
    h.clock.advance(31 * 60_000);
    await h.as(team[3]!).press(`nr:${noticeId}`);
    await h.as(staff).press(`nta:remind:${noticeId}`);
    expect((await noticeRows(h, noticeId, ':nudge:2')).map((r) => r.memberId)).toEqual([team[2]!.id]);
  });

  it('exports everyone as CSV with formula cells neutralised', async () => {
    const [reply] = await h.as(staff).send(`/notice ${noticeId} csv`);
    expect(reply!.file!.name).toBe(`notice-${noticeId}.csv`);
    const csv = reply!.file!.data.toString('utf8').replace(/^\uFEFF/, '');
    const lines = csv.trim().split('\r\n');
    expect(lines[0]).toBe('类型,编号,名称,委员会,界别,地区,送达状态,平台,发送时间,确认时间');
    expect(lines).toHaveLength(1 + 4 + 1 + 1);
    expect(lines.find((l) => l.includes('HYPERLINK'))).toMatch(/^成员,\d+,"'=HYPERLINK\(""x""\)",经济委员会,,,已发送,Telegram,2026-12-01 10:\d\d,2026-12-01 10:\d\d$/);
    expect(lines.find((l) => l.includes('周杰'))).toMatch(/^成员,\d+,周杰,文化委员会,,,在群聊中确认,,,2026-12-01 10:00$/);
    expect(text([reply!])).toBe(`通知 #${noticeId}（请确认参加全体会议。）的名单，共 6 行。`);
    expect(lines.at(-1)).toMatch(/^群聊,\d+,经济委员会群,,,,已发送,/);
  });

  it('sums up notices with members who received them but have not confirmed, for the staff digest', async () => {
    const queuedAt = h.clock.now();
    const other = (await composeAndSend(h, staff, { text: '第二份通知：请查收附件说明。', audience: 'committee:经济委员会' })).id;
    await markDelivered(h, other, 'sent', [team[0]!.id, team[1]!.id]);
    await h.as(team[0]!).press(`nr:${other}`);
    // The first notice reached three members and all three confirmed: it is not listed.
    expect(await unconfirmedNoticesSummary(h.db, new Date('2026-11-30T00:00:00Z'))).toEqual([
      { noticeId: other, sentAt: queuedAt, excerpt: '第二份通知：请查收附件说明。', delivered: 2, confirmed: 1, unconfirmed: 1 },
    ]);
    expect(await unconfirmedNoticesSummary(h.db, new Date(queuedAt.getTime() + 1))).toEqual([]);
  });
});

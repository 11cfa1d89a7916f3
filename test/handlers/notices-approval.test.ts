import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { and, desc, eq } from 'drizzle-orm';
import { Harness } from '../support/harness.js';
import { DATABASE_KINDS } from '../support/db.js';
import { deliveries, notices } from '../../src/store/schema/index.js';
import { composeAndSend, composeToPreview, markDelivered, noticeRows } from '../domain/notices/support.js';

const text = Harness.text;

describe.each(DATABASE_KINDS)('approving and correcting notices (%s)', (kind) => {
  let h: Harness;
  let author: { id: number };
  let second: { id: number };
  let admin: { id: number };
  let member: { id: number };

  beforeAll(async () => {
    h = await Harness.start({ kind, at: '2026-12-01T02:00:00Z', settings: { flood: { limit: 1000 } } });
    author = await h.addMember({ name: '赵敏', role: 'staff' });
    second = await h.addMember({ name: '钱进', role: 'staff' });
    admin = await h.addMember({ name: '孙立', role: 'admin' });
    member = await h.addMember({ name: '陈大文', committee: '经济委员会' });
    await h.addMember({ name: '李小明', committee: '经济委员会' });
  });
  afterAll(() => h.close());

  const approvalRows = (id: number) =>
    h.db.select().from(deliveries).where(and(eq(deliveries.kind, 'notice.approval'), eq(deliveries.ref, `notice:${id}`))).orderBy(deliveries.memberId);

  it('holds an all-member notice, with no outbox rows, until a different staff member approves it', async () => {
    const preview = await composeToPreview(h, author, { text: '全体委员会议定于下周一召开。', audience: 'all' });
    expect(text(preview)).toContain('提交后，须由另一位工作人员或管理员批准才会发出。');
    expect(preview[0]!.buttons).toEqual([[{ label: '提交审批', data: 'ntd:send' }]]);
    await h.as(author).press('ntd:send');
    const [notice] = await h.db.select().from(notices).orderBy(notices.id);
    const id = notice!.id;
    expect(notice!.status).toBe('awaiting_approval');
    expect(await noticeRows(h, id)).toEqual([]);
    expect((await approvalRows(id)).map((r) => [r.memberId, r.buttons])).toEqual([
      [second.id, [[{ labelKey: 'notices.approval.approveButton', data: `nta:approve:${id}` }]]],
      [admin.id, [[{ labelKey: 'notices.approval.approveButton', data: `nta:approve:${id}` }]]],
    ]);

    expect(text(await h.as(author).send(`/notice ${id} approve`))).toBe(`通知 #${id} 是您撰写的，须由另一位工作人员或管理员批准。`);
    expect(text(await h.as(member).press(`nta:approve:${id}`))).toBe('抱歉，您没有使用这个功能的权限。');
    expect(await noticeRows(h, id)).toEqual([]);
    expect(text(await h.as(second).send(`/notice ${id}`))).toContain('等待批准；批准后发给成员 5 人、群聊 0 个。');

    expect(text(await h.as(second).press(`nta:approve:${id}`))).toBe(`已批准通知 #${id}：发给成员 5 人、群聊 0 个。`);
    expect(await noticeRows(h, id)).toHaveLength(5);
    expect((await approvalRows(id)).map((r) => r.status)).toEqual(['cancelled', 'cancelled']);
    const [toAuthor] = await h.db.select().from(deliveries).where(eq(deliveries.kind, 'notice.approved'));
    expect(toAuthor).toMatchObject({ memberId: author.id, template: 'notices.approval.approvedAuthor', ref: `notice:${id}` });
    expect(text(await h.as(admin).send(`/notice ${id} approve`))).toBe(`通知 #${id} 不在等待批准（可能已由他人批准）。`);
  });

  it('sends a scheduled all-member notice at once when it is approved after its time', async () => {
    await composeToPreview(h, author, { text: '今晚八点系统维护。', audience: 'all', when: '2026-12-01 12:00' });
    await h.as(author).press('ntd:send');
    const [latest] = await h.db.select().from(notices).orderBy(desc(notices.id)).limit(1);
    h.clock.advance(3 * 3600_000);
    expect(text(await h.as(admin).send(`/notice ${latest!.id} approve`))).toBe(
      `已批准通知 #${latest!.id}：发给成员 5 人、群聊 0 个。\n原定发送时间已过，现在立即发送。`,
    );
    expect(new Set((await noticeRows(h, latest!.id)).map((r) => r.notBefore.toISOString()))).toEqual(new Set([h.clock.now().toISOString()]));
  });

  it('asks approval for any notice reaching many members when the setting says so', async () => {
    const strict = await Harness.start({ kind, settings: { flood: { limit: 1000 }, notices: { approveAllMembers: false, approveFromRecipients: 2 } } });
    try {
      const staff = await strict.addMember({ name: '赵敏', role: 'staff' });
      await strict.addMember({ name: '甲', committee: 'A' });
      await strict.addMember({ name: '乙', committee: 'A' });
      await strict.addMember({ name: '丙', committee: 'B' });
      expect(text(await composeAndSend(strict, staff, { text: '小范围通知', audience: 'committee:B' }).then((r) => r.replies))).toMatch(/已开始发送/);
      expect(text(await composeAndSend(strict, staff, { text: '两人以上需批准', audience: 'committee:A' }).then((r) => r.replies))).toMatch(/须另一位工作人员或管理员批准/);
      expect(text(await composeAndSend(strict, staff, { text: '全体通知', audience: 'all', when: '2026-12-05 09:00' }).then((r) => r.replies))).toMatch(/须另一位/);
    } finally {
      await strict.close();
    }
  });

  it('sends a correction, marked as such, to everyone the original went to', async () => {
    // Members of another committee, so a notice to 经济委员会 reaches fewer than half of all members (no second approval).
    for (const name of ['王芳', '周杰', '吴刚']) await h.addMember({ name, committee: '文化委员会' });
    const { id } = await composeAndSend(h, author, { text: '会议地点：三楼会议室。', audience: 'committee:经济委员会', confirm: false });
    expect(text(await h.as(author).send(`/notice ${id} correct`))).toBe(`通知 #${id} 还没有发出，不能更正。尚未发出的通知可用 /notice ${id} cancel 取消后重新撰写。`);
    await markDelivered(h, id);
    const s = h.as(author);
    expect(text(await s.send(`/notice ${id} correct`))).toMatch(new RegExp(`^请发送对通知 #${id} 的更正正文`));
    await s.send('更正：会议地点改为五楼会议室。');
    expect(text(await s.press('ntd:next'))).toBe('是否请成员点击“收到”确认收到？');
    const preview = text(await s.press('ntd:yes'));
    expect(preview).toContain(`【更正】通知 #…：更正通知 #${id}\n\n更正：会议地点改为五楼会议室。`);
    expect(preview).toContain(`对象：通知 #${id} 的全部收件人`);
    await s.press('ntd:send');
    const [correction] = await h.db.select().from(notices).where(eq(notices.correctsNoticeId, id));
    const rows = await noticeRows(h, correction!.id);
    expect(rows.map((r) => r.memberId)).toEqual((await noticeRows(h, id)).map((r) => r.memberId));
    expect(rows[0]!.params).toMatchObject({ header: { $t: 'notices.delivery.correctionHeader', params: { id: correction!.id, original: id } } });
    expect(text(await s.send(`/notice ${correction!.id}`))).toContain(`更正通知 #${id}`);
  });
});

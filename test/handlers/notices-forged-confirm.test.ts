import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { noticeConfirmations } from '../../src/store/schema/index.js';
import { Harness } from '../support/harness.js';
import { DATABASE_KINDS } from '../support/db.js';
import { composeAndSend, markDelivered } from '../domain/notices/support.js';

const text = Harness.text;
const EXPIRED = '这个按钮已失效，请重新查询。';

/**
 * “收到” button data is `nr:<id>`: anyone can type it. A press counts, and shows the notice, only
 * from someone the notice went to, or in a group chat it went to, once it has gone out.
 */
describe.each(DATABASE_KINDS)('a forged “收到” press (%s)', (kind) => {
  let h: Harness;
  let staff: { id: number };
  let member: { id: number };
  let staffOnly: number;
  let scheduled: number;

  beforeAll(async () => {
    h = await Harness.start({ kind, settings: { flood: { limit: 1000 }, notices: { approveAllMembers: false } } });
    staff = await h.addMember({ name: '赵敏', role: 'staff' });
    await h.addMember({ name: '钱进', role: 'staff' });
    member = await h.addMember({ name: '陈大文', committee: '经济委员会' });
    await h.addMember({ name: '李小明', committee: '经济委员会' });
    staffOnly = (await composeAndSend(h, staff, { text: '内部：明日人事安排（仅限工作人员）。', audience: 'role:staff' })).id;
    await markDelivered(h, staffOnly);
    scheduled = (await composeAndSend(h, staff, { text: '下周一全体会议的议程。', audience: 'committee:经济委员会', when: '2026-12-07 09:00' })).id;
  });
  afterAll(() => h.close());

  const confirmations = async (id: number) => h.db.select().from(noticeConfirmations).where(eq(noticeConfirmations.noticeId, id));

  it('records nothing and shows nothing to a member pressing a staff-only notice, privately or in a group', async () => {
    for (const chat of [undefined, { kind: 'group' as const, chatId: 'some-group' }]) {
      const replies = await h.as(member, chat).press(`nr:${staffOnly}`);
      expect(text(replies)).toBe(EXPIRED);
      expect(JSON.stringify(replies)).not.toContain('人事安排');
      expect(replies.every((r) => r.updatePressed === undefined)).toBe(true);
    }
    expect(await confirmations(staffOnly)).toEqual([]);
  });

  it('records nothing and shows nothing for a notice that has not gone out yet, even to its recipient', async () => {
    const replies = await h.as(member).press(`nr:${scheduled}`);
    expect(text(replies)).toBe(EXPIRED);
    expect(JSON.stringify(replies)).not.toContain('议程');
    expect(await confirmations(scheduled)).toEqual([]);
  });

  it('counts the press of a recipient once the copy has gone out', async () => {
    h.clock.set('2026-12-07T01:00:01Z');
    await markDelivered(h, scheduled);
    const [reply] = await h.as(member).press(`nr:${scheduled}`);
    expect(reply!.updatePressed?.text).toContain('下周一全体会议的议程。');
    expect((await confirmations(scheduled)).map((c) => c.memberId)).toEqual([member.id]);
  });
});

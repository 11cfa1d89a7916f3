import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { notices } from '../../src/store/schema/index.js';
import { Harness } from '../support/harness.js';
import { DATABASE_KINDS } from '../support/db.js';
import { composeAndSend, noticeRows } from '../domain/notices/support.js';

const text = Harness.text;

/**
 * The second approval is decided from whom a notice reaches, not from how its audience is
 * written: listing every role, `role:member`, or every committee reaches all members as surely
 * as `all` does, and so does more than the configured share of them.
 */
describe.each(DATABASE_KINDS)('second approval from the resolved recipients (%s)', (kind) => {
  let h: Harness;
  let author: { id: number };

  beforeAll(async () => {
    h = await Harness.start({ kind, settings: { flood: { limit: 1000 } } });
    author = await h.addMember({ name: '赵敏', role: 'staff', committee: '秘书处' });
    await h.addMember({ name: '钱进', role: 'staff', committee: '秘书处' });
    await h.addMember({ name: '孙立', role: 'admin', committee: '秘书处' });
    for (const name of ['甲', '乙', '丙']) await h.addMember({ name, committee: '经济委员会' });
    for (const name of ['丁', '戊']) await h.addMember({ name, committee: '文化委员会' });
    await h.addMember({ name: '己', committee: '教育委员会' });
  });
  afterAll(() => h.close());

  /** Sends a notice to `audience` and returns its status and how many outbox rows it has. */
  async function send(audience: string) {
    const { id, replies } = await composeAndSend(h, author, { text: `致 ${audience}`, audience });
    expect(id, text(replies)).toBeGreaterThan(0);
    const [notice] = await h.db.select().from(notices).where(eq(notices.id, id));
    return { status: notice!.status, rows: (await noticeRows(h, id)).length };
  }

  it.each([
    ['every role listed', 'role:member,staff,admin'],
    ['every member by role', 'role:member'],
    ['every committee listed', 'committee:经济委员会,文化委员会,教育委员会'],
    ['more than half of the members', 'committee:经济委员会,文化委员会'],
  ])('holds a notice to %s for a second approval, with nothing in the outbox', async (_what, audience) => {
    expect(await send(audience)).toEqual({ status: 'awaiting_approval', rows: 0 });
  });

  it('sends a notice to half of the members or fewer, and one to staff only, at once', async () => {
    expect(await send('committee:经济委员会')).toEqual({ status: 'queued', rows: 3 });
    expect(await send('role:staff,admin')).toEqual({ status: 'queued', rows: 3 });
  });

  it('takes the share from the notices settings', async () => {
    const strict = await Harness.start({ kind, settings: { flood: { limit: 1000 }, notices: { approveAboveShare: 0.1 } } });
    try {
      const staff = await strict.addMember({ name: '赵敏', role: 'staff' });
      for (const name of ['甲', '乙', '丙', '丁', '戊', '己', '庚', '辛', '壬', '癸']) await strict.addMember({ name, committee: name === '甲' || name === '乙' ? 'A' : 'B' });
      const replies = (await composeAndSend(strict, staff, { text: '两位委员', audience: 'committee:A' })).replies;
      expect(text(replies)).toMatch(/须另一位工作人员或管理员批准/);
    } finally {
      await strict.close();
    }
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { and, eq, sql } from 'drizzle-orm';
import { Harness } from '../../support/harness.js';
import { DATABASE_KINDS } from '../../support/db.js';
import { deliveries, members, noticeConfirmations, notices } from '../../../src/store/schema/index.js';
import { loadSettings } from '../../../src/settings.js';
import { UserError } from '../../../src/core/errors.js';
import { emptyAudience } from '../../../src/domain/notices/audience.js';
import { submitNotice, type NoticeDraft } from '../../../src/domain/notices/compose.js';
import { approveNotice } from '../../../src/domain/notices/approval.js';
import { confirmNotice } from '../../../src/domain/notices/confirmations.js';
import { noticeRecipients, queueNotice } from '../../../src/domain/notices/fanout.js';
import type { Member } from '../../../src/domain/members/members.js';

// Past one 1000-row insert chunk of the outbox; the 5,000-recipient run is the delivery engine's test and bench.
const MEMBERS = 1200;

describe.each(DATABASE_KINDS)('notice fan-out at scale and under concurrency (%s)', (kind) => {
  let h: Harness;
  let author: Member;
  let approvers: Member[];
  const now = new Date('2026-12-01T02:00:00Z');

  beforeAll(async () => {
    h = await Harness.start({ kind, at: now.toISOString() });
    author = await h.addMember({ name: '赵敏', role: 'staff' });
    approvers = [await h.addMember({ name: '钱进', role: 'staff' }), await h.addMember({ name: '孙立', role: 'admin' })];
    for (let i = 0; i < MEMBERS; i += 1000) {
      await h.db.insert(members).values(
        Array.from({ length: Math.min(1000, MEMBERS - i) }, (_, j) => ({ rosterKey: `bulk-${i + j}`, name: `委员${i + j}`, committee: '经济委员会' })),
      );
    }
  });
  afterAll(() => h.close());

  const draft = (over: Partial<NoticeDraft>): NoticeDraft => ({
    draftKey: `d-${Math.random()}`, text: '全体会议通知。', versions: {}, audience: { ...emptyAudience(), allMembers: true },
    sendAt: null, confirm: true, correctsNoticeId: null, ...over,
  });
  const rowsOf = async (id: number) =>
    Number((await h.db.select({ n: sql<number>`count(*)::int` }).from(deliveries).where(and(eq(deliveries.kind, 'notice'), eq(deliveries.ref, `notice:${id}`))))[0]!.n);

  it('waits for one of two racing approvals, then writes one outbox row per member exactly once', async () => {
    const { notice } = await submitNotice(h.db, draft({}), author, loadSettings(undefined).notices, now);
    expect(notice.status).toBe('awaiting_approval');
    expect(await rowsOf(notice.id)).toBe(0);
    const outcomes = await Promise.allSettled(approvers.map((a) => approveNotice(h.db, notice.id, a, now)));
    expect(outcomes.filter((o) => o.status === 'fulfilled')).toHaveLength(1);
    const refused = outcomes.find((o) => o.status === 'rejected') as PromiseRejectedResult;
    expect((refused.reason as UserError).key).toBe('notices.approval.notWaiting');
    expect(await rowsOf(notice.id)).toBe(MEMBERS + 3);
    // Queuing again (a retried job, a second approval path) adds nothing: one copy per member.
    const [queued] = await h.db.select().from(notices).where(eq(notices.id, notice.id));
    await h.db.transaction(async (tx) => queueNotice(tx, queued!, await noticeRecipients(tx, queued!), now));
    expect(await rowsOf(notice.id)).toBe(MEMBERS + 3);
  });

  it('creates one notice when the same draft is sent twice at once', async () => {
    const same = draft({ audience: { ...emptyAudience(), committees: ['经济委员会'] } });
    const settings = loadSettings(undefined).notices;
    const outcomes = await Promise.allSettled([submitNotice(h.db, same, author, settings, now), submitNotice(h.db, same, author, settings, now)]);
    expect(outcomes.filter((o) => o.status === 'fulfilled')).toHaveLength(1);
    expect(await h.db.select().from(notices).where(eq(notices.draftKey, same.draftKey))).toHaveLength(1);
  });

  it('records one confirmation for many simultaneous presses', async () => {
    const [notice] = await h.db.select().from(notices).where(eq(notices.status, 'queued')).limit(1);
    // A press counts once the presser's copy has gone out.
    await h.db.update(deliveries).set({ status: 'sent' }).where(and(eq(deliveries.ref, `notice:${notice!.id}`), eq(deliveries.memberId, approvers[0]!.id)));
    const results = await Promise.all(Array.from({ length: 8 }, () => confirmNotice(h.db, notice!.id, approvers[0]!.id, 'console:dm', now)));
    expect(results.filter((r) => r.recorded)).toHaveLength(1);
    expect(await h.db.select().from(noticeConfirmations).where(eq(noticeConfirmations.noticeId, notice!.id))).toHaveLength(1);
  });
});

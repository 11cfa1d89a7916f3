import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import type { Database } from '../../src/store/db.js';
import { deliveries, members } from '../../src/store/schema/index.js';
import { renderDelivery } from '../../src/domain/delivery/render.js';
import { coverageAlerts, memberDigests, notesTally, recurringWork, staffDigests } from '../../src/domain/digests/index.js';
import { loadSettings } from '../../src/settings.js';
import { featureDigestSources } from '../../jobs/sources.js';
import { DATABASE_KINDS, freshDatabase } from '../support/db.js';

const MONDAY_0830_SHANGHAI = new Date('2026-12-07T00:30:00Z');
const settings = loadSettings(undefined).delivery;

describe.each(DATABASE_KINDS)('digests and alerts (%s)', (kind) => {
  let database: Database;
  beforeAll(async () => {
    database = await freshDatabase(kind);
  });
  afterAll(async () => {
    await database.close();
  });
  beforeEach(async () => {
    await database.db.delete(deliveries);
    await database.db.delete(members);
  });

  const db = () => database.db;
  const add = async (values: Partial<typeof members.$inferInsert> & { name: string }) =>
    (await db().insert(members).values({ rosterKey: `k-${values.name}`, ...values }).returning())[0]!;
  /** What the member reads, rendered as the engine renders it at send time. */
  const read = async (memberId: number) => {
    const [m] = await db().select().from(members).where(eq(members.id, memberId));
    const rows = await db().select().from(deliveries).where(eq(deliveries.memberId, memberId));
    return rows.map((r) => renderDelivery(r, { locale: m!.locale, timeZone: m!.timeZone }).text);
  };

  it('the member digest goes out on Monday 08:30 in each member’s zone, once per week, in their language', async () => {
    const shanghai = await add({ name: '李华', timeZone: 'Asia/Shanghai' });
    const london = await add({ name: 'Ada', timeZone: 'Europe/London', locale: 'en' });
    const sources = {
      shiftsOfMembersBetween: async (_db: unknown, memberIds: number[]) => (memberIds.includes(shanghai.id)
        ? [{ memberId: shanghai.id, shiftId: 3, startsAt: new Date('2026-12-09T01:00:00Z'), theme: '网上值班', status: 'confirmed' }] : []),
      openShiftsBetween: async () => [{ shiftId: 4, startsAt: new Date('2026-12-10T06:00:00Z'), theme: 'Online duty', capacity: 3, filled: 1 }],
      sessionsOfMembersBetween: async (_db: unknown, memberIds: number[]) => memberIds.map((memberId) => ({ memberId, sessionId: 8, startsAt: new Date('2026-12-11T11:00:00Z'), title: '读书会', rsvp: 'maybe' })),
      noteChangesOfMembers: async (_db: unknown, memberIds: number[]) => memberIds.map((memberId) => ({
        memberId, noteId: 5, title: '停车难', event: 'adopted', status: 'adopted', level: 'municipal',
      })),
    };
    expect(await memberDigests(db(), sources, settings.memberDigest, new Date('2026-12-07T00:29:00Z'))).toBe(0);
    expect(await memberDigests(db(), sources, settings.memberDigest, MONDAY_0830_SHANGHAI)).toBe(1);
    // Later the same day nothing is repeated; London's 08:30 comes eight hours later.
    expect(await memberDigests(db(), sources, settings.memberDigest, new Date('2026-12-07T05:30:00Z'))).toBe(0);
    expect(await memberDigests(db(), sources, settings.memberDigest, new Date('2026-12-07T08:30:00Z'))).toBe(1);
    expect(await memberDigests(db(), sources, settings.memberDigest, new Date('2026-12-07T09:30:00Z'))).toBe(0);

    const [zh] = await read(shanghai.id);
    expect(zh).toContain('我的值班：\n· 12月9日周三 GMT+8 09:00 #3 网上值班');
    expect(zh).toContain('#8 读书会：待定');
    expect(zh).toContain('· #5 停车难：已采用（市级）');
    expect(zh).toContain('#4 Online duty（已报 1/3）');
    const [en] = await read(london.id);
    expect(en).toContain('Your duty shifts:\n· none');
    expect(en).toContain('Shifts you could still take (/shifts):\n· Thu 10 Dec, 06:00 GMT #4 Online duty (1 of 3 taken)');
    expect(en).toContain('#5 停车难: adopted (municipal)');
  });

  it('coverage alerts tell staff at T-72h and T-24h, once each, and only the narrowest window', async () => {
    const staff = await add({ name: '赵敏', role: 'staff' });
    await add({ name: 'Member' });
    const now = new Date('2026-12-01T00:00:00Z');
    const gaps = [
      { shiftId: 1, startsAt: new Date('2026-12-03T00:00:00Z'), theme: 'A', capacity: 3, filled: 1 },
      { shiftId: 2, startsAt: new Date('2026-12-01T10:00:00Z'), theme: 'B', capacity: 2, filled: 0 },
    ];
    const unfilled = async (_db: unknown, from: Date, to: Date) => gaps.filter((g) => g.startsAt >= from && g.startsAt < to);
    expect(await coverageAlerts(db(), unfilled, [72, 24], now)).toBe(2);
    expect(await coverageAlerts(db(), unfilled, [72, 24], new Date(now.getTime() + 3600_000))).toBe(0);
    expect(await coverageAlerts(db(), unfilled, [72, 24], new Date('2026-12-02T01:00:00Z'))).toBe(1);
    const rows = await db().select().from(deliveries).orderBy(deliveries.id);
    expect(rows.map((r) => r.ref)).toEqual(['shift:1:T-72h', 'shift:2:T-24h', 'shift:1:T-24h']);
    expect(rows.every((r) => r.memberId === staff.id)).toBe(true);
    expect((await read(staff.id))[0]).toContain('已报名 1/3 人，还差 2 人（72 小时内开始）');
  });

  it('the staff digest and the monthly tally are composed once per period', async () => {
    const staff = await add({ name: 'Officer', role: 'staff', locale: 'en', timeZone: 'UTC' });
    const member = await add({ name: '王芳', locale: 'zh-Hant', timeZone: 'Asia/Hong_Kong' });
    const sources = {
      coverage: async () => ({ seats: 10, filled: 7, ratio: 0.7 }),
      unfilledShifts: async () => [{ shiftId: 9, startsAt: new Date('2026-12-08T02:00:00Z'), theme: 'Duty', capacity: 2, filled: 1 }],
      pendingReviewCount: async () => 4,
      unconfirmedNoticesSummary: async () => [{ noticeId: 2, excerpt: 'Plenary session', delivered: 30, unconfirmed: 6 }],
    };
    expect(await staffDigests(db(), sources, 'Asia/Shanghai', MONDAY_0830_SHANGHAI)).toBe(1);
    expect(await staffDigests(db(), sources, 'Asia/Shanghai', new Date(MONDAY_0830_SHANGHAI.getTime() + 3600_000))).toBe(0);
    const [digest] = await read(staff.id);
    expect(digest).toContain('Duty this week: 7 of 10 seats taken (70%)');
    expect(digest).toContain('Notes waiting for review: 4');
    expect(digest).toContain('Notice #2 "Plenary session": 6 of 30 have not confirmed');

    const tally = {
      members: [{ name: '王芳', sector: '教育界', submitted: 3, adopted: 1, points: 12, adoptionRate: 1 / 3 }],
      sectors: [{ sector: '教育界', submitted: 3, adopted: 1, points: 12, adoptionRate: 1 / 3 }],
      total: { submitted: 3, adopted: 1, points: 12, adoptionRate: 1 / 3 },
    };
    const first = new Date('2026-12-01T01:00:00Z');
    expect(await notesTally(db(), { monthlyTally: async () => tally }, 'Asia/Shanghai', first)).toBe(2);
    expect(await notesTally(db(), { monthlyTally: async () => tally }, 'Asia/Shanghai', first)).toBe(0);
    const texts = await read(member.id);
    expect(texts[0]).toContain('社情民意信息通報');
    expect(texts[0]).toContain('33%');
  });

  it('runs every recurring job against the features’ real functions', async () => {
    await add({ name: 'Staff', role: 'staff' });
    await add({ name: 'Member' });
    const work = recurringWork(db(), featureDigestSources, settings, 'Asia/Shanghai');
    expect(Object.keys(work).sort()).toEqual(['coverage', 'member-digest', 'notes-tally', 'reading-guides', 'reading-summary', 'staff-digest']);
    for (const run of Object.values(work)) await run!(MONDAY_0830_SHANGHAI);
    const kinds = (await db().select().from(deliveries)).map((d) => d.kind).sort();
    // No notes last month: no bulletin.
    expect(kinds).toEqual(['digest.member', 'digest.staff']);
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Harness } from '../../support/harness.js';
import { DATABASE_KINDS } from '../../support/db.js';
import { defaultNotesSettings, monthlyTally, noteChangesFor, noteChangesOfMembers, notesActivityOf, pendingReviewCount } from '../../../src/domain/notes/index.js';
import { newDraftKey, resubmitNote, submitNote } from '../../../src/domain/notes/submission.js';
import { adoptNote, recordInstruction, rejectNote, returnNote } from '../../../src/domain/notes/review.js';
import { notesSettings } from '../../../src/domain/notes/settings.js';

type Row = Awaited<ReturnType<Harness['addMember']>>;
const settings = defaultNotesSettings();
const at = (iso: string) => new Date(iso);

describe.each(DATABASE_KINDS)('points and the tally, computed from note events, on %s', (kind) => {
  let h: Harness;
  let wang: Row;
  let li: Row;
  let zhang: Row;
  let admin: Row;
  beforeAll(async () => {
    h = await Harness.start({ kind });
    wang = await h.addMember({ name: '王明', committee: '社会和法制委员会', sector: '经济界' });
    li = await h.addMember({ name: '李华', committee: '社会和法制委员会', sector: '教育界' });
    zhang = await h.addMember({ name: '张伟', committee: '经济委员会', sector: '经济界' });
    admin = await h.addMember({ name: '孙立', role: 'admin' });
    const file = async (who: Row, title: string, when: string) =>
      (await submitNote(h.db, who, newDraftKey(), { title, category: 'other', body: `${title}。` }, settings, at(when))).note.id;
    const n1 = await file(wang, '关于停车难的建议', '2026-10-20T02:00:00Z');
    // 00:30 on 1 November in Shanghai is still 31 October in UTC: it counts for November.
    const n2 = await file(wang, '关于夜市管理的建议', '2026-10-31T16:30:00Z');
    const n3 = await file(li, '关于课后服务的建议', '2026-11-03T02:00:00Z');
    const n4 = await file(zhang, '关于营商环境的建议', '2026-11-05T02:00:00Z');
    await adoptNote(h.db, admin, n1, 'municipal', 'single', settings, at('2026-11-10T02:00:00Z'));
    await returnNote(h.db, admin, n3, '请补充数据', at('2026-11-12T02:00:00Z'));
    await resubmitNote(h.db, li, n3, newDraftKey(), { title: '关于课后服务的建议', category: 'education', body: '补充了数据。' }, settings, at('2026-11-13T02:00:00Z'));
    await adoptNote(h.db, admin, n3, 'national', 'combined', settings, at('2026-11-20T02:00:00Z'));
    await recordInstruction(h.db, admin, n3, 'national', '请有关部门研究', at('2026-11-25T02:00:00Z'));
    await recordInstruction(h.db, admin, n3, 'municipal', undefined, at('2026-11-26T02:00:00Z'));
    await rejectNote(h.db, admin, n4, undefined, at('2026-11-28T02:00:00Z'));
    // Midnight of 1 December in Shanghai: December.
    await adoptNote(h.db, admin, n2, 'district', 'forwarded', settings, at('2026-11-30T16:00:00Z'));
    await file(zhang, '关于融资担保的建议', '2026-12-02T02:00:00Z');
  });
  afterAll(() => h.close());

  it('tallies November per member and per sector, by the points table', async () => {
    const nov = await monthlyTally(h.db, { year: 2026, month: 11 });
    expect(nov.members.map(({ name, sector, submitted, adopted, adoptionRate, points }) => ({ name, sector, submitted, adopted, adoptionRate, points }))).toEqual([
      { name: '李华', sector: '教育界', submitted: 1, adopted: 1, adoptionRate: 1, points: 1 + 20 + 30 + 10 },
      { name: '王明', sector: '经济界', submitted: 1, adopted: 1, adoptionRate: 1, points: 1 + 5 },
      { name: '张伟', sector: '经济界', submitted: 1, adopted: 0, adoptionRate: 0, points: 1 },
    ]);
    expect(nov.sectors).toEqual([
      { sector: '教育界', submitted: 1, adopted: 1, adoptionRate: 1, points: 61 },
      { sector: '经济界', submitted: 2, adopted: 1, adoptionRate: 0.5, points: 7 },
    ]);
    expect(nov.total).toEqual({ submitted: 3, adopted: 2, adoptionRate: 2 / 3, points: 68 });
    expect(nov.from).toEqual(at('2026-10-31T16:00:00Z'));
    expect(nov.to).toEqual(at('2026-11-30T16:00:00Z'));
  });

  it('tallies a year, one committee, and a tuned points table', async () => {
    const year = await monthlyTally(h.db, { year: 2026 });
    expect(year.total).toEqual({ submitted: 5, adopted: 3, adoptionRate: 3 / 5, points: 5 + 5 + 20 + 30 + 10 + 2 });
    expect(year.members.find((m) => m.name === '王明')).toMatchObject({ submitted: 2, adopted: 2, points: 1 + 1 + 5 + 2 });

    const committee = await monthlyTally(h.db, { year: 2026, month: 11, committee: '社会和法制委员会' });
    expect(committee.members.map((m) => m.name)).toEqual(['李华', '王明']);
    expect(committee.total).toMatchObject({ submitted: 2, adopted: 2, points: 67 });

    const tuned = notesSettings.parse({ points: { submitted: 2, adopted: { municipal: 8 }, instruction: { national: 50 } } }).points;
    const nov = await monthlyTally(h.db, { year: 2026, month: 11, points: tuned });
    expect(nov.members.map((m) => [m.name, m.points])).toEqual([['李华', 2 + 20 + 50 + 10], ['王明', 2 + 8], ['张伟', 2]]);

    const empty = await monthlyTally(h.db, { year: 2025, month: 6 });
    expect(empty).toMatchObject({ members: [], sectors: [], total: { submitted: 0, adopted: 0, adoptionRate: null, points: 0 } });
  });

  it('gives one member the same figures for the performance record', async () => {
    expect(await notesActivityOf(h.db, wang.id, at('2026-10-31T16:00:00Z'), at('2026-11-30T16:00:00Z'), settings.points)).toEqual({ submitted: 1, adopted: 1, points: 6 });
    expect(await notesActivityOf(h.db, wang.id, at('2026-01-01T00:00:00Z'), at('2027-01-01T00:00:00Z'), settings.points)).toEqual({ submitted: 2, adopted: 2, points: 9 });
  });

  it('lists what staff did to a member’s notes since a moment, and counts notes waiting for review', async () => {
    const changes = await noteChangesFor(h.db, li.id, at('2026-11-01T00:00:00Z'));
    expect(changes.map((c) => [c.event, c.status, c.level])).toEqual([
      ['returned', 'returned', null], ['adopted', 'adopted', 'national'], ['instruction', 'adopted', 'national'], ['instruction', 'adopted', 'municipal'],
    ]);
    expect(await noteChangesFor(h.db, li.id, at('2026-11-26T00:00:00Z'))).toHaveLength(1);
    const both = await noteChangesOfMembers(h.db, [li.id, wang.id], at('2026-11-01T00:00:00Z'));
    expect(both.filter((c) => c.memberId === li.id).map((c) => c.event)).toEqual(changes.map((c) => c.event));
    expect(both.filter((c) => c.memberId === wang.id).map((c) => c.event)).toEqual(
      (await noteChangesFor(h.db, wang.id, at('2026-11-01T00:00:00Z'))).map((c) => c.event));
    expect(both.some((c) => c.memberId === wang.id)).toBe(true);
    expect(await pendingReviewCount(h.db, '经济委员会')).toBe(1);
    expect(await pendingReviewCount(h.db, '社会和法制委员会')).toBe(0);
    expect(await pendingReviewCount(h.db, null)).toBe(1);
  });
});

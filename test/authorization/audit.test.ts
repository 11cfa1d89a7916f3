import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { and, desc, eq, gt } from 'drizzle-orm';
import { auditLog } from '../../src/store/schema/index.js';
import { Harness } from '../support/harness.js';
import { DATABASE_KINDS } from '../support/db.js';
import { composeAndSend } from '../domain/notices/support.js';
import { authorizationCast, QUIET, seedRecordsOfA, type SeededRecords } from './support.js';

/**
 * Every staff read or export of members' personal data leaves an audit_log row naming the officer.
 */
describe.each(DATABASE_KINDS)('audit of staff reads and exports (%s)', (kind) => {
  let h: Harness;
  let cast: Awaited<ReturnType<typeof authorizationCast>>;
  let a: SeededRecords;
  let noticeId: number;

  beforeAll(async () => {
    h = await Harness.start({ kind, at: '2026-12-01T02:00:00Z', settings: QUIET });
    cast = await authorizationCast(h);
    a = await seedRecordsOfA(h, cast);
    noticeId = (await composeAndSend(h, cast.staffSame, { text: 'Please confirm the plenary meeting.', audience: 'committee:Culture' })).id;
    expect(noticeId).toBeGreaterThan(0);
  }, 30_000);
  afterAll(() => h.close());

  /** Runs `line` as the same-committee officer and returns the audit rows it added. */
  async function auditedBy(line: string) {
    const [last] = await h.db.select({ id: auditLog.id }).from(auditLog).orderBy(desc(auditLog.id)).limit(1);
    const replies = await h.as(cast.staffSame).send(line);
    expect(replies.length, line).toBeGreaterThan(0);
    return h.db.select().from(auditLog).where(and(gt(auditLog.id, last?.id ?? 0), eq(auditLog.actorId, cast.staffSame.id)));
  }

  const reads: [string, () => string, string][] = [
    ['a member\'s record', () => `/record #${cast.memberA.id}`, 'record.view'],
    ['the records export', () => '/recordexport 2026 csv', 'record.export'],
    ['the notes tally as CSV', () => '/notetally 2026 csv', 'notes.tally.export'],
    ['the notes tally as text', () => '/notetally 2026', 'notes.tally.view'],
    ['the duty roster', () => '/shiftroster 2026-12-10', 'shifts.roster'],
    ['the duty logs', () => '/dutylogs', 'shifts.dutylogs'],
    ['a reading session\'s attendance', () => `/readingshow ${a.sessionId}`, 'reading.session.show'],
    ['a notice\'s confirmation report', () => `/notice ${noticeId}`, 'notice.report'],
    ['a notice\'s confirmations as CSV', () => `/notice ${noticeId} csv`, 'notice.export'],
    ['a member\'s note read by an officer', () => `/note ${a.noteId}`, 'notes.view'],
    ['the notes review queue', () => '/notequeue', 'notes.queue'],
  ];

  it.each(reads)('audits %s', async (_what, line, action) => {
    const rows = await auditedBy(line());
    expect(rows.map((r) => r.action), line()).toContain(action);
  });

  it('audits the list of late withdrawals, which names the members asking', async () => {
    // Tonight 20:00 Shanghai: inside the 24-hour cut-off, so a withdrawal becomes a request.
    const reply = (await h.as(cast.staffSame).send('/newshift 2026-12-01 20:00 22:00 市 3 Education')).map((r) => r.text).join('\n');
    const shiftId = Number(/#(\d+)/.exec(reply)?.[1]);
    expect(shiftId, reply).toBeGreaterThan(0);
    await h.as(cast.memberA).send(`/signup ${shiftId}`);
    await h.as(cast.memberA).send(`/withdraw ${shiftId}`);
    const rows = await auditedBy('/cancelrequests');
    expect(rows.map((r) => r.action)).toContain('shifts.requests');
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { desc, eq, sql } from 'drizzle-orm';
import { readingComments, readingGuides, shiftSwaps } from '../../src/store/schema/index.js';
import { resultRows } from '../../src/store/db.js';
import { roleAllows } from '../../src/domain/members/members.js';
import { features } from '../../handlers/index.js';
import { Harness } from '../support/harness.js';
import { DATABASE_KINDS } from '../support/db.js';
import { composeAndSend, markDelivered } from '../domain/notices/support.js';
import { authorizationCast, en, forgedPresses, QUIET, seedRecordsOfA, snapshot } from './support.js';

const text = Harness.text;
const NOWHERE = '999999999';

/**
 * Every button action the router knows, pressed with data forged for objects the presser may not
 * touch: another member's note, shift, swap offer, RSVP'd session and comment, a reading group
 * the presser does not lead (nor belong to), notices never sent to them, another committee's note
 * for staff, and ids that exist nowhere. Nothing changes, nothing private is shown, and the
 * answer is never the apology for a bug. The actions come from the registered features, so a
 * new one is pressed too.
 */
describe.each(DATABASE_KINDS)('forged button data (%s)', (kind) => {
  let h: Harness;
  let cast: Awaited<ReturnType<typeof authorizationCast>>;
  let eve: { id: number };
  const secrets: string[] = [];
  let memberIds: string[];
  let staffIds: string[];

  beforeAll(async () => {
    h = await Harness.start({ kind, settings: { ...QUIET, notices: { approveAllMembers: false } } });
    // Ids of each table in a range of its own: an id forged for one kind of object is no object of another kind.
    const sequences = resultRows<{ name: string }>(await h.db.execute(
      sql`select sequence_name as name from information_schema.sequences where sequence_schema = 'public' order by sequence_name`));
    for (const [i, { name }] of sequences.entries()) {
      if (!name.startsWith('members_')) await h.db.execute(sql.raw(`select setval('"${name}"', ${(i + 1) * 100_000})`));
    }
    cast = await authorizationCast(h);
    const a = await seedRecordsOfA(h, cast);
    eve = await h.addMember({ name: 'Eve Elsewhere', committee: 'Economy', locale: 'en', timeZone: 'UTC' });
    // Eve holds a seat at the same hours as A's shift, so signing up for it is refused like any clash.
    const clash = text(await h.as(cast.staffSame).send('/newshift 2026-12-10 09:00 12:00 市 3 Health'));
    expect(text(await h.as(eve).send(`/signup ${/#(\d+)/.exec(clash)![1]}`))).toMatch(/#\d+/);
    // A offers the seat to B by name.
    expect(text(await h.as(cast.memberA).send(`/swap ${a.shiftId} #${cast.memberB.id}`))).toContain('Bob Baker');
    const [swap] = await h.db.select().from(shiftSwaps).orderBy(desc(shiftSwaps.id)).limit(1);
    // A comment by A on today's guide of A's group.
    expect(text(await h.as(cast.staffSame).send(`/writeguide ${a.groupId} 2026-12-01 02:30 Read the first chapter.`))).not.toBe(en('errors.internal'));
    h.clock.advance(3600_000);
    expect(text(await h.as(cast.memberA).send(`/comment ${a.groupId} Alice's private view of chapter one.`))).not.toBe(en('errors.internal'));
    const [comment] = await h.db.select().from(readingComments).where(eq(readingComments.memberId, cast.memberA.id));
    const [guide] = await h.db.select().from(readingGuides).where(eq(readingGuides.groupId, a.groupId));
    // Notices Eve never received: one for staff, one for committee Culture.
    const staffNotice = (await composeAndSend(h, cast.staffSame, { text: 'Staff only: the budget draft.', audience: 'role:staff' })).id;
    const cultureNotice = (await composeAndSend(h, cast.staffSame, { text: 'Culture only: the visit plan.', audience: 'committee:Culture' })).id;
    await markDelivered(h, staffNotice);
    await markDelivered(h, cultureNotice);
    secrets.push(a.noteTitle, 'Pupils wait too long', "Alice's private view", 'Read the first chapter', 'the budget draft', 'the visit plan');
    memberIds = [a.noteId, a.shiftId, a.sessionId, a.groupId, swap!.id, comment!.id, guide!.id, staffNotice, cultureNotice].map(String);
    expect(new Set(memberIds).size, 'each object has an id of its own').toBe(memberIds.length);
    memberIds.push(NOWHERE);
    // For staff of another committee: the note of committee Culture, and nothing.
    staffIds = [String(a.noteId), NOWHERE];
    for (const m of [eve, cast.staffOther]) await h.as(m).send('/help');
  }, 120_000);
  afterAll(() => h.close());

  const checkPresses = async (presser: { id: number }, role: 'member' | 'staff', ids: string[]) => {
    const presses = forgedPresses(features, ids).filter((p) => p.namesObject && p.role === role);
    const prefixes = new Set(presses.map((p) => p.prefix));
    for (const prefix of prefixes) {
      const before = await snapshot(h);
      for (const press of presses.filter((p) => p.prefix === prefix)) {
        for (const chat of [undefined, { kind: 'group' as const, chatId: 'forgers-group' }]) {
          const replies = await h.as(presser, chat).press(press.data);
          const said = JSON.stringify(replies);
          for (const secret of secrets) expect(said, `${press.data} showed "${secret}"`).not.toContain(secret);
          expect(text(replies), press.data).not.toBe(en('errors.internal'));
          expect(text(replies), press.data).not.toBe(en('errors.tryAgain'));
        }
      }
      expect(await snapshot(h), `pressing ${prefix}:… with forged data changed the database`).toEqual(before);
    }
    return prefixes;
  };

  it("changes nothing and shows nothing when a member presses any member button with another member's objects", { timeout: 120_000 }, async () => {
    const pressed = await checkPresses(eve, 'member', memberIds);
    // The registry has member actions on shifts, notes, readings and notices: all were pressed.
    for (const prefix of ['sh', 'shl', 'sqv', 'sqr', 'rd', 'nr']) expect(pressed).toContain(prefix);
  });

  it('changes nothing and shows nothing when staff of another committee press any staff button with its note', { timeout: 120_000 }, async () => {
    const pressed = await checkPresses(cast.staffOther, 'staff', staffIds);
    for (const prefix of ['sqc', 'sqa', 'sqx', 'sqi', 'nta', 'shs']) expect(pressed).toContain(prefix);
  });

  it('has no action a member may press that is not pressed above', () => {
    const all = forgedPresses(features, ['1']);
    const unpressed = all.filter((p) => p.namesObject && !roleAllows('staff', p.role));
    expect(unpressed.map((p) => p.prefix)).toEqual([]);
  });
});

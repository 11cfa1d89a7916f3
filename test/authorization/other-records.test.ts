import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Harness } from '../support/harness.js';
import { DATABASE_KINDS } from '../support/db.js';
import { authorizationCast, en, QUIET, seedRecordsOfA, snapshot, type SeededRecords } from './support.js';

const text = Harness.text;

/**
 * Member A has a note, a duty sign-up and an RSVP; member B (and staff of another committee) try
 * to read or change them with A's ids and learn nothing and change nothing.
 */
describe.each(DATABASE_KINDS)("another member's records (%s)", (kind) => {
  let h: Harness;
  let cast: Awaited<ReturnType<typeof authorizationCast>>;
  let a: SeededRecords;

  beforeAll(async () => {
    h = await Harness.start({ kind, at: '2026-12-01T02:00:00Z', settings: QUIET });
    cast = await authorizationCast(h);
    a = await seedRecordsOfA(h, cast);
    await h.as(cast.memberB).send('/help');
    await h.as(cast.staffOther).send('/help');
  }, 30_000);
  afterAll(() => h.close());

  it("answers \"not found\" when member B reads or revises A's note, and changes nothing", async () => {
    const before = await snapshot(h);
    expect(text(await h.as(cast.memberB).send(`/note ${a.noteId}`))).toBe(en('notes.notFound', { id: a.noteId }));
    const revise = text(await h.as(cast.memberB).send(`/revisenote ${a.noteId}`));
    expect(revise).toBe(en('notes.notFound', { id: a.noteId }));
    expect(text(await h.as(cast.memberB).send('/mynotes'))).not.toContain(a.noteTitle);
    expect(await snapshot(h)).toEqual(before);
  });

  it("refuses member B withdrawing, swapping or logging A's duty shift, and changes nothing", async () => {
    const before = await snapshot(h);
    const notSignedUp = `You are not signed up for shift #${a.shiftId}.`;
    const notOnDuty = `You were not on duty on shift #${a.shiftId}, so you cannot log it.`;
    const attempts: [string, string][] = [
      [`/withdraw ${a.shiftId}`, notSignedUp],
      [`/swap ${a.shiftId}`, notSignedUp],
      [`/swap ${a.shiftId} #${cast.memberB.id}`, notSignedUp],
      [`/dutylog ${a.shiftId} 3 Talked to residents`, notOnDuty],
      [`/dutylog ${a.shiftId}`, notOnDuty],
    ];
    for (const [line, refusal] of attempts) expect(text(await h.as(cast.memberB).send(line)), line).toBe(refusal);
    expect(await snapshot(h)).toEqual(before);
    // A still holds the seat, and sees it.
    expect(text(await h.as(cast.memberA).send(`/shift ${a.shiftId}`))).toContain('You are on this shift.');
  });

  it("does not show A's RSVP or note to member B", async () => {
    const before = await snapshot(h);
    expect(text(await h.as(cast.memberB).send('/myreadings'))).not.toContain('From the Soil, Sat');
    expect(text(await h.as(cast.memberB).send('/myrecord'))).not.toContain(cast.memberA.name);
    expect(text(await h.as(cast.memberB).send('/myshifts'))).not.toContain(`#${a.shiftId}`);
    expect(await snapshot(h)).toEqual(before);
  });

  it("answers \"not found\" to staff of another committee reading A's record or note", async () => {
    const before = await snapshot(h);
    expect(text(await h.as(cast.staffOther).send(`/record #${cast.memberA.id}`))).toBe(en('members.notFound', { ref: `#${cast.memberA.id}` }));
    expect(text(await h.as(cast.staffOther).send(`/note ${a.noteId}`))).toBe(en('notes.notFound', { id: a.noteId }));
    for (const line of [`/noteclaim ${a.noteId}`, `/notereturn ${a.noteId} Not enough data`, `/notereject ${a.noteId}`]) {
      expect(text(await h.as(cast.staffOther).send(line)), line).toBe(en('notes.notFound', { id: a.noteId }));
    }
    expect(await snapshot(h)).toEqual(before);
  });
});

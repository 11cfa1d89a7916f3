import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { roleAllows } from '../../src/domain/members/members.js';
import type { Reply } from '../../src/router/types.js';
import { Harness } from '../support/harness.js';
import { DATABASE_KINDS } from '../support/db.js';
import { authorizationCast, en, QUIET, seedRecordsOfA, snapshot } from './support.js';

const text = Harness.text;
type Role = 'member' | 'staff' | 'admin';

/**
 * Every command of the router's catalog against every kind of caller: a command above the
 * caller's role answers "not allowed" (or, to an unbound account, "please bind") and writes nothing.
 */
describe.each(DATABASE_KINDS)('authorization matrix: command × role (%s)', (kind) => {
  let h: Harness;
  let callers: { label: string; role: Role | undefined; send: (t: string) => Promise<Reply[]> }[];

  beforeAll(async () => {
    h = await Harness.start({ kind, at: '2026-12-01T02:00:00Z', settings: QUIET });
    const cast = await authorizationCast(h);
    await seedRecordsOfA(h, cast);
    const guest = h.as({ platform: 'telegram', userId: '424242', language: 'en' });
    callers = [
      { label: 'guest (unbound account)', role: undefined, send: guest.send },
      { label: 'member', role: 'member', send: h.as(cast.memberB).send },
      { label: 'staff of another committee', role: 'staff', send: h.as(cast.staffOther).send },
      { label: 'staff of the same committee', role: 'staff', send: h.as(cast.staffSame).send },
      { label: 'admin', role: 'admin', send: h.as(cast.admin).send },
    ];
    // Every caller has been seen once, so touching last-seen times is not mistaken for a change.
    for (const c of callers) await c.send('/help');
  }, 60_000);
  afterAll(() => h.close());

  it('has commands at the guest, member and staff levels, each a role the router knows', () => {
    const roles = new Set(h.router.catalog.map((c) => c.role));
    for (const role of ['guest', 'member', 'staff']) expect(roles).toContain(role);
    for (const role of roles) expect(['guest', 'member', 'staff', 'admin']).toContain(role);
  });

  it('refuses every command above the caller\'s role with the localized text and changes nothing', { timeout: 60_000 }, async () => {
    let refused = 0;
    for (const caller of callers) {
      const above = h.router.catalog.filter((c) => c.role !== 'guest' && !roleAllows(caller.role, c.role));
      // One snapshot around all of a caller's refusals: any write by any of them would show.
      const before = await snapshot(h);
      for (const command of above) {
        // Also with arguments that would act on real rows (id 1 exists for shifts, notes and sessions).
        for (const line of [`/${command.name}`, `/${command.name} 1 csv`]) {
          const reply = text(await caller.send(line));
          expect(reply, `${caller.label}: ${line}`).toBe(caller.role ? en('errors.forbidden') : en('errors.unbound'));
          refused++;
        }
      }
      expect(await snapshot(h), `${caller.label}'s refused commands changed the database`).toEqual(before);
    }
    // Guests are refused every non-guest command, members every staff command.
    expect(refused).toBeGreaterThan(2 * h.router.catalog.filter((c) => c.role === 'staff').length);
  });

  it('runs or answers with a localized message for every command and role, never the internal-error apology', { timeout: 60_000 }, async () => {
    for (const caller of callers) {
      for (const command of h.router.catalog) {
        const replies = await caller.send(`/${command.name}`);
        const said = text(replies);
        expect(said, `${caller.label}: /${command.name}`).not.toBe(en('errors.internal'));
        expect(said, `${caller.label}: /${command.name}`).not.toBe(en('errors.tryAgain'));
        expect(replies.length, `${caller.label}: /${command.name} answered nothing`).toBeGreaterThan(0);
        if (command.role !== 'guest' && !roleAllows(caller.role, command.role)) {
          expect(said).toBe(caller.role ? en('errors.forbidden') : en('errors.unbound'));
        } else {
          expect(said).not.toBe(en('errors.forbidden'));
          // An unbound account's /start and /bind rightly explain how to bind.
          if (caller.role) expect(said).not.toBe(en('errors.unbound'));
        }
      }
    }
  });
});

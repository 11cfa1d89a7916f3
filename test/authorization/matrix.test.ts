import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { roleAllows } from '../../src/domain/members/members.js';
import type { Reply } from '../../src/router/types.js';
import { Harness } from '../support/harness.js';
import { DATABASE_KINDS } from '../support/db.js';
import { features } from '../../handlers/index.js';
import { dialogs } from '../../src/store/schema/index.js';
import { authorizationCast, en, forgedPresses, QUIET, seedRecordsOfA, snapshot } from './support.js';

const text = Harness.text;
type Role = 'member' | 'staff' | 'admin';

/**
 * Every command of the router's catalog against every kind of caller: a command above the
 * caller's role answers "not allowed" (or, to an unbound account, "please bind") and writes nothing.
 */
describe.each(DATABASE_KINDS)('authorization matrix: command × role (%s)', (kind) => {
  let h: Harness;
  let callers: { label: string; role: Role | undefined; id?: number; send: (t: string) => Promise<Reply[]>; press: (d: string) => Promise<Reply[]> }[];

  beforeAll(async () => {
    h = await Harness.start({ kind, at: '2026-12-01T02:00:00Z', settings: QUIET });
    const cast = await authorizationCast(h);
    await seedRecordsOfA(h, cast);
    const guest = h.as({ platform: 'telegram', userId: '424242', language: 'en' });
    const bound = (label: string, role: Role, m: { id: number }) => ({ label, role, id: m.id, ...h.as(m) });
    callers = [
      { label: 'guest (unbound account)', role: undefined, ...guest },
      bound('member', 'member', cast.memberB),
      bound('staff of another committee', 'staff', cast.staffOther),
      bound('staff of the same committee', 'staff', cast.staffSame),
      bound('admin', 'admin', cast.admin),
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

  const noApology = (said: string, what: string) => {
    expect(said, what).not.toBe(en('errors.internal'));
    expect(said, what).not.toBe(en('errors.tryAgain'));
  };

  it('answers every button action the router knows, with ids that exist and ids that do not, never with the apology', { timeout: 120_000 }, async () => {
    const presses = forgedPresses(features, ['1', '2', '999999999']);
    expect(new Set(presses.map((p) => p.prefix)).size).toBe(features.flatMap((f) => f.buttons ?? []).length);
    for (const caller of callers) {
      for (const press of presses) {
        const said = text(await caller.press(press.data));
        noApology(said, `${caller.label}: ${press.data}`);
        if (!roleAllows(caller.role, press.role)) expect(said, `${caller.label}: ${press.data}`).toBe(caller.role ? en('errors.forbidden') : en('errors.unbound'));
      }
    }
  });

  it('answers text in every dialogue, also one whose stored state is stale or foreign, never with the apology', { timeout: 60_000 }, async () => {
    const kinds = features.flatMap((f) => f.dialogs ?? []);
    expect(kinds.length).toBeGreaterThan(0);
    const states: unknown[] = [{}, { step: 'gone', noteId: 999999999, guideId: 1, shiftId: 1 }, { step: 'text', draftKey: 'x', text: 7 }];
    for (const caller of callers.filter((c) => c.id !== undefined)) {
      for (const dialog of kinds) {
        for (const state of states) {
          await h.db.insert(dialogs).values({ memberId: caller.id!, chatKey: `console:dm-${caller.id}`, kind: dialog.kind, state: state as object })
            .onConflictDoUpdate({ target: [dialogs.memberId, dialogs.chatKey], set: { kind: dialog.kind, state: state as object } });
          for (const line of ['hello', '2026-12-10', '1']) {
            const said = text(await caller.send(line));
            noApology(said, `${caller.label} in ${dialog.kind} with ${JSON.stringify(state)}: ${line}`);
          }
        }
        await caller.send('/cancel');
      }
    }
  });
});

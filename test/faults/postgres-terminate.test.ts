import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pg from 'pg';
import { and, eq, sql } from 'drizzle-orm';
import { t } from '../../src/core/i18n.js';
import { domainEvents, shiftSignups } from '../../src/store/schema/index.js';
import { Harness } from '../support/harness.js';

const text = Harness.text;
const MEMBERS = 30;

const MAX_ROUNDS = 25;
const TRY_AGAIN = t('zh-Hans', 'errors.tryAgain');
const INTERNAL = t('zh-Hans', 'errors.internal');
const TERMINATE = 'SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()';

/**
 * PostgreSQL connections are killed under the bot while members sign up and withdraw: real
 * PostgreSQL only, since PGlite has no connections to kill.
 */
describe.skipIf(!process.env.DATABASE_URL)('PostgreSQL connections terminated mid-run', () => {
  let h: Harness;
  let admin: pg.Client;
  let people: { id: number }[];
  /** Three shifts of ten seats, ten members each: nobody is ever waitlisted, so seats and events match one to one. */
  const shiftIds: number[] = [];
  const shiftOf = (i: number) => shiftIds[i % 3]!;

  beforeAll(async () => {
    h = await Harness.start({ kind: 'postgres', at: '2026-12-01T02:00:00Z', settings: { flood: { limit: 1000 } } });
    // The admin connection is to the same test database, so current_database() names it.
    const [current] = (await h.db.execute(sql`SELECT current_database() AS name`) as unknown as { rows: { name: string }[] }).rows;
    const url = new URL(process.env.DATABASE_URL!);
    url.pathname = `/${current!.name}`;
    admin = new pg.Client({ connectionString: url.toString() });
    await admin.connect();
    const staff = await h.addMember({ name: '赵敏', role: 'staff' });
    for (const day of [20, 21, 22]) {
      const created = text(await h.as(staff).send(`/newshift 2026-12-${day} 09:00 12:00 市 10 教育民生`));
      const id = Number(/#(\d+)/.exec(created)?.[1]);
      expect(id, created).toBeGreaterThan(0);
      shiftIds.push(id);
    }
    people = [];
    for (let i = 0; i < MEMBERS; i++) people.push(await h.addMember({ name: `成员${i}` }));
  });

  afterAll(async () => {
    await admin?.end();
    await h?.close();
  });

  it('answers "please try again" to the hit commands, leaves no half-done sign-up, and recovers by itself', { timeout: 60_000 }, async () => {
    const answers: string[] = [];
    let hits = 0;
    // Rounds of every member toggling their sign-up while the admin kills every other backend;
    // repeated until some command was certainly caught by the kill (bounded by MAX_ROUNDS).
    for (let round = 0; round < MAX_ROUNDS && (hits === 0 || round < 3); round++) {
      const commands = people.map((m, i) => h.as(m).send((round + i) % 2 === 0 ? `/signup ${shiftOf(i)}` : `/withdraw ${shiftOf(i)}`));
      const kill = new Promise((r) => setTimeout(r, 3 + (round % 5) * 4)).then(() => admin.query(TERMINATE));
      const [replies] = await Promise.all([Promise.all(commands), kill]);
      for (const r of replies) {
        const said = text(r);
        answers.push(said);
        if (said === TRY_AGAIN) hits++;
      }
    }
    expect(hits).toBeGreaterThan(0);
    // Let the pool see the last kill's closed sockets (it drops dead idle clients on their 'error').
    await new Promise((r) => setTimeout(r, 250));
    // Every command got an answer: its result or "please try again", never a crash or the apology.
    expect(answers).toHaveLength(answers.filter((a) => a.length > 0).length);
    expect(answers).not.toContain(INTERNAL);

    // No half-done change: a seat exists exactly when its sign-up event does (minus withdrawals).
    for (const [i, m] of people.entries()) {
      const shiftId = shiftOf(i);
      const seats = await h.db.select().from(shiftSignups).where(and(eq(shiftSignups.shiftId, shiftId), eq(shiftSignups.memberId, m.id)));
      const events = await h.db.select({ kind: domainEvents.kind }).from(domainEvents)
        .where(and(eq(domainEvents.ref, `shift:${shiftId}`), eq(domainEvents.memberId, m.id)));
      const signedUp = events.filter((e) => e.kind === 'shift.signup').length;
      const withdrawn = events.filter((e) => e.kind === 'shift.withdrawn').length;
      expect(signedUp - withdrawn).toBe(seats.length);
    }

    // The bot recovers without a restart: every member's next commands work and agree with the data.
    for (const [i, m] of people.entries()) {
      const shiftId = shiftOf(i);
      const [seat] = await h.db.select().from(shiftSignups).where(and(eq(shiftSignups.shiftId, shiftId), eq(shiftSignups.memberId, m.id)));
      const reply = text(await h.as(m).send(seat ? `/withdraw ${shiftId}` : `/signup ${shiftId}`));
      expect(reply).toEqual(seat ? `您已退出值班 #${shiftId}。` : expect.stringContaining(`报名成功：值班 #${shiftId}`));
      const card = text(await h.as(m).send(`/shift ${shiftId}`));
      if (seat) expect(card).not.toContain('您已报名此班。');
      else expect(card).toContain('您已报名此班。');
    }
  });
});

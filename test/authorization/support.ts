import { sql } from 'drizzle-orm';
import { expect } from 'vitest';
import { z } from 'zod';
import type { Role } from '../../src/domain/members/members.js';
import type { Feature } from '../../src/router/types.js';
import { t } from '../../src/core/i18n.js';
import { resultRows } from '../../src/store/db.js';
import type { Reply } from '../../src/router/types.js';
import { Harness } from '../support/harness.js';

const text = Harness.text;

/** Settings for tests that send hundreds of commands at one fixed moment: the flood guard would answer otherwise. */
export const QUIET = { flood: { limit: 100_000 } };

/** An English reply text, for comparing with what the router says. */
export const en = (key: string, params?: Record<string, unknown>) => t('en', key, params as never, 'UTC');

/**
 * The people of the matrix, all reading English: an admin, staff of committee "Culture" (the one
 * the members belong to), staff of another committee, and members A (whose records are seeded)
 * and B (who tries to touch them).
 */
export async function authorizationCast(h: Harness) {
  const base = { locale: 'en' as const, timeZone: 'UTC' };
  return {
    admin: await h.addMember({ name: 'Ada Admin', role: 'admin', committee: 'Culture', ...base }),
    staffSame: await h.addMember({ name: 'Sam Staff', role: 'staff', committee: 'Culture', ...base }),
    staffOther: await h.addMember({ name: 'Otto Other', role: 'staff', committee: 'Economy', ...base }),
    memberA: await h.addMember({ name: 'Alice Able', committee: 'Culture', ...base }),
    memberB: await h.addMember({ name: 'Bob Baker', committee: 'Culture', ...base }),
  };
}

/** The seeded records of member A: a submitted note, a duty shift sign-up and a reading RSVP. */
export interface SeededRecords { noteId: number; shiftId: number; sessionId: number; groupId: number; noteTitle: string }

/** Seeds A's records through the commands members and staff use. */
export async function seedRecordsOfA(h: Harness, cast: Awaited<ReturnType<typeof authorizationCast>>): Promise<SeededRecords> {
  const { staffSame, memberA } = cast;
  const shiftReply = text(await h.as(staffSame).send('/newshift 2026-12-10 09:00 12:00 市 3 Education'));
  const shiftId = Number(/#(\d+)/.exec(shiftReply)?.[1]);
  expect(shiftId, shiftReply).toBeGreaterThan(0);
  expect(text(await h.as(memberA).send(`/signup ${shiftId}`))).toMatch(/#\d+/);

  const noteTitle = 'Crossing for pupils';
  const preview = await h.as(memberA).send(`/newnote ${noteTitle} | Other | Pupils wait too long at the border crossing.`);
  const submitted = text(await h.as(memberA).press(buttonData(preview, 'sqd:ok')));
  const noteId = Number(/#(\d+)/.exec(submitted)?.[1]);
  expect(noteId, submitted).toBeGreaterThan(0);

  const groupReply = text(await h.as(staffSame).send(`/readinggroup "From the Soil" #${memberA.id} Culture`));
  const groupId = Number(/Reading group (\d+) created/.exec(groupReply)?.[1]);
  expect(groupId, groupReply).toBeGreaterThan(0);
  const sessionReply = text(await h.as(staffSame).send(`/readingsession ${groupId} 2026-12-05 19:30 21:00 place="Room 3"`));
  const sessionId = Number(/#(\d+) .* check-in code \d{6}/.exec(sessionReply)?.[1]);
  expect(sessionId, sessionReply).toBeGreaterThan(0);
  expect(text(await h.as(memberA).send(`/rsvp ${sessionId} yes`))).toMatch(/^You have a seat/);
  return { noteId, shiftId, sessionId, groupId, noteTitle };
}

/** The data of the first button whose data starts with `prefix`. */
export function buttonData(replies: Reply[], prefix: string): string {
  const found = replies.flatMap((r) => (r.buttons ?? []).flat()).find((b) => b.data?.startsWith(prefix));
  if (!found?.data) throw new Error(`no ${prefix} button in ${JSON.stringify(replies)}`);
  return found.data;
}

/**
 * Row count and an md5 of every row of every table in the public schema: equal snapshots mean
 * nothing was written, whatever table a handler might have touched.
 */
export async function snapshot(h: Harness): Promise<Record<string, string>> {
  const tables = resultRows<{ name: string }>(await h.db.execute(
    sql`SELECT table_name AS name FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE' ORDER BY table_name`,
  ));
  const out: Record<string, string> = {};
  for (const { name } of tables) {
    const [row] = resultRows<{ n: number; digest: string | null }>(await h.db.execute(
      sql.raw(`SELECT count(*)::int AS n, md5(string_agg(r::text, ',' ORDER BY r::text)) AS digest FROM "${name}" r`),
    ));
    if (!row) throw new Error(`no count for ${name}`);
    out[name] = `${row.n}:${row.digest ?? ''}`;
  }
  return out;
}

/** JSON Schema of one button part, as zod describes a parts schema's input. */
interface PartSchema {
  enum?: string[];
  const?: string;
  pattern?: string;
  maxLength?: number;
}
interface TupleSchema {
  prefixItems?: PartSchema[];
  minItems?: number;
  anyOf?: TupleSchema[];
}

/** One press to try: the action's prefix and least role, and the button data. */
export interface ForgedPress {
  prefix: string;
  role: Role;
  data: string;
  /** Whether the data names an object by id (one of `ids`), not just a choice or a page. */
  namesObject: boolean;
}

/**
 * Every button action of `features` (the router's registry, so a new action is covered without
 * editing a list), with every datum its parts schema accepts built from `ids` where a part is an
 * id: each choice of an enum, each id for a number, and for free text a word and each id. Read
 * from the zod schema through its JSON Schema (z.toJSONSchema), which is public and stable.
 */
export function forgedPresses(features: Feature[], ids: string[]): ForgedPress[] {
  const out: ForgedPress[] = [];
  for (const f of features) {
    for (const action of f.buttons ?? []) {
      const schema = action.parts ? (z.toJSONSchema(action.parts, { io: 'input', unrepresentable: 'any' }) as TupleSchema) : { prefixItems: [{ maxLength: 16 }], minItems: 0 };
      for (const tuple of schema.anyOf ?? [schema]) {
        for (const parts of tuples(tuple, ids)) {
          const namesObject = parts.some((p) => ids.includes(p));
          out.push({ prefix: action.prefix, role: action.role, data: [action.prefix, ...parts].join(':'), namesObject });
        }
      }
    }
  }
  return out;
}

function tuples(schema: TupleSchema, ids: string[]): string[][] {
  const items = schema.prefixItems ?? [];
  let acc: string[][] = [[]];
  const results: string[][] = [];
  items.forEach((item, i) => {
    const values = item.const !== undefined ? [item.const]
      : item.enum ?? (item.pattern ? ids.filter((id) => new RegExp(item.pattern!, 'u').test(id)) : ['x', ...ids]);
    // Past the first few positions only the first choice, so the number of presses stays modest.
    const chosen = i >= 2 ? values.slice(0, 1) : values;
    acc = acc.flatMap((prefix) => chosen.map((v) => [...prefix, v]));
    if (i + 1 >= (schema.minItems ?? items.length)) results.push(...acc);
  });
  return results.length ? results : acc;
}

import { z } from 'zod';
import { IANAZone } from 'luxon';
import { eq, sql } from 'drizzle-orm';
import type { Db } from '../../store/db.js';
import { members } from '../../store/schema/index.js';
import { cleanInput } from '../../core/input.js';
import { UserError } from '../../core/errors.js';
import type { Params } from '../../core/i18n.js';
import type { ImportLimits } from '../imports/settings.js';
import { readSheet, cell, type SheetRow } from './roster-file.js';
import type { Member } from './members.js';

/** Why a row was turned away; `reasonKey` is a locale key, `line` the spreadsheet line. */
export interface RejectedRow {
  line: number;
  reasonKey: string;
  value?: string;
  params?: Params;
}

export interface ImportReport {
  added: number;
  updated: number;
  unchanged: number;
  rejected: RejectedRow[];
}

const ROLE_WORDS: Record<string, 'member' | 'staff' | 'admin'> = {
  member: 'member', 委员: 'member', 委員: 'member',
  staff: 'staff', 工作人员: 'staff', 工作人員: 'staff',
  admin: 'admin', 管理员: 'admin', 管理員: 'admin',
};
const LOCALE_WORDS: Record<string, 'zh-Hans' | 'zh-Hant' | 'en'> = {
  'zh-hans': 'zh-Hans', 'zh-cn': 'zh-Hans', 简体: 'zh-Hans', 簡體: 'zh-Hans',
  'zh-hant': 'zh-Hant', 'zh-hk': 'zh-Hant', 'zh-tw': 'zh-Hant', 繁體: 'zh-Hant', 繁体: 'zh-Hant',
  en: 'en', english: 'en', 英文: 'en',
};

const rowSchema = z.object({
  name: z.string().min(1, 'roster.reason.noName').max(50, 'roster.reason.longName'),
  committee: z.string().max(60, 'roster.reason.tooLong'),
  sector: z.string().max(60, 'roster.reason.tooLong'),
  region: z.string().max(60, 'roster.reason.tooLong'),
  role: z.string().transform((v, ctx) => {
    const r = ROLE_WORDS[v.toLowerCase() || 'member'];
    if (!r) ctx.addIssue({ code: 'custom', message: 'roster.reason.badRole' });
    return r ?? 'member';
  }),
  locale: z.string().transform((v, ctx) => {
    const l = LOCALE_WORDS[v.toLowerCase() || 'zh-hans'];
    if (!l) ctx.addIssue({ code: 'custom', message: 'roster.reason.badLocale' });
    return l ?? 'zh-Hans';
  }),
  timeZone: z.string().refine((v) => IANAZone.isValidZone(v), 'roster.reason.badTimeZone'),
  wecomUserId: z.string().regex(/^[A-Za-z0-9_.@-]{0,64}$/, 'roster.reason.badWecomId'),
  telegramUsername: z.string().regex(/^@?([A-Za-z][A-Za-z0-9_]{4,31})?$/, 'roster.reason.badTelegram'),
});

function readRow(row: SheetRow, defaultTimeZone: string) {
  const raw = {
    name: cell(row, 'name', '姓名'),
    committee: cell(row, 'committee', '专委会', '專委會'),
    sector: cell(row, 'sector', '界别', '界別'),
    region: cell(row, 'region', '地区', '地區'),
    role: cell(row, 'role', '角色'),
    locale: cell(row, 'locale', 'language', '语言', '語言'),
    timeZone: cell(row, 'time zone', 'timezone', 'time_zone', '时区', '時區') || defaultTimeZone,
    wecomUserId: cell(row, 'wecom userid', 'wecom_userid', 'wecom', '企业微信账号', '企業微信賬號', 'userid'),
    telegramUsername: cell(row, 'telegram username', 'telegram', 'telegram用户名'),
  };
  for (const v of Object.values(raw)) cleanInput(v);
  return rowSchema.safeParse(raw);
}

/** Who imports, and under which rules: the staff member or admin who sent the file, or the operator at the shell. */
export interface RosterImportOptions {
  defaultTimeZone: string;
  importer: Member | 'operator';
  limits: ImportLimits;
}

/**
 * Imports a roster spreadsheet. Rows are matched on the WeCom userid (or name@committee), so
 * importing the same file again changes nothing; each bad row is reported with its line.
 * Only an admin (or the operator) may give or change the roles staff and admin, or change a
 * staff or admin account at all: from anyone else, such rows are refused and the rest imported.
 */
export async function importRoster(db: Db, fileName: string, data: Buffer, opts: RosterImportOptions): Promise<ImportReport> {
  const rows = await readSheet(fileName, data, opts.limits);
  if (rows.length === 0) throw new UserError('import.empty');
  const mayManageStaff = opts.importer === 'operator' || opts.importer.role === 'admin';
  const report: ImportReport = { added: 0, updated: 0, unchanged: 0, rejected: [] };
  const seen = new Map<string, number>();
  for (const row of rows) {
    if (row.errorCell) {
      report.rejected.push({ line: row.line, reasonKey: 'import.errorCell', params: row.errorCell });
      continue;
    }
    let parsed;
    try {
      parsed = readRow(row, opts.defaultTimeZone);
    } catch {
      report.rejected.push({ line: row.line, reasonKey: 'roster.reason.badCharacters' });
      continue;
    }
    if (!parsed.success) {
      report.rejected.push({ line: row.line, reasonKey: parsed.error.issues[0]?.message ?? 'roster.reason.invalid' });
      continue;
    }
    const v = parsed.data;
    const rosterKey = v.wecomUserId || `${v.name}@${v.committee}`;
    const earlier = seen.get(rosterKey);
    if (earlier !== undefined) {
      report.rejected.push({ line: row.line, reasonKey: 'roster.reason.duplicate', value: String(earlier) });
      continue;
    }
    seen.set(rosterKey, row.line);
    const values = {
      rosterKey, name: v.name, committee: v.committee, sector: v.sector, region: v.region, role: v.role,
      locale: v.locale, timeZone: v.timeZone, wecomUserId: v.wecomUserId || null,
      telegramUsername: v.telegramUsername.replace(/^@/, '') || null,
    };
    const outcome = await upsertMember(db, values, mayManageStaff);
    if (outcome === 'conflict') report.rejected.push({ line: row.line, reasonKey: 'roster.reason.wecomTaken' });
    else if (outcome === 'roleNeedsAdmin' || outcome === 'accountNeedsAdmin') report.rejected.push({ line: row.line, reasonKey: `roster.reason.${outcome}` });
    else report[outcome]++;
  }
  return report;
}

type MemberValues = Omit<typeof members.$inferInsert, 'id'> & { rosterKey: string };

type UpsertOutcome = 'added' | 'updated' | 'unchanged' | 'conflict' | 'roleNeedsAdmin' | 'accountNeedsAdmin';

async function upsertMember(db: Db, values: MemberValues, mayManageStaff: boolean): Promise<UpsertOutcome> {
  return db.transaction(async (tx) => {
    const [existing] = await tx.select().from(members).where(eq(members.rosterKey, values.rosterKey)).for('update');
    if (values.wecomUserId) {
      const [holder] = await tx.select({ id: members.id }).from(members).where(eq(members.wecomUserId, values.wecomUserId));
      if (holder && holder.id !== existing?.id) return 'conflict';
    }
    if (!existing) {
      if (!mayManageStaff && values.role !== 'member') return 'roleNeedsAdmin';
      await tx.insert(members).values(values);
      return 'added';
    }
    // A member's own choice of language and time zone outlives a re-import of the roster.
    const incoming = {
      ...values,
      locale: existing.localeChosen ? existing.locale : values.locale,
      timeZone: existing.timeZoneChosen ? existing.timeZone : values.timeZone,
    };
    const changed = (Object.keys(incoming) as (keyof MemberValues)[]).some((k) => incoming[k] !== existing[k as keyof typeof existing]);
    if (!changed) return 'unchanged';
    if (!mayManageStaff && incoming.role !== existing.role) return 'roleNeedsAdmin';
    // A staff or admin row's WeCom userid decides who may act as them (it binds itself): theirs to change only by an admin.
    if (!mayManageStaff && existing.role !== 'member') return 'accountNeedsAdmin';
    await tx.update(members).set({ ...incoming, updatedAt: sql`now()` }).where(eq(members.id, existing.id));
    return 'updated';
  });
}

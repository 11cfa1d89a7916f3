import { z } from 'zod';
import { UserError } from '../src/core/errors.js';
import { day, tk } from '../src/core/i18n.js';
import { memberRefArgs } from '../src/core/input.js';
import { audit, oneMember, type Member } from '../src/domain/members/members.js';
import { servesCommittee, servedCommittee } from '../src/domain/notes/access.js';
import {
  currentYear, membersOnRecord, performanceRecord, performanceRecords, termPeriod, yearPeriod, type PerformanceRecord, type RecordPeriod,
} from '../src/domain/archive/index.js';
import { EXPORT_FORMATS, exportFile, type ExportFormat } from '../src/domain/export/index.js';
import type { Command, Feature, MemberCtx, Reply } from '../src/router/types.js';

const TERM_WORDS = new Set(['term', '本届', '本屆', '届', '屆']);

/** This year and this term, in the committee's time zone, up to now. */
function currentPeriods(ctx: MemberCtx): { year: number; yearPeriod: RecordPeriod; term: RecordPeriod } {
  const { clock, defaultTimeZone, settings } = ctx.deps;
  const now = clock.now();
  const year = currentYear(now, defaultTimeZone);
  return { year, yearPeriod: yearPeriod(year, defaultTimeZone, now), term: termPeriod(settings.notes.term, defaultTimeZone, now) };
}

function section(ctx: MemberCtx, head: string, r: PerformanceRecord): string[] {
  return [
    head,
    ctx.t('record.shifts', r.shifts),
    ctx.t('record.notes', { ...r.notes }),
    ctx.t('record.reading', r.reading),
  ];
}

/** A member's record for this year and this term, as they or an officer read it. */
async function recordCard(ctx: MemberCtx, member: Member): Promise<Reply> {
  const { db, settings, clock } = ctx.deps;
  const { year, yearPeriod: thisYear, term } = currentPeriods(ctx);
  const yearRecord = await performanceRecord(db, member.id, thisYear, settings.notes.points);
  const termRecord = await performanceRecord(db, member.id, term, settings.notes.points);
  const lines = [
    ctx.t('record.title', { name: member.name }),
    '',
    ...section(ctx, ctx.t('record.yearHead', { year }), yearRecord),
    '',
    ...section(ctx, ctx.t('record.termHead', { from: day(term.firstDay), to: day(term.lastDay) }), termRecord),
    '',
    ctx.t('record.asOf', { at: clock.now() }),
  ];
  return { text: lines.join('\n') };
}

const myRecord: Command = {
  name: 'myrecord', role: 'member', summaryKey: 'record.mineSummary', usageKey: 'record.mineUsage', privateOnly: true,
  run: async (ctx) => recordCard(ctx, ctx.member),
};

/** `/record NAME`: an officer reads the record of a member of a committee they serve; others are "not found". */
const memberRecord: Command<[string]> = {
  name: 'record', role: 'staff', summaryKey: 'record.viewSummary', usageKey: 'record.viewUsage', privateOnly: true,
  args: memberRefArgs(50),
  run: async (ctx, [ref]) => {
    const member = await oneMember(ctx.deps.db, ref);
    if (!servesCommittee(ctx.member, member.committee)) throw new UserError('members.notFound', { ref });
    await audit(ctx.deps.db, ctx.member.id, 'record.view', `member:${member.id}`);
    return recordCard(ctx, member);
  },
};

/** Reads "[2026 | term] [csv | xlsx]" in either order; default this year as XLSX. */
function readExportWords(ctx: MemberCtx, words: string[]): { period: RecordPeriod; label: string; heading: string; format: ExportFormat } {
  const { year, yearPeriod: thisYear, term } = currentPeriods(ctx);
  let chosen = { period: thisYear, label: String(year), heading: ctx.t('record.yearHead', { year }) };
  let format: ExportFormat = 'xlsx';
  for (const word of words) {
    const lower = word.toLowerCase();
    if ((EXPORT_FORMATS as readonly string[]).includes(lower)) format = lower as ExportFormat;
    else if (TERM_WORDS.has(lower)) {
      chosen = { period: term, label: `term-${term.firstDay.slice(0, 4)}`, heading: ctx.t('record.termHead', { from: day(term.firstDay), to: day(term.lastDay) }) };
    } else if (/^\d{4}$/.test(word) && Number(word) >= 2000 && Number(word) <= year) {
      chosen = { period: yearPeriod(Number(word), ctx.deps.defaultTimeZone, ctx.deps.clock.now()), label: word, heading: ctx.t('record.yearHead', { year: Number(word) }) };
    } else throw new UserError('errors.usage', { problem: tk('record.badWord', { word }), usage: tk('record.exportUsage') });
  }
  return { ...chosen, format };
}

/** `/recordexport [YEAR | term] [csv | xlsx]`: every member's record in the committees the officer serves, as a file. */
const exportRecords: Command<string[]> = {
  name: 'recordexport', role: 'staff', summaryKey: 'record.exportSummary', usageKey: 'record.exportUsage', privateOnly: true,
  args: z.array(z.string()).max(2),
  run: async (ctx, words) => {
    const { db, settings } = ctx.deps;
    const { period, label, heading, format } = readExportWords(ctx, words);
    const committee = servedCommittee(ctx.member) ?? null;
    const people = await membersOnRecord(db, committee);
    const records = await performanceRecords(db, people.map((m) => m.id), period, settings.notes.points);
    const col = (k: string) => ctx.t(`record.col.${k}`);
    const file = await exportFile(`records-${label}`, format, [{
      name: heading,
      headers: ['name', 'committee', 'sector', 'served', 'logged', 'submitted', 'adopted', 'points', 'attended', 'comments'].map(col),
      rows: people.map((m) => {
        const r = records.get(m.id)!;
        return [m.name, m.committee, m.sector, r.shifts.served, r.shifts.logged, r.notes.submitted, r.notes.adopted, r.notes.points, r.reading.attended, r.reading.comments];
      }),
    }]);
    await audit(db, ctx.member.id, 'record.export', `records:${label}`, { format, committee, members: people.length });
    return { text: ctx.t('export.done', { name: file.name, rows: people.length }), file };
  },
};

/** The performance record (履职档案): /myrecord for members, a member's record and the export for staff. */
export const recordFeature: Feature = {
  name: 'record',
  commands: [myRecord, memberRecord, exportRecords],
};

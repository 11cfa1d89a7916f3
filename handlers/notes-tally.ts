import { z } from 'zod';
import { DateTime } from 'luxon';
import { UserError } from '../src/core/errors.js';
import { tk } from '../src/core/i18n.js';
import { audit } from '../src/domain/members/members.js';
import { servedCommittee } from '../src/domain/notes/access.js';
import { monthlyTally, type NotesTally, type TallyLine } from '../src/domain/notes/tally.js';
import { EXPORT_FORMATS, exportFile, type ExportFormat, type ExportSheet } from '../src/domain/export/index.js';
import type { Command, MemberCtx, Reply } from '../src/router/types.js';

/** Members listed in the chat reply; the export has them all. */
const TEXT_MEMBERS = 20;

/** A month (2026-11) or a year (2026); default the current month in the committee's time zone. */
export interface Period {
  year: number;
  month?: number;
}

const PERIOD = /^(\d{4})(?:[-/.](\d{1,2}))?$/;

/** Reads the words of /notetally: a period and a file format, in either order, both optional. */
function readWords(ctx: MemberCtx, words: string[]): { period: Period; format?: ExportFormat } {
  const now = DateTime.fromJSDate(ctx.deps.clock.now()).setZone(ctx.deps.defaultTimeZone);
  let period: Period = { year: now.year, month: now.month };
  let format: ExportFormat | undefined;
  for (const word of words) {
    const lower = word.toLowerCase();
    const p = PERIOD.exec(word);
    if ((EXPORT_FORMATS as readonly string[]).includes(lower)) format = lower as ExportFormat;
    else if (p && Number(p[1]) >= 2000 && Number(p[1]) <= 2100 && (!p[2] || (Number(p[2]) >= 1 && Number(p[2]) <= 12))) {
      period = p[2] ? { year: Number(p[1]), month: Number(p[2]) } : { year: Number(p[1]) };
    } else throw new UserError('errors.usage', { problem: tk('notes.tally.badWord', { word }), usage: tk('notes.tallyUsage') });
  }
  return { period, format };
}

const percent = (rate: number | null): string => (rate === null ? '—' : `${Math.round(rate * 100)}%`);

function periodLabel(ctx: MemberCtx, tally: NotesTally): string {
  return tally.month ? ctx.t('notes.tally.month', { year: tally.year, month: tally.month }) : ctx.t('notes.tally.year', { year: tally.year });
}

const figures = (line: TallyLine) => ({ submitted: line.submitted, adopted: line.adopted, rate: percent(line.adoptionRate), points: line.points });

/** The tally as a chat message: totals, each sector, and the leading members. */
function tallyText(ctx: MemberCtx, tally: NotesTally, scope: string): string {
  const head = ctx.t('notes.tally.title', { period: periodLabel(ctx, tally), scope });
  if (tally.total.submitted + tally.total.adopted + tally.total.points === 0) return `${head}\n${ctx.t('notes.tally.empty')}`;
  const lines = [head, ctx.t('notes.tally.total', figures(tally.total)), '', ctx.t('notes.tally.bySector')];
  for (const s of tally.sectors) lines.push(ctx.t('notes.tally.sectorLine', { sector: s.sector || '—', ...figures(s) }));
  lines.push('', ctx.t('notes.tally.byMember'));
  tally.members.slice(0, TEXT_MEMBERS).forEach((m, i) => lines.push(ctx.t('notes.tally.memberLine', { rank: i + 1, name: m.name, sector: m.sector || '—', ...figures(m) })));
  if (tally.members.length > TEXT_MEMBERS) lines.push(ctx.t('notes.tally.moreMembers', { count: tally.members.length - TEXT_MEMBERS }));
  return lines.join('\n');
}

const ratePercent = (rate: number | null) => (rate === null ? null : Math.round(rate * 1000) / 10);

/** The tally as two sheets: per member and per sector, headers in the officer's language. */
function tallySheets(ctx: MemberCtx, tally: NotesTally): ExportSheet[] {
  const col = (k: string) => ctx.t(`notes.tally.col.${k}`);
  const counts = [col('submitted'), col('adopted'), col('rate'), col('points')];
  return [
    {
      name: ctx.t('notes.tally.sheetMembers'),
      headers: [col('rank'), col('name'), col('committee'), col('sector'), ...counts],
      rows: tally.members.map((m, i) => [i + 1, m.name, m.committee, m.sector, m.submitted, m.adopted, ratePercent(m.adoptionRate), m.points]),
    },
    {
      name: ctx.t('notes.tally.sheetSectors'),
      headers: [col('sector'), ...counts],
      rows: [
        ...tally.sectors.map((s) => [s.sector || '—', s.submitted, s.adopted, ratePercent(s.adoptionRate), s.points]),
        [col('total'), tally.total.submitted, tally.total.adopted, ratePercent(tally.total.adoptionRate), tally.total.points],
      ],
    },
  ];
}

/** `/notetally [2026 | 2026-11] [csv | xlsx]`: the tally of the committees the officer serves, as text or as a file. */
const tallyCommand: Command<string[]> = {
  name: 'notetally', role: 'staff', summaryKey: 'notes.tallySummary', usageKey: 'notes.tallyUsage', privateOnly: true,
  args: z.array(z.string()).max(2),
  run: async (ctx, words): Promise<Reply> => {
    const { db, settings, defaultTimeZone } = ctx.deps;
    const { period, format } = readWords(ctx, words);
    const committee = servedCommittee(ctx.member) ?? null;
    const tally = await monthlyTally(db, { ...period, committee, timeZone: defaultTimeZone, points: settings.notes.points });
    const scope = committee === null ? ctx.t('notes.tally.allCommittees') : committee || '—';
    const label = period.month ? `${period.year}-${String(period.month).padStart(2, '0')}` : String(period.year);
    if (!format) {
      // The text names members and their points as the file does: the same kind of read.
      await audit(db, ctx.member.id, 'notes.tally.view', `tally:${label}`, { committee, members: tally.members.length });
      return { text: tallyText(ctx, tally, scope) };
    }
    const file = await exportFile(`notes-tally-${label}`, format, tallySheets(ctx, tally));
    await audit(db, ctx.member.id, 'notes.tally.export', `tally:${label}`, { format, committee, members: tally.members.length });
    return { text: ctx.t('export.done', { name: file.name, rows: tally.members.length }), file };
  },
};

export const tallyCommands = [tallyCommand];

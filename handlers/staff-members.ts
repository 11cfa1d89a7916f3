import { issueBindingCode, CODE_TTL_HOURS } from '../src/domain/members/binding.js';
import { audit, oneMember } from '../src/domain/members/members.js';
import { importRoster } from '../src/domain/members/roster-import.js';
import { memberRefArgs } from '../src/core/input.js';
import type { Command, Feature, MemberCtx } from '../src/router/types.js';

const bindcode: Command<[string]> = {
  name: 'bindcode', role: 'staff', summaryKey: 'bindcode.summary', usageKey: 'bindcode.usage',
  privateOnly: true,
  args: memberRefArgs(50),
  run: async (ctx, [ref]) => {
    const member = await oneMember(ctx.deps.db, ref);
    const { code, expiresAt } = await issueBindingCode(ctx.deps.db, member, ctx.member, ctx.deps.clock.now());
    await audit(ctx.deps.db, ctx.member.id, 'bindcode.issue', `member:${member.id}`);
    return { text: ctx.t('bindcode.issued', { name: member.name, code, link: `bind-${code}`, expiresAt, hours: CODE_TTL_HOURS }) };
  },
};

/** Roster import: staff send a CSV or XLSX file to the bot. */
async function importRosterFile(ctx: MemberCtx) {
  const file = ctx.msg.file!;
  if (!/roster|名单|名單|members/i.test(file.name)) return undefined;
  const report = await importRoster(ctx.deps.db, file.name, file.data, { defaultTimeZone: ctx.deps.defaultTimeZone, importer: ctx.member, limits: ctx.deps.settings.imports });
  await audit(ctx.deps.db, ctx.member.id, 'roster.import', 'members', { added: report.added, updated: report.updated, rejected: report.rejected.length });
  const lines = [ctx.t('roster.report', { added: report.added, updated: report.updated, unchanged: report.unchanged, rejected: report.rejected.length })];
  for (const r of report.rejected.slice(0, 30)) lines.push(ctx.t('roster.rejectedLine', { line: r.line, reason: ctx.t(r.reasonKey, { value: r.value ?? '', ...r.params }) }));
  if (report.rejected.length > 30) lines.push(ctx.t('roster.moreRejected', { count: report.rejected.length - 30 }));
  return { text: lines.join('\n') };
}

/** Staff work on the member list: binding codes and roster imports. */
export const staffMembersFeature: Feature = {
  name: 'staff-members',
  commands: [bindcode],
  onFile: async (ctx) => importRosterFile(ctx),
};

import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { ConfigError, loadConfig, type Config } from './config.js';
import { loadSettings } from './settings.js';
import { openDatabase, type Db } from './store/db.js';
import { importRoster } from './domain/members/roster-import.js';
import { issueBindingCode, CODE_TTL_HOURS } from './domain/members/binding.js';
import { oneMember } from './domain/members/members.js';
import { UserError } from './core/errors.js';
import { t } from './core/i18n.js';

const USAGE = 'usage: npm run cli -- import-roster FILE.csv|FILE.xlsx\n       npm run cli -- bindcode NAME|#ID';

/** One task at the shell, with the database open; returns the exit code. */
type Task = (db: Db, config: Config, args: string[]) => Promise<number>;

const say = (line: string) => process.stdout.write(`${line}\n`);

/** Imports a roster file with an admin's authority: the operator holds the database anyway. */
const importRosterTask: Task = async (db, config, [file]) => {
  const settings = loadSettings(config.SETTINGS_FILE);
  const report = await importRoster(db, basename(file!), await readFile(file!), { defaultTimeZone: config.DEFAULT_TIMEZONE, importer: 'operator', limits: settings.imports });
  const locale = config.DEFAULT_LOCALE;
  say(t(locale, 'roster.report', { ...report, rejected: report.rejected.length }));
  for (const r of report.rejected) say(t(locale, 'roster.rejectedLine', { line: r.line, reason: t(locale, r.reasonKey, { value: r.value ?? '', ...r.params }) }));
  return report.rejected.length > 0 ? 1 : 0;
};

/**
 * Prints a one-time binding code for a member, staff officer or admin: how the first admin of a
 * new deployment gets in (import the roster, then `bindcode` yourself and send /bind CODE).
 */
const bindcodeTask: Task = async (db, config, words) => {
  const member = await oneMember(db, words.join(' '));
  const { code, expiresAt } = await issueBindingCode(db, member, 'operator', new Date());
  say(t(config.DEFAULT_LOCALE, 'bindcode.issued', { name: member.name, code, link: `bind-${code}`, expiresAt, hours: CODE_TTL_HOURS }, config.DEFAULT_TIMEZONE));
  return 0;
};

const TASKS: Record<string, Task> = { 'import-roster': importRosterTask, bindcode: bindcodeTask };

/** Staff tasks from the shell, against the same database the bot uses. */
async function main(argv: string[]): Promise<number> {
  const [command = '', ...args] = argv;
  const task = TASKS[command];
  if (!task || args.length === 0) {
    process.stderr.write(`${USAGE}\n`);
    return 2;
  }
  const config = loadConfig();
  const database = await openDatabase({ url: config.DATABASE_URL, dataDir: config.DATA_DIR });
  try {
    return await task(database.db, config, args);
  } catch (err) {
    if (!(err instanceof UserError)) throw err;
    process.stderr.write(`${t(config.DEFAULT_LOCALE, err.key, err.params)}\n`);
    return 1;
  } finally {
    await database.close();
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: unknown) => {
    if (err instanceof ConfigError) for (const p of err.problems) process.stderr.write(`config: ${p}\n`);
    else process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  },
);

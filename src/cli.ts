import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { ConfigError, loadConfig } from './config.js';
import { openDatabase } from './store/db.js';
import { importRoster } from './domain/members/roster-import.js';
import { t } from './core/i18n.js';

const USAGE = 'usage: npm run cli -- import-roster FILE.csv|FILE.xlsx';

/** Staff tasks from the shell, against the same database the bot uses. */
async function main(argv: string[]): Promise<number> {
  const [command, file] = argv;
  if (command !== 'import-roster' || !file) {
    process.stderr.write(`${USAGE}\n`);
    return 2;
  }
  const config = loadConfig();
  const database = await openDatabase({ url: config.DATABASE_URL, dataDir: config.DATA_DIR });
  try {
    const report = await importRoster(database.db, basename(file), await readFile(file), config.DEFAULT_TIMEZONE);
    const locale = config.DEFAULT_LOCALE;
    process.stdout.write(`${t(locale, 'roster.report', { ...report, rejected: report.rejected.length })}\n`);
    for (const r of report.rejected) {
      process.stdout.write(`${t(locale, 'roster.rejectedLine', { line: r.line, reason: t(locale, r.reasonKey, { value: r.value ?? '' }) })}\n`);
    }
    return report.rejected.length > 0 ? 1 : 0;
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

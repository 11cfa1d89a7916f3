import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { eq } from 'drizzle-orm';
import { openDatabase, type Database } from '../../src/store/db.js';
import { identities, members } from '../../src/store/schema/index.js';
import { redeemBindingCode } from '../../src/domain/members/binding.js';
import { serverDatabase } from '../support/db.js';
import { testRedis } from '../support/harness.js';

const run = promisify(execFile);
const CLI = join(import.meta.dirname, '../../src/cli.ts');

/**
 * The first admin of a new deployment: the operator imports the roster and prints a one-time
 * code with `npm run cli -- bindcode NAME`, then links their own account with it. Runs the real
 * CLI against the server in DATABASE_URL when set, else an embedded database in a folder.
 */
describe('npm run cli -- bindcode', () => {
  let dir: string;
  let env: NodeJS.ProcessEnv;
  let drop: (() => Promise<void>) | undefined;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'tongxin-cli-'));
    const { DATABASE_URL: serverUrl, ...rest } = process.env;
    env = { ...rest, DATA_DIR: dir, DEFAULT_LOCALE: 'en', DEFAULT_TIMEZONE: 'UTC' };
    if (serverUrl) {
      const server = await serverDatabase(serverUrl);
      env.DATABASE_URL = server.url;
      drop = server.drop;
    }
  });
  afterAll(async () => {
    await drop?.();
    await rm(dir, { recursive: true, force: true });
  });

  const cli = (...args: string[]) => run(process.execPath, ['--import', 'tsx', CLI, ...args], { env, cwd: join(import.meta.dirname, '../..') });

  it('prints a one-time code that binds the first admin, who had no way in before', { timeout: 120_000 }, async () => {
    await writeFile(join(dir, 'roster.csv'), 'name,committee,role\nAda Admin,Secretariat,admin\nMia Member,Culture,member\n');
    expect((await cli('import-roster', join(dir, 'roster.csv'))).stdout).toContain('Roster imported: 2 added');
    const { stdout } = await cli('bindcode', 'Ada', 'Admin');
    const code = /^Binding code for Ada Admin: ([0-9A-Z]{10})$/m.exec(stdout)?.[1];
    expect(code, stdout).toBeDefined();
    await expect(cli('bindcode', 'Nobody')).rejects.toMatchObject({ code: 1, stderr: expect.stringContaining('No member') });

    let database: Database | undefined;
    const { redis } = testRedis();
    try {
      database = await openDatabase({ url: env.DATABASE_URL, dataDir: dir });
      const account = { platform: 'telegram' as const, platformUserId: 'first-admin' };
      const { member } = await redeemBindingCode(database.db, redis, account, code!, new Date());
      expect(member).toMatchObject({ name: 'Ada Admin', role: 'admin' });
      expect(await database.db.select().from(identities).where(eq(identities.memberId, member.id))).toEqual([expect.objectContaining(account)]);
      // Once only.
      await expect(redeemBindingCode(database.db, redis, { platform: 'wecom', platformUserId: 'x' }, code!, new Date())).rejects.toMatchObject({ key: 'bind.invalid' });
      expect((await database.db.select().from(members)).map((m) => m.name).sort()).toEqual(['Ada Admin', 'Mia Member']);
    } finally {
      redis.disconnect();
      await database?.close();
    }
  });
});

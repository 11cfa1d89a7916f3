import pg from 'pg';
import { randomBytes } from 'node:crypto';
import { inject } from 'vitest';
import { readFile } from 'node:fs/promises';
import { PGlite } from '@electric-sql/pglite';
import { openDatabase, openPglite, type Database } from '../../src/store/db.js';

/** The databases a store test runs against: PGlite always, and the server in DATABASE_URL when set. */
let template: Promise<Blob> | undefined;

export const DATABASE_KINDS: ('pglite' | 'postgres')[] = process.env.DATABASE_URL ? ['pglite', 'postgres'] : ['pglite'];

/**
 * A fresh, migrated database of `kind` for one test or test file: an in-memory PGlite, or a new
 * database created on the PostgreSQL server and dropped again by close().
 */
export async function freshDatabase(kind: 'pglite' | 'postgres', poolSize = 10): Promise<Database> {
  if (kind === 'pglite') {
    // Starting PGlite from scratch costs seconds; loading the migrated dump made once in the
    // global set-up costs well under one.
    template ??= readFile(inject('pgliteTemplate')).then((b) => new Blob([b]));
    return openPglite(new PGlite({ loadDataDir: await template }));
  }
  const serverUrl = process.env.DATABASE_URL;
  if (!serverUrl) throw new Error('DATABASE_URL is not set');
  const server = await serverDatabase(serverUrl);
  const database = await openDatabase({ url: server.url, poolSize });
  return {
    ...database,
    async close() {
      await database.close();
      await server.drop();
    },
  };
}

/**
 * A new, empty database on the PostgreSQL server at `serverUrl` (migrations not applied), for a
 * test or for child processes that share it; drop() removes it.
 */
export async function serverDatabase(serverUrl: string): Promise<{ url: string; drop(): Promise<void> }> {
  const name = `tongxin_test_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    async drop() {
      const c = new pg.Client({ connectionString: serverUrl });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await c.end();
    },
  };
}

import { PGlite } from '@electric-sql/pglite';
import { drizzle as drizzlePglite } from 'drizzle-orm/pglite';
import { migrate as migratePglite } from 'drizzle-orm/pglite/migrator';
import { drizzle as drizzlePg } from 'drizzle-orm/node-postgres';
import { migrate as migratePg } from 'drizzle-orm/node-postgres/migrator';
import type { PgDatabase, PgQueryResultHKT } from 'drizzle-orm/pg-core';
import pg from 'pg';
import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import * as schema from './schema/index.js';

export { schema };

/** The database, whichever PostgreSQL is behind it (a server through `pg`, or embedded PGlite). */
export type Db = PgDatabase<PgQueryResultHKT, typeof schema>;
/** A transaction of Db; domain functions that must be atomic take one. */
export type Tx = Parameters<Parameters<Db['transaction']>[0]>[0];
/** Either: functions that only read or write once accept both. */
export type DbOrTx = Db | Tx;

/** The rows of a raw `db.execute()`: node-postgres and PGlite both answer with `{ rows }`. */
export function resultRows<T = Record<string, unknown>>(result: unknown): T[] {
  return (result as { rows: T[] }).rows;
}

export interface Database {
  db: Db;
  kind: 'postgres' | 'pglite';
  close(): Promise<void>;
}

const migrationsFolder = fileURLToPath(new URL('./migrations', import.meta.url));

/**
 * Opens PostgreSQL at `url`, or PGlite under `dataDir` when no url is given (`memory://` keeps it
 * in memory), and applies the committed migrations.
 */
export async function openDatabase(opts: { url?: string; dataDir?: string; poolSize?: number }): Promise<Database> {
  if (opts.url) {
    const pool = new pg.Pool({ connectionString: opts.url, max: opts.poolSize ?? 10 });
    // An idle client whose server connection died must not crash the process; the pool replaces it.
    pool.on('error', () => {});
    const db = drizzlePg(pool, { schema }) as unknown as Db;
    await migratePg(db as never, { migrationsFolder });
    return { db, kind: 'postgres', close: () => pool.end() };
  }
  const dir = opts.dataDir ?? 'memory://';
  if (!dir.startsWith('memory://')) mkdirSync(dir, { recursive: true });
  return openPglite(new PGlite(dir.startsWith('memory://') ? undefined : join(dir, 'pglite')));
}

/** Wraps an open PGlite (e.g. one loaded from a dump) and brings its schema up to date. */
export async function openPglite(client: PGlite): Promise<Database> {
  const db = drizzlePglite(client, { schema }) as unknown as Db;
  await migratePglite(db as never, { migrationsFolder });
  return { db, kind: 'pglite', close: () => client.close() };
}

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
import { claimFolder, releaseFolder } from './folder-holder.js';

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
    // A client whose server connection dies must not crash the process. pg-pool listens for
    // 'error' only while a client is idle; one that dies while checked out (inside a transaction,
    // between its statements) would emit an unhandled 'error'. With a listener of its own, its
    // next query fails instead (a temporary failure: "please try again"), and release() drops it.
    pool.on('error', () => {});
    pool.on('connect', (client) => client.on('error', () => {}));
    const db = releasingTransactions(drizzlePg(pool, { schema }) as unknown as Db, pool);
    await migrateLocked(pool);
    return { db, kind: 'postgres', close: () => pool.end() };
  }
  const dir = opts.dataDir ?? 'memory://';
  if (dir.startsWith('memory://')) return openPglite(new PGlite());
  mkdirSync(dir, { recursive: true });
  // One process at a time: two PGlites on one folder each keep their own buffers and WAL
  // position, overwrite each other's files, and lose committed rows (or the whole database).
  const holder = join(dir, PGLITE_HOLDER);
  claimFolder(holder, join(dir, 'pglite'));
  try {
    const database = await openPglite(new PGlite(join(dir, 'pglite')));
    return { ...database, close: () => database.close().finally(() => releaseFolder(holder)) };
  } catch (err) {
    releaseFolder(holder);
    throw err;
  }
}

/** The file naming the process that has the embedded database open (see folder-holder.ts). */
const PGLITE_HOLDER = 'pglite-holder.json';

/**
 * What the embedded database promises, for the start-up warning. PGlite runs PostgreSQL with
 * fsync off, and its Node file system has no fsync at all: a commit is written to the operating
 * system before the reply, so it survives the process being killed (kill -9, a crash), but not a
 * power cut or an operating-system crash, which can lose the last commits or damage the files.
 */
export const EMBEDDED_DURABILITY =
  'DATABASE_URL is not set: the data is in embedded PGlite, which never syncs to disk (fsync off). Commits survive a crash or kill of this process, not a power cut or an OS crash. Use PostgreSQL (DATABASE_URL) for a deployment.';

/** The advisory lock the migrations run under ('tongxin' in ASCII); any number works, as long as every process uses this one. */
const MIGRATION_LOCK = 0x746f6e6778696en;

/**
 * Applies the migrations under a PostgreSQL advisory lock. Every process migrates at start, and
 * drizzle's migrate takes no lock of its own: processes started together on an empty database
 * raced to create its schema and tables, and all but one failed. One at a time, the later ones
 * find the migrations applied.
 */
async function migrateLocked(pool: pg.Pool): Promise<void> {
  const client = await pool.connect();
  let failure: Error | undefined;
  try {
    await client.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK]);
    try {
      await migratePg(drizzlePg(client, { schema }) as never, { migrationsFolder });
    } finally {
      await client.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK]);
    }
  } catch (err) {
    failure = err as Error;
    throw err;
  } finally {
    // A client that failed is closed rather than pooled: its session may still hold the lock.
    client.release(failure);
  }
}

/**
 * Gives `db` a transaction() that always returns its client to the pool. drizzle's own (0.45)
 * runs BEGIN before its try/finally, so a BEGIN on a connection that just died never released
 * the client: a few terminated connections exhausted the pool and every later message waited
 * for a client forever (drizzle-team/drizzle-orm#6241, open). Here the client is checked out by
 * us and the transaction runs on a drizzle of that one client; a dead client is dropped by
 * pg-pool on release, since it is no longer queryable.
 */
function releasingTransactions(db: Db, pool: pg.Pool): Db {
  const onClient = new WeakMap<pg.PoolClient, Db>();
  const transaction: Db['transaction'] = async (run, config) => {
    const client = await pool.connect();
    try {
      let clientDb = onClient.get(client);
      if (!clientDb) onClient.set(client, (clientDb = drizzlePg(client, { schema }) as unknown as Db));
      return await clientDb.transaction(run, config);
    } finally {
      client.release();
    }
  };
  return Object.assign(db, { transaction });
}

/** Wraps an open PGlite (e.g. one loaded from a dump) and brings its schema up to date. */
export async function openPglite(client: PGlite): Promise<Database> {
  const db = drizzlePglite(client, { schema }) as unknown as Db;
  await migratePglite(db as never, { migrationsFolder });
  return { db, kind: 'pglite', close: () => client.close() };
}

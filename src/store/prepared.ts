import { is } from 'drizzle-orm';
import { PgTransaction } from 'drizzle-orm/pg-core';
import type { DbOrTx } from './db.js';

/** A drizzle query with sql.placeholder() params: it can run as it is, or be prepared under a name. */
interface Preparable<R> {
  execute(values?: Record<string, unknown>): Promise<R>;
  prepare(name: string): { execute(values?: Record<string, unknown>): Promise<R> };
}

const names = new Set<string>();

/**
 * A query for the paths every message takes, prepared once per database under `name`: drizzle
 * then builds its SQL once, and PostgreSQL parses and plans it once per connection. Building and
 * planning cost more than running these small queries. Inside a transaction the query runs as
 * a plain one, because the pool's prepared statements live on other connections.
 */
export function preparedQuery<R>(name: string, build: (db: DbOrTx) => Preparable<R>): (db: DbOrTx, values: Record<string, unknown>) => Promise<R> {
  // PostgreSQL refuses a second statement text under a name a connection has prepared already.
  if (names.has(name)) throw new Error(`prepared query named twice: ${name}`);
  names.add(name);
  const perDatabase = new WeakMap<DbOrTx, ReturnType<Preparable<R>['prepare']>>();
  return (db, values) => {
    if (is(db, PgTransaction)) return build(db).execute(values);
    let query = perDatabase.get(db);
    if (!query) {
      query = build(db).prepare(name);
      perDatabase.set(db, query);
    }
    return query.execute(values);
  };
}

import type { TestProject } from 'vitest/node';
import { PGlite } from '@electric-sql/pglite';
import { startLocalRedis, type LocalRedis } from '../../src/store/local-redis.js';
import { openPglite } from '../../src/store/db.js';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

let local: LocalRedis | undefined;
let dir: string | undefined;

/**
 * Gives every test file a Redis (the one in REDIS_URL, or a private redis-server started here) and
 * a migrated PGlite data directory to start fresh databases from.
 */
export async function setup(project: TestProject): Promise<void> {
  dir = mkdtempSync(join(tmpdir(), 'tongxin-test-'));
  let url = process.env.REDIS_URL;
  if (!url) {
    local = await startLocalRedis(join(dir, 'redis'));
    url = local.url;
  }
  project.provide('redisUrl', url);
  const client = new PGlite();
  const database = await openPglite(client);
  const dump = await client.dumpDataDir('none');
  await database.close();
  const templatePath = join(dir, 'pglite-template.tar');
  writeFileSync(templatePath, Buffer.from(await dump.arrayBuffer()));
  project.provide('pgliteTemplate', templatePath);
}

export async function teardown(): Promise<void> {
  await local?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
}

declare module 'vitest' {
  export interface ProvidedContext {
    redisUrl: string;
    /** A dump of a migrated PGlite data directory. */
    pgliteTemplate: string;
  }
}

import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { REPO_ROOT } from './main-process.js';

/**
 * The production build (scripts/build.mjs, what `npm run build` runs) made into a folder of its
 * own, so tests building at the same time do not replace each other's dist/. It lies under
 * node_modules/.cache, inside the repository, so the built files find their packages.
 */
export async function buildApp(): Promise<{ dir: string; args: string[]; remove(): void }> {
  const dir = join(REPO_ROOT, 'node_modules', '.cache', `tongxin-build-${randomBytes(4).toString('hex')}`);
  await promisify(execFile)(process.execPath, ['scripts/build.mjs', dir], { cwd: REPO_ROOT });
  // As the Docker image runs it.
  return { dir, args: ['--enable-source-maps', join(dir, 'src', 'main.js')], remove: () => rmSync(dir, { recursive: true, force: true }) };
}

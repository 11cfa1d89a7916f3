/**
 * `npm run build`: compiles src/, handlers/ and jobs/ to dist/, one JavaScript file per
 * TypeScript file (esbuild, no bundling: isolatedModules makes every file compile on its own), and
 * copies what they read at run time: locales/ (src/core/i18n.ts reads ../../locales) and the
 * migrations (src/store/db.ts reads ./migrations). Types are checked by `npm run typecheck`.
 * Run with `node dist/src/main.js` (and `node dist/src/cli.js`). `node scripts/build.mjs DIR`
 * builds into DIR instead (tests do; it must lie inside the repository, so packages resolve).
 */
import { build } from 'esbuild';
import { cpSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const out = process.argv[2] ?? join(root, 'dist');
const entryPoints = ['src', 'handlers', 'jobs'].flatMap((dir) =>
  readdirSync(join(root, dir), { recursive: true, encoding: 'utf8' })
    .filter((file) => file.endsWith('.ts') && !file.endsWith('.d.ts'))
    .map((file) => join(root, dir, file)));

rmSync(out, { recursive: true, force: true });
await build({ entryPoints, outdir: out, outbase: root, platform: 'node', format: 'esm', target: 'node20', sourcemap: true, logLevel: 'warning' });
cpSync(join(root, 'locales'), join(out, 'locales'), { recursive: true });
cpSync(join(root, 'src/store/migrations'), join(out, 'src/store/migrations'), { recursive: true });

import { describe, expect, it } from 'vitest';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { startLocalRedis } from '../../src/store/local-redis.js';
import { MainProcess, REPO_ROOT } from '../support/main-process.js';
import { buildApp } from '../support/build.js';

/** Item 19 of issue 15: the build runs, as the Docker image runs it. */
describe('npm run build', () => {
  it('makes a dist/ that runs with node alone: the console chat answers in both languages, on migrated data', { timeout: 120_000 }, async () => {
    const build = await buildApp();
    const dir = mkdtempSync(join(tmpdir(), 'tongxin-built-'));
    const redis = await startLocalRedis(join(dir, 'redis'));
    const bot = MainProcess.start({ args: build.args, env: { REDIS_URL: redis.url } });
    try {
      expect(existsSync(join(build.dir, 'locales', 'en.json'))).toBe(true);
      expect(existsSync(join(build.dir, 'src', 'store', 'migrations', 'meta', '_journal.json'))).toBe(true);
      await bot.ready();
      bot.type('/help');
      await bot.reply([/^您可以使用以下命令：$/], '/help in Chinese');
      bot.type('/lang en');
      await bot.reply([/^Language set to English\.$/], '/lang en');
      bot.type('/shifts');
      await bot.reply([/^Online duty shifts in the next 14 days/], '/shifts in English, from the migrated and seeded database');
      expect(await bot.close()).toBe(0);
      expect(bot.stderr).not.toMatch(/"level":(50|60)/);

      // The command-line tool is built too.
      const cli = await promisify(execFile)(process.execPath, [join(build.dir, 'src', 'cli.js')], { cwd: REPO_ROOT, env: { PATH: process.env.PATH, DATA_DIR: join(dir, 'cli') } }).catch((err: { stdout: string; stderr: string }) => err);
      expect(`${cli.stdout}${cli.stderr}`).toMatch(/import-roster/);
    } finally {
      await bot.cleanup();
      await redis.stop();
      build.remove();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('is what the Docker image runs: compiled JavaScript from dist/, no tsx', () => {
    const dockerfile = readFileSync(join(REPO_ROOT, 'Dockerfile'), 'utf8');
    const runtime = dockerfile.slice(dockerfile.lastIndexOf('\nFROM '));
    expect(dockerfile).toMatch(/^RUN npm run build$/m);
    expect(runtime).toMatch(/^COPY --from=build \/app\/dist \.\/dist$/m);
    expect(runtime).not.toMatch(/tsx|COPY --from=build \/app\/src/);
    const cmd = JSON.parse(/^CMD (\[.*\])$/m.exec(runtime)![1]!) as string[];
    expect(cmd).toEqual(['node', '--enable-source-maps', 'dist/src/main.js']);
    expect(runtime).toMatch(/npm ci --omit=dev/);
    const pkg = JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as { dependencies: Record<string, string> };
    expect(Object.keys(pkg.dependencies)).not.toContain('tsx');
  });
});

import { describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { inject } from 'vitest';

const run = promisify(execFile);

describe('console chat', () => {
  it('is what `npm start` opens with no platform configured: /help in Chinese, then English after /lang en', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'tongxin-console-'));
    try {
      const child = run('node', ['--import', 'tsx', 'src/main.ts'], {
        env: { PATH: process.env.PATH, DATA_DIR: dataDir, REDIS_URL: inject('redisUrl') },
        timeout: 50_000,
      });
      child.child.stdin!.end('/help\n/lang en\n/help\n');
      const { stdout } = await child;
      const chinese = stdout.indexOf('您可以使用以下命令：');
      const switched = stdout.indexOf('Language set to English.');
      const english = stdout.indexOf('Here is what you can do:');
      expect(chinese).toBeGreaterThan(-1);
      expect(switched).toBeGreaterThan(chinese);
      expect(english).toBeGreaterThan(switched);
      expect(stdout).toContain('/lang — choose your language');
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});

import { describe, expect, it } from 'vitest';
import { ConfigError, enabledPlatforms, loadConfig } from '../../src/config.js';

function problems(env: Record<string, string>): string[] {
  try {
    loadConfig(env);
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
  return [];
}

describe('configuration', () => {
  it('starts with nothing set: PGlite, local Redis, console chat', () => {
    const config = loadConfig({});
    expect(config.DATABASE_URL).toBeUndefined();
    expect(config.DEFAULT_LOCALE).toBe('zh-Hans');
    expect(config.DEFAULT_TIMEZONE).toBe('Asia/Shanghai');
    expect(enabledPlatforms(config)).toEqual({ telegram: false, wecomBot: false, wecomApp: false });
  });

  it('names each wrong variable on a line of its own with what it expects', () => {
    const lines = problems({ HTTP_PORT: 'eighty', DEFAULT_LOCALE: 'fr', DEFAULT_TIMEZONE: 'Mars/Olympus', REDIS_URL: 'http://x' });
    expect(lines).toHaveLength(4);
    expect(lines.find((l) => l.startsWith('HTTP_PORT:'))).toMatch(/port number/);
    expect(lines.find((l) => l.startsWith('DEFAULT_LOCALE:'))).toMatch(/zh-Hans, zh-Hant, en/);
    expect(lines.find((l) => l.startsWith('DEFAULT_TIMEZONE:'))).toMatch(/IANA time zone/);
    expect(lines.find((l) => l.startsWith('REDIS_URL:'))).toMatch(/redis:\/\//);
  });

  it('asks for the partners of a half-configured platform', () => {
    const lines = problems({ WECOM_BOT_ID: 'bot' });
    expect(lines).toEqual(['WECOM_BOT_SECRET: expected required together with WECOM_BOT_ID']);
  });

  it('refuses a malformed Telegram token without echoing it', () => {
    const lines = problems({ TELEGRAM_BOT_TOKEN: 'not-a-token' });
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^TELEGRAM_BOT_TOKEN: expected a bot token/);
    expect(lines[0]).not.toContain('not-a-token');
  });
});

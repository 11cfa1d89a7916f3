/** What /healthz checks; each check throws (or rejects) when its part is down. */
export interface HealthChecks {
  database: () => Promise<unknown>;
  redis: () => Promise<unknown>;
  /** Per platform adapter: whatever it reports, and whether it is fine. */
  platforms?: () => Record<string, { ok: boolean; detail?: unknown }>;
}

export interface HealthReport {
  status: 'ok' | 'down';
  database: 'ok' | 'down';
  redis: 'ok' | 'down';
  platforms: Record<string, { ok: boolean; detail?: unknown }>;
}

const within = <T>(p: Promise<T>, ms: number) =>
  Promise.race([p, new Promise<never>((_, fail) => setTimeout(() => fail(new Error('timeout')), ms).unref())]);

/** Runs every check with a time limit; the process is `ok` only when all parts are. */
export async function checkHealth(checks: HealthChecks, timeoutMs = 2000): Promise<HealthReport> {
  const probe = (check: () => Promise<unknown>) => within(check(), timeoutMs).then(() => 'ok' as const, () => 'down' as const);
  const [database, redis] = await Promise.all([probe(checks.database), probe(checks.redis)]);
  const platforms = checks.platforms?.() ?? {};
  const allPlatforms = Object.values(platforms).every((p) => p.ok);
  return { status: database === 'ok' && redis === 'ok' && allPlatforms ? 'ok' : 'down', database, redis, platforms };
}

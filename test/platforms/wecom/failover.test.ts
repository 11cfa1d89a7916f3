import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';
import { WecomWsFake } from '../../support/wecom-ws-fake.js';
import { waitUntil } from './rig.js';

const SCRIPT = fileURLToPath(new URL('./robot-process.ts', import.meta.url));
/** Short lease for the test; production default is 15 s (takeover within 20 s). */
const LEASE_TTL_MS = 3_000;

interface Bot {
  name: string;
  proc: ChildProcess;
  robot: string;
  handled: string[];
  exited: Promise<void>;
}

describe('WeCom robot failover between two processes', () => {
  let ws: WecomWsFake;
  let redis: Redis;
  const prefix = `t${randomBytes(5).toString('hex')}:`;
  const bots: Bot[] = [];

  function spawnBot(name: string): Bot {
    const args = { redisUrl: inject('redisUrl'), prefix, wsUrl: ws.url, botId: ws.defaultBotId, leaseTtlMs: LEASE_TTL_MS, pgliteTemplate: inject('pgliteTemplate') };
    const proc = spawn(process.execPath, ['--import', 'tsx', SCRIPT, JSON.stringify(args)], { stdio: ['ignore', 'pipe', 'inherit'] });
    const bot: Bot = { name, proc, robot: 'starting', handled: [], exited: new Promise((ok) => proc.once('exit', () => ok())) };
    createInterface({ input: proc.stdout! }).on('line', (line) => {
      const event = JSON.parse(line) as { event: string; robot?: string; id?: string };
      if (event.event === 'status') bot.robot = event.robot!;
      if (event.event === 'handled') bot.handled.push(event.id!);
    });
    bots.push(bot);
    return bot;
  }

  const handledCount = (id: string) => bots.reduce((n, b) => n + b.handled.filter((h) => h === id).length, 0);

  beforeAll(async () => {
    ws = await WecomWsFake.start();
    redis = new Redis(inject('redisUrl'), { keyPrefix: prefix, maxRetriesPerRequest: null });
  });
  afterAll(async () => {
    for (const bot of bots) if (bot.proc.exitCode === null) bot.proc.kill('SIGKILL');
    await Promise.all(bots.map((b) => b.exited));
    redis.disconnect();
    await ws.close();
  });

  it('moves the connection to the survivor within 30 s of a kill -9, and handles no message twice', async () => {
    const a = spawnBot('A');
    const b = spawnBot('B');
    // Starting two processes (tsx, PGlite) is slow on a busy machine; only the takeover is timed.
    await waitUntil(() => [a, b].some((bot) => bot.robot === 'holding') && ws.isSubscribed(), 180_000);
    await waitUntil(() => [a, b].every((bot) => bot.robot !== 'starting'), 180_000);
    const holder = a.robot === 'holding' ? a : b;
    const survivor = holder === a ? b : a;
    expect(survivor.robot).toBe('standby');

    const before = Array.from({ length: 5 }, (_, i) => ws.userSays({ userid: `member${i}`, chattype: 'single', text: '/help' }));
    await waitUntil(() => before.every((m) => handledCount(m.msgid) === 1), 60_000);
    expect(holder.handled).toEqual(expect.arrayContaining(before.map((m) => m.msgid)));

    const killedAt = Date.now();
    holder.proc.kill('SIGKILL');
    await holder.exited;
    await waitUntil(() => survivor.robot === 'holding' && ws.isSubscribed(), 30_000);
    const takeoverMs = Date.now() - killedAt;
    console.info(`wecom failover: connection moved ${takeoverMs} ms after kill -9 (lease ttl ${LEASE_TTL_MS} ms)`);

    // WeCom delivers again what the dead process may not have finished, and new messages come.
    const again = before.map((m, i) => ws.userSays({ userid: `member${i}`, chattype: 'single', text: '/help', msgid: m.msgid }));
    const after = Array.from({ length: 5 }, (_, i) => ws.userSays({ userid: `member${i}`, chattype: 'single', text: '/help' }));
    await waitUntil(() => after.every((m) => handledCount(m.msgid) === 1), 60_000);
    for (const m of [...before, ...after]) expect(handledCount(m.msgid), m.msgid).toBe(1);
    expect(ws.frames.filter((f) => again.some((g) => g.reqId === f.reqId))).toEqual([]);
    expect(survivor.handled).toEqual(expect.arrayContaining(after.map((m) => m.msgid)));

    // A stopped holder lets go of its lease at once.
    survivor.proc.kill('SIGTERM');
    await survivor.exited;
    expect(await redis.exists(`wecom:robot-lease:${ws.defaultBotId}`)).toBe(0);
  }, 420_000);
});

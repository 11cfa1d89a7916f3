/**
 * Reminders benchmark: 10,000 reminders falling due within one minute, each to its own member.
 * They are planned through the engine's ReminderScheduling (delayed BullMQ jobs, reminder_jobs
 * rows), fired by the reminders worker, and sent by the outbox relay and outbound worker to a
 * messenger that records when each reached it. Measures the lag from the due moment to that
 * hand-off, and Redis memory per scheduled reminder.
 */
import type { Redis } from 'ioredis';
import type { ChatRef, Messenger, OutgoingMessage, SendResult } from '../src/core/messages.js';
import type { ReminderFacts } from '../src/domain/reminders.js';
import { addTelegramMembers, startBenchEngine, type BenchEngine } from './engine-support.js';
import { freshBenchDatabase, percentile, round, scaled, SCALE, sleep, waitFor, type Benchmark } from './support.js';

const CHAT_BASE = 2_000_000;

/** Stands in for the platform: records when each chat's message was handed over. */
class HandOffMessenger implements Messenger {
  readonly platform = 'telegram' as const;
  readonly handedOverAt = new Map<string, number>();
  private seq = 0;
  async send(to: Omit<ChatRef, 'platform'>, _message: OutgoingMessage): Promise<SendResult> {
    if (!this.handedOverAt.has(to.chatId)) this.handedOverAt.set(to.chatId, Date.now());
    return { messageId: String(++this.seq) };
  }
  async edit(): Promise<void> {}
}

async function usedMemory(redis: Redis): Promise<number> {
  const info = await redis.info('memory');
  return Number(/used_memory:(\d+)/.exec(info)?.[1] ?? NaN);
}

export const reminders: Benchmark = async (env) => {
  const count = scaled(10_000, 200);
  // The same density as 10,000 in a minute: at smaller scales the window shrinks with the count.
  const windowMs = Math.round(60_000 * Math.min(1, SCALE));
  const database = await freshBenchDatabase(env.databaseUrl, 20);
  let bench: BenchEngine | undefined;
  try {
    const memberIds = await addTelegramMembers(database.db, count, CHAT_BASE);
    const messenger = new HandOffMessenger();
    // Reminder i is due at dueAt[i]: one minute before its thing starts (offset 1 min).
    const dueAt: number[] = [];
    const facts = async (_db: unknown, id: number): Promise<ReminderFacts | undefined> => ({
      startsAt: new Date(dueAt[id - 1]! + 60_000), memberIds: [memberIds[id - 1]!], template: 'common.yes', params: {},
    });
    bench = await startBenchEngine({
      db: database.db, redisUrl: env.redisUrl, name: 'reminders', messengers: [messenger],
      reminderSources: { bench: facts },
      delivery: {
        reminders: { shiftOffsetsMinutes: [1], lateGraceMinutes: 0 },
        // Platform limits are fan-out's subject; here the engine's own lag is measured.
        limits: { telegram: { globalPerSecond: 100_000, perChatPerSecond: 0, perGroupPerMinute: 0 } },
      },
    });
    const before = await usedMemory(bench.connection);
    // Planning 10,000 reminders takes a while; the minute they fall due starts after that.
    const planningAllowanceMs = Math.max(5_000, count * 3);
    const windowStart = Math.ceil((Date.now() + planningAllowanceMs) / 1000) * 1000;
    for (let i = 0; i < count; i++) dueAt.push(windowStart + Math.floor((i * windowMs) / count));
    const planStarted = Date.now();
    for (let i = 0; i < count; i += 500) {
      await bench.engine.reminders.replan(Array.from({ length: Math.min(500, count - i) }, (_, k) => `bench:${i + k + 1}`));
    }
    const planSeconds = (Date.now() - planStarted) / 1000;
    const after = await usedMemory(bench.connection);
    const late = Date.now() > windowStart;
    await waitFor(() => messenger.handedOverAt.size >= count, windowStart - Date.now() + windowMs + 120_000, 'reminders handed over', 200);
    await sleep(200);

    const lags = memberIds.map((_, i) => (messenger.handedOverAt.get(String(CHAT_BASE + i)) ?? NaN) - dueAt[i]!);
    const p50 = percentile(lags, 50);
    const p99 = percentile(lags, 99);
    const bytesPer = (after - before) / count;
    return [
      { label: 'reminders', value: count },
      { label: 'due within', value: windowMs / 1000, unit: 's' },
      { label: 'planning (DB rows + delayed jobs)', value: round(planSeconds, 1), unit: 's', goal: 'before the minute', pass: !late },
      { label: 'lag due → platform p50', value: round(p50 / 1000, 3), unit: 's' },
      { label: 'lag due → platform p99', value: round(p99 / 1000, 3), unit: 's', goal: '≤ 1 s', pass: p99 <= 1000 },
      { label: 'lag due → platform max', value: round(Math.max(...lags) / 1000, 3), unit: 's' },
      { label: 'Redis memory per scheduled reminder', value: Math.round(bytesPer), unit: 'bytes' },
    ];
  } finally {
    await bench?.close();
    await database.close();
  }
};

/**
 * Fan-out benchmark: a notice to 10,000 members bound on Telegram, through the real outbox relay,
 * BullMQ workers and Telegram messenger, against the fake Bot API enforcing Telegram's limits
 * (30/s overall, 1/s per chat) scaled ×10 so the run is short; the engine is told the same limits.
 *
 * The limits are scaled in count (300 per second), not compressed in time (30 per 100 ms): the
 * engine's limiter counts per second, and a 300-per-second allowance may legally send in bursts
 * that a 30-per-100-ms window refuses. FANOUT_TIME_COMPRESSION=1 runs the compressed variant.
 */
import { eq, inArray, sql } from 'drizzle-orm';
import { deliveries } from '../src/store/schema/index.js';
import { addDeliveries } from '../src/domain/outbox.js';
import { createTelegramMessenger } from '../src/platforms/telegram/messenger.js';
import { TelegramFake } from '../test/support/telegram-fake.js';
import { addTelegramMembers, startBenchEngine } from './engine-support.js';
import { freshBenchDatabase, round, scaled, waitFor, type Benchmark } from './support.js';

const TIME_SCALE = 10;
const GLOBAL_PER_SECOND = 30 * TIME_SCALE;
const PER_CHAT_PER_SECOND = 1 * TIME_SCALE;

export const fanout: Benchmark = async (env) => {
  const recipients = scaled(10_000, 300);
  const database = await freshBenchDatabase(env.databaseUrl, 20);
  const fake = new TelegramFake();
  await fake.start();
  let engine: Awaited<ReturnType<typeof startBenchEngine>> | undefined;
  try {
    const memberIds = await addTelegramMembers(database.db, recipients);
    fake.enforceLimits(process.env.FANOUT_TIME_COMPRESSION === '1'
      ? { globalPerSecond: 30, perChatPerSecond: 1, perGroupPerMinute: 20, scale: TIME_SCALE }
      : { globalPerSecond: GLOBAL_PER_SECOND, perChatPerSecond: PER_CHAT_PER_SECOND, perGroupPerMinute: 20 * TIME_SCALE, scale: 1 });
    const messenger = createTelegramMessenger({ token: fake.token, apiRoot: fake.apiRoot, timeoutMs: 5000 });
    engine = await startBenchEngine({
      db: database.db, redisUrl: env.redisUrl, name: 'fanout', messengers: [messenger],
      roles: { scheduler: false },
      delivery: {
        limits: { telegram: { globalPerSecond: GLOBAL_PER_SECOND, perChatPerSecond: PER_CHAT_PER_SECOND, perGroupPerMinute: 20 * TIME_SCALE } },
        worker: { concurrency: Number(process.env.BENCH_FANOUT_CONCURRENCY ?? 16) },
      },
    });
    await addDeliveries(database.db, memberIds.map((memberId) => ({
      kind: 'notice', ref: 'notice:bench', to: { memberId }, template: 'common.yes',
    })));
    const allowedSeconds = recipients / GLOBAL_PER_SECOND;
    await waitFor(() => fake.acceptedAt.length >= recipients, Math.max(60_000, allowedSeconds * 8000), 'fan-out', 200);
    await waitFor(async () => {
      const [row] = await database.db.select({ n: sql<number>`count(*)::int` }).from(deliveries).where(inArray(deliveries.status, ['pending', 'sending']));
      return (row?.n ?? 0) === 0;
    }, 30_000, 'outbox settled', 200);

    const accepted = [...fake.acceptedAt].sort((a, b) => a - b);
    const first = accepted[0]!;
    const last = accepted[accepted.length - 1]!;
    // n sends at most `rate` per second need (n - rate) / rate seconds after the first window opens.
    const achieved = (accepted.length - GLOBAL_PER_SECOND) / ((last - first) / 1000);
    const ratio = achieved / GLOBAL_PER_SECOND;
    const sendCalls = fake.calls.filter((c) => c.method === 'sendMessage');
    const late = first + 1000;
    const rejectedLate = sendCalls.filter((c) => c.at > late).length - accepted.filter((t) => t > late).length;
    // Each chat gets one message, so every call to a chat but its last was refused.
    const lastCallTo = new Map<string, number>();
    sendCalls.forEach((c, i) => lastCallTo.set(String(c.params.chat_id), i));
    const refusedAt = sendCalls.filter((c, i) => lastCallTo.get(String(c.params.chat_id)) !== i).map((c) => round((c.at - first) / 1000, 1));
    const perChat = new Map<string, number>();
    for (const s of fake.sent) perChat.set(s.chatId, (perChat.get(s.chatId) ?? 0) + 1);
    const duplicates = [...perChat.values()].filter((n) => n > 1).length;
    const missing = recipients - perChat.size;
    const [statuses] = await database.db.select({ sent: sql<number>`count(*)::int` }).from(deliveries).where(eq(deliveries.status, 'sent'));
    return [
      { label: 'recipients', value: recipients },
      { label: 'allowed rate (30/s ×10)', value: GLOBAL_PER_SECOND, unit: '/s' },
      { label: 'achieved rate', value: round(achieved, 1), unit: '/s' },
      { label: 'achieved ÷ allowed', value: round(ratio, 3), goal: '≥ 0.95', pass: ratio >= 0.95 },
      { label: 'fan-out duration', value: round((last - first) / 1000, 1), unit: 's' },
      { label: '429 answers in total', value: fake.rejected429 },
      { label: '429 answers after the first second', value: rejectedLate, goal: '0', pass: rejectedLate === 0 },
      ...(refusedAt.length > 0 ? [{ label: 'first 429s, seconds after the first send', value: refusedAt.slice(0, 6).join(', ') }] : []),
      { label: 'chats with a duplicate', value: duplicates, goal: '0', pass: duplicates === 0 },
      { label: 'chats never reached', value: missing, goal: '0', pass: missing === 0 },
      { label: 'outbox rows marked sent', value: statuses?.sent ?? 0, goal: `${recipients}`, pass: statuses?.sent === recipients },
    ];
  } finally {
    await engine?.close();
    await fake.stop();
    await database.close();
  }
};

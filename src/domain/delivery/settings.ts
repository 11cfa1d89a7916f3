import { z } from 'zod';
import { IANAZone } from 'luxon';

const int = (min: number, def: number) => z.number().int().min(min).default(def);

/** Sends allowed per window; `0` for a window means no limit of that kind. */
const telegramLimits = z
  .object({
    /** Telegram: about 30 messages per second to different chats (paced a little under it, jobs/limiter.ts). */
    globalPerSecond: int(1, 30),
    /** About one message per second to one chat. */
    perChatPerSecond: int(0, 1),
    /** Twenty messages per minute to one group. */
    perGroupPerMinute: int(0, 20),
  })
  .prefault({});

const wecomLimits = z
  .object({
    /** A ceiling for the whole platform, so a large fan-out does not hammer the API. */
    globalPerSecond: int(1, 20),
    /** WeCom app messages: 30 per minute and 1000 per hour to one member; excess is silently dropped. */
    perMemberPerMinute: int(0, 30),
    perMemberPerHour: int(0, 1000),
    /** The group robot: about 20 per minute to one chat. */
    perGroupPerMinute: int(0, 20),
  })
  .prefault({});

const consoleLimits = z.object({ globalPerSecond: int(1, 50) }).prefault({});

/** A cron pattern (5 fields, or 6 with seconds), evaluated in `schedules.timeZone`. */
const pattern = z.string().min(9);

/**
 * Rules of the delivery engine that staff may tune through SETTINGS_FILE (section "delivery"):
 * reminder offsets, platform rate limits, retries, and when recurring digests go out.
 */
export const deliverySettings = z
  .object({
    reminders: z
      .object({
        /** Minutes before a duty shift starts that its members are reminded (T-24h, T-1h). */
        shiftOffsetsMinutes: z.array(z.number().int().min(1)).default([1440, 60]),
        /** Minutes before a reading session starts that those who said yes are reminded. */
        readingOffsetsMinutes: z.array(z.number().int().min(1)).default([1440, 60]),
        /**
         * A reminder whose moment passed less than this long ago (sign-up just inside the window,
         * Redis briefly down) is still sent; older ones are skipped as no longer useful.
         */
        lateGraceMinutes: int(0, 15),
      })
      .prefault({}),
    coverage: z
      .object({
        /** Hours before an unfilled shift starts that staff are told (T-72h, T-24h). */
        alertHours: z.array(z.number().int().min(1)).default([72, 24]),
      })
      .prefault({}),
    limits: z.object({ telegram: telegramLimits, wecom: wecomLimits, console: consoleLimits }).prefault({}),
    retry: z
      .object({
        /** Tries for a send that failed before reaching the platform (network down), with backoff. */
        attempts: int(1, 8),
        /** First backoff; it doubles each time (5 s … about 10 min in total with 8 attempts). */
        backoffMs: int(1, 5000),
      })
      .prefault({}),
    worker: z
      .object({
        /** Outbound jobs one process works on at once, per platform. */
        concurrency: int(1, 8),
        /** Reminder jobs one process works on at once. */
        reminderConcurrency: int(1, 8),
        /** BullMQ lock: a job whose worker died is taken over after this long. */
        lockDurationMs: int(1000, 30_000),
        stalledIntervalMs: int(1000, 30_000),
      })
      .prefault({}),
    relay: z
      .object({
        /** How often the outbox and domain events are polled, in every worker and bot process. */
        pollMs: int(50, 500),
        batchSize: int(1, 500),
        /** Rows due within this many seconds are queued now (as short delayed jobs). */
        horizonSeconds: int(0, 60),
        /**
         * A platform's queue is filled only this many seconds of its pace ahead of the sends; the
         * rest of a large notice waits in the outbox. Relaying 10,000 rows at once took the CPU
         * and the database from the first sends, and rows routed just before their send follow a
         * member who changed platform meanwhile.
         */
        aheadSeconds: int(1, 2),
      })
      .prefault({}),
    sweep: z
      .object({
        /** node-cron pattern of the per-process sweep that re-queues rows whose job went missing. */
        cron: z.string().default('* * * * *'),
        /** A queued row is only checked once it has been queued this long. */
        graceSeconds: int(0, 60),
      })
      .prefault({}),
    schedules: z
      .object({
        /**
         * Zone of the schedules below (member digests use each member's own zone); unset means
         * DEFAULT_TIMEZONE.
         */
        timeZone: z.string().refine((v) => IANAZone.isValidZone(v), 'an IANA time zone').optional(),
        /** Checks for daily reading guides whose publish time has come. */
        readingGuides: pattern.default('*/5 * * * *'),
        /** Hourly: members whose local time is Monday 08:xx get their weekly digest. */
        memberDigest: pattern.default('30 * * * *'),
        staffDigest: pattern.default('0 9 * * 1'),
        readingSummary: pattern.default('0 20 * * 0'),
        notesTally: pattern.default('0 9 1 * *'),
        coverage: pattern.default('15 * * * *'),
      })
      .prefault({}),
    memberDigest: z
      .object({
        /** ISO weekday (1 = Monday) and local time at which a member's weekly digest is due. */
        weekday: z.number().int().min(1).max(7).default(1),
        hour: z.number().int().min(0).max(23).default(8),
        minute: z.number().int().min(0).max(59).default(30),
      })
      .prefault({}),
  })
  .prefault({});

export type DeliverySettings = z.infer<typeof deliverySettings>;

import { z } from 'zod';

/** Rules of the reading feature that staff may tune through SETTINGS_FILE (section "reading"). */
export const readingSettings = z
  .object({
    /** Check-in opens this many minutes before a session starts… */
    checkinOpensMinutesBefore: z.number().int().min(0).max(24 * 60).default(30),
    /** …and closes this many minutes after it ends. */
    checkinClosesMinutesAfter: z.number().int().min(0).max(24 * 60).default(0),
    /** Sessions per page of /readings. */
    pageSize: z.number().int().min(1).max(10).default(5),
    /** Most weekly sessions one command may create. */
    maxWeeks: z.number().int().min(1).max(52).default(12),
    /** Publish time of a daily guide when its author gives none (author's own time zone). */
    defaultGuideTime: z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/).default('08:00'),
    /** Longest comment, in characters (一天一点评). */
    commentMaxLength: z.number().int().min(1).max(4000).default(500),
    /** Longest daily guide, in characters. */
    guideMaxLength: z.number().int().min(1).max(3500).default(2000),
  })
  .prefault({});

export type ReadingSettings = z.infer<typeof readingSettings>;

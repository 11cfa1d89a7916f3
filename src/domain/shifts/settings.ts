import { z } from 'zod';

/** Rules of the shifts feature that staff may tune through SETTINGS_FILE (section "shifts"). */
export const shiftsSettings = z
  .object({
    /** Sign-up for a shift opens this many days before it starts. */
    signupOpensDays: z.number().int().min(1).max(366).default(30),
    /** A member may withdraw on their own until this many hours before the start; later it is a request staff approve. */
    cancelCutoffHours: z.number().min(0).max(24 * 30).default(24),
    /** At most this many shifts (confirmed or waitlisted) per member per calendar month; null: no limit. */
    maxPerMonth: z.number().int().min(1).max(100).nullable().default(null),
    /** How far ahead /shifts lists open shifts. */
    listDays: z.number().int().min(1).max(60).default(14),
    /** Shifts per page of /shifts. */
    pageSize: z.number().int().min(1).max(10).default(5),
    /** How far ahead the staff view of unfilled shifts looks. */
    unfilledDays: z.number().int().min(1).max(60).default(7),
  })
  .prefault({});

export type ShiftsSettings = z.infer<typeof shiftsSettings>;

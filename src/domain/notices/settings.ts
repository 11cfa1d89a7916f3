import { z } from 'zod';

/** Rules of the notices feature that staff may tune through SETTINGS_FILE (section "notices"). */
export const noticesSettings = z
  .object({
    /** A notice to all members waits for a second staff or admin (not its author) to approve it. */
    approveAllMembers: z.boolean().default(true),
    /** Any notice reaching at least this many members needs that approval too; 0 turns this off. */
    approveFromRecipients: z.number().int().min(0).default(0),
    /** Shortest wait between two reminders of one notice, so a double press does not nag twice. */
    nudgeIntervalMinutes: z.number().int().min(0).default(60),
    /** How many unconfirmed members `/notice ID` names; the CSV export always has all of them. */
    reportListLimit: z.number().int().min(1).max(200).default(50),
  })
  .prefault({});

export type NoticesSettings = z.infer<typeof noticesSettings>;

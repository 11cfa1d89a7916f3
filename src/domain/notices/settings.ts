import { z } from 'zod';

/** Rules of the notices feature that staff may tune through SETTINGS_FILE (section "notices"). */
export const noticesSettings = z
  .object({
    /**
     * A notice that reaches all members (whatever its audience says) waits for a second staff or
     * admin (not its author) to approve it; so does one reaching more than `approveAboveShare` of them.
     */
    approveAllMembers: z.boolean().default(true),
    /** Share of all members (0–1) above which a notice needs the second approval; 1: only one reaching them all. */
    approveAboveShare: z.number().min(0).max(1).default(0.5),
    /** Any notice reaching at least this many people needs that approval too, whatever the above says; 0 turns this off. */
    approveFromRecipients: z.number().int().min(0).default(0),
    /** Shortest wait between two reminders of one notice, so a double press does not nag twice. */
    nudgeIntervalMinutes: z.number().int().min(0).default(60),
    /** How many unconfirmed members `/notice ID` names; the CSV export always has all of them. */
    reportListLimit: z.number().int().min(1).max(200).default(50),
  })
  .prefault({});

export type NoticesSettings = z.infer<typeof noticesSettings>;

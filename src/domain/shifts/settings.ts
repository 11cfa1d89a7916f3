import { z } from 'zod';

/** Rules of the shifts feature that staff may tune through SETTINGS_FILE (section "shifts"). */
export const shiftsSettings = z.object({}).prefault({});

import { z } from 'zod';

/** Rules of the notices feature that staff may tune through SETTINGS_FILE (section "notices"). */
export const noticesSettings = z.object({}).prefault({});

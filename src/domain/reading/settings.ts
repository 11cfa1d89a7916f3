import { z } from 'zod';

/** Rules of the reading feature that staff may tune through SETTINGS_FILE (section "reading"). */
export const readingSettings = z.object({}).prefault({});

import { z } from 'zod';

/** Rules of the notes feature that staff may tune through SETTINGS_FILE (section "notes"). */
export const notesSettings = z.object({}).prefault({});

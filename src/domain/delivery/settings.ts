import { z } from 'zod';

/** Rules of the delivery feature that staff may tune through SETTINGS_FILE (section "delivery"). */
export const deliverySettings = z.object({}).prefault({});

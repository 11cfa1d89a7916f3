import { z } from 'zod';
import { readFileSync } from 'node:fs';
import { shiftsSettings } from './domain/shifts/settings.js';
import { notesSettings } from './domain/notes/settings.js';
import { readingSettings } from './domain/reading/settings.js';
import { noticesSettings } from './domain/notices/settings.js';
import { deliverySettings } from './domain/delivery/settings.js';
import { pointsSettings } from './domain/points/settings.js';
import { importsSettings } from './domain/imports/settings.js';

/**
 * Rules staff may tune (cut-offs, limits, points). Defaults are the practice the issues describe;
 * a JSON file named by SETTINGS_FILE overrides any of them. Each feature owns its section.
 */
export const settingsSchema = z.object({
  flood: z
    .object({
      /** Messages one person may send per window before the bot stops answering them. */
      limit: z.number().int().min(1).default(20),
      windowSeconds: z.number().int().min(1).default(10),
    })
    .prefault({}),
  shifts: shiftsSettings,
  notes: notesSettings,
  reading: readingSettings,
  notices: noticesSettings,
  delivery: deliverySettings,
  points: pointsSettings,
  imports: importsSettings,
});

export type Settings = z.infer<typeof settingsSchema>;

export function loadSettings(file: string | undefined, overrides: unknown = {}): Settings {
  const fromFile: unknown = file ? JSON.parse(readFileSync(file, 'utf8')) : {};
  return settingsSchema.parse(deepMerge(fromFile, overrides));
}

/** Merges plain objects key by key; arrays and other values in `b` replace those in `a`. */
export function deepMerge(a: unknown, b: unknown): unknown {
  if (a && b && typeof a === 'object' && typeof b === 'object' && !Array.isArray(a) && !Array.isArray(b)) {
    const out: Record<string, unknown> = { ...(a as Record<string, unknown>) };
    for (const [k, v] of Object.entries(b)) out[k] = deepMerge(out[k], v);
    return out;
  }
  return b === undefined ? a : b;
}

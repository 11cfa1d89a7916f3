import { z } from 'zod';

/**
 * Limits on the spreadsheets staff send (rosters, shift rosters), section "imports" of
 * SETTINGS_FILE. A compressed XLSX of 3 MB can expand to gigabytes; every limit is checked
 * before the file is parsed, and again while it is unpacked, so a file bomb is refused with
 * bounded memory instead of taking the bot down.
 */
export const importsSettings = z
  .object({
    /** Largest file accepted, in bytes, as sent. */
    maxFileBytes: z.number().int().min(1024).default(5 * 1024 * 1024),
    /** Largest total an XLSX may unpack to, in bytes (its XML parts together). */
    maxUncompressedBytes: z.number().int().min(64 * 1024).default(25 * 1024 * 1024),
    /** Most data rows in one file (the header row aside). */
    maxRows: z.number().int().min(1).default(5000),
  })
  .prefault({});

export type ImportLimits = z.infer<typeof importsSettings>;

import { z } from 'zod';
import { DateTime } from 'luxon';
import { UserError } from './errors.js';
import { tk } from './i18n.js';

/**
 * What a member types is checked here before any handler sees it: normalised to NFC, and refused
 * when it carries control characters, bidi overrides (which can disguise text) or broken UTF-16.
 */
// eslint-disable-next-line no-control-regex -- finding control characters is the point
const CONTROL = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F]/u;
const BIDI_OVERRIDE = /[\u202A-\u202E\u2066-\u2069]/u;

/** Longest message the router reads; longer input is refused before anything else is done. */
export const MAX_INPUT_LENGTH = 4096;

export function cleanInput(raw: string): string {
  if (raw.length > MAX_INPUT_LENGTH) throw new UserError('errors.tooLong', { max: MAX_INPUT_LENGTH });
  if (!raw.isWellFormed()) throw new UserError('errors.badCharacters');
  if (CONTROL.test(raw) || BIDI_OVERRIDE.test(raw)) throw new UserError('errors.badCharacters');
  return raw.normalize('NFC').replace(/\r\n?/g, '\n');
}

/**
 * Splits a command's argument text into words; "double quotes" or “curly quotes” keep spaces
 * inside one argument.
 */
export function tokenize(argText: string): string[] {
  const out: string[] = [];
  const re = /"([^"]*)"|“([^”]*)”|「([^」]*)」|(\S+)/gu;
  for (const m of argText.matchAll(re)) out.push(m[1] ?? m[2] ?? m[3] ?? m[4] ?? '');
  return out;
}

/** Length counted as a member counts it: in characters (code points), not UTF-16 units. */
export const charLength = (s: string): number => [...s].length;

/** A single-line text argument of 1..max characters, trimmed. */
export const textArg = (max: number, min = 1) =>
  z
    .string()
    .transform((s) => s.trim())
    .refine((s) => charLength(s) >= min, { message: 'errors.empty' })
    .refine((s) => charLength(s) <= max, { message: 'errors.tooLongField', params: { max } });

/**
 * A member named by every word after the command ("/record Alice Smith"; quotes not needed), or
 * "#12", as the single argument of a command; 1..max characters.
 */
export const memberRefArgs = (max: number) =>
  z.array(z.string()).transform((words) => [words.join(' ')] as [string]).pipe(z.tuple([textArg(max)]));

/** A positive whole-number id such as a shift or note number; "#12" is accepted. */
export const idArg = z
  .string()
  .regex(/^#?\d{1,9}$/u, { message: 'errors.badId' })
  .transform((s) => Number(s.replace('#', '')));

/** A calendar day written YYYY-MM-DD (or YYYY/M/D). */
export const dateArg = z
  .string()
  .transform((s) => s.replace(/\//g, '-'))
  .refine((s) => DateTime.fromFormat(s, 'yyyy-M-d').isValid, { message: 'errors.badDate' })
  .transform((s) => DateTime.fromFormat(s, 'yyyy-M-d').toISODate()!);

/** A time of day HH:MM, 24-hour. */
export const timeArg = z
  .string()
  .regex(/^([01]?\d|2[0-3])[:：][0-5]\d$/u, { message: 'errors.badTime' })
  .transform((s) => s.replace('：', ':').padStart(5, '0'));

/**
 * Parses words with a zod schema and turns a failure into a UserError that names the first
 * problem and shows the command's expected form (`usageKey`). Schemas here put a locale key in
 * an issue's `message` and its values in `params`; any other issue reads as "not the right form".
 */
export function parseArgs<T>(schema: z.ZodType<T, any>, input: unknown, usageKey: string): T {
  const r = schema.safeParse(input);
  if (r.success) return r.data;
  throw new UserError('errors.usage', { problem: problemOf(r.error), usage: tk(usageKey) });
}

/** The first issue of a zod error as a translatable param. */
export function problemOf(error: z.ZodError): ReturnType<typeof tk> {
  const issue = error.issues[0];
  const key = issue && /^[a-zA-Z]+(\.[a-zA-Z0-9]+)+$/.test(issue.message) ? issue.message : 'errors.badArgs';
  const params = (issue && 'params' in issue ? issue.params : undefined) as Record<string, string | number> | undefined;
  return tk(key, params);
}

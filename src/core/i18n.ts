import i18next, { type TFunction } from 'i18next';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { LOCALES, type Locale } from '../config.js';

export { LOCALES, type Locale };

const resources = Object.fromEntries(
  LOCALES.map((locale) => {
    const file = fileURLToPath(new URL(`../../locales/${locale}.json`, import.meta.url));
    return [locale, { translation: JSON.parse(readFileSync(file, 'utf8')) as object }];
  }),
);

const instance = i18next.createInstance();
void instance.init({
  resources,
  lng: 'zh-Hans',
  fallbackLng: 'zh-Hans',
  supportedLngs: [...LOCALES],
  interpolation: { escapeValue: false },
  initAsync: false,
  returnNull: false,
});

const fixed: Record<Locale, TFunction> = Object.fromEntries(
  LOCALES.map((l) => [l, instance.getFixedT(l)]),
) as Record<Locale, TFunction>;

/** A date-time param, shown in the reader's zone and language. JSON-safe, so it fits an outbox row. */
export interface DateTimeParam { $dt: string }
/** A date-only param (a calendar day, no zone conversion). */
export interface DateParam { $d: string }
/** A param that is itself a translation key, e.g. a level or a status. */
export interface KeyParam { $t: string; params?: Record<string, string | number> }
export type ParamValue = string | number | boolean | null | undefined | Date | DateTimeParam | DateParam | KeyParam;
export type Params = Record<string, ParamValue>;

export const dt = (at: Date): DateTimeParam => ({ $dt: at.toISOString() });
export const day = (isoDate: string): DateParam => ({ $d: isoDate });
export const tk = (key: string, params?: Record<string, string | number>): KeyParam =>
  params ? { $t: key, params } : { $t: key };

const intlLocale: Record<Locale, string> = { 'zh-Hans': 'zh-CN', 'zh-Hant': 'zh-TW', en: 'en-GB' };

const DATE_TIME: Intl.DateTimeFormatOptions = {
  month: 'short', day: 'numeric', weekday: 'short', hour: '2-digit', minute: '2-digit', hourCycle: 'h23', timeZoneName: 'short',
};
const TIME: Intl.DateTimeFormatOptions = { hour: '2-digit', minute: '2-digit', hourCycle: 'h23' };
const DAY: Intl.DateTimeFormatOptions = { year: 'numeric', month: 'short', day: 'numeric', weekday: 'short', timeZone: 'UTC' };

// Building an Intl.DateTimeFormat costs far more than using one, and a digest or a list formats
// hundreds of dates in the same few zones: keep one per style, language and zone.
const formats = new Map<string, Intl.DateTimeFormat>();
function formatter(style: Intl.DateTimeFormatOptions, styleName: string, intlName: string, timeZone: string): Intl.DateTimeFormat {
  const key = `${styleName}|${intlName}|${timeZone}`;
  let format = formats.get(key);
  if (!format) {
    format = new Intl.DateTimeFormat(intlName, { ...style, timeZone });
    formats.set(key, format);
  }
  return format;
}

/** "11月23日周一 09:00 [GMT+8]" / "Mon 23 Nov, 09:00 GMT" — a moment as the reader sees it. */
export function formatDateTime(at: Date | string, locale: Locale, timeZone: string): string {
  return formatter(DATE_TIME, 'dt', intlLocale[locale], timeZone).format(new Date(at));
}

export function formatTime(at: Date | string, locale: Locale, timeZone: string): string {
  return formatter(TIME, 't', intlLocale[locale], timeZone).format(new Date(at));
}

export function formatDay(isoDate: string, locale: Locale): string {
  return formatter(DAY, 'd', intlLocale[locale], 'UTC').format(new Date(`${isoDate}T00:00:00Z`));
}

const ISO_DAY: Intl.DateTimeFormatOptions = { year: 'numeric', month: '2-digit', day: '2-digit' };

/** The calendar day (YYYY-MM-DD) `at` falls on in `timeZone`; cheap enough for every line of a list. */
export function localDate(at: Date, timeZone: string): string {
  // en-CA writes dates as YYYY-MM-DD.
  return formatter(ISO_DAY, 'iso', 'en-CA', timeZone).format(at);
}

function resolveParam(v: ParamValue, locale: Locale, timeZone: string): unknown {
  if (v instanceof Date) return formatDateTime(v, locale, timeZone);
  if (v && typeof v === 'object') {
    if ('$dt' in v) return formatDateTime(v.$dt, locale, timeZone);
    if ('$d' in v) return formatDay(v.$d, locale);
    if ('$t' in v) return t(locale, v.$t, v.params ?? {}, timeZone);
  }
  return v;
}

/** Whether `key` exists in the locale files. */
export function hasKey(key: string): boolean {
  return instance.exists(key, { lng: 'zh-Hans', fallbackLng: false });
}

/**
 * The text for `key` in `locale`. Dates and `dt()` params are shown in `timeZone`; `tk()` params
 * are translated too. Used for replies and, at send time, for outbox rows.
 */
export function t(locale: Locale, key: string, params: Params = {}, timeZone = 'Asia/Shanghai'): string {
  const resolved = resolveParams(params, locale, timeZone);
  const parts = compiled(locale, key);
  if (!parts) return fixed[locale](key, resolved) as string;
  let out = '';
  for (const part of parts) {
    if (typeof part === 'string') out += part;
    // As i18next does: a param given as null or undefined prints nothing, one not given stays.
    else if (part.name in resolved) out += (resolved[part.name] ?? '') as string;
    else out += part.raw;
  }
  return out;
}

/** A locale string cut at its {{name}} placeholders. */
type CompiledString = Array<string | { name: string; raw: string }>;

// i18next resolves and interpolates a key afresh on every call, and that was the largest cost of
// a /shifts page (some forty strings). Our strings only use {{name}} placeholders, so each is cut
// once into parts here; anything i18next must do itself (a missing key, $t() nesting) still goes
// to i18next, and a test checks both give the same text for every key.
const compiledStrings = new Map<string, CompiledString | null>();
function compiled(locale: Locale, key: string): CompiledString | null {
  const cacheKey = `${locale}|${key}`;
  let parts = compiledStrings.get(cacheKey);
  if (parts !== undefined) return parts;
  const text: unknown = instance.getResource(locale, 'translation', key);
  parts = typeof text === 'string' && !text.includes('$t(') ? cut(text) : null;
  compiledStrings.set(cacheKey, parts);
  return parts;
}

function cut(text: string): CompiledString {
  const parts: CompiledString = [];
  let last = 0;
  for (const m of text.matchAll(/{{([^{}]+)}}/g)) {
    if (m.index > last) parts.push(text.slice(last, m.index));
    parts.push({ name: m[1]!.trim(), raw: m[0] });
    last = m.index + m[0].length;
  }
  if (last < text.length) parts.push(text.slice(last));
  return parts;
}

/** The text i18next itself gives for `key` (no shortcut); for the test that the shortcut agrees. */
export function tViaI18next(locale: Locale, key: string, params: Params = {}, timeZone = 'Asia/Shanghai'): string {
  return fixed[locale](key, resolveParams(params, locale, timeZone)) as string;
}

function resolveParams(params: Params, locale: Locale, timeZone: string): Record<string, unknown> {
  const resolved: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(params)) resolved[k] = resolveParam(v, locale, timeZone);
  return resolved;
}

/** Maps a platform's language hint (Telegram's language_code) to one of ours. */
export function localeFromHint(hint: string | undefined): Locale | undefined {
  if (!hint) return undefined;
  const h = hint.toLowerCase();
  if (/^zh-(hk|tw|mo|hant)/.test(h)) return 'zh-Hant';
  if (h.startsWith('zh')) return 'zh-Hans';
  if (h.startsWith('en')) return 'en';
  return undefined;
}

export function isLocale(v: string): v is Locale {
  return (LOCALES as readonly string[]).includes(v);
}

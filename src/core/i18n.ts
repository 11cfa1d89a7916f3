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
function formatter(style: Intl.DateTimeFormatOptions, styleName: string, locale: Locale, timeZone: string): Intl.DateTimeFormat {
  const key = `${styleName}|${locale}|${timeZone}`;
  let format = formats.get(key);
  if (!format) {
    format = new Intl.DateTimeFormat(intlLocale[locale], { ...style, timeZone });
    formats.set(key, format);
  }
  return format;
}

/** "11月23日周一 09:00 [GMT+8]" / "Mon 23 Nov, 09:00 GMT" — a moment as the reader sees it. */
export function formatDateTime(at: Date | string, locale: Locale, timeZone: string): string {
  return formatter(DATE_TIME, 'dt', locale, timeZone).format(new Date(at));
}

export function formatTime(at: Date | string, locale: Locale, timeZone: string): string {
  return formatter(TIME, 't', locale, timeZone).format(new Date(at));
}

export function formatDay(isoDate: string, locale: Locale): string {
  return formatter(DAY, 'd', locale, 'UTC').format(new Date(`${isoDate}T00:00:00Z`));
}

function resolveParam(v: ParamValue, locale: Locale, timeZone: string): unknown {
  if (v instanceof Date) return formatDateTime(v, locale, timeZone);
  if (v && typeof v === 'object') {
    if ('$dt' in v) return formatDateTime(v.$dt, locale, timeZone);
    if ('$d' in v) return formatDay(v.$d, locale);
    if ('$t' in v) return fixed[locale](v.$t, v.params ?? {});
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
  const resolved: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(params)) resolved[k] = resolveParam(v, locale, timeZone);
  return fixed[locale](key, resolved) as string;
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

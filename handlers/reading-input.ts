import { z } from 'zod';
import { DateTime } from 'luxon';
import { UserError } from '../src/core/errors.js';
import { charLength, tokenize } from '../src/core/input.js';

/**
 * Splits "12 2026-12-05 19:30 21:00 place="会议室 3" cap=20" into plain words and key=value
 * options. Values may be quoted ("…", “…”, 「…」) to keep spaces; keys are matched
 * case-insensitively by the caller.
 */
export function splitOptions(argText: string): { words: string[]; options: Map<string, string> } {
  const options = new Map<string, string>();
  const OPTION = /([^\s="“「]+)=(?:"([^"]*)"|“([^”]*)”|「([^」]*)」|(\S*))/gu;
  const rest = argText.replace(OPTION, (_m, key: string, a?: string, b?: string, c?: string, d?: string) => {
    const k = key.toLowerCase();
    if (options.has(k)) throw new UserError('reading.optionTwice', { key });
    options.set(k, (a ?? b ?? c ?? d ?? '').trim());
    return ' ';
  });
  return { words: tokenize(rest), options };
}

/** Option names staff may use for a session, in every language we speak. */
const OPTION_NAMES: Record<string, 'url' | 'place' | 'cap' | 'weeks'> = {
  url: 'url', link: 'url', online: 'url', 链接: 'url', 連結: 'url', 线上: 'url', 線上: 'url',
  place: 'place', where: 'place', 地点: 'place', 地點: 'place',
  cap: 'cap', capacity: 'cap', 名额: 'cap', 名額: 'cap', 人数: 'cap', 人數: 'cap',
  weeks: 'weeks', repeat: 'weeks', 周数: 'weeks', 週數: 'weeks', 重复: 'weeks', 重複: 'weeks',
};

export interface SessionOptions {
  onlineUrl: string | null;
  place: string | null;
  capacity: number | null;
  weeks: number;
}

/** Reads url=, place=, cap= and weeks= options; anything else is refused by name. */
export function sessionOptions(options: Map<string, string>, maxWeeks: number): SessionOptions {
  const out: SessionOptions = { onlineUrl: null, place: null, capacity: null, weeks: 1 };
  for (const [key, value] of options) {
    const name = OPTION_NAMES[key];
    if (!name) throw new UserError('reading.unknownOption', { key });
    if (name === 'url') out.onlineUrl = onlineUrl(value);
    if (name === 'place') {
      if (value === '' || charLength(value) > 100) throw new UserError('reading.badPlace', { max: 100 });
      out.place = value;
    }
    if (name === 'cap') out.capacity = wholeNumber(value, 1, 10_000, 'reading.badCapacity');
    if (name === 'weeks') out.weeks = wholeNumber(value, 1, maxWeeks, 'reading.badWeeks');
  }
  return out;
}

function wholeNumber(value: string, min: number, max: number, key: string): number {
  const n = /^\d{1,6}$/.test(value) ? Number(value) : NaN;
  if (!(n >= min && n <= max)) throw new UserError(key, { min, max, value });
  return n;
}

/** An http(s) link of reasonable length. */
export function onlineUrl(value: string): string {
  let url: URL | undefined;
  try {
    url = new URL(value);
  } catch {
    url = undefined;
  }
  if (!url || !/^https?:$/.test(url.protocol) || value.length > 500) throw new UserError('reading.badUrl', { value: value.slice(0, 80) });
  return value;
}

/** The moment of a wall-clock date and time in `zone`. */
export function zonedMoment(date: string, time: string, zone: string): Date {
  return DateTime.fromISO(`${date}T${time}`, { zone }).toJSDate();
}

/** How a session ends: a time "21:00" (same day) or a length "90m", "2h", "1h30m". */
export const endArg = z
  .string()
  .transform((s) => s.replace('：', ':').toLowerCase())
  .refine((s) => /^([01]?\d|2[0-3]):[0-5]\d$/.test(s) || /^(?=\d)(?:(\d{1,2})h)?(?:(\d{1,3})m(?:in)?)?$/.test(s), { message: 'reading.badEnd' });

/** The end moment from an endArg value, given the start and the wall-clock date in `zone`. */
export function endMoment(end: string, date: string, startsAt: Date, zone: string): Date {
  if (end.includes(':')) return zonedMoment(date, end.padStart(5, '0'), zone);
  const m = /^(?:(\d{1,2})h)?(?:(\d{1,3})m(?:in)?)?$/.exec(end)!;
  const minutes = Number(m[1] ?? 0) * 60 + Number(m[2] ?? 0);
  return new Date(startsAt.getTime() + minutes * 60_000);
}

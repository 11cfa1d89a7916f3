import { describe, expect, it } from 'vitest';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { LOCALES, t, tk, dt, tViaI18next } from '../../src/core/i18n.js';

type Tree = { [k: string]: string | Tree };
const flatten = (o: Tree, prefix = ''): [string, string][] =>
  Object.entries(o).flatMap(([k, v]) => (typeof v === 'string' ? [[prefix + k, v] as [string, string]] : flatten(v, `${prefix}${k}.`)));
const files = Object.fromEntries(
  LOCALES.map((l) => [l, new Map(flatten(JSON.parse(readFileSync(`locales/${l}.json`, 'utf8')) as Tree))]),
);
const placeholders = (s: string) => [...s.matchAll(/\{\{\s*([\w.]+)/g)].map((m) => m[1]).sort();

/** Where code names a locale key: t()/tk()/UserError(), a …Key: field, or a zod issue message. */
const KEY_USE = /(?:\b(?:t|tk)\((?:[\w.]+,\s*)?|UserError\(|Key:\s*|message:\s*)['"`]([a-z][A-Za-z]*(?:\.[A-Za-z0-9-]+)+)['"`]/g;

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    return statSync(p).isDirectory() ? sourceFiles(p) : p.endsWith('.ts') ? [p] : [];
  });
}

describe('locales', () => {
  const all = new Set(LOCALES.flatMap((l) => [...files[l]!.keys()]));

  it.each(LOCALES)('%s has every key the others have', (locale) => {
    expect([...all].filter((k) => !files[locale]!.has(k))).toEqual([]);
  });

  it('uses the same placeholders for a key in every language', () => {
    const drift = [...all].filter((k) => new Set(LOCALES.map((l) => placeholders(files[l]!.get(k) ?? '').join(','))).size > 1);
    expect(drift).toEqual([]);
  });

  it('renders every key exactly as i18next does, with every placeholder given, some missing, and odd values', () => {
    const values = [
      (i: number) => `v${i}`, (i: number) => i, () => null, () => undefined, () => '{{id}} $t(x)',
      () => dt(new Date('2026-12-10T01:00:00Z')), () => tk('shifts.level.city'),
    ];
    const mismatches: string[] = [];
    for (const locale of LOCALES) {
      for (const [key, text] of files[locale]!) {
        const names = placeholders(text);
        for (const [n, value] of values.entries()) {
          // Every other placeholder left out, so a missing param is tried on every key too.
          const params = Object.fromEntries(names.filter((_, i) => n % 2 === 0 || i % 2 === 0).map((name, i) => [name!, value(i)]));
          if (t(locale, key, params, 'Europe/London') !== tViaI18next(locale, key, params, 'Europe/London')) mismatches.push(`${locale}:${key}#${n}`);
        }
      }
    }
    expect(mismatches).toEqual([]);
    expect(t('en', 'no.such.key')).toBe(tViaI18next('en', 'no.such.key'));
  });

  it('has no empty text', () => {
    const empty = LOCALES.flatMap((l) => [...files[l]!].filter(([, v]) => v.trim() === '').map(([k]) => `${l}:${k}`));
    expect(empty).toEqual([]);
  });

  it('has every key the code names', () => {
    const namespaces = new Set([...all].map((k) => k.split('.')[0]));
    const used = new Set<string>();
    for (const file of [...sourceFiles('src'), ...sourceFiles('handlers'), ...(statSync('jobs', { throwIfNoEntry: false }) ? sourceFiles('jobs') : [])]) {
      for (const m of readFileSync(file, 'utf8').matchAll(KEY_USE)) {
        if (namespaces.has(m[1]!.split('.')[0]!)) used.add(m[1]!);
      }
    }
    expect(used.size).toBeGreaterThan(20);
    expect([...used].filter((k) => !all.has(k) && ![...all].some((a) => a.startsWith(`${k}.`)))).toEqual([]);
  });
});

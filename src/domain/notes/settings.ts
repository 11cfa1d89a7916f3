import { z } from 'zod';
import { DateTime } from 'luxon';
import { hasKey } from '../../core/i18n.js';

/** A name staff configure, in each language; Traditional Chinese and English fall back to Simplified. */
const localizedName = z.object({
  'zh-Hans': z.string().min(1).max(30),
  'zh-Hant': z.string().min(1).max(30).optional(),
  en: z.string().min(1).max(40).optional(),
});

/** Points for one level (区/市/省/全国). */
const levelPoints = (district: number, municipal: number, provincial: number, national: number) =>
  z
    .object({
      district: z.number().int().min(0).max(1000).default(district),
      municipal: z.number().int().min(0).max(1000).default(municipal),
      provincial: z.number().int().min(0).max(1000).default(provincial),
      national: z.number().int().min(0).max(1000).default(national),
    })
    .prefault({});

const DEFAULT_CATEGORIES = [
  { id: 'economy', names: { 'zh-Hans': '经济发展', 'zh-Hant': '經濟發展', en: 'Economy' } },
  { id: 'livelihood', names: { 'zh-Hans': '社会民生', 'zh-Hant': '社會民生', en: 'Livelihood' } },
  { id: 'environment', names: { 'zh-Hans': '生态环境', 'zh-Hant': '生態環境', en: 'Environment' } },
  { id: 'education', names: { 'zh-Hans': '教育文化', 'zh-Hant': '教育文化', en: 'Education and culture' } },
  { id: 'health', names: { 'zh-Hans': '医疗卫生', 'zh-Hant': '醫療衛生', en: 'Health' } },
  { id: 'urban', names: { 'zh-Hans': '城市管理', 'zh-Hant': '城市管理', en: 'Urban management' } },
  { id: 'law', names: { 'zh-Hans': '法治建设', 'zh-Hant': '法治建設', en: 'Rule of law' } },
  { id: 'hkmt', names: { 'zh-Hans': '港澳台侨', 'zh-Hant': '港澳台僑', en: 'Hong Kong, Macau, Taiwan, overseas' } },
  { id: 'other', names: { 'zh-Hans': '其他', 'zh-Hant': '其他', en: 'Other' } },
];

/** Rules of the notes feature (and the performance record) that staff may tune through SETTINGS_FILE (section "notes"). */
export const notesSettings = z
  .object({
    /** Longest title, in characters. */
    titleMax: z.number().int().min(10).max(200).default(60),
    /** Longest body, in characters (一事一议, about 1500). */
    bodyMax: z.number().int().min(100).max(4000).default(1500),
    /** Categories a member picks from; `id` is stored with the note, so keep ids stable. */
    categories: z
      .array(z.object({ id: z.string().regex(/^[a-z0-9-]{1,16}$/), names: localizedName }))
      .min(1)
      .max(20)
      .refine((cs) => new Set(cs.map((c) => c.id)).size === cs.length, 'category ids must be unique')
      .default(DEFAULT_CATEGORIES),
    /** Kinds of adoption staff may record; each needs a "notes.adoptionKind.<id>" text in every language. */
    adoptionKinds: z
      .array(z.string().regex(/^[a-z0-9-]{1,16}$/).refine((id) => hasKey(`notes.adoptionKind.${id}`), 'no locale text for this adoption kind'))
      .min(1)
      .max(12)
      .default(['single', 'combined', 'forwarded']),
    /** Points, always computed from the note events. */
    points: z
      .object({
        /** For each note, once, when first submitted. */
        submitted: z.number().int().min(0).max(1000).default(1),
        adopted: levelPoints(2, 5, 10, 20),
        /** For each leader's instruction (批示), by the leader's level. */
        instruction: levelPoints(0, 10, 10, 30),
      })
      .prefault({}),
    /** Staff are told when the same member sent a similar title within this many days. */
    similarTitleDays: z.number().int().min(1).max(365).default(30),
    /** The committee's term (届), for /myrecord and the record export. */
    term: z
      .object({
        start: z.string().refine((s) => DateTime.fromISO(s).isValid && /^\d{4}-\d{2}-\d{2}$/.test(s), 'YYYY-MM-DD').default('2023-01-01'),
        years: z.number().int().min(1).max(10).default(5),
      })
      .prefault({}),
  })
  .prefault({});

export type NotesSettings = z.infer<typeof notesSettings>;
export type PointsTable = NotesSettings['points'];
export type NoteCategory = NotesSettings['categories'][number];

/** The defaults, for callers (digests, tests) that have no settings at hand. */
export const defaultNotesSettings = (): NotesSettings => notesSettings.parse(undefined);

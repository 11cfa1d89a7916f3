import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { members, shifts } from '../../../src/store/schema/index.js';
import { t } from '../../../src/core/i18n.js';
import { Harness } from '../../support/harness.js';
import { expandingXlsx, manyRowsXlsx, understated } from './xlsx-bomb.js';

const text = Harness.text;
const MB = 1024 * 1024;
/** Peak resident memory of this test process so far, in bytes. */
const peakRss = () => process.resourceUsage().maxRSS * 1024;

/**
 * File bombs sent as rosters or shift rosters: a small XLSX that unpacks to hundreds of MB, one
 * that lies about its size, one with many rows, an oversized CSV. Each is refused with the limit
 * in the sender's language, nothing is imported, and the bot's memory stays bounded. One
 * database kind is enough: the refusals come before anything is written.
 */
describe('file limits on imports', () => {
  let h: Harness;
  let staff: { id: number };
  let staffHant: { id: number };
  let bomb: Buffer;

  beforeAll(async () => {
    h = await Harness.start({ kind: 'pglite' });
    staff = await h.addMember({ name: 'Sam Staff', role: 'staff', locale: 'en' });
    staffHant = await h.addMember({ name: '黃志強', role: 'staff', locale: 'zh-Hant' });
    bomb = await expandingXlsx(300);
  }, 120_000);
  afterAll(() => h.close());

  const nothingImported = async () => {
    expect(await h.db.select().from(members)).toHaveLength(2);
    expect(await h.db.select().from(shifts)).toEqual([]);
  };

  it('builds a bomb of well under 1 MB that unpacks to 300 MB', () => {
    expect(bomb.length).toBeLessThan(MB);
  });

  it.each([
    ['a roster', 'roster.xlsx'],
    ['a shift roster', 'shifts-2026-12.xlsx'],
  ])('refuses %s that unpacks to 300 MB before reading it, with bounded memory', async (_what, name) => {
    const before = peakRss();
    const reply = text(await h.as(staff).sendFile(name, bomb));
    expect(reply).toBe(t('en', 'import.tooLargeUnpacked', { mb: 25 }));
    expect(peakRss() - before).toBeLessThan(150 * MB);
    await nothingImported();
  });

  it('refuses an XLSX that claims to be small and is not, in the sender\'s language, while unpacking it', async () => {
    const before = peakRss();
    const reply = text(await h.as(staffHant).sendFile('roster.xlsx', understated(bomb, 4096)));
    expect(reply).toBe('該試算表解壓後超過 25 MB，遠超名單所需，因此未讀取。請只保留需要的列，另存為新檔案。');
    expect(peakRss() - before).toBeLessThan(150 * MB);
    await nothingImported();
  });

  it('refuses an XLSX with more rows than the limit while counting them', async () => {
    const rows = await manyRowsXlsx(200_000);
    const before = peakRss();
    expect(text(await h.as(staff).sendFile('roster.xlsx', rows))).toBe(t('en', 'import.tooManyRows', { max: 5000 }));
    expect(peakRss() - before).toBeLessThan(150 * MB);
    await nothingImported();
  });

  it('refuses a CSV over the size limit, and one with too many rows', async () => {
    const line = 'Someone,Culture,member\n';
    const big = Buffer.from(`name,committee,role\n${line.repeat(Math.ceil((6 * MB) / line.length))}`);
    expect(text(await h.as(staff).sendFile('roster.csv', big))).toBe(t('en', 'import.tooLarge', { mb: 5 }));
    const long = Buffer.from(`name,committee,role\n${Array.from({ length: 5001 }, (_, i) => `M${i},Culture,member`).join('\n')}`);
    expect(text(await h.as(staffHant).sendFile('roster.csv', long))).toBe('檔案資料超過 5000 列，請拆分為較小的檔案。');
    await nothingImported();
  });

  it('takes the limits from the imports settings', async () => {
    const strict = await Harness.start({ kind: 'pglite', settings: { imports: { maxRows: 2 } } });
    try {
      const officer = await strict.addMember({ name: 'Sam Staff', role: 'staff', locale: 'en' });
      const three = Buffer.from('name,committee\nA,Culture\nB,Culture\nC,Culture');
      expect(text(await strict.as(officer).sendFile('roster.csv', three))).toBe(t('en', 'import.tooManyRows', { max: 2 }));
    } finally {
      await strict.close();
    }
  });
});

import { fromBufferPromise, type Entry } from 'yauzl';
import { UserError } from '../../core/errors.js';
import type { ImportLimits } from './settings.js';

/** More parts than any workbook has (Excel writes about a dozen); a zip of thousands is an attack. */
const MAX_ENTRIES = 500;
/** How a worksheet part of an XLSX is named, and how each of its rows begins. */
const WORKSHEET = /^xl\/worksheets\/[^/]+\.xml$/i;
const ROW_TAG = Buffer.from('<row');

/**
 * Checks an XLSX (a zip) against the limits before anyone parses it, with memory bounded by one
 * inflated chunk. First from its central directory alone (the part count and the sizes it
 * declares), then by inflating every part as ExcelJS would, counting the bytes that really come
 * out (a part may declare less than it holds: yauzl's own size check is off so that such a
 * file meets the same limit and answer) and the rows of each sheet as they stream past. A file
 * over a limit is refused with the limit named; a broken zip is "unreadable". yauzl reads the
 * same central directory as JSZip inside ExcelJS, so the parts checked are the parts ExcelJS reads.
 */
export async function checkXlsx(data: Buffer, limits: ImportLimits): Promise<void> {
  let zip;
  try {
    zip = await fromBufferPromise(data, { lazyEntries: true, validateEntrySizes: false });
  } catch {
    throw new UserError('import.unreadable');
  }
  try {
    if (zip.entryCount > MAX_ENTRIES) throw new UserError('import.tooManyParts');
    const entries: Entry[] = [];
    let declared = 0;
    for await (const entry of zip.eachEntry()) {
      entries.push(entry);
      declared += entry.uncompressedSize;
      if (declared > limits.maxUncompressedBytes) throw tooLarge(limits);
    }
    let inflated = 0;
    let rows = 0;
    for (const entry of entries) {
      if (entry.fileName.endsWith('/')) continue;
      const isSheet = WORKSHEET.test(entry.fileName);
      let tail = Buffer.alloc(0);
      for await (const chunk of await zip.openReadStreamPromise(entry)) {
        const piece = chunk as Buffer;
        inflated += piece.length;
        if (inflated > limits.maxUncompressedBytes) throw tooLarge(limits);
        if (!isSheet) continue;
        // A tag may straddle two chunks: search the last few bytes of the one before too.
        const window = Buffer.concat([tail, piece]);
        for (let at = window.indexOf(ROW_TAG); at !== -1; at = window.indexOf(ROW_TAG, at + ROW_TAG.length)) rows++;
        if (rows > limits.maxRows + 1) throw new UserError('import.tooManyRows', { max: limits.maxRows });
        tail = window.subarray(Math.max(0, window.length - (ROW_TAG.length - 1)));
      }
    }
  } catch (err) {
    if (err instanceof UserError) throw err;
    throw new UserError('import.unreadable');
  } finally {
    zip.close();
  }
}

const tooLarge = (limits: ImportLimits) => new UserError('import.tooLargeUnpacked', { mb: Math.round(limits.maxUncompressedBytes / 1024 / 1024) });

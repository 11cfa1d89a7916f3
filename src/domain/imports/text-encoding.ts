import iconv from 'iconv-lite';
import { UserError } from '../../core/errors.js';

const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * The text of a CSV as its author wrote it. Excel on Chinese Windows saves "CSV" in the system's
 * code page (GBK, which GB18030 contains), not UTF-8: bytes that are not valid UTF-8 are read as
 * GB18030 (iconv-lite), and a file that is not GB18030 either is refused with a hint to save it as
 * "CSV UTF-8". Byte-order marks of UTF-8 and UTF-16 are honoured.
 */
export function decodeCsv(data: Buffer): string {
  if (data[0] === 0xff && data[1] === 0xfe) return iconv.decode(data, 'utf16le');
  if (data[0] === 0xfe && data[1] === 0xff) return iconv.decode(data, 'utf16be');
  try {
    return utf8.decode(data).replace(/^\uFEFF/u, '');
  } catch {
    // Not UTF-8: try the Chinese Windows code page below.
  }
  const text = iconv.decode(data, 'gb18030');
  if (text.includes('\uFFFD')) throw new UserError('import.unknownEncoding');
  return text;
}

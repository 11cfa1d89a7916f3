import { Readable } from 'node:stream';
import { ZipFile } from 'yazl';

/** Builders of hostile spreadsheets for the import tests, streamed so the test itself stays small. */

const CONTENT_TYPES = `<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>`;
const ROOT_RELS = `<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>`;
const WORKBOOK = `<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>`;
const WORKBOOK_RELS = `<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>`;
const SHEET_HEAD = `<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>name</t></is></c><c r="B1" t="inlineStr"><is><t>date</t></is></c></row>`;
const SHEET_TAIL = '</sheetData></worksheet>';

/** An XLSX whose sheet streams `body` chunks between a header row and the end. */
async function xlsxWithSheet(body: () => Generator<string>): Promise<Buffer> {
  const zip = new ZipFile();
  zip.addBuffer(Buffer.from(CONTENT_TYPES), '[Content_Types].xml');
  zip.addBuffer(Buffer.from(ROOT_RELS), '_rels/.rels');
  zip.addBuffer(Buffer.from(WORKBOOK), 'xl/workbook.xml');
  zip.addBuffer(Buffer.from(WORKBOOK_RELS), 'xl/_rels/workbook.xml.rels');
  zip.addReadStream(Readable.from((function* sheet() {
    yield SHEET_HEAD;
    yield* body();
    yield SHEET_TAIL;
  })(), { objectMode: false }), 'xl/worksheets/sheet1.xml', { compressionLevel: 9 });
  zip.end();
  const chunks: Buffer[] = [];
  for await (const chunk of zip.outputStream as Readable) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/** A small XLSX (about 1/1000 of its size) whose one cell holds `megabytes` MB of text. */
export function expandingXlsx(megabytes: number): Promise<Buffer> {
  const mb = 'A'.repeat(1024 * 1024);
  return xlsxWithSheet(function* body() {
    yield '<row r="2"><c r="A2" t="inlineStr"><is><t>';
    for (let i = 0; i < megabytes; i++) yield mb;
    yield '</t></is></c></row>';
  });
}

/** An XLSX of `count` rows of one short cell each: small when unpacked, but many rows. */
export function manyRowsXlsx(count: number): Promise<Buffer> {
  return xlsxWithSheet(function* body() {
    const batch: string[] = [];
    for (let r = 2; r <= count + 1; r++) {
      batch.push(`<row r="${r}"><c r="A${r}" t="inlineStr"><is><t>x</t></is></c></row>`);
      if (batch.length === 1000) yield batch.splice(0).join('');
    }
    yield batch.join('');
  });
}

/**
 * The same zip with the sheet's uncompressed size in the central directory rewritten to
 * `declared`: a part that claims to be small and is not (readers trust that field).
 */
export function understated(zip: Buffer, declared: number): Buffer {
  const out = Buffer.from(zip);
  const eocd = out.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
  let at = out.readUInt32LE(eocd + 16);
  const entries = out.readUInt16LE(eocd + 10);
  for (let i = 0; i < entries; i++) {
    const nameLength = out.readUInt16LE(at + 28);
    const name = out.toString('utf8', at + 46, at + 46 + nameLength);
    if (name.startsWith('xl/worksheets/')) out.writeUInt32LE(declared, at + 24);
    at += 46 + nameLength + out.readUInt16LE(at + 30) + out.readUInt16LE(at + 32);
  }
  return out;
}

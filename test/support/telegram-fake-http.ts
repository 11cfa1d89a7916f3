/**
 * Request parsing and answering for the Telegram Bot API fake (see telegram-fake.ts): JSON,
 * urlencoded and multipart/form-data bodies, coercion of Bot API parameters, and the error type
 * method handlers throw.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';

/** A file uploaded in a multipart body. */
export interface UploadedFile {
  filename: string;
  contentType: string | undefined;
  data: Buffer;
}

/** Parameters of one Bot API call; multipart and urlencoded values arrive as strings. */
export type Params = Record<string, unknown>;

/** A Bot API error answer: `{ ok: false, error_code, description, parameters? }`. */
export class ApiError extends Error {
  constructor(
    readonly code: number,
    readonly description: string,
    readonly parameters?: { retry_after?: number; migrate_to_chat_id?: number },
  ) {
    super(`${code}: ${description}`);
  }
}

export const badRequest = (what: string): ApiError => new ApiError(400, `Bad Request: ${what}`);

/** Reads the whole body and merges it with the query string, as the Bot API does. */
export async function readParams(req: IncomingMessage, url: URL): Promise<Params> {
  const params: Params = Object.fromEntries(url.searchParams);
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const body = Buffer.concat(chunks);
  if (body.length === 0) return params;
  const type = req.headers['content-type'] ?? '';
  if (type.startsWith('application/json')) {
    const parsed: unknown = JSON.parse(body.toString('utf8'));
    if (parsed && typeof parsed === 'object') Object.assign(params, parsed);
  } else if (type.startsWith('application/x-www-form-urlencoded')) {
    Object.assign(params, Object.fromEntries(new URLSearchParams(body.toString('utf8'))));
  } else if (type.startsWith('multipart/form-data')) {
    const boundary = /boundary=(?:"([^"]+)"|([^;\s]+))/i.exec(type);
    if (!boundary) throw badRequest('multipart boundary is missing');
    Object.assign(params, parseMultipart(body, boundary[1] ?? boundary[2]!));
  }
  return params;
}

/**
 * Enough of RFC 7578 for telegraf's MultipartStream: parts separated by `--boundary`, headers
 * written as `name:value` (no space), text fields become strings and file parts `UploadedFile`s.
 */
export function parseMultipart(body: Buffer, boundary: string): Params {
  const params: Params = {};
  const delimiter = Buffer.from(`--${boundary}`);
  let at = body.indexOf(delimiter);
  while (at !== -1) {
    let partStart = at + delimiter.length;
    if (body[partStart] === 0x2d && body[partStart + 1] === 0x2d) break; // closing `--boundary--`
    if (body[partStart] === 0x0d && body[partStart + 1] === 0x0a) partStart += 2;
    const next = body.indexOf(delimiter, partStart);
    if (next === -1) break;
    // The CRLF before the next delimiter belongs to the delimiter, not to the data.
    const partEnd = body[next - 2] === 0x0d && body[next - 1] === 0x0a ? next - 2 : next;
    const headerEnd = body.indexOf('\r\n\r\n', partStart);
    if (headerEnd !== -1 && headerEnd < partEnd) {
      const headers = parsePartHeaders(body.subarray(partStart, headerEnd).toString('utf8'));
      const data = body.subarray(headerEnd + 4, partEnd);
      const disposition = headers.get('content-disposition') ?? '';
      const name = /\bname="([^"]*)"/.exec(disposition)?.[1];
      const filename = /\bfilename="([^"]*)"/.exec(disposition)?.[1];
      if (name !== undefined) {
        params[name] = filename === undefined
          ? data.toString('utf8')
          : { filename, contentType: headers.get('content-type'), data: Buffer.from(data) } satisfies UploadedFile;
      }
    }
    at = next;
  }
  return params;
}

function parsePartHeaders(text: string): Map<string, string> {
  const headers = new Map<string, string>();
  for (const line of text.split('\r\n')) {
    const colon = line.indexOf(':');
    if (colon > 0) headers.set(line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim());
  }
  return headers;
}

export function isUploadedFile(value: unknown): value is UploadedFile {
  return typeof value === 'object' && value !== null && Buffer.isBuffer((value as UploadedFile).data);
}

/** A parameter that may arrive as JSON text (multipart, urlencoded) or already parsed (JSON body). */
export function jsonParam(value: unknown, name: string): unknown {
  if (typeof value !== 'string') return value;
  try {
    return JSON.parse(value) as unknown;
  } catch {
    throw badRequest(`can't parse ${name} JSON object`);
  }
}

/** An integer parameter, or `undefined` when absent. */
export function intParam(value: unknown, name: string): number | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  const n = typeof value === 'number' ? value : Number(value);
  if (!Number.isInteger(n)) throw badRequest(`invalid ${name} specified`);
  return n;
}

export function boolParam(value: unknown): boolean {
  return value === true || value === 'true' || value === 1 || value === '1';
}

export function stringParam(value: unknown): string | undefined {
  if (value === undefined || value === null) return undefined;
  return typeof value === 'string' ? value : String(value);
}

export function answer(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

export function answerError(res: ServerResponse, error: ApiError): void {
  answer(res, error.code, {
    ok: false,
    error_code: error.code,
    description: error.description,
    ...(error.parameters ? { parameters: error.parameters } : {}),
  });
}

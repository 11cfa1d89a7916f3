/**
 * Opening the encrypted HTTP callbacks of the WeCom self-built app (自建应用 接收消息).
 *
 * `@wecom/crypto` does the AES and the SHA-1; everything it leaves out is done here: the
 * signature is compared in constant time, the timestamp must be within five minutes, a nonce is
 * accepted once, the receive id inside the ciphertext must be our corp id, and bodies are
 * size-limited and parsed without entity expansion. Every refusal is a `CallbackRejected`.
 *
 * WeCom posts the very same callback again when our answer did not reach it within 5 seconds
 * (developer document path 96466). Such an exact repeat of a callback we accepted is
 * `CallbackRejected('repeat')`: answered as a success, acted on no more. The same nonce with
 * anything else is a replay.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { decrypt, encrypt, getSignature } from '@wecom/crypto';
import { XMLParser } from 'fast-xml-parser';
import type { Redis } from 'ioredis';

/** Bodies (and echostr) larger than this are refused unread. */
export const MAX_CALLBACK_BYTES = 64 * 1024;
/** How far a callback's timestamp may be from our clock. */
export const MAX_CLOCK_SKEW_SECONDS = 5 * 60;
// A nonce is fresh while its timestamp is: up to one skew either side of arrival.
const NONCE_TTL_SECONDS = 2 * MAX_CLOCK_SKEW_SECONDS;

export type CallbackRejectReason =
  /** An exact repeat of a callback accepted before: answer success, do nothing. */
  | 'repeat'
  | 'bad-signature'
  | 'stale'
  | 'replay'
  | 'bad-receiver'
  | 'bad-body'
  | 'too-large';

/** A callback we refuse to act on. `reason` is safe to log and to count in metrics. */
export class CallbackRejected extends Error {
  constructor(
    readonly reason: CallbackRejectReason,
    detail?: string,
  ) {
    super(detail ? `${reason}: ${detail}` : reason);
    this.name = 'CallbackRejected';
  }
}

/** The query string WeCom puts on a callback URL; values are unknown until checked. */
export type CallbackParams = Readonly<Record<string, unknown>>;

export interface CallbackSecurityOptions {
  /** The app's callback Token (WECOM_TOKEN). */
  token: string;
  /** The app's 43-character EncodingAESKey (WECOM_ENCODING_AES_KEY). */
  encodingAesKey: string;
  /** Our corp id (WECOM_CORP_ID): the receive id every genuine ciphertext ends with. */
  corpId: string;
  nonces: NonceStore;
  /** Milliseconds since the epoch; injectable for tests. */
  now?: () => number;
}

export interface CallbackSecurity {
  /** GET URL verification: checks the query and returns the decrypted `echostr` to answer with. */
  verifyUrl(params: CallbackParams): Promise<string>;
  /** POST callback: checks query and body, returns the decrypted message's fields. */
  openCallback(params: CallbackParams, body: string | Buffer): Promise<CallbackMessage>;
  /** Encrypts and signs a passive reply (an XML message) the way WeCom expects it back. */
  sealReply(replyXml: string, timestampSeconds?: number, nonce?: string): string;
}

interface CheckedParams {
  signature: string;
  timestamp: string;
  nonce: string;
}

/** Builds the checker for one app. Throws at once (not per request) if the AES key is malformed. */
export function createCallbackSecurity(options: CallbackSecurityOptions): CallbackSecurity {
  const { token, encodingAesKey, corpId, nonces } = options;
  const now = options.now ?? Date.now;
  if (!/^[A-Za-z0-9+/]{43}$/.test(encodingAesKey) || Buffer.from(`${encodingAesKey}=`, 'base64').length !== 32) {
    throw new Error('WeCom EncodingAESKey must be 43 base64 characters (32 bytes)');
  }
  if (!token || !corpId) throw new Error('WeCom callback token and corp id are required');

  function checkParams(params: CallbackParams): CheckedParams {
    const { msg_signature: signature, timestamp, nonce } = params;
    if (typeof signature !== 'string' || !/^[0-9a-f]{40}$/.test(signature)) {
      throw new CallbackRejected('bad-signature', 'missing or malformed msg_signature');
    }
    if (typeof timestamp !== 'string' || typeof nonce !== 'string' || nonce.length === 0 || nonce.length > 128) {
      throw new CallbackRejected('bad-signature', 'missing timestamp or nonce');
    }
    return { signature, timestamp, nonce };
  }

  function checkSignature(p: CheckedParams, ciphertext: string): void {
    const expected = getSignature(token, p.timestamp, p.nonce, ciphertext);
    // Both are 40 lowercase hex characters here, so the buffers have equal length.
    if (!timingSafeEqual(Buffer.from(p.signature, 'latin1'), Buffer.from(expected, 'latin1'))) {
      throw new CallbackRejected('bad-signature');
    }
  }

  function checkFresh(timestamp: string): void {
    if (!/^\d{1,12}$/.test(timestamp)) throw new CallbackRejected('stale', 'timestamp is not a number');
    if (Math.abs(now() / 1000 - Number(timestamp)) > MAX_CLOCK_SKEW_SECONDS) {
      throw new CallbackRejected('stale');
    }
  }

  function unseal(ciphertext: string): string {
    let opened: { message: string; id: string; random: Buffer };
    try {
      opened = decrypt(encodingAesKey, ciphertext);
    } catch {
      throw new CallbackRejected('bad-body', 'ciphertext does not decrypt');
    }
    // The library neither checks the padding nor the length field nor the UTF-8; sealing the
    // result again must give back the same bytes, or the plaintext was not what WeCom sealed.
    const again = encrypt(encodingAesKey, opened.message, opened.id, opened.random);
    if (!Buffer.from(again, 'base64').equals(Buffer.from(ciphertext, 'base64'))) {
      throw new CallbackRejected('bad-body', 'plaintext is not canonical');
    }
    if (opened.id !== corpId) throw new CallbackRejected('bad-receiver');
    return opened.message;
  }

  async function admit(p: CheckedParams, ciphertext: string): Promise<{ plaintext: string; seen: 'fresh' | 'repeat' }> {
    checkSignature(p, ciphertext);
    checkFresh(p.timestamp);
    const plaintext = unseal(ciphertext);
    // Remembered only once everything else passed, so forged requests cannot burn nonces.
    const request = createHash('sha256').update([p.signature, p.timestamp, p.nonce, ciphertext].join('\n')).digest('hex');
    const seen = await nonces.remember(p.nonce, request, NONCE_TTL_SECONDS);
    if (seen === 'replay') throw new CallbackRejected('replay');
    return { plaintext, seen };
  }

  return {
    async verifyUrl(params) {
      const p = checkParams(params);
      const echostr = params.echostr;
      if (typeof echostr !== 'string' || echostr.length === 0) throw new CallbackRejected('bad-body', 'no echostr');
      if (echostr.length > MAX_CALLBACK_BYTES) throw new CallbackRejected('too-large');
      // A repeated verification gets the same echo: it changes nothing.
      return (await admit(p, echostr)).plaintext;
    },

    async openCallback(params, body) {
      const size = typeof body === 'string' ? Buffer.byteLength(body) : body.length;
      if (size > MAX_CALLBACK_BYTES) throw new CallbackRejected('too-large');
      const p = checkParams(params);
      const text = typeof body === 'string' ? body : body.toString('utf8');
      refuseDoctype(text);
      const envelope = parseCallbackXml(text);
      const ciphertext = envelope.Encrypt;
      if (typeof ciphertext !== 'string' || ciphertext.length === 0) {
        throw new CallbackRejected('bad-body', 'no Encrypt element');
      }
      const { plaintext, seen } = await admit(p, ciphertext);
      if (seen === 'repeat') throw new CallbackRejected('repeat');
      refuseDoctype(plaintext);
      const message = parseCallbackXml(plaintext);
      if (!message.MsgType || !message.FromUserName) {
        throw new CallbackRejected('bad-body', 'message lacks MsgType or FromUserName');
      }
      return { ...message, MsgType: message.MsgType, FromUserName: message.FromUserName };
    },

    sealReply(replyXml, timestampSeconds = Math.floor(now() / 1000), nonce = randomBytes(8).toString('hex')) {
      const sealed = encrypt(encodingAesKey, replyXml, corpId);
      const signature = getSignature(token, timestampSeconds, nonce, sealed);
      return (
        `<xml><Encrypt><![CDATA[${sealed}]]></Encrypt><MsgSignature><![CDATA[${signature}]]></MsgSignature>` +
        `<TimeStamp>${timestampSeconds}</TimeStamp><Nonce><![CDATA[${nonce}]]></Nonce></xml>`
      );
    },
  };
}

/**
 * Remembers nonces, each with a digest of the request that used it, so that a captured callback
 * cannot be played again while WeCom's own repeat of it is recognised.
 */
export interface NonceStore {
  /**
   * Records `nonce` with `request` for `ttlSeconds`: 'fresh' when it had not been seen (the caller
   * may proceed), 'repeat' when it was seen with the same request, 'replay' with another.
   */
  remember(nonce: string, request: string, ttlSeconds: number): Promise<'fresh' | 'repeat' | 'replay'>;
}

/** Nonce store shared by every process: `SET prefix+nonce request NX EX ttl`. */
export function redisNonceStore(redis: Redis, prefix: string): NonceStore {
  return {
    async remember(nonce, request, ttlSeconds) {
      const key = `${prefix}${nonce}`;
      if ((await redis.set(key, request, 'EX', ttlSeconds, 'NX')) === 'OK') return 'fresh';
      return (await redis.get(key)) === request ? 'repeat' : 'replay';
    },
  };
}

/** Nonce store for one process (console mode, tests). */
export function memoryNonceStore(now: () => number = Date.now): NonceStore {
  const seen = new Map<string, { until: number; request: string }>();
  return {
    async remember(nonce, request, ttlSeconds) {
      const t = now();
      if (seen.size > 10_000) for (const [n, entry] of seen) if (entry.until <= t) seen.delete(n);
      const entry = seen.get(nonce);
      if (entry !== undefined && entry.until > t) return entry.request === request ? 'repeat' : 'replay';
      seen.set(nonce, { until: t + ttlSeconds * 1000, request });
      return 'fresh';
    },
  };
}

/**
 * The fields of a decrypted callback message, as strings (MsgId is a 64-bit number: never parse
 * it as a JS number). Only top-level text elements are kept; nested elements are dropped.
 */
export interface CallbackMessage {
  MsgType: string;
  FromUserName: string;
  ToUserName?: string;
  CreateTime?: string;
  AgentID?: string;
  MsgId?: string;
  Content?: string;
  Event?: string;
  EventKey?: string;
  TaskId?: string;
  ResponseCode?: string;
  [field: string]: string | undefined;
}

const xmlParser = new XMLParser({
  processEntities: false,
  htmlEntities: false,
  ignoreAttributes: true,
  ignoreDeclaration: true,
  ignorePiTags: true,
  parseTagValue: false,
  trimValues: true,
});

/** WeCom never sends a DOCTYPE; one in a body can only be an attack (entity expansion, XXE). */
function refuseDoctype(xml: string): void {
  if (/<!\s*(DOCTYPE|ENTITY)/i.test(xml)) throw new CallbackRejected('bad-body', 'DOCTYPE or ENTITY in XML');
}

/** Parses `<xml>...</xml>` into its top-level text fields. */
function parseCallbackXml(xml: string): Partial<CallbackMessage> {
  let parsed: unknown;
  try {
    parsed = xmlParser.parse(xml);
  } catch {
    throw new CallbackRejected('bad-body', 'XML does not parse');
  }
  const root = (parsed as { xml?: unknown } | null)?.xml;
  if (typeof root !== 'object' || root === null || Array.isArray(root)) {
    throw new CallbackRejected('bad-body', 'no <xml> root element');
  }
  const fields: Partial<CallbackMessage> = {};
  for (const [name, value] of Object.entries(root)) {
    if (typeof value === 'string' && name !== '__proto__') fields[name] = value;
  }
  return fields;
}

/**
 * Builds genuine WeCom self-built-app callbacks (encrypted, signed) the way WeCom's servers do,
 * so tests and the WeCom API fake can feed `callback-security.ts` real traffic.
 */
import { randomBytes } from 'node:crypto';
import { encrypt, getSignature } from '@wecom/crypto';

/** The three secrets a callback depends on. */
export interface CallbackKeys {
  token: string;
  encodingAesKey: string;
  corpId: string;
}

/** Fresh random keys: a 43-character EncodingAESKey as the WeCom console generates. */
export function randomCallbackKeys(corpId = 'ww0123456789abcdef'): CallbackKeys {
  return {
    token: randomBytes(12).toString('hex'),
    encodingAesKey: randomBytes(32).toString('base64').slice(0, 43),
    corpId,
  };
}

export interface BuildOptions {
  /** Seconds since the epoch; default now. */
  timestamp?: number;
  nonce?: string;
  /** The receive id sealed into the ciphertext; default `keys.corpId`. */
  receiveId?: string;
  agentId?: string;
  /** The 16 random bytes before the message; fixed in tests that need a deterministic ciphertext. */
  random?: Buffer;
  /** Changes the ciphertext after sealing; the signature is computed over the changed one. */
  tamper?: (encrypt: string) => string;
}

/** What WeCom sends: the query string and the XML body. */
export interface BuiltCallback {
  query: { msg_signature: string; timestamp: string; nonce: string };
  body: string;
  encrypt: string;
}

function sealAndSign(keys: CallbackKeys, plaintext: string, options: BuildOptions) {
  const timestamp = String(options.timestamp ?? Math.floor(Date.now() / 1000));
  const nonce = options.nonce ?? randomBytes(8).toString('hex');
  let sealed = encrypt(keys.encodingAesKey, plaintext, options.receiveId ?? keys.corpId, options.random);
  if (options.tamper) sealed = options.tamper(sealed);
  const msg_signature = getSignature(keys.token, timestamp, nonce, sealed);
  return { query: { msg_signature, timestamp, nonce }, encrypt: sealed };
}

/** A POST callback carrying `messageXml` (see `textMessageXml`). */
export function buildCallback(keys: CallbackKeys, messageXml: string, options: BuildOptions = {}): BuiltCallback {
  const { query, encrypt: sealed } = sealAndSign(keys, messageXml, options);
  const body =
    `<xml><ToUserName><![CDATA[${keys.corpId}]]></ToUserName><Encrypt><![CDATA[${sealed}]]></Encrypt>` +
    `<AgentID><![CDATA[${options.agentId ?? '1000002'}]]></AgentID></xml>`;
  return { query, body, encrypt: sealed };
}

/** The GET request WeCom sends when the callback URL is saved in the console. */
export function buildUrlVerification(keys: CallbackKeys, echo: string, options: BuildOptions = {}) {
  const { query, encrypt: sealed } = sealAndSign(keys, echo, options);
  return { query: { ...query, echostr: sealed } };
}

let msgCounter = 0;

/** A text message as WeCom encloses it: strings in CDATA, MsgId a 64-bit number. */
export function textMessageXml(fields: {
  from: string;
  content: string;
  toUser?: string;
  msgId?: string;
  agentId?: string;
  createTime?: number;
}): string {
  const msgId = fields.msgId ?? String(7_000_000_000_000_000_000n + BigInt(++msgCounter));
  return (
    `<xml><ToUserName><![CDATA[${fields.toUser ?? 'ww0123456789abcdef'}]]></ToUserName>` +
    `<FromUserName><![CDATA[${fields.from}]]></FromUserName>` +
    `<CreateTime>${fields.createTime ?? Math.floor(Date.now() / 1000)}</CreateTime>` +
    `<MsgType><![CDATA[text]]></MsgType><Content><![CDATA[${fields.content}]]></Content>` +
    `<MsgId>${msgId}</MsgId><AgentID>${fields.agentId ?? '1000002'}</AgentID></xml>`
  );
}

/** A press on a template-card button sent by the app (Event template_card_event). */
export function cardEventXml(fields: { from: string; taskId: string; eventKey: string; agentId?: string }): string {
  return (
    `<xml><ToUserName><![CDATA[ww0123456789abcdef]]></ToUserName><FromUserName><![CDATA[${fields.from}]]></FromUserName>` +
    `<CreateTime>${Math.floor(Date.now() / 1000)}</CreateTime><MsgType><![CDATA[event]]></MsgType>` +
    `<Event><![CDATA[template_card_event]]></Event><EventKey><![CDATA[${fields.eventKey}]]></EventKey>` +
    `<TaskId><![CDATA[${fields.taskId}]]></TaskId><CardType><![CDATA[button_interaction]]></CardType>` +
    `<ResponseCode><![CDATA[${randomBytes(8).toString('hex')}]]></ResponseCode>` +
    `<AgentID>${fields.agentId ?? '1000002'}</AgentID></xml>`
  );
}

/** Flips one bit of base64 data (bit 0 is the lowest bit of the first byte) and re-encodes it. */
export function flipBit(base64: string, bit: number): string {
  const bytes = Buffer.from(base64, 'base64');
  const index = Math.floor(bit / 8);
  bytes[index] = (bytes[index] ?? 0) ^ (1 << bit % 8);
  return bytes.toString('base64');
}

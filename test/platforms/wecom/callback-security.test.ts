import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import fc from 'fast-check';
import { Redis } from 'ioredis';
import { getSignature } from '@wecom/crypto';
import {
  CallbackRejected,
  MAX_CALLBACK_BYTES,
  createCallbackSecurity,
  memoryNonceStore,
  redisNonceStore,
  type CallbackRejectReason,
  type CallbackSecurity,
} from '../../../src/platforms/wecom/callback-security.js';
import {
  buildCallback,
  buildUrlVerification,
  cardEventXml,
  flipBit,
  randomCallbackKeys,
  textMessageXml,
} from '../../support/wecom-callback-builder.js';

const keys = randomCallbackKeys('ww-tongxin-test');
const NOW = Date.UTC(2025, 5, 1, 8, 0, 0);
const nowSeconds = Math.floor(NOW / 1000);

let redis: Redis;
let security: CallbackSecurity;

beforeAll(() => {
  redis = new Redis(inject('redisUrl'), { lazyConnect: false, maxRetriesPerRequest: 1 });
  security = createCallbackSecurity({
    ...keys,
    nonces: redisNonceStore(redis, `test:wecom-nonce:${randomUUID()}:`),
    now: () => NOW,
  });
});

afterAll(async () => {
  await redis.quit();
});

async function refusal(attempt: Promise<unknown>): Promise<CallbackRejectReason> {
  const error = await attempt.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(CallbackRejected);
  return (error as CallbackRejected).reason;
}

describe('WeCom callback security', () => {
  it('opens a genuine callback', async () => {
    const xml = textMessageXml({ from: 'zhangsan', content: '  /duty 今天 & <明天> ', msgId: '7303152338214432768' });
    const { query, body } = buildCallback(keys, xml, { timestamp: nowSeconds });
    const message = await security.openCallback(query, body);
    expect(message).toMatchObject({
      MsgType: 'text',
      FromUserName: 'zhangsan',
      Content: '  /duty 今天 & <明天> ',
      MsgId: '7303152338214432768',
      AgentID: '1000002',
    });
  });

  it('opens a card button press and a Buffer body', async () => {
    const { query, body } = buildCallback(keys, cardEventXml({ from: 'lisi', taskId: 'T1', eventKey: 'ack' }), {
      timestamp: nowSeconds,
    });
    const message = await security.openCallback(query, Buffer.from(body));
    expect(message).toMatchObject({ MsgType: 'event', Event: 'template_card_event', EventKey: 'ack', TaskId: 'T1' });
  });

  it('verifies the callback URL and returns the echo', async () => {
    const { query } = buildUrlVerification(keys, 'echo-4711', { timestamp: nowSeconds });
    await expect(security.verifyUrl(query)).resolves.toBe('echo-4711');
  });

  it('refuses a bad signature', async () => {
    const { query, body } = buildCallback(keys, textMessageXml({ from: 'u', content: 'x' }), { timestamp: nowSeconds });
    const last = query.msg_signature.at(-1) === '0' ? '1' : '0';
    const forged = { ...query, msg_signature: query.msg_signature.slice(0, -1) + last };
    expect(await refusal(security.openCallback(forged, body))).toBe('bad-signature');
    expect(await refusal(security.openCallback({ ...query, msg_signature: 'short' }, body))).toBe('bad-signature');
    expect(await refusal(security.openCallback({}, body))).toBe('bad-signature');
  });

  it('refuses every one-bit flip of the last ciphertext block, even when re-signed', async () => {
    // WeCom's scheme has no MAC: the token signature is the only integrity check, so a flip in an
    // early block can go unnoticed by someone holding the token. The last block holds the padding
    // and the receive id, so a flip there must always be caught.
    const xml = textMessageXml({ from: 'wangwu', content: 'hello' });
    const { encrypt } = buildCallback(keys, xml, { timestamp: nowSeconds });
    const totalBits = Buffer.from(encrypt, 'base64').length * 8;
    for (let bit = totalBits - 128; bit < totalBits; bit++) {
      const { query, body } = buildCallback(keys, xml, {
        timestamp: nowSeconds,
        random: Buffer.alloc(16, 7),
        tamper: (e) => flipBit(e, bit),
      });
      expect(['bad-body', 'bad-receiver']).toContain(await refusal(security.openCallback(query, body)));
    }
  });

  it('refuses a stale timestamp (6 minutes) and a future one', async () => {
    const xml = textMessageXml({ from: 'u', content: 'x' });
    const old = buildCallback(keys, xml, { timestamp: nowSeconds - 6 * 60 });
    expect(await refusal(security.openCallback(old.query, old.body))).toBe('stale');
    const future = buildCallback(keys, xml, { timestamp: nowSeconds + 6 * 60 });
    expect(await refusal(security.openCallback(future.query, future.body))).toBe('stale');
    const within = buildCallback(keys, xml, { timestamp: nowSeconds - 4 * 60 });
    await expect(security.openCallback(within.query, within.body)).resolves.toBeDefined();
  });

  it('knows WeCom’s own repeat of a callback from a replayed nonce (Redis store)', async () => {
    const { query, body } = buildCallback(keys, textMessageXml({ from: 'u', content: 'x' }), { timestamp: nowSeconds });
    await security.openCallback(query, body);
    // The very same request again: WeCom retrying because our answer was late.
    expect(await refusal(security.openCallback(query, body))).toBe('repeat');
    // The nonce with anything else: a replay.
    const other = buildCallback(keys, textMessageXml({ from: 'u', content: 'y' }), { timestamp: nowSeconds, nonce: query.nonce });
    expect(await refusal(security.openCallback(other.query, other.body))).toBe('replay');
  });

  it('refuses a ciphertext sealed for another corp', async () => {
    const { query, body } = buildCallback(keys, textMessageXml({ from: 'u', content: 'x' }), {
      timestamp: nowSeconds,
      receiveId: 'ww-someone-else',
    });
    expect(await refusal(security.openCallback(query, body))).toBe('bad-receiver');
  });

  it('refuses bodies over 64 KiB unread, and DOCTYPEs', async () => {
    const { query } = buildCallback(keys, textMessageXml({ from: 'u', content: 'x' }), { timestamp: nowSeconds });
    expect(await refusal(security.openCallback(query, 'a'.repeat(MAX_CALLBACK_BYTES + 1)))).toBe('too-large');
    const doctype = '<!DOCTYPE xml [<!ENTITY a "aaaa">]><xml><Encrypt>&a;</Encrypt></xml>';
    expect(await refusal(security.openCallback(query, doctype))).toBe('bad-body');
  });

  it('seals a passive reply that opens again', async () => {
    const reply = textMessageXml({ from: 'bot', content: '收到' });
    const sealed = security.sealReply(reply, nowSeconds, 'n-seal');
    const encrypt = /<Encrypt><!\[CDATA\[(.+?)\]\]>/.exec(sealed)?.[1] ?? '';
    const signature = /<MsgSignature><!\[CDATA\[(.+?)\]\]>/.exec(sealed)?.[1];
    expect(signature).toBe(getSignature(keys.token, nowSeconds, 'n-seal', encrypt));
    const opened = await security.openCallback({ msg_signature: signature, timestamp: String(nowSeconds), nonce: 'n-seal' }, sealed);
    expect(opened.Content).toBe('收到');
  });
});

describe('WeCom callback security under random input', () => {
  const fuzzed = createCallbackSecurity({ ...keys, nonces: memoryNonceStore(() => NOW), now: () => NOW });
  const LAUGHS =
    '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">' +
    Array.from({ length: 9 }, (_, i) => `<!ENTITY lol${i + 1} "${`&lol${i || ''};`.repeat(10)}">`).join('') +
    ']><xml><ToUserName>&lol9;</ToUserName><Encrypt>&lol9;</Encrypt><MsgType>&lol9;</MsgType></xml>';
  const XXE = '<!DOCTYPE xml [<!ENTITY x SYSTEM "file:///etc/passwd">]><xml><Encrypt>&x;</Encrypt></xml>';

  const text = fc.oneof(fc.string({ maxLength: 200 }), fc.string({ unit: 'binary', maxLength: 200 }));
  const xmlish = fc
    .array(fc.tuple(fc.constantFrom('xml', 'Encrypt', 'MsgType', 'FromUserName', 'a', '!--', '![CDATA['), text), {
      maxLength: 8,
    })
    .map((parts) => `<xml>${parts.map(([tag, value]) => `<${tag}>${value}</${tag}>`).join('')}</xml>`);
  const plaintext = fc.oneof(
    text,
    xmlish,
    fc.constant(LAUGHS),
    fc.constant(XXE),
    fc.integer({ min: 1, max: 300 }).map((n) => '<xml>' + '<a>'.repeat(n) + '</xml>'),
    fc.record({ from: text, content: text }).map((f) => textMessageXml(f)),
  );
  const huge = fc.integer({ min: 1_000, max: 200_000 }).chain((n) =>
    fc.constantFrom('a'.repeat(n), '<xml>' + '<a>'.repeat(n / 3), `<xml><Encrypt>${'QUFB'.repeat(n / 4)}</Encrypt></xml>`),
  );
  // Bodies sent unsigned: they stop at the signature unless they are malformed earlier.
  const unsigned = fc.oneof(
    text,
    xmlish,
    huge,
    fc.constant(LAUGHS),
    fc.constant(XXE),
    fc.uint8Array({ maxLength: 300 }).map((b) => Buffer.from(b)),
    fc.base64String({ maxLength: 400 }).map((b) => `<xml><Encrypt><![CDATA[${b}]]></Encrypt></xml>`),
  );
  const query = fc.record(
    {
      msg_signature: fc.oneof(text, fc.stringMatching(/^[0-9a-f]{40}$/)),
      timestamp: fc.oneof(text, fc.constant(String(nowSeconds))),
      nonce: text,
      echostr: fc.oneof(text, fc.base64String({ maxLength: 200 })),
    },
    { requiredKeys: [] },
  );
  // Bodies signed with the real token, so they reach decryption and the inner parser.
  const signed = fc.oneof(
    fc.tuple(plaintext, fc.constantFrom(keys.corpId, 'ww-other', ''), fc.string({ maxLength: 16 })).map(
      ([xml, receiveId, nonce]) => buildCallback(keys, xml, { timestamp: nowSeconds, receiveId, nonce: `s${nonce}` }),
    ),
    fc.tuple(fc.base64String({ maxLength: 400 }), fc.string({ maxLength: 16 })).map(([encrypt, nonce]) => {
      const q = { msg_signature: getSignature(keys.token, nowSeconds, `r${nonce}`, encrypt), timestamp: String(nowSeconds), nonce: `r${nonce}` };
      return { query: q, body: `<xml><Encrypt><![CDATA[${encrypt}]]></Encrypt></xml>`, encrypt };
    }),
  );
  const attempt = fc.oneof(
    fc.record({ kind: fc.constant('unsigned' as const), query, body: unsigned }),
    fc.record({ kind: fc.constant('signed' as const), built: signed }),
    fc.record({ kind: fc.constant('url' as const), query }),
  );

  it('opens or refuses with CallbackRejected, never crashes (10,000 bodies)', async () => {
    const outcomes = new Map<string, number>();
    await fc.assert(
      fc.asyncProperty(attempt, async (a) => {
        let run: Promise<unknown>;
        if (a.kind === 'unsigned') run = fuzzed.openCallback(a.query, a.body);
        else if (a.kind === 'signed') run = fuzzed.openCallback(a.built.query, a.built.body);
        else run = fuzzed.verifyUrl(a.query);
        const outcome = await run.then(
          () => 'opened',
          (e: unknown) => {
            if (!(e instanceof CallbackRejected)) throw e;
            return e.reason;
          },
        );
        outcomes.set(outcome, (outcomes.get(outcome) ?? 0) + 1);
      }),
      { numRuns: 10_000 },
    );
    // The run must have reached every stage, not only the signature check.
    for (const reached of ['opened', 'bad-signature', 'bad-body', 'bad-receiver', 'too-large']) {
      expect(outcomes.get(reached) ?? 0, `${reached} in ${JSON.stringify([...outcomes])}`).toBeGreaterThan(0);
    }
  });
});

/**
 * The callback crypto checked by a second, independent implementation of WeCom's scheme:
 * `wechat-crypto`, node-webot's port of WeCom's reference WXBizMsgCrypt (AES-256-CBC with the
 * EncodingAESKey, 32-byte PKCS#7 blocks, random(16) + length(4) + message + receive id, and the
 * SHA-1 of the sorted token, timestamp, nonce and ciphertext). Our side uses `@wecom/crypto`;
 * where the two disagree, one of them is wrong about WeCom.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { createRequire } from 'node:module';
import { createCallbackSecurity, memoryNonceStore } from '../../../src/platforms/wecom/callback-security.js';
import { randomCallbackKeys, textMessageXml } from '../../support/wecom-callback-builder.js';

interface WXBizMsgCrypt {
  getSignature(timestamp: string, nonce: string, encrypt: string): string;
  encrypt(text: string): string;
  decrypt(text: string): { message: string; id: string };
}
const WXBizMsgCrypt = createRequire(import.meta.url)('wechat-crypto') as new (token: string, encodingAESKey: string, id: string) => WXBizMsgCrypt;

const keys = randomCallbackKeys('ww-interop-corp');
const reference = new WXBizMsgCrypt(keys.token, keys.encodingAesKey, keys.corpId);
const NOW = Date.UTC(2026, 11, 1, 2);
const seconds = String(Math.floor(NOW / 1000));

describe('WeCom callback crypto against the WXBizMsgCrypt port', () => {
  it('opens what the reference seals, for any text', async () => {
    const security = createCallbackSecurity({ ...keys, nonces: memoryNonceStore(() => NOW), now: () => NOW });
    let n = 0;
    await fc.assert(
      fc.asyncProperty(fc.string({ unit: 'grapheme', maxLength: 300 }).filter((t) => !t.includes(']]>')), async (content) => {
        const nonce = `interop${++n}`;
        const sealed = reference.encrypt(textMessageXml({ from: 'zhangsan', content }));
        const query = { msg_signature: reference.getSignature(seconds, nonce, sealed), timestamp: seconds, nonce };
        const opened = await security.openCallback(query, `<xml><ToUserName><![CDATA[${keys.corpId}]]></ToUserName><Encrypt><![CDATA[${sealed}]]></Encrypt></xml>`);
        expect(opened).toMatchObject({ FromUserName: 'zhangsan', Content: content.trim() === content ? content : expect.any(String) });
      }),
      { numRuns: 200 },
    );
  });

  it('seals replies the reference opens and signs the same way', () => {
    const security = createCallbackSecurity({ ...keys, nonces: memoryNonceStore(), now: () => NOW });
    const reply = textMessageXml({ from: 'tongxin', content: '已收到，谢谢！' });
    const sealed = security.sealReply(reply, Number(seconds), 'n-ref');
    const encrypt = /<Encrypt><!\[CDATA\[(.+?)\]\]>/.exec(sealed)?.[1] ?? '';
    expect(/<MsgSignature><!\[CDATA\[(.+?)\]\]>/.exec(sealed)?.[1]).toBe(reference.getSignature(seconds, 'n-ref', encrypt));
    expect(reference.decrypt(encrypt)).toEqual({ message: reply, id: keys.corpId });
  });

  it('refuses what the reference seals for another corp', async () => {
    const security = createCallbackSecurity({ ...keys, nonces: memoryNonceStore(), now: () => NOW });
    const other = new WXBizMsgCrypt(keys.token, keys.encodingAesKey, 'ww-someone-else');
    const sealed = other.encrypt(textMessageXml({ from: 'u', content: 'x' }));
    const query = { msg_signature: other.getSignature(seconds, 'n-other', sealed), timestamp: seconds, nonce: 'n-other' };
    await expect(security.openCallback(query, `<xml><Encrypt><![CDATA[${sealed}]]></Encrypt></xml>`)).rejects.toMatchObject({ reason: 'bad-receiver' });
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { getSignature } from '@wecom/crypto';
import { DATABASE_KINDS } from '../../support/db.js';
import { features } from '../../../handlers/index.js';
import { buttonData, type Feature } from '../../../src/router/types.js';
import { buildCallback, buildUrlVerification, cardEventXml, flipBit, textMessageXml, type BuildOptions } from '../../support/wecom-callback-builder.js';
import { startRig, type Rig } from './rig.js';

/** Test-only commands: one that waits until the test lets it go, one that sends a card. */
let release: (() => void) | undefined;
const probe: Feature = {
  name: 'probe',
  commands: [
    {
      name: 'slow', role: 'member', usageKey: 'help.usage',
      run: async () => {
        await new Promise<void>((ok) => (release = ok));
        return { text: '慢慢处理完了' };
      },
    },
    { name: 'probe', role: 'member', usageKey: 'help.usage', run: async () => ({ text: '请确认', buttons: [[{ label: '收到', data: buttonData('probe', 'ack') }]] }) },
  ],
  buttons: [{ prefix: 'probe', role: 'member', run: async () => ({ text: '已确认', updatePressed: { text: '已收到 ✓' } }) }],
};

/** Handling runs after the HTTP answer; on a busy machine it may take a few seconds. */
const POLL = { timeout: 15_000 };

describe.each(DATABASE_KINDS)('WeCom app callbacks through the HTTP route (%s)', (kind) => {
  let rig: Rig;
  let port = 0;
  beforeAll(async () => {
    rig = await startRig({ kind, robot: false, features: [...features, probe] });
    await rig.h.addMember({ name: '王五', wecomUserId: 'wangwu' });
    await rig.http.listen({ port: 0, host: '127.0.0.1' });
    port = (rig.http.server.address() as { port: number }).port;
  });
  afterAll(() => rig?.close());

  function post(xml: string, options: BuildOptions = {}) {
    const { query, body } = buildCallback(rig.keys, xml, options);
    return postRaw(query, body);
  }
  function postRaw(query: Record<string, string>, body: string | Buffer) {
    return rig.http.inject({ method: 'POST', url: '/wecom/callback', query, payload: body, headers: { 'content-type': 'text/xml' } });
  }
  const textsTo = (user: string) => rig.api.deliveredTo(user).map((m) => (m.body.text as { content?: string } | undefined)?.content ?? '');

  it('answers the URL verification with the echo', async () => {
    const { query } = buildUrlVerification(rig.keys, 'echo-8841');
    const response = await rig.http.inject({ method: 'GET', url: '/wecom/callback', query });
    expect(response.statusCode).toBe(200);
    expect(response.body).toBe('echo-8841');
  });

  it('binds a rostered member on first contact and answers /help through message/send', async () => {
    const response = await post(textMessageXml({ from: 'wangwu', content: '/help' }));
    expect(response.statusCode).toBe(200);
    expect(response.body).toBe('success');
    await expect.poll(() => textsTo('wangwu').join('\n'), POLL).toContain('您可以使用以下命令：');
  });

  it('answers "success" before the work is done, and acts once on a retried MsgId', async () => {
    release = undefined;
    const xml = textMessageXml({ from: 'wangwu', content: '/slow', msgId: '7400000000000000001' });
    const first = await post(xml);
    expect(first.body).toBe('success');
    // WeCom retries with a fresh nonce when it thinks we were too slow.
    const retry = await post(xml);
    expect(retry.body).toBe('success');
    expect(textsTo('wangwu')).not.toContain('慢慢处理完了');
    await expect.poll(() => release, POLL).toBeDefined();
    release!();
    await expect.poll(() => textsTo('wangwu').filter((t) => t === '慢慢处理完了'), POLL).toHaveLength(1);
    const again = await post(textMessageXml({ from: 'wangwu', content: '/help' }));
    expect(again.statusCode).toBe(200);
    await expect.poll(() => textsTo('wangwu').filter((t) => t.includes('您可以使用以下命令')).length, POLL).toBe(2);
    expect(textsTo('wangwu').filter((t) => t === '慢慢处理完了')).toHaveLength(1);
  });

  it('refuses forged, tampered, stale, replayed and misdirected callbacks, and acts on none', async () => {
    const before = rig.api.delivered.length;
    const xml = () => textMessageXml({ from: 'wangwu', content: '/me' });
    const genuine = buildCallback(rig.keys, xml());
    const last = genuine.query.msg_signature.at(-1) === '0' ? '1' : '0';
    expect((await postRaw({ ...genuine.query, msg_signature: genuine.query.msg_signature.slice(0, -1) + last }, genuine.body)).statusCode).toBe(403);

    const bits = Buffer.from(genuine.encrypt, 'base64').length * 8;
    const flipped = genuine.body.replace(genuine.encrypt, flipBit(genuine.encrypt, 77));
    expect((await postRaw(genuine.query, flipped)).statusCode).toBe(403);
    // Even signed again with the token, a flip in the last block is caught.
    const resigned = await post(xml(), { tamper: (e) => flipBit(e, bits - 9) });
    expect(resigned.statusCode).toBe(400);

    const stale = await post(xml(), { timestamp: Math.floor(Date.now() / 1000) - 6 * 60 });
    expect(stale.statusCode).toBe(403);
    const once = buildCallback(rig.keys, xml());
    expect((await postRaw(once.query, once.body)).statusCode).toBe(200);
    // The same nonce on another message is a replay, even correctly signed.
    const reused = buildCallback(rig.keys, xml(), { nonce: once.query.nonce });
    expect((await postRaw(reused.query, reused.body)).statusCode).toBe(403);
    const otherCorp = await post(xml(), { receiveId: 'ww-another-corp' });
    expect(otherCorp.statusCode).toBe(403);
    const big = await postRaw(genuine.query, `<xml><Encrypt>${'A'.repeat(70_000)}</Encrypt></xml>`);
    expect(big.statusCode).toBe(413);

    // Only the one genuine callback was acted on.
    await expect.poll(() => rig.api.delivered.length, POLL).toBe(before + 1);
    await post(textMessageXml({ from: 'wangwu', content: '/help' }));
    await expect.poll(() => rig.api.delivered.length, POLL).toBe(before + 2);
  });

  it('answers WeCom’s own repeat of an accepted callback with success, and acts on it once', async () => {
    const before = textsTo('wangwu').filter((t) => t.includes('姓名：王五')).length;
    const built = buildCallback(rig.keys, textMessageXml({ from: 'wangwu', content: '/me' }));
    // WeCom posts the very same request again when our answer did not reach it within 5 s.
    const target = `http://127.0.0.1:${port}/wecom/callback`;
    const first = await rig.api.postBuilt(target, built);
    const again = await rig.api.postBuilt(target, built);
    expect([first.status, await first.text(), again.status, await again.text()]).toEqual([200, 'success', 200, 'success']);
    await expect.poll(() => textsTo('wangwu').filter((t) => t.includes('姓名：王五')).length, POLL).toBe(before + 1);
    const later = await post(textMessageXml({ from: 'wangwu', content: '/help' }));
    expect(later.statusCode).toBe(200);
    await expect.poll(() => rig.api.delivered.filter((m) => JSON.stringify(m.body).includes('您可以使用以下命令')).length, POLL).toBeGreaterThan(0);
    expect(textsTo('wangwu').filter((t) => t.includes('姓名：王五')).length).toBe(before + 1);
  });

  it('crashes on none of 10,000 random requests and keeps working', async () => {
    const nowSeconds = Math.floor(Date.now() / 1000);
    const text = fc.oneof(fc.string({ maxLength: 120 }), fc.string({ unit: 'binary', maxLength: 120 }));
    const query = fc.record(
      { msg_signature: fc.oneof(text, fc.stringMatching(/^[0-9a-f]{40}$/)), timestamp: fc.oneof(text, fc.constant(String(nowSeconds))), nonce: text, echostr: text },
      { requiredKeys: [] },
    );
    const body = fc.oneof(
      text,
      fc.uint8Array({ maxLength: 300 }).map((b) => Buffer.from(b)),
      fc.base64String({ maxLength: 300 }).map((b) => `<xml><Encrypt><![CDATA[${b}]]></Encrypt></xml>`),
      fc.constant('<!DOCTYPE x [<!ENTITY a "aaaaaaaaaa">]><xml><Encrypt>&a;&a;&a;</Encrypt></xml>'),
      fc.integer({ min: 1, max: 2000 }).map((n) => '<xml>' + '<a>'.repeat(n)),
    );
    // Signed with the real token, so they get past the signature to decryption and parsing.
    const signed = fc.tuple(fc.base64String({ minLength: 4, maxLength: 300 }), fc.string({ maxLength: 12 })).map(([encrypt, n]) => {
      const nonce = `fz${n}`;
      return { query: { msg_signature: getSignature(rig.keys.token, nowSeconds, nonce, encrypt), timestamp: String(nowSeconds), nonce }, body: `<xml><Encrypt><![CDATA[${encrypt}]]></Encrypt></xml>` };
    });
    const sealed = fc.tuple(fc.string({ maxLength: 200 }), fc.constantFrom(rig.keys.corpId, 'ww-other')).map(([plain, receiveId]) => buildCallback(rig.keys, plain, { receiveId }));
    const request = fc.oneof(
      fc.record({ method: fc.constantFrom('GET', 'POST', 'PUT'), query, body, type: fc.constantFrom('text/xml', 'application/json', 'application/x-www-form-urlencoded', 'multipart/form-data') }),
      fc.record({ method: fc.constant('POST'), signed: fc.oneof(signed, sealed), type: fc.constant('text/xml') }),
    );
    const statuses = new Map<number, number>();
    await fc.assert(
      fc.asyncProperty(request, async (r) => {
        const q = 'signed' in r ? r.signed.query : r.query;
        const payload = 'signed' in r ? r.signed.body : r.method === 'GET' ? undefined : r.body;
        const response = await rig.http.inject({ method: r.method as 'GET', url: '/wecom/callback', query: q as Record<string, string>, payload, headers: { 'content-type': r.type } });
        statuses.set(response.statusCode, (statuses.get(response.statusCode) ?? 0) + 1);
        expect(response.statusCode).toBeLessThan(500);
      }),
      { numRuns: 10_000 },
    );
    expect([...statuses.keys()].sort()).toEqual(expect.arrayContaining([400, 403]));
    const after = await post(textMessageXml({ from: 'wangwu', content: '/me' }));
    expect(after.body).toBe('success');
    await expect.poll(() => textsTo('wangwu').join('\n'), POLL).toContain('姓名：王五');
  }, 180_000);

  it('updates a pressed app card with the press response code and answers the press', async () => {
    await post(textMessageXml({ from: 'wangwu', content: '/probe' }));
    const probeCard = () => rig.api.deliveredTo('wangwu').find((m) => (m.body.template_card as { main_title?: { title?: string } } | undefined)?.main_title?.title === '请确认');
    await expect.poll(probeCard, POLL).toBeDefined();
    const card = probeCard()!.body.template_card as { task_id: string; button_list: { key: string }[] };
    expect(card.button_list).toEqual([{ text: '收到', style: 1, key: 'probe:ack' }]);
    const press = cardEventXml({ from: 'wangwu', taskId: card.task_id, eventKey: 'probe:ack' });
    expect((await post(press)).body).toBe('success');
    await expect.poll(() => rig.api.cardUpdates, POLL).toHaveLength(1);
    expect(rig.api.cardUpdates[0]).toMatchObject({ userids: ['wangwu'], body: { button: { replace_name: '已收到 ✓' } } });
    await expect.poll(() => textsTo('wangwu'), POLL).toContain('已确认');
  });
});

import { afterEach, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { dt } from '../../src/core/i18n.js';
import { members } from '../../src/store/schema/index.js';
import { DATABASE_KINDS } from '../support/db.js';
import { EngineHarness, waitFor } from './support/engine-harness.js';
import { RecordingMessenger } from './support/recording-messenger.js';

const alert = (id: number) => ({
  template: 'digest.coverageAlert',
  params: { id, theme: 'Online duty', startsAt: dt(new Date('2026-12-03T01:00:00Z')), filled: 1, capacity: 3, missing: 2, hours: 72 },
});

describe.each(DATABASE_KINDS)('outbound delivery (%s)', (kind) => {
  let h: EngineHarness | undefined;
  afterEach(async () => {
    await h?.close();
    h = undefined;
  });

  it('sends in the recipient’s language and zone on the platform they used last, once', async () => {
    const telegram = new RecordingMessenger('telegram');
    const wecom = new RecordingMessenger('wecom');
    h = await EngineHarness.start({ kind, messengers: [telegram, wecom] });
    const en = await h.addMember({ name: 'Ada', locale: 'en', timeZone: 'Europe/London' });
    const zh = await h.addMember({ name: '王芳', locale: 'zh-Hant', timeZone: 'Asia/Hong_Kong' });
    await h.link(en.id, 'wecom', 'ada-wc', new Date('2026-11-01T00:00:00Z'));
    await h.link(en.id, 'telegram', '1001', new Date('2026-11-20T00:00:00Z'));
    await h.link(zh.id, 'wecom', 'wf', new Date('2026-11-20T00:00:00Z'));
    await h.deliver([
      { kind: 'test.alert', ref: 'shift:1', to: { memberId: en.id }, ...alert(1), buttons: [[{ labelKey: 'common.yes', data: 'x:1' }]] },
      { kind: 'test.alert', ref: 'shift:1', to: { memberId: zh.id }, ...alert(1) },
      { kind: 'test.alert', ref: 'shift:1', to: { chatKey: 'telegram:-1009' }, ...alert(1) },
    ]);
    // The same request again is a no-op: unique per kind, ref and recipient.
    expect(await h.deliver([{ kind: 'test.alert', ref: 'shift:1', to: { memberId: en.id }, ...alert(1) }])).toBe(0);
    await h.drain();
    await waitFor(() => telegram.sent.length === 2 && wecom.sent.length === 1);

    const toAda = telegram.to('1001');
    expect(toAda).toHaveLength(1);
    expect(toAda[0]!.message.text).toContain('Shift short of members: #1 Online duty');
    expect(toAda[0]!.message.text).toContain('01:00 GMT');
    expect(toAda[0]!.message.buttons?.[0]?.[0]?.data).toBe('x:1');
    expect(wecom.to('wf')[0]!.message.text).toContain('尚缺 2 人');
    expect(wecom.to('wf')[0]!.message.text).toContain('09:00');
    expect(telegram.to('-1009')[0]!.to.kind).toBe('group');
    expect(telegram.to('-1009')[0]!.message.text).toContain('还差 2 人');
    const rows = await h.rows();
    expect(rows.map((r) => r.status)).toEqual(['sent', 'sent', 'sent']);
    expect(rows[0]!.platform).toBe('telegram');
    expect(rows[0]!.platformMessageId).toMatch(/^telegram-\d+$/);

    // Nothing is sent twice, however often the relay and the sweep run.
    await h.engine.relay.relayOnce();
    await h.engine.sweep.run();
    await new Promise((r) => setTimeout(r, 200));
    expect(telegram.sent.length + wecom.sent.length).toBe(3);
  });

  it('falls back to the other platform when one says unreachable, and marks the member when none is left', async () => {
    const telegram = new RecordingMessenger('telegram');
    const wecom = new RecordingMessenger('wecom');
    h = await EngineHarness.start({ kind, messengers: [telegram, wecom] });
    const both = await h.addMember({ name: 'Both' });
    const only = await h.addMember({ name: 'Only' });
    await h.link(both.id, 'telegram', '2001', new Date('2026-11-20T00:00:00Z'));
    await h.link(both.id, 'wecom', 'both-wc', new Date('2026-11-01T00:00:00Z'));
    await h.link(only.id, 'telegram', '2002');
    telegram.failWhen(() => ({ kind: 'unreachable', reason: 'Forbidden: bot was blocked by the user' }));
    await h.deliver([
      { kind: 'test.alert', ref: 'shift:2', to: { memberId: both.id }, ...alert(2) },
      { kind: 'test.alert', ref: 'shift:2', to: { memberId: only.id }, ...alert(2) },
    ]);
    await h.drain();
    const [first, second] = await h.rows();
    expect(first).toMatchObject({ status: 'sent', platform: 'wecom', unreachableOn: ['telegram'] });
    expect(wecom.to('both-wc')).toHaveLength(1);
    expect(second).toMatchObject({ status: 'failed' });
    expect(second!.lastError).toContain('unreachable on telegram');
    const [marked] = await h.db.select().from(members).where(eq(members.id, only.id));
    expect(marked!.unreachableAt).not.toBeNull();
    const [fine] = await h.db.select().from(members).where(eq(members.id, both.id));
    expect(fine!.unreachableAt).toBeNull();
  });

  it('retries what never left, never resends what may have arrived, and fails what was refused', async () => {
    const telegram = new RecordingMessenger('telegram');
    h = await EngineHarness.start({ kind, messengers: [telegram] });
    const ids: number[] = [];
    for (const name of ['A', 'B', 'C', 'D']) {
      const m = await h.addMember({ name });
      await h.link(m.id, 'telegram', `30${ids.length}`);
      ids.push(m.id);
    }
    telegram.failWhen((to) => (to.chatId === '300' && telegram.attempts.filter((a) => a.to.chatId === '300').length < 2 ? { kind: 'not-sent', reason: 'ECONNREFUSED' } : undefined));
    telegram.failWhen((to) => (to.chatId === '301' ? { kind: 'uncertain', reason: 'timeout' } : undefined));
    telegram.failWhen((to) => (to.chatId === '302' ? { kind: 'rejected', reason: 'message is too long' } : undefined));
    await h.deliver(ids.map((id) => ({ kind: 'test.alert', ref: 'shift:3', to: { memberId: id }, ...alert(3) })));
    await h.drain();
    const rows = await h.rows();
    expect(rows.map((r) => r.status)).toEqual(['sent', 'uncertain', 'failed', 'sent']);
    expect(rows[0]!.attempts).toBe(3);
    expect(telegram.attempts.filter((a) => a.to.chatId === '301')).toHaveLength(1);
    await h.engine.sweep.run();
    await new Promise((r) => setTimeout(r, 300));
    expect(telegram.attempts.filter((a) => a.to.chatId === '301')).toHaveLength(1);
  });

  it('gives up on a send that keeps failing before it leaves, after the configured attempts', async () => {
    const telegram = new RecordingMessenger('telegram');
    h = await EngineHarness.start({ kind, messengers: [telegram], delivery: { retry: { attempts: 3, backoffMs: 20 } } });
    const m = await h.addMember({ name: 'Down' });
    await h.link(m.id, 'telegram', '400');
    telegram.failWhen(() => ({ kind: 'not-sent', reason: 'ECONNREFUSED' }));
    await h.deliver([{ kind: 'test.alert', ref: 'shift:4', to: { memberId: m.id }, ...alert(4) }]);
    await h.drain();
    const [row] = await h.rows();
    expect(row).toMatchObject({ status: 'failed', attempts: 3 });
    expect(telegram.attempts).toHaveLength(3);
  });

  it('a WeCom per-member limit holds only that member; the rest of WeCom keeps going', async () => {
    const wecom = new RecordingMessenger('wecom');
    h = await EngineHarness.start({ kind, messengers: [wecom] });
    const ids: number[] = [];
    for (const name of ['Held', 'Free1', 'Free2']) {
      const m = await h.addMember({ name, wecomUserId: `wc-${name}` });
      ids.push(m.id);
    }
    wecom.failNext({ kind: 'rate-limited', retryAfterMs: 1500 });
    await h.deliver([ids[0]!, ids[1]!, ids[2]!].map((id) => ({ kind: 'test.alert', ref: 'shift:8', to: { memberId: id }, ...alert(8) })));
    await h.drain();
    const refused = wecom.attempts.find((a) => a.failure === 'rate-limited')!;
    const later = wecom.sent.find((s) => s.to.chatId === refused.to.chatId)!;
    expect(later.at - refused.at).toBeGreaterThanOrEqual(1400);
    const others = wecom.sent.filter((s) => s.to.chatId !== refused.to.chatId);
    expect(others).toHaveLength(2);
    expect(others.every((s) => s.at < later.at)).toBe(true);
    expect((await h.rows()).every((r) => r.status === 'sent')).toBe(true);
  });

  it('closing the engine (SIGTERM) lets a send in flight finish and records it', async () => {
    const slow = new RecordingMessenger('telegram', 700);
    h = await EngineHarness.start({ kind, messengers: [slow] });
    const m = await h.addMember({ name: 'Slow' });
    await h.link(m.id, 'telegram', '900');
    await h.deliver([{ kind: 'test.alert', ref: 'shift:10', to: { memberId: m.id }, ...alert(10) }]);
    await h.engine.relay.relayOnce();
    await waitFor(async () => (await h!.rows())[0]!.status === 'sending', 10_000, 'the send started');
    await h.engine.close();
    expect(slow.sent).toHaveLength(1);
    expect((await h.rows())[0]).toMatchObject({ status: 'sent' });
  });

  it('withdrawn rows are not sent, scheduled rows wait for their time', async () => {
    const telegram = new RecordingMessenger('telegram');
    h = await EngineHarness.start({ kind, messengers: [telegram] });
    const m = await h.addMember({ name: 'Later' });
    await h.link(m.id, 'telegram', '500');
    const { cancelPendingDeliveries } = await import('../../src/domain/outbox.js');
    await h.deliver([
      { kind: 'test.alert', ref: 'notice:1', to: { memberId: m.id }, ...alert(5) },
      { kind: 'test.alert', ref: 'notice:2', to: { memberId: m.id }, ...alert(6), notBefore: new Date(h.clock.now().getTime() + 3600_000) },
    ]);
    await cancelPendingDeliveries(h.db, 'test.alert', 'notice:1');
    await h.engine.relay.relayOnce();
    await new Promise((r) => setTimeout(r, 300));
    expect(telegram.sent).toHaveLength(0);
    expect((await h.rows()).map((r) => r.status)).toEqual(['cancelled', 'pending']);
    h.clock.advance(3600_000);
    await h.drain();
    expect(telegram.sent).toHaveLength(1);
    expect(telegram.sent[0]!.message.text).toContain('#6');
  });
});

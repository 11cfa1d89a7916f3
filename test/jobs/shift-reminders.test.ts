import { afterEach, describe, expect, it } from 'vitest';
import { loadSettings } from '../../src/settings.js';
import { createShift, editShift, signUp, withdraw } from '../../src/domain/shifts/index.js';
import { featureReminderSources } from '../../jobs/sources.js';
import { DATABASE_KINDS } from '../support/db.js';
import { EngineHarness, waitFor } from './support/engine-harness.js';
import { RecordingMessenger } from './support/recording-messenger.js';

const HOUR = 3600_000;

describe.each(DATABASE_KINDS)('duty shift reminders from the shifts feature (%s)', (kind) => {
  let h: EngineHarness | undefined;
  afterEach(async () => {
    await h?.close();
    h = undefined;
  });

  it('remind who is signed up at T-24h and T-1h, follow a moved shift, and forget a withdrawn member', async () => {
    const telegram = new RecordingMessenger('telegram');
    h = await EngineHarness.start({ kind, messengers: [telegram], reminderSources: featureReminderSources, at: '2026-12-01T02:00:00Z' });
    const rules = { settings: loadSettings(undefined).shifts, monthZone: 'Asia/Shanghai' };
    const staff = await h.addMember({ name: 'Staff', role: 'staff' });
    const stays = await h.addMember({ name: 'Stays', locale: 'en', timeZone: 'Europe/London' });
    const leaves = await h.addMember({ name: 'Leaves' });
    await h.link(stays.id, 'telegram', '61');
    await h.link(leaves.id, 'telegram', '62');
    const now = () => h!.clock.now();
    const { shift } = await createShift(h.db, {
      date: '2026-12-04', start: '10:00', end: '12:00', zone: 'Asia/Shanghai', theme: 'Online duty', level: 'city', capacity: 3,
    }, staff.id, now());
    await signUp(h.db, shift.id, stays.id, rules, now());
    await signUp(h.db, shift.id, leaves.id, rules, now());
    await h.engine.reminders.relayEvents();
    // The shift moves a day later; then one member withdraws.
    await editShift(h.db, shift.id, { field: 'date', date: '2026-12-05', zone: 'Asia/Shanghai' }, staff.id, now());
    await withdraw(h.db, shift.id, leaves.id, rules, now());
    await h.engine.reminders.relayEvents();

    const startsAt = new Date('2026-12-05T02:00:00Z');
    for (const before of [24 * HOUR, HOUR]) {
      h.clock.set(new Date(startsAt.getTime() - before));
      await h.engine.reminders.sweep();
      await waitFor(async () => (await h!.rows()).filter((r) => r.kind === 'reminder.shift').length === (before === HOUR ? 2 : 1), 10_000, 'reminder written');
    }
    await h.drain();
    const rows = (await h.rows()).filter((r) => r.kind === 'reminder.shift');
    expect(rows.map((r) => [r.memberId, r.ref])).toEqual([
      [stays.id, `shift:${shift.id}:1440m:2026-12-05T02:00:00.000Z`],
      [stays.id, `shift:${shift.id}:60m:2026-12-05T02:00:00.000Z`],
    ]);
    const reminders = telegram.to('61').map((s) => s.message.text).filter((t) => t.startsWith('Duty reminder'));
    expect(reminders).toHaveLength(2);
    expect(reminders[0]).toContain('Sat 5 Dec, 02:00 GMT');
    expect(telegram.to('62').map((s) => s.message.text).filter((t) => t.includes('值班提醒'))).toEqual([]);
  });
});

import { afterEach, describe, expect, it } from 'vitest';
import { ConsoleMessenger } from '../../src/platforms/console/console-messenger.js';
import type { Database } from '../../src/store/db.js';
import { freshDatabase } from '../support/db.js';
import { EngineHarness, waitFor } from './support/engine-harness.js';
import { TestFacts } from './support/test-facts.js';

describe('the console as a platform', () => {
  let h: EngineHarness | undefined;
  let database: Database | undefined;
  afterEach(async () => {
    await h?.close();
    await database?.close();
    h = database = undefined;
  });

  it('prints what the bot sends on its own (a reminder, a group message) in the terminal', async () => {
    const printed: string[] = [];
    const facts = new TestFacts();
    database = await freshDatabase('pglite');
    const consoleMessenger = new ConsoleMessenger({ db: database.db, write: (s) => printed.push(s), defaultLocale: 'zh-Hans' });
    h = await EngineHarness.start({ database, messengers: [consoleMessenger], reminderSources: facts.sources, delivery: { reminders: { shiftOffsetsMinutes: [60] } } });
    const me = await h.addMember({ name: '王明' });
    await facts.set(h.db, [['shift:1', { startsAt: new Date(h.clock.now().getTime() + 3600_000), memberIds: [me.id] }]]);
    await h.engine.reminders.relayEvents();
    await h.deliver([{ kind: 'test.group', ref: 'g:1', to: { chatKey: 'wecom:room-1' }, template: 'common.yes', buttons: [[{ labelKey: 'common.no', data: 'x:1' }]] }]);
    await waitFor(async () => (await h!.rows()).length === 2, 10_000, 'the reminder written');
    await h.drain();
    expect(printed.find((p) => p.startsWith('📨 发给 王明：'))).toContain('#1 Theme 1');
    expect(printed.find((p) => p.startsWith('📨 发到群 wecom:room-1：'))).toBe('📨 发到群 wecom:room-1：\n是\n[否]');
  });
});

/**
 * The member's story on Telegram, end to end through the Bot API fake, the real telegraf and the
 * delivery engine, in Traditional Chinese and in English: bind with a deep link staff issued, list
 * shifts and sign up with a button, write a note through the dialogue (started from a group and
 * moved to the private chat by a deep link), RSVP to a reading session, confirm a notice.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { desc, eq } from 'drizzle-orm';
import { t, type Locale } from '../../../src/core/i18n.js';
import type { Ctx } from '../../../src/router/types.js';
import { features } from '../../../handlers/index.js';
import { when as shiftWhen } from '../../../handlers/shifts-format.js';
import { noticeConfirmations, notes, readingSessions, shifts } from '../../../src/store/schema/index.js';
import { DATABASE_KINDS } from '../../support/db.js';
import { EngineHarness } from '../../jobs/support/engine-harness.js';
import { TelegramWorld, testApp, texts } from './support.js';

const BOT = 'tongxin_test_bot';
const GROUP = -100900;

interface Persona { locale: Locale; name: string; userId: number; languageCode: string; timeZone: string }
const PERSONAS: Persona[] = [
  { locale: 'zh-Hant', name: '陳大文', userId: 5101, languageCode: 'zh-hk', timeZone: 'Asia/Hong_Kong' },
  { locale: 'en', name: 'Alice', userId: 5102, languageCode: 'en', timeZone: 'Europe/London' },
];

describe.each(DATABASE_KINDS)('a member on Telegram, end to end, on %s', { timeout: 90_000 }, (kind) => {
  let w: TelegramWorld;
  let engine: EngineHarness;
  const staffUser = { userId: 9100, languageCode: 'en' };
  let shiftId: number;
  let sessionId: number;

  beforeAll(async () => {
    const app = await testApp(kind, features, { settings: { notices: { approveAllMembers: false } } });
    w = await TelegramWorld.start(app);
    engine = await EngineHarness.start({ database: app.database, messengers: [w.runtime.messenger], roles: { scheduler: false, sweep: false }, timers: true });
    const staff = await w.addMember({ name: 'Desk', role: 'staff', locale: 'en', localeChosen: true });
    await w.linkTelegram(staff.id, staffUser.userId);
    const lead = await w.addMember({ name: 'Lead' });
    // Staff set up a duty shift and a reading session through their own Telegram chat.
    expect(texts(await w.says(staffUser, '/newshift 2026-12-05 09:00 11:00 city 3 Hotline'))).toContain('Hotline');
    [{ id: shiftId }] = await w.db.select({ id: shifts.id }).from(shifts).orderBy(desc(shifts.id)).limit(1) as [{ id: number }];
    expect(texts(await w.says(staffUser, `/readinggroup "Reading Club" #${lead.id}`))).toContain('Reading Club');
    const created = texts(await w.says(staffUser, '/readingsession 1 2026-12-06 19:00 20:30 place=Library'));
    expect(created, created).toContain('Reading Club');
    [{ id: sessionId }] = await w.db.select({ id: readingSessions.id }).from(readingSessions).orderBy(desc(readingSessions.id)).limit(1) as [{ id: number }];
  });
  afterAll(async () => {
    await engine?.close();
    await w?.close();
  });

  describe.each(PERSONAS)('in $locale', (p) => {
    const user = { userId: p.userId, languageCode: p.languageCode };
    const tr = (key: string, params?: Parameters<typeof t>[2]) => t(p.locale, key, params, p.timeZone);
    const readerCtx = { locale: p.locale, timeZone: p.timeZone, t: tr } as unknown as Ctx;

    it('binds with the deep link staff issued', async () => {
      const member = await w.addMember({ name: p.name, locale: p.locale, timeZone: p.timeZone });
      const issued = texts(await w.says(staffUser, `/bindcode #${member.id}`));
      const link = /bind-[0-9A-Z]{10}/.exec(issued)![0];
      expect(texts(await w.says(user, `/start ${link}`))).toBe(tr('bind.done', { name: p.name }));
    });

    it('lists shifts and signs up with a button', async () => {
      const list = await w.says(user, '/shifts');
      expect(texts(list)).toContain('Hotline');
      const signed = await w.presses(user, tr('shifts.button.signup', { id: shiftId }));
      const [shift] = await w.db.select().from(shifts).where(eq(shifts.id, shiftId));
      expect(texts(signed)).toBe(tr('shifts.signup.confirmed', { id: shiftId, when: shiftWhen(readerCtx, shift!.startsAt, shift!.endsAt), theme: 'Hotline' }));
    });

    it('writes a note through the dialogue, started in a group and moved to the private chat', async () => {
      const inGroup = await w.says({ ...user, chatId: GROUP }, `/newnote@${BOT}`);
      expect(inGroup[0]!.text).toBe(tr('errors.privateOnly', { command: '/newnote' }));
      const link = (inGroup[0]!.replyMarkup as { inline_keyboard: Array<Array<{ url?: string }>> }).inline_keyboard.flat().find((b) => b.url)!.url!;
      expect(link).toBe(`https://t.me/${BOT}?start=newnote`);
      // Telegram opens the private chat and sends "/start newnote".
      expect(texts(await w.says(user, '/start newnote'))).toContain(tr('notes.compose.askTitle', { max: 40 }).split('\n')[0]!);
      await w.says(user, p.locale === 'en' ? 'Bus stop shelters in Tai Po' : '大埔巴士站上蓋不足');
      const categories = await w.says(user, p.locale === 'en'
        ? 'Many bus stops along the main road have no shelter; elderly residents wait in the rain. Suggest adding shelters at the five busiest stops.'
        : '大埔公路沿線多個巴士站沒有上蓋，長者在雨中候車。原因是道路改建後未補建設施。建議在最繁忙的五個車站加建上蓋。');
      expect(texts(categories)).toContain(p.locale === 'en' ? 'Livelihood' : '社會民生');
      await w.presses(user, p.locale === 'en' ? 'Livelihood' : '社會民生');
      const submitted = await w.presses(user, tr('notes.button.submit'));
      const [note] = await w.db.select().from(notes).orderBy(desc(notes.id)).limit(1);
      expect(texts(submitted)).toBe(tr('notes.compose.submitted', { id: note!.id, revision: 1 }));
    });

    it('answers a reading session with a button', async () => {
      expect(texts(await w.says(user, '/readings'))).toContain('Reading Club');
      const answered = await w.presses(user, tr('reading.button.yes', { id: sessionId }));
      const [session] = await w.db.select().from(readingSessions).where(eq(readingSessions.id, sessionId));
      expect(texts(answered)).toBe(tr('reading.rsvp.yes', { id: sessionId, title: 'Reading Club', startsAt: session!.startsAt }));
    });
  });

  it('menus: personal commands stay out of groups; staff see theirs in their private chat', async () => {
    const group = w.fake.commandsFor({ type: 'all_group_chats' }, 'en')!.map((c) => c.command);
    expect(group).toContain('shifts');
    expect(group).not.toContain('newnote');
    expect(w.fake.commandsFor({ type: 'default' }, 'en')!.map((c) => c.command)).toContain('newnote');
    await w.fake.waitUntil(() => w.fake.commandsFor({ type: 'chat', chat_id: staffUser.userId }) !== undefined);
    expect(w.fake.commandsFor({ type: 'chat', chat_id: staffUser.userId })!.map((c) => c.command)).toEqual(expect.arrayContaining(['newshift', 'notify', 'bindcode']));
    const traditional = w.fake.commandsFor({ type: 'chat', chat_id: PERSONAS[0]!.userId })!;
    expect(traditional.find((c) => c.command === 'shifts')?.description).toBe(t('zh-Hant', 'shifts.cmd.shifts.summary'));
  });

  it('delivers a notice to both members and records each “Received” press once', async () => {
    const staff = staffUser;
    await w.says(staff, '/notify');
    await w.says(staff, 'The plenary session moves to room 3 on Friday.');
    await w.pressesData(staff, 'ntd:next');
    await w.says(staff, 'all');
    await w.pressesData(staff, 'ntd:now');
    await w.pressesData(staff, 'ntd:yes');
    await w.pressesData(staff, 'ntd:send');
    // The delivery engine sends each member their copy through the adapter's messenger.
    for (const p of PERSONAS) {
      await w.fake.waitUntil(() => w.fake.messagesTo(p.userId).some((m) => m.text?.includes('room 3')), 20_000);
    }
    for (const p of PERSONAS) {
      const user = { userId: p.userId, languageCode: p.languageCode };
      const [edited] = await w.presses(user, t(p.locale, 'notices.receivedButton'));
      expect(edited!.method).toBe('editMessageText');
      expect(JSON.stringify(edited!.replyMarkup)).toContain(t(p.locale, 'notices.receivedDone'));
      // A second press (or a re-delivered update) changes nothing.
      await w.exchange(p.userId, () => {
        const { messageId, data } = w.findButton(p.userId, t(p.locale, 'notices.receivedDone'));
        w.fake.userPressesButton({ ...user, chatId: p.userId, messageId, data });
        w.fake.userSendsText({ ...user, text: '/help' });
      });
    }
    expect(await w.db.select().from(noticeConfirmations)).toHaveLength(2);
  });
});

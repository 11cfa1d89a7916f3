/**
 * The adapter end to end through the Bot API fake and the real telegraf (long polling): binding
 * with a deep link, help, language, groups, deep links to the private chat, files and menus —
 * in Traditional Chinese and English.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { and, eq } from 'drizzle-orm';
import { t } from '../../../src/core/i18n.js';
import { coreFeature } from '../../../handlers/core.js';
import { staffMembersFeature } from '../../../handlers/staff-members.js';
import { identities } from '../../../src/store/schema/index.js';
import { DATABASE_KINDS } from '../../support/db.js';
import { TelegramWorld, testApp, texts } from './support.js';

const BOT = 'tongxin_test_bot';

describe.each(DATABASE_KINDS)('Telegram adapter end to end on %s', { timeout: 60_000 }, (kind) => {
  let w: TelegramWorld;
  let staff: Awaited<ReturnType<TelegramWorld['addMember']>>;
  const staffUser = { userId: 9001, languageCode: 'zh-hk' };

  beforeAll(async () => {
    w = await TelegramWorld.start(await testApp(kind, [coreFeature, staffMembersFeature]));
    staff = await w.addMember({ name: '張主任', role: 'staff', locale: 'zh-Hant', localeChosen: true, timeZone: 'Asia/Hong_Kong' });
    await w.linkTelegram(staff.id, staffUser.userId);
  });
  afterAll(() => w?.close());

  /** Staff issue a code in their private chat; the reply carries the deep-link parameter. */
  async function bindingLink(name: string): Promise<string> {
    const reply = texts(await w.says(staffUser, `/bindcode ${name}`));
    const link = /bind-[0-9A-Z]{10}/.exec(reply)?.[0];
    expect(link, reply).toBeDefined();
    return link!;
  }

  it('publishes the command menus per language and for groups', () => {
    const byDefault = w.fake.commandsFor({ type: 'default' })!;
    expect(byDefault.find((c) => c.command === 'help')?.description).toBe(t('zh-Hans', 'help.summary'));
    expect(w.fake.commandsFor({ type: 'default' }, 'zh')).toEqual(byDefault);
    expect(w.fake.commandsFor({ type: 'default' }, 'en')!.find((c) => c.command === 'help')?.description).toBe(t('en', 'help.summary'));
    expect(w.fake.commandsFor({ type: 'all_group_chats' }, 'en')!.map((c) => c.command)).toContain('help');
    // Staff commands are not in anyone's global menu.
    expect(byDefault.map((c) => c.command)).not.toContain('bindcode');
  });

  it('binds a Traditional-Chinese member with a deep link issued through /bindcode, then answers in 繁體', async () => {
    await w.addMember({ name: '陳大文', locale: 'zh-Hant', timeZone: 'Asia/Hong_Kong' });
    const link = await bindingLink('陳大文');
    const member = { userId: 5001, languageCode: 'zh-hk', firstName: 'Tai Man' };
    expect(texts(await w.says(member, `/start ${link}`))).toBe(t('zh-Hant', 'bind.done', { name: '陳大文' }));
    const [identity] = await w.db.select().from(identities).where(and(eq(identities.platform, 'telegram'), eq(identities.platformUserId, '5001')));
    expect(identity).toMatchObject({ chatId: '5001' });
    const help = texts(await w.says(member, '/help'));
    expect(help.startsWith(t('zh-Hant', 'help.title'))).toBe(true);
    // Telegram cannot target 繁體 by language code; the member's private chat gets its own menu.
    await w.fake.waitUntil(() => w.fake.commandsFor({ type: 'chat', chat_id: 5001 }) !== undefined);
    expect(w.fake.commandsFor({ type: 'chat', chat_id: 5001 })!.find((c) => c.command === 'help')?.description).toBe(t('zh-Hant', 'help.summary'));
    // A used code does not work twice.
    expect(texts(await w.says({ userId: 5009 }, `/start ${link}`))).toBe(t('zh-Hans', 'bind.invalid'));
  });

  it('binds an English-speaking adviser and takes their Telegram language until they choose', async () => {
    const alice = await w.addMember({ name: 'Alice Smith' });
    const link = await bindingLink(`#${alice.id}`);
    const user = { userId: 5002, languageCode: 'en' };
    await w.says(user, `/start ${link}`);
    expect(texts(await w.says(user, '/help')).startsWith(t('en', 'help.title'))).toBe(true);
    expect((await w.member(alice.id)).locale).toBe('en');

    const chooser = await w.says(user, '/lang');
    expect(texts(chooser)).toBe(t('en', 'lang.choose'));
    const pressed = await w.presses(user, '繁體中文');
    expect(texts(pressed)).toBe(t('zh-Hant', 'lang.done', { language: '繁體中文' }));
    expect(w.fake.callbackAnswers.length).toBeGreaterThan(0);
    expect(await w.member(alice.id)).toMatchObject({ locale: 'zh-Hant', localeChosen: true });
    expect(texts(await w.says(user, '/help')).startsWith(t('zh-Hant', 'help.title'))).toBe(true);
    await w.fake.waitUntil(() => w.fake.commandsFor({ type: 'chat', chat_id: 5002 })?.find((c) => c.command === 'help')?.description === t('zh-Hant', 'help.summary'));
  });

  it('answers a stranger in the language Telegram reports', async () => {
    expect(texts(await w.says({ userId: 5003, languageCode: 'en-GB' }, 'hello'))).toBe(t('en', 'errors.unbound'));
    expect(texts(await w.says({ userId: 5004, languageCode: 'zh-hant' }, 'hello'))).toBe(t('zh-Hant', 'errors.unbound'));
  });

  it('gives staff their own menu in their private chat', async () => {
    await w.says(staffUser, '/help');
    await w.fake.waitUntil(() => w.fake.commandsFor({ type: 'chat', chat_id: staffUser.userId }) !== undefined);
    const menu = w.fake.commandsFor({ type: 'chat', chat_id: staffUser.userId })!;
    expect(menu.find((c) => c.command === 'bindcode')?.description).toBe(t('zh-Hant', 'bindcode.summary'));
  });

  it('in a group, answers only commands addressed to this bot and sends personal ones to the private chat', async () => {
    const group = -100777;
    const inGroup = { ...staffUser, chatId: group };
    const help = await w.says(inGroup, `/help@${BOT}`);
    expect(texts(help).startsWith(t('zh-Hant', 'help.title'))).toBe(true);

    // Addressed to another bot: ignored. The next answer proves nothing came in between.
    const after = await w.exchange(group, () => {
      w.fake.userSendsText({ ...inGroup, text: '/help@some_other_bot' });
      w.fake.userSendsText({ ...inGroup, text: `/bindcode@${BOT} 陳大文` });
    });
    expect(after).toHaveLength(1);
    expect(after[0]!.text).toBe(t('zh-Hant', 'errors.privateOnly', { command: '/bindcode' }));
    expect(after[0]!.replyMarkup).toEqual({
      inline_keyboard: [[{ text: t('zh-Hant', 'telegram.continuePrivately'), url: `https://t.me/${BOT}?start=bindcode`, hide: false }]],
    });
    // Following the link sends "/start bindcode" in the private chat, which runs /bindcode there.
    const moved = texts(await w.says(staffUser, '/start bindcode'));
    expect(moved).toContain(t('zh-Hant', 'bindcode.usage'));
  });

  it('reads a roster file a staff member sends, and refuses one from a stranger', async () => {
    const csv = '姓名,专委会,界别,地区,角色,语言,时区,企业微信账号,Telegram用户名\n李文,港澳台侨委员会,,香港,委员,zh-Hant,Asia/Hong_Kong,,\n';
    const report = await w.exchange(staffUser.userId, () => w.fake.userSendsDocument({ ...staffUser, fileName: 'roster.csv', mimeType: 'text/csv', data: Buffer.from(csv) }));
    expect(texts(report)).toContain(t('zh-Hant', 'roster.report', { added: 1, updated: 0, unchanged: 0, rejected: 0 }));
    const refused = await w.exchange(5005, () => w.fake.userSendsDocument({ userId: 5005, languageCode: 'en', fileName: 'roster.csv', mimeType: 'text/csv', data: Buffer.from(csv) }));
    expect(texts(refused)).toBe(t('en', 'errors.unbound'));
  });

  it('tells the sender when a file is too big to fetch', async () => {
    const big = Buffer.alloc(20 * 1024 * 1024 + 1);
    const reply = await w.exchange(staffUser.userId, () => w.fake.userSendsDocument({ ...staffUser, fileName: 'roster.xlsx', mimeType: 'application/octet-stream', data: big }));
    expect(texts(reply)).toBe(t('zh-Hant', 'telegram.fileTooBig'));
  });
});


import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { and, eq } from 'drizzle-orm';
import { identities } from '../../src/store/schema/index.js';
import { Harness } from '../support/harness.js';
import { features } from '../../handlers/index.js';
import type { Feature } from '../../src/router/types.js';
import { textArg } from '../../src/core/input.js';
import { UserError } from '../../src/core/errors.js';

const text = Harness.text;

/** A feature that exists only in this test, to see how the router treats handlers' outcomes. */
const probe: Feature = {
  name: 'probe',
  commands: [
    {
      name: 'echo', role: 'member', usageKey: 'bind.usage',
      args: z.tuple([textArg(5)]),
      run: async (_ctx, [word]) => ({ text: `echo:${word}` }),
    },
    { name: 'boom', role: 'member', usageKey: 'bind.usage', run: async () => { throw new Error('secret detail'); } },
    { name: 'refuse', role: 'member', usageKey: 'bind.usage', run: async () => { throw new UserError('members.notFound', { ref: 'X' }); } },
    {
      name: 'connlost', role: 'member', usageKey: 'bind.usage',
      run: async () => { throw Object.assign(new Error('terminating connection due to administrator command'), { code: '57P01' }); },
    },
  ],
};

describe('router', () => {
  let h: Harness;
  let member: { id: number };
  beforeEach(async () => {
    h = await Harness.start({ features: [...features, probe], settings: { flood: { limit: 5, windowSeconds: 10 } } });
    member = await h.addMember({ name: 'Alice Smith', locale: 'en', timeZone: 'Europe/London' });
  });
  afterEach(() => h.close());

  it('lists in /help only what the caller may use', async () => {
    const staff = await h.addMember({ name: '赵敏', role: 'staff' });
    expect(text(await h.as(member).send('/help'))).not.toContain('/bindcode');
    expect(text(await h.as(staff).send('/help'))).toContain('/bindcode — 为成员生成一次性绑定码');
  });

  it('answers /help in Simplified Chinese, then in English after /lang en, and remembers it', async () => {
    const wang = await h.addMember({ name: '王明' });
    expect(text(await h.as(wang).send('/help'))).toMatch(/^您可以使用以下命令：/);
    expect(text(await h.as(wang).send('/lang en'))).toBe('Language set to English.');
    expect(text(await h.as(wang).send('/help'))).toMatch(/^Here is what you can do:/);
    expect((await h.reload(wang.id)).locale).toBe('en');
  });

  it('switches language by button and time zone by command', async () => {
    expect(text(await h.as(member).press('lang:zh-Hant'))).toBe('語言已設定為繁體中文。');
    expect(text(await h.as(member).send('/tz America/Vancouver'))).toMatch(/^時區已設定為 America\/Vancouver/);
    expect(text(await h.as(member).send('/tz Mars/Base'))).toMatch(/不是有效時區/);
    expect((await h.reload(member.id)).timeZone).toBe('America/Vancouver');
  });

  it('shows the expected form when arguments are wrong', async () => {
    expect(text(await h.as(member).send('/echo toolongword'))).toBe('Too long: at most 5 characters.\nUsage: /bind CODE');
    expect(text(await h.as(member).send('/echo'))).toBe('Those words are not in the expected form.\nUsage: /bind CODE');
    expect(text(await h.as(member).send('/echo ok'))).toBe('echo:ok');
  });

  it('refuses bidi overrides, control characters and broken UTF-16 with a clear message', async () => {
    for (const bad of ['/echo a\u202Eb', '/echo a\u0000b', '/echo \uD800', '/echo a\u2066b']) {
      expect(text(await h.as(member).send(bad))).toMatch(/^The message contains control or text-direction characters/);
    }
    expect(text(await h.as(member).send(`/echo ${'x'.repeat(5000)}`))).toBe('That message is too long: at most 4096 characters.');
  });

  it('normalises to NFC before a handler sees the text', async () => {
    expect(text(await h.as(member).send('/echo Cafe\u0301'))).toBe('echo:Café');
  });

  it('answers a UserError in the member language and a bug with an apology that hides the detail', async () => {
    expect(text(await h.as(member).send('/refuse'))).toBe('No member called "X".');
    const reply = text(await h.as(member).send('/boom'));
    expect(reply).toBe('Sorry, something went wrong. It has been logged and we will look into it.');
    expect(reply).not.toContain('secret');
  });

  it('tells the member to try again when the database connection is lost', async () => {
    expect(text(await h.as(member).send('/connlost'))).toBe('The system is busy and your request was not completed. Please try again shortly.');
  });

  it('answers an unknown command and an unknown button helpfully', async () => {
    expect(text(await h.as(member).send('/frobnicate'))).toBe('There is no /frobnicate command. Send /help to see what you can do.');
    expect(text(await h.as(member).press('zz:1'))).toBe('This button has expired. Please look it up again.');
    expect(text(await h.as(member).press('lang:fr'))).toBe('This button has expired. Please look it up again.');
  });

  it('accepts /cmd@botname in a group and keeps quiet about plain group chatter', async () => {
    const group = h.as({ platform: 'telegram', userId: 'u1', language: 'en-GB' }, { chatId: '-100', kind: 'group' });
    await h.as(member).send('/help');
    expect(await group.send('hello everyone')).toEqual([]);
    expect(text(await group.send('/help@TongxinBot'))).toMatch(/Link your account/);
  });

  it('acts once on a message delivered twice', async () => {
    const msg = { id: 'update-1', text: '/lang zh-Hant' };
    const tg = h.as({ platform: 'telegram', userId: 'tg9' });
    const wang = await h.addMember({ name: '王明', wecomUserId: 'tg9' });
    void wang;
    const wc = h.as({ platform: 'wecom', userId: 'tg9' });
    expect(text(await wc.raw(msg))).toBe('語言已設定為繁體中文。');
    expect(await wc.raw(msg)).toEqual([]);
    // The same id on another platform is another message.
    expect(text(await tg.raw(msg))).toMatch(/尚未|not linked/);
  });

  it('remembers which account a member used last to the minute, and a new private chat at once', async () => {
    await h.addMember({ name: '王明', wecomUserId: 'wm' });
    const seen = async () => {
      const [row] = await h.db.select().from(identities).where(and(eq(identities.platform, 'wecom'), eq(identities.platformUserId, 'wm')));
      return { at: row!.lastSeenAt.toISOString(), chat: row!.chatId };
    };
    const first = h.clock.now().toISOString();
    await h.as({ platform: 'wecom', userId: 'wm' }).send('/help');
    expect(await seen()).toEqual({ at: first, chat: 'dm-wm' });
    h.clock.advance(30_000);
    await h.as({ platform: 'wecom', userId: 'wm' }).send('/help');
    expect(await seen()).toEqual({ at: first, chat: 'dm-wm' });
    await h.as({ platform: 'wecom', userId: 'wm' }, { chatId: 'dm-new' }).send('/help');
    expect(await seen()).toEqual({ at: h.clock.now().toISOString(), chat: 'dm-new' });
    h.clock.advance(60_000);
    await h.as({ platform: 'wecom', userId: 'wm' }, { chatId: 'dm-new' }).send('/help');
    expect(await seen()).toEqual({ at: h.clock.now().toISOString(), chat: 'dm-new' });
  });

  it('answers a flood once and then ignores it until the window passes', async () => {
    const me = h.as(member);
    for (let i = 0; i < 5; i++) expect(text(await me.send('/echo hi'))).toBe('echo:hi');
    expect(text(await me.send('/echo hi'))).toBe('You are sending too fast. Please wait 10 seconds.');
    expect(await me.send('/echo hi')).toEqual([]);
    expect(await me.send('/echo hi')).toEqual([]);
    h.clock.advance(10_000);
    expect(text(await me.send('/echo hi'))).toBe('echo:hi');
  });

  it('sends personal commands from a group to the private chat', async () => {
    const staff = await h.addMember({ name: '赵敏', role: 'staff', wecomUserId: 'zm' });
    const replies = await h.as({ platform: 'wecom', userId: 'zm' }, { chatId: 'group-1', kind: 'group' }).send('/bindcode Alice');
    expect(text(replies)).toBe('/bindcode 涉及个人信息，请在与我的私聊中使用。');
    expect(replies[0]?.privateStart).toBe('bindcode');
    void staff;
  });
});

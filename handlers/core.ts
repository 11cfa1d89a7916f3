import { z } from 'zod';
import { IANAZone } from 'luxon';
import { t, isLocale, LOCALES, type Locale } from '../src/core/i18n.js';
import { UserError } from '../src/core/errors.js';
import { identitiesOf, setLocale, setTimeZone } from '../src/domain/members/members.js';
import { redeemBindingCode } from '../src/domain/members/binding.js';
import { buttonData, type Command, type Ctx, type Feature, type MemberCtx, type Reply } from '../src/router/types.js';

/** Telegram deep links arrive as "/start bind-CODE"; WeCom and console members type /bind CODE. */
const BIND_START = /^bind-([0-9A-Za-z]{6,16})$/;

function helpText(ctx: Ctx): string {
  const lines = ctx.commands().map((c) => `/${c.name} — ${ctx.t(c.summaryKey!)}`);
  return [ctx.t(ctx.member ? 'help.title' : 'help.titleGuest'), ...lines].join('\n');
}

async function bind(ctx: Ctx, code: string): Promise<Reply> {
  const { msg, deps } = ctx;
  const { member, replaced } = await redeemBindingCode(
    deps.db, deps.redis,
    { platform: msg.chat.platform, platformUserId: msg.senderId, chatId: msg.chat.kind === 'private' ? msg.chat.chatId : undefined },
    code, deps.clock.now(),
  );
  const done = t(member.locale, 'bind.done', { name: member.name }, member.timeZone);
  if (!replaced) return { text: done };
  return { text: `${done}\n${t(member.locale, 'bind.replacedEarlier', { platform: t(member.locale, `platform.${msg.chat.platform}`) }, member.timeZone)}` };
}

const start: Command = {
  name: 'start', role: 'guest', summaryKey: 'start.summary', usageKey: 'start.usage',
  run: async (ctx) => ({ text: `${ctx.t('start.welcome', { name: ctx.member.name })}\n\n${helpText(ctx)}` }),
  runGuest: async (ctx, tokens) => {
    const deepLink = BIND_START.exec(tokens[0] ?? '');
    if (deepLink) return bind(ctx, deepLink[1]!);
    if (!ctx.member) return { text: ctx.t('errors.unbound') };
    return { text: `${ctx.t('start.welcome', { name: ctx.member.name })}\n\n${helpText(ctx)}` };
  },
};

const help: Command = {
  name: 'help', role: 'guest', summaryKey: 'help.summary', usageKey: 'help.usage',
  run: async (ctx) => ({ text: helpText(ctx) }),
  runGuest: async (ctx) => ({ text: helpText(ctx) }),
};

const bindCommand: Command<[string]> = {
  name: 'bind', role: 'guest', summaryKey: 'bind.summary', usageKey: 'bind.usage',
  args: z.tuple([z.string().regex(/^[0-9A-Za-z-]{6,20}$/, 'bind.badFormat')]),
  run: async (ctx, [code]) => bind(ctx, code),
  runGuest: async (ctx, [code]) => bind(ctx, code),
};

const me: Command = {
  name: 'me', role: 'member', summaryKey: 'me.summary', usageKey: 'me.usage',
  run: async (ctx: MemberCtx) => {
    const m = ctx.member;
    const linked = (await identitiesOf(ctx.deps.db, m.id)).map((i) => ctx.t(`platform.${i.platform}`)).join(', ');
    return {
      text: ctx.t('me.card', {
        name: m.name, committee: m.committee || '—', sector: m.sector || '—', region: m.region || '—',
        role: ctx.t(`role.${m.role}`), language: ctx.t(`lang.name.${m.locale}`), zone: m.timeZone,
        platforms: linked || '—', now: ctx.deps.clock.now(),
      }),
    };
  },
};

const languageButtons = (): Reply['buttons'] => [LOCALES.map((l) => ({ label: t(l, `lang.name.${l}`), data: buttonData('lang', l) }))];

async function chooseLanguage(ctx: MemberCtx, locale: Locale): Promise<Reply> {
  await setLocale(ctx.deps.db, ctx.member.id, locale);
  return { text: t(locale, 'lang.done', { language: t(locale, `lang.name.${locale}`) }, ctx.timeZone) };
}

const lang: Command<[string?]> = {
  name: 'lang', aliases: ['language'], role: 'member', summaryKey: 'lang.summary', usageKey: 'lang.usage',
  args: z.tuple([z.string().refine((v) => isLocale(v) || v.toLowerCase() in LOCALE_ALIASES, 'lang.unknown').optional()]),
  run: async (ctx, [choice]) => {
    if (!choice) return { text: ctx.t('lang.choose'), buttons: languageButtons() };
    return chooseLanguage(ctx, isLocale(choice) ? choice : LOCALE_ALIASES[choice.toLowerCase()]!);
  },
};

const LOCALE_ALIASES: Record<string, Locale> = {
  'zh-hans': 'zh-Hans', 'zh-cn': 'zh-Hans', zh: 'zh-Hans', 简体: 'zh-Hans',
  'zh-hant': 'zh-Hant', 'zh-hk': 'zh-Hant', 'zh-tw': 'zh-Hant', 繁體: 'zh-Hant', 繁体: 'zh-Hant',
  en: 'en', english: 'en',
};

const tz: Command<[string?]> = {
  name: 'tz', aliases: ['timezone'], role: 'member', summaryKey: 'tz.summary', usageKey: 'tz.usage',
  args: z.tuple([z.string().max(64).optional()]),
  run: async (ctx, [zone]) => {
    if (!zone) return { text: ctx.t('tz.current', { zone: ctx.timeZone, now: ctx.deps.clock.now() }) };
    const canonical = IANAZone.isValidZone(zone) ? new IANAZone(zone).name : undefined;
    if (!canonical) throw new UserError('tz.invalid', { zone });
    await setTimeZone(ctx.deps.db, ctx.member.id, canonical);
    return { text: t(ctx.locale, 'tz.done', { zone: canonical, now: ctx.deps.clock.now() }, canonical) };
  },
};

const cancel: Command = {
  name: 'cancel', role: 'member', summaryKey: 'cancel.summary', usageKey: 'cancel.usage',
  run: async (ctx) => {
    if (!ctx.dialog.current) return { text: ctx.t('cancel.nothing') };
    await ctx.dialog.end();
    return { text: ctx.t('cancel.done') };
  },
};

/** Start, help, who am I, language, time zone, binding and leaving a dialogue. */
export const coreFeature: Feature = {
  name: 'core',
  commands: [start, help, me, lang, tz, bindCommand, cancel],
  buttons: [
    {
      prefix: 'lang', role: 'member',
      parts: z.tuple([z.enum(LOCALES)]),
      run: async (ctx, [locale]: [Locale]) => chooseLanguage(ctx, locale),
    },
  ],
};

import { z } from 'zod';
import { IANAZone } from 'luxon';

/** The languages members can choose; `zh-Hans` is the default. */
export const LOCALES = ['zh-Hans', 'zh-Hant', 'en'] as const;
export type Locale = (typeof LOCALES)[number];

const optional = z
  .string()
  .trim()
  .transform((v) => (v === '' ? undefined : v))
  .optional();
const url = (protocols: string[]) =>
  optional.refine(
    (v) => v === undefined || (URL.canParse(v) && protocols.includes(new URL(v).protocol)),
    `a URL starting with ${protocols.map((p) => `${p}//`).join(' or ')}`,
  );
const timeZone = z
  .string()
  .default('Asia/Shanghai')
  .refine((v) => IANAZone.isValidZone(v), 'an IANA time zone such as Asia/Shanghai');

/** The environment, the only place process.env is read. Names are listed in DESIGN.md. */
const schema = z
  .object({
    DATABASE_URL: url(['postgres:', 'postgresql:']),
    REDIS_URL: url(['redis:', 'rediss:']),
    DATA_DIR: z.string().default('./data'),
    TELEGRAM_BOT_TOKEN: optional.refine(
      (v) => v === undefined || /^\d+:[\w-]{20,}$/.test(v),
      'a bot token from @BotFather, like 123456:ABC-DEF…',
    ),
    TELEGRAM_API_ROOT: url(['http:', 'https:']),
    TELEGRAM_WEBHOOK_URL: url(['https:', 'http:']),
    TELEGRAM_WEBHOOK_SECRET: optional.refine(
      (v) => v === undefined || /^[A-Za-z0-9_-]{16,256}$/.test(v),
      '16–256 characters of A–Z, a–z, 0–9, _ and -',
    ),
    WECOM_BOT_ID: optional,
    WECOM_BOT_SECRET: optional,
    WECOM_WS_URL: url(['ws:', 'wss:']),
    WECOM_CORP_ID: optional,
    WECOM_AGENT_ID: optional.refine((v) => v === undefined || /^\d+$/.test(v), 'a number'),
    WECOM_AGENT_SECRET: optional,
    WECOM_TOKEN: optional,
    WECOM_ENCODING_AES_KEY: optional.refine(
      (v) => v === undefined || /^[A-Za-z0-9+/]{43}$/.test(v),
      '43 base64 characters',
    ),
    WECOM_API_ROOT: url(['http:', 'https:']),
    HTTP_PORT: z.coerce
      .number({ error: 'a port number from 0 to 65535' })
      .int('a port number from 0 to 65535')
      .min(0, 'a port number from 0 to 65535')
      .max(65535, 'a port number from 0 to 65535')
      .default(8080),
    HTTP_HOST: z.string().trim().min(1, 'an address to listen on, such as 127.0.0.1 or 0.0.0.0').default('0.0.0.0'),
    ADMIN_TOKEN: optional.refine((v) => v === undefined || v.length >= 16, 'at least 16 characters'),
    METRICS_TOKEN: optional.refine((v) => v === undefined || v.length >= 16, 'at least 16 characters'),
    DEFAULT_TIMEZONE: timeZone,
    DEFAULT_LOCALE: z.enum(LOCALES).default('zh-Hans'),
    LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
    ROLE: z.enum(['all', 'bot', 'worker', 'scheduler']).default('all'),
    SETTINGS_FILE: optional,
  })
  .superRefine((env, ctx) => {
    const together = (names: (keyof typeof env)[]) => {
      const set = names.filter((n) => env[n] !== undefined);
      if (set.length > 0 && set.length < names.length) {
        for (const n of names.filter((n) => env[n] === undefined)) {
          ctx.addIssue({ code: 'custom', path: [n], message: `required together with ${set.join(', ')}` });
        }
      }
    };
    together(['WECOM_BOT_ID', 'WECOM_BOT_SECRET']);
    together(['WECOM_CORP_ID', 'WECOM_AGENT_ID', 'WECOM_AGENT_SECRET', 'WECOM_TOKEN', 'WECOM_ENCODING_AES_KEY']);
    together(['TELEGRAM_WEBHOOK_URL', 'TELEGRAM_WEBHOOK_SECRET']);
  });

export type Config = z.infer<typeof schema>;

/** Thrown when the environment is wrong; `problems` has one line per variable. */
export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Configuration is not valid:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  const parsed = schema.safeParse(env);
  if (parsed.success) return parsed.data;
  throw new ConfigError(
    parsed.error.issues.map((issue) => {
      const name = issue.path.join('.');
      const expected = issue.code === 'invalid_value' && 'values' in issue ? `one of ${issue.values.join(', ')}` : issue.message;
      return `${name}: expected ${expected}`;
    }),
  );
}

/** Which platforms this configuration turns on. */
export function enabledPlatforms(config: Config): { telegram: boolean; wecomBot: boolean; wecomApp: boolean } {
  return {
    telegram: config.TELEGRAM_BOT_TOKEN !== undefined,
    wecomBot: config.WECOM_BOT_ID !== undefined,
    wecomApp: config.WECOM_CORP_ID !== undefined,
  };
}

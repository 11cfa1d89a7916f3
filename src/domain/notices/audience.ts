import { and, eq, inArray, or, sql, type SQL } from 'drizzle-orm';
import type { DbOrTx } from '../../store/db.js';
import { identities, members, registeredGroupChats, type AudiencePlatform, type AudienceSpec } from '../../store/schema/index.js';
import { UserError } from '../../core/errors.js';
import { tk } from '../../core/i18n.js';
import { findGroupChat } from './groups.js';
import { qualified } from './sql.js';

export type { AudienceSpec, AudiencePlatform };

/** A member a notice goes to, with the platform the delivery engine will most likely use. */
export interface AudienceMember {
  memberId: number;
  /** The bound platform used last (telegram or wecom), or null when bound on neither. */
  platform: 'telegram' | 'wecom' | null;
  bothBound: boolean;
}

/** Recipients per platform, as the preview shows them before a notice is sent. */
export interface AudienceCounts {
  members: number;
  telegram: number;
  wecom: number;
  none: number;
  /** Of those counted under telegram or wecom, how many are bound on both. */
  both: number;
  chats: number;
}

type Kind = 'committee' | 'sector' | 'region' | 'role' | 'platform' | 'group';

/** What staff may type for each filter kind, in any of the three languages. */
const KIND_WORDS: Record<string, Kind> = {
  committee: 'committee', 委员会: 'committee', 委員會: 'committee', 专委会: 'committee', 專委會: 'committee',
  sector: 'sector', 界别: 'sector', 界別: 'sector',
  region: 'region', 地区: 'region', 地區: 'region',
  role: 'role', 角色: 'role',
  platform: 'platform', 平台: 'platform',
  group: 'group', 群: 'group', 群聊: 'group', 群组: 'group', 群組: 'group',
};
const ALL_WORDS = new Set(['all', '全体', '全體', '全部', '所有']);
const ROLE_WORDS: Record<string, AudienceSpec['roles'][number]> = {
  member: 'member', 委员: 'member', 委員: 'member', 成员: 'member', 成員: 'member',
  staff: 'staff', 工作人员: 'staff', 工作人員: 'staff',
  admin: 'admin', 管理员: 'admin', 管理員: 'admin',
};
const PLATFORM_WORDS: Record<string, AudiencePlatform> = {
  telegram: 'telegram', tg: 'telegram',
  wecom: 'wecom', 企业微信: 'wecom', 企業微信: 'wecom',
  none: 'none', 无: 'none', 無: 'none', 未绑定: 'none', 未綁定: 'none',
};

/** `kind:value`, `kind：value` or `kind=value`; a value with spaces in quotes; or a bare word. */
const TOKEN = /([^\s:：=]+)[:：=](?:"([^"]*)"|“([^”]*)”|「([^」]*)」|(\S+))|(\S+)/gu;

export function emptyAudience(): AudienceSpec {
  return { allMembers: false, committees: [], sectors: [], regions: [], roles: [], platforms: [], groupIds: [] };
}

/**
 * Reads an audience as staff type it — `all`, or filters such as `committee:经济委员会 region:香港
 * platform:telegram group:港澳委员群` — and checks every value against the roster and the group
 * registry, so a typo is refused instead of silently matching nobody.
 */
export async function parseAudience(db: DbOrTx, input: string): Promise<AudienceSpec> {
  const spec = emptyAudience();
  for (const m of input.matchAll(TOKEN)) {
    const bare = m[6];
    if (bare !== undefined) {
      const dangling = /^([^:：=]+)[:：=]$/u.exec(bare);
      if (dangling) throw new UserError(KIND_WORDS[dangling[1]!.toLowerCase()] ? 'notices.audience.noValue' : 'notices.audience.unknownKind', { word: dangling[1]! });
      if (!ALL_WORDS.has(bare.toLowerCase())) throw new UserError('notices.audience.unknownWord', { word: bare });
      spec.allMembers = true;
      continue;
    }
    const kind = KIND_WORDS[m[1]!.toLowerCase()];
    if (!kind) throw new UserError('notices.audience.unknownKind', { word: m[1]! });
    const values = (m[2] ?? m[3] ?? m[4] ?? m[5] ?? '').split(/[,，、]/u).map((v) => v.trim()).filter(Boolean);
    if (values.length === 0) throw new UserError('notices.audience.noValue', { word: m[1]! });
    for (const value of values) await addValue(db, spec, kind, value);
  }
  const filtered = spec.committees.length + spec.sectors.length + spec.regions.length + spec.roles.length + spec.platforms.length > 0;
  if (spec.allMembers && filtered) throw new UserError('notices.audience.allWithFilters');
  if (!spec.allMembers && !filtered && spec.groupIds.length === 0) throw new UserError('notices.audience.empty');
  return spec;
}

async function addValue(db: DbOrTx, spec: AudienceSpec, kind: Kind, value: string): Promise<void> {
  const push = <T>(list: T[], v: T) => {
    if (!list.includes(v)) list.push(v);
  };
  switch (kind) {
    case 'committee':
    case 'sector':
    case 'region': {
      const column = members[kind];
      const [known] = await db.select({ one: sql`1` }).from(members).where(eq(column, value)).limit(1);
      if (!known) throw new UserError('notices.audience.unknownValue', { kind: tk(`notices.audience.kind.${kind}`), value });
      push(kind === 'committee' ? spec.committees : kind === 'sector' ? spec.sectors : spec.regions, value);
      return;
    }
    case 'role': {
      const role = ROLE_WORDS[value.toLowerCase()];
      if (!role) throw new UserError('notices.audience.unknownRole', { value });
      push(spec.roles, role);
      return;
    }
    case 'platform': {
      const platform = PLATFORM_WORDS[value.toLowerCase()];
      if (!platform) throw new UserError('notices.audience.unknownPlatform', { value });
      push(spec.platforms, platform);
      return;
    }
    case 'group': {
      const group = await findGroupChat(db, value);
      if (!group) throw new UserError('notices.audience.unknownGroup', { value });
      push(spec.groupIds, group.id);
      return;
    }
  }
}

const bound = (platform: 'telegram' | 'wecom') =>
  sql`exists (select 1 from ${identities} where ${identities.memberId} = ${members.id} and ${identities.platform} = ${platform})`;

function platformCondition(platform: AudiencePlatform): SQL {
  if (platform === 'none') return sql`not (${bound('telegram')} or ${bound('wecom')})`;
  return bound(platform);
}

/**
 * The members an audience reaches now, with the platform each would most likely get it on.
 * Everyone on the roster counts as a member here (staff see what members see); `role:member`
 * narrows it. A group-chats-only audience reaches no member directly.
 */
export async function resolveAudienceMembers(db: DbOrTx, spec: AudienceSpec): Promise<AudienceMember[]> {
  const conditions: SQL[] = [];
  if (spec.committees.length) conditions.push(inArray(members.committee, spec.committees));
  if (spec.sectors.length) conditions.push(inArray(members.sector, spec.sectors));
  if (spec.regions.length) conditions.push(inArray(members.region, spec.regions));
  if (spec.roles.length) conditions.push(inArray(members.role, spec.roles));
  if (spec.platforms.length) conditions.push(or(...spec.platforms.map(platformCondition))!);
  if (!spec.allMembers && conditions.length === 0) return [];
  return selectMembers(db, conditions.length ? and(...conditions) : undefined);
}

/** The given members with their likely platform, for counting a correction's recipients. */
export async function membersByIds(db: DbOrTx, memberIds: number[]): Promise<AudienceMember[]> {
  const out: AudienceMember[] = [];
  for (let i = 0; i < memberIds.length; i += 1000) out.push(...(await selectMembers(db, inArray(members.id, memberIds.slice(i, i + 1000)))));
  return out;
}

async function selectMembers(db: DbOrTx, where: SQL | undefined): Promise<AudienceMember[]> {
  const rows = await db
    .select({
      memberId: members.id,
      platform: sql<'telegram' | 'wecom' | null>`(select i.platform from ${identities} i
        where i.member_id = ${qualified(members.id)} and i.platform in ('telegram', 'wecom')
        order by i.last_seen_at desc limit 1)`,
      platforms: sql<number>`(select count(*)::int from ${identities} i
        where i.member_id = ${qualified(members.id)} and i.platform in ('telegram', 'wecom'))`,
    })
    .from(members)
    .where(where)
    .orderBy(members.id);
  return rows.map((r) => ({ memberId: r.memberId, platform: r.platform, bothBound: Number(r.platforms) > 1 }));
}

/** The registered group chats of an audience that still exist, as outbox chat keys. */
export async function resolveAudienceChats(db: DbOrTx, spec: AudienceSpec): Promise<{ id: number; chatKey: string; name: string }[]> {
  if (spec.groupIds.length === 0) return [];
  return db
    .select({ id: registeredGroupChats.id, chatKey: registeredGroupChats.chatKey, name: registeredGroupChats.name })
    .from(registeredGroupChats)
    .where(inArray(registeredGroupChats.id, spec.groupIds))
    .orderBy(registeredGroupChats.id);
}

/** Counts recipients per platform for the preview. */
export function countAudience(recipients: AudienceMember[], chats: number): AudienceCounts {
  const counts: AudienceCounts = { members: recipients.length, telegram: 0, wecom: 0, none: 0, both: 0, chats };
  for (const r of recipients) {
    counts[r.platform ?? 'none'] += 1;
    if (r.bothBound) counts.both += 1;
  }
  return counts;
}


import { z } from 'zod';
import { parseArgs, textArg } from '../src/core/input.js';
import { UserError } from '../src/core/errors.js';
import { listGroupChats, parseGroupTags, registerGroupChat, removeGroupChat, MAX_GROUP_NAME, type GroupChat } from '../src/domain/notices/groups.js';
import type { Command, MemberCtx, Reply } from '../src/router/types.js';

const SUBCOMMANDS = {
  add: 'add', register: 'add', 注册: 'add', 註冊: 'add', 登记: 'add', 登記: 'add',
  list: 'list', 列表: 'list',
  remove: 'remove', delete: 'remove', 删除: 'remove', 刪除: 'remove', 移除: 'remove',
} as const satisfies Record<string, 'add' | 'list' | 'remove'>;
type Sub = (typeof SUBCOMMANDS)[keyof typeof SUBCOMMANDS];

const chatKeyOf = (ctx: MemberCtx) => `${ctx.msg.chat.platform}:${ctx.msg.chat.chatId}`;

function tagsText(ctx: MemberCtx, g: Pick<GroupChat, 'committee' | 'sector' | 'region'>): string {
  const tags = (['committee', 'sector', 'region'] as const)
    .filter((k) => g[k])
    .map((k) => ctx.t('notices.audience.line', { kind: ctx.t(`notices.audience.kind.${k}`), values: g[k] }));
  return tags.length ? tags.join(' · ') : ctx.t('groups.noTags');
}

/** Registers (or re-tags) the group chat the command is sent in. */
async function add(ctx: MemberCtx, words: string[]): Promise<Reply> {
  if (ctx.msg.chat.kind !== 'group') throw new UserError('groups.onlyInGroup');
  const [name, ...tagWords] = words;
  const checkedName = parseArgs(textArg(MAX_GROUP_NAME), name ?? '', 'groups.usage');
  if (/^#\d/u.test(checkedName)) throw new UserError('groups.badName');
  const tags = parseGroupTags(tagWords);
  const { group, created } = await registerGroupChat(ctx.deps.db, chatKeyOf(ctx), checkedName, tags, ctx.member.id, ctx.deps.clock.now());
  return { text: ctx.t(created ? 'groups.registered' : 'groups.updated', { id: group.id, name: group.name, tags: tagsText(ctx, group) }) };
}

async function list(ctx: MemberCtx): Promise<Reply> {
  const groups = await listGroupChats(ctx.deps.db);
  if (groups.length === 0) return { text: ctx.t('groups.none') };
  const lines = groups.map((g) =>
    ctx.t('groups.line', { id: g.id, name: g.name, platform: ctx.t(`platform.${g.chatKey.split(':')[0]}`), tags: tagsText(ctx, g) }),
  );
  return { text: [ctx.t('groups.title', { count: groups.length }), ...lines].join('\n') };
}

/** Unregisters the group named (or numbered), or — without a name, inside a group — this group. */
async function remove(ctx: MemberCtx, words: string[]): Promise<Reply> {
  let ref = words.join(' ').trim();
  if (!ref) {
    if (ctx.msg.chat.kind !== 'group') throw new UserError('errors.usage', { problem: { $t: 'errors.empty' }, usage: { $t: 'groups.usage' } });
    const here = (await listGroupChats(ctx.deps.db)).find((g) => g.chatKey === chatKeyOf(ctx));
    if (!here) throw new UserError('groups.notRegisteredHere');
    ref = `#${here.id}`;
  }
  const group = await removeGroupChat(ctx.deps.db, ref);
  return { text: ctx.t('groups.removed', { id: group.id, name: group.name }) };
}

/** `/groupchat add NAME [committee:…] [sector:…] [region:…]` (in the group), `/groupchat list`, `/groupchat remove NAME|#ID`. */
export const groupChatCommand: Command<[Sub, ...string[]]> = {
  name: 'groupchat', role: 'staff', summaryKey: 'groups.summary', usageKey: 'groups.usage',
  args: z.tuple(
    [z.string().refine((s) => s.toLowerCase() in SUBCOMMANDS, { message: 'groups.badSubcommand' }).transform((s) => SUBCOMMANDS[s.toLowerCase() as keyof typeof SUBCOMMANDS])],
    z.string(),
  ),
  run: async (ctx, [sub, ...words]) => {
    if (sub === 'add') return add(ctx, words);
    if (sub === 'list') return list(ctx);
    return remove(ctx, words);
  },
};

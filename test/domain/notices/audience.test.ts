import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Harness } from '../../support/harness.js';
import { DATABASE_KINDS } from '../../support/db.js';
import { UserError } from '../../../src/core/errors.js';
import { countAudience, parseAudience, resolveAudienceChats, resolveAudienceMembers } from '../../../src/domain/notices/audience.js';
import { registerGroupChat } from '../../../src/domain/notices/groups.js';
import { bindOn } from './support.js';

describe.each(DATABASE_KINDS)('notice audiences (%s)', (kind) => {
  let h: Harness;
  const ids: Record<string, number> = {};

  beforeAll(async () => {
    h = await Harness.start({ kind });
    const add = async (key: string, v: { committee: string; sector?: string; region: string; role?: 'member' | 'staff' | 'admin' }) => {
      ids[key] = (await h.addMember({ name: key, ...v })).id;
    };
    await add('tgOnly', { committee: '经济委员会', sector: '经济界', region: '香港' });
    await add('wecomOnly', { committee: '经济委员会', sector: '经济界', region: '澳门' });
    await add('bothTgLast', { committee: '经济委员会', sector: '教育界', region: '香港' });
    await add('bothWecomLast', { committee: '文化委员会', sector: '教育界', region: '香港' });
    await add('unbound', { committee: '经济委员会', sector: '经济界', region: '香港' });
    await add('staffer', { committee: '经济委员会', region: '香港', role: 'staff' });
    await bindOn(h, ids.tgOnly!, 'telegram');
    await bindOn(h, ids.wecomOnly!, 'wecom');
    await bindOn(h, ids.bothTgLast!, 'wecom', '2026-11-01T00:00:00Z');
    await bindOn(h, ids.bothTgLast!, 'telegram', '2026-11-20T00:00:00Z');
    await bindOn(h, ids.bothWecomLast!, 'telegram', '2026-11-01T00:00:00Z');
    await bindOn(h, ids.bothWecomLast!, 'wecom', '2026-11-20T00:00:00Z');
    await bindOn(h, ids.staffer!, 'wecom');
    await registerGroupChat(h.db, 'wecom:grp-hk', '港澳群', { committee: '经济委员会', sector: '', region: '香港' }, ids.staffer!, new Date());
  });
  afterAll(() => h.close());

  const names = (rows: { memberId: number }[]) => rows.map((r) => Object.keys(ids).find((k) => ids[k] === r.memberId)).sort();
  const resolve = async (input: string) => resolveAudienceMembers(h.db, await parseAudience(h.db, input));

  it('ANDs different kinds and ORs values of one kind', async () => {
    expect(names(await resolve('committee:经济委员会 region:香港'))).toEqual(['bothTgLast', 'staffer', 'tgOnly', 'unbound']);
    expect(names(await resolve('committee:经济委员会 region:香港,澳门 sector:经济界'))).toEqual(['tgOnly', 'unbound', 'wecomOnly']);
    expect(names(await resolve('sector:教育界 region：香港'))).toEqual(['bothTgLast', 'bothWecomLast']);
    expect(names(await resolve('委员会:经济委员会 角色:staff'))).toEqual(['staffer']);
    expect(names(await resolve('role:member committee:"经济委员会"'))).toEqual(['bothTgLast', 'tgOnly', 'unbound', 'wecomOnly']);
    expect(names(await resolve('all'))).toHaveLength(6);
  });

  it('filters by platform: bound on one, on both, or on none', async () => {
    expect(names(await resolve('platform:telegram'))).toEqual(['bothTgLast', 'bothWecomLast', 'tgOnly']);
    expect(names(await resolve('platform:wecom region:香港'))).toEqual(['bothTgLast', 'bothWecomLast', 'staffer']);
    expect(names(await resolve('platform:none'))).toEqual(['unbound']);
    expect(names(await resolve('platform:none,telegram committee:经济委员会'))).toEqual(['bothTgLast', 'tgOnly', 'unbound']);
  });

  it('counts recipients by the platform each was seen on last', async () => {
    const all = await resolve('all');
    expect(countAudience(all, 1)).toEqual({ members: 6, telegram: 2, wecom: 3, none: 1, both: 2, chats: 1 });
    expect(all.find((r) => r.memberId === ids.bothTgLast)).toEqual({ memberId: ids.bothTgLast, platform: 'telegram', bothBound: true });
    expect(all.find((r) => r.memberId === ids.bothWecomLast)).toEqual({ memberId: ids.bothWecomLast, platform: 'wecom', bothBound: true });
  });

  it('adds registered group chats on top of the members, or alone', async () => {
    const spec = await parseAudience(h.db, 'group:港澳群');
    expect(await resolveAudienceMembers(h.db, spec)).toEqual([]);
    expect((await resolveAudienceChats(h.db, spec)).map((c) => c.chatKey)).toEqual(['wecom:grp-hk']);
    const both = await parseAudience(h.db, 'region:澳门 群:港澳群');
    expect(names(await resolveAudienceMembers(h.db, both))).toEqual(['wecomOnly']);
    expect(both.groupIds).toHaveLength(1);
  });

  it('refuses unknown kinds, values, roles, platforms and groups, naming the problem', async () => {
    const problem = async (input: string) => {
      try {
        await parseAudience(h.db, input);
        return 'accepted';
      } catch (err) {
        return err instanceof UserError ? `${err.key} ${JSON.stringify(err.params)}` : String(err);
      }
    };
    expect(await problem('colour:red')).toBe('notices.audience.unknownKind {"word":"colour"}');
    expect(await problem('committee:外交委员会')).toBe('notices.audience.unknownValue {"kind":{"$t":"notices.audience.kind.committee"},"value":"外交委员会"}');
    expect(await problem('role:boss')).toBe('notices.audience.unknownRole {"value":"boss"}');
    expect(await problem('platform:signal')).toBe('notices.audience.unknownPlatform {"value":"signal"}');
    expect(await problem('group:无此群')).toBe('notices.audience.unknownGroup {"value":"无此群"}');
    expect(await problem('everyone')).toBe('notices.audience.unknownWord {"word":"everyone"}');
    expect(await problem('all region:香港')).toBe('notices.audience.allWithFilters {}');
    expect(await problem('committee:')).toBe('notices.audience.noValue {"word":"committee"}');
    expect(await problem('')).toBe('notices.audience.empty {}');
  });
});

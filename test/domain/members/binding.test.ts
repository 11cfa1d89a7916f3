import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Harness } from '../../support/harness.js';
import { DATABASE_KINDS } from '../../support/db.js';
import { identities } from '../../../src/store/schema/index.js';
import { MAX_FAILED_ATTEMPTS } from '../../../src/domain/members/binding.js';

const text = Harness.text;

describe.each(DATABASE_KINDS)('binding codes on %s', (kind) => {
  let h: Harness;
  let staff: { id: number };
  let member: { id: number };
  beforeEach(async () => {
    h = await Harness.start({ kind });
    staff = await h.addMember({ name: '赵敏', role: 'staff' });
    member = await h.addMember({ name: '陳大文', locale: 'zh-Hant', timeZone: 'Asia/Hong_Kong' });
  });
  afterEach(() => h.close());

  async function issueCode(): Promise<string> {
    const reply = text(await h.as(staff).send('/bindcode 陳大文'));
    const code = /绑定码：([0-9A-Z]{10})/.exec(reply)?.[1];
    expect(code, reply).toBeDefined();
    return code!;
  }

  it('links a Telegram account once, greeting the member in their own language', async () => {
    const code = await issueCode();
    const tg = { platform: 'telegram' as const, userId: '777001' };
    expect(text(await h.as(tg).send(`/start bind-${code}`))).toContain('綁定成功！歡迎您，陳大文');
    expect(text(await h.as(tg).send('/me'))).toContain('姓名：陳大文');

    const other = { platform: 'telegram' as const, userId: '777002' };
    expect(text(await h.as(other).send(`/bind ${code}`))).toMatch(/^绑定码无效或已被使用/);
    const linked = await h.db.select().from(identities);
    expect(linked.map((i) => i.platformUserId)).toEqual(['777001']);
  });

  it('lets one member hold a Telegram and a WeCom account at once', async () => {
    await h.as({ platform: 'telegram', userId: 'tg-1' }).send(`/bind ${await issueCode()}`);
    await h.as({ platform: 'wecom', userId: 'wc-1' }).send(`/bind ${await issueCode()}`);
    const rows = await h.db.select().from(identities);
    expect(rows.map((r) => r.platform).sort()).toEqual(['telegram', 'wecom']);
    expect(new Set(rows.map((r) => r.memberId))).toEqual(new Set([member.id]));
  });

  it('refuses an expired code', async () => {
    const code = await issueCode();
    h.clock.advance(73 * 3600_000);
    const reply = text(await h.as({ platform: 'telegram', userId: '9' }).send(`/bind ${code}`));
    expect(reply).toMatch(/^绑定码已过期/);
    expect(await h.db.select().from(identities)).toEqual([]);
  });

  it('cannot be brute-forced: after the allowed wrong tries even the right code waits', async () => {
    const code = await issueCode();
    const guesser = h.as({ platform: 'telegram', userId: '31337', language: 'en' });
    for (let i = 0; i < MAX_FAILED_ATTEMPTS; i++) {
      expect(text(await guesser.send(`/bind ${String(i).padStart(10, '7')}`))).toMatch(/not valid or was already used/);
    }
    expect(text(await guesser.send(`/bind ${code}`))).toMatch(/^Too many attempts\. Please try again in 15 minutes/);
    expect(await h.db.select().from(identities)).toEqual([]);
    // A different account is not held back by someone else's guessing.
    expect(text(await h.as({ platform: 'telegram', userId: '42' }).send(`/bind ${code}`))).toContain('綁定成功');
  });

  it('does not let a member issue codes', async () => {
    const reply = text(await h.as(member).send('/bindcode 赵敏'));
    expect(reply).toBe('抱歉，您沒有使用這個功能的權限。');
  });

  it('binds a rostered WeCom userid on first contact', async () => {
    await h.addMember({ name: '王明', wecomUserId: 'wangming' });
    expect(text(await h.as({ platform: 'wecom', userId: 'wangming' }).send('/me'))).toContain('姓名：王明');
    const [row] = await h.db.select().from(identities);
    expect(row).toMatchObject({ platform: 'wecom', platformUserId: 'wangming' });
  });

  it('explains politely to someone unknown how to get a code', async () => {
    const reply = text(await h.as({ platform: 'telegram', userId: '555', language: 'en' }).send('/myshifts'));
    expect(reply).toMatch(/not linked to the members' roster yet.*binding code.*\/bind CODE/s);
  });
});

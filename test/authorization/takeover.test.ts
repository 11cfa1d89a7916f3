import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { and, eq } from 'drizzle-orm';
import { deliveries, identities, members } from '../../src/store/schema/index.js';
import { Harness } from '../support/harness.js';
import { DATABASE_KINDS } from '../support/db.js';
import { en, QUIET } from './support.js';

const text = Harness.text;

/** The code in a /bindcode answer ("Binding code for NAME: CODE"). */
function codeIn(reply: string): string {
  const code = /Binding code for .+: ([0-9A-Z]{10})/.exec(reply)?.[1];
  if (!code) throw new Error(`no code in: ${reply}`);
  return code;
}

/**
 * No account takeover through /bindcode, /bind or a roster file: a staff officer acts on members
 * only; staff and admin accounts are an admin's to hand out. Driven through the router from the
 * console chat, as the operator's terminal would.
 */
describe.each(DATABASE_KINDS)('account takeover (%s)', (kind) => {
  let h: Harness;
  const base = { locale: 'en' as const, timeZone: 'UTC', committee: 'Culture' };
  let admin: typeof members.$inferSelect;
  let staff: typeof members.$inferSelect;
  let otherStaff: typeof members.$inferSelect;
  let member: typeof members.$inferSelect;

  beforeAll(async () => {
    h = await Harness.start({ kind, settings: QUIET });
    admin = await h.addMember({ name: 'Admin', role: 'admin', ...base });
    staff = await h.addMember({ name: 'Sam Staff', role: 'staff', ...base });
    otherStaff = await h.addMember({ name: 'Olga Officer', role: 'staff', ...base });
    member = await h.addMember({ name: 'Mia Member', ...base });
    // Each already uses Telegram: a new binding would replace that account.
    for (const [m, userId] of [[admin, 'tg-admin'], [otherStaff, 'tg-olga'], [member, 'tg-mia']] as const) {
      await h.db.insert(identities).values({ platform: 'telegram', platformUserId: userId, memberId: m.id, chatId: `chat-${userId}` });
    }
  });
  afterAll(() => h.close());

  const telegramOf = async (memberId: number) =>
    (await h.db.select().from(identities).where(and(eq(identities.memberId, memberId), eq(identities.platform, 'telegram')))).map((i) => i.platformUserId);

  it('refuses staff a binding code for an admin or another staff officer in the console chat, and issues none', async () => {
    expect(text(await h.as(staff).send('/bindcode Admin'))).toBe(en('bindcode.onlyAdmin', { name: 'Admin' }));
    expect(text(await h.as(staff).send(`/bindcode #${otherStaff.id}`))).toBe(en('bindcode.onlyAdmin', { name: 'Olga Officer' }));
    // Nothing to redeem: the attacker's new account stays a stranger, the admin keeps theirs.
    const attacker = h.as({ platform: 'telegram', userId: 'tg-attacker', language: 'en' });
    expect(text(await attacker.send('/me'))).toBe(en('errors.unbound'));
    expect(await telegramOf(admin.id)).toEqual(['tg-admin']);
  });

  it('lets an admin issue a code for a staff officer, which replaces their account and tells the old one', async () => {
    const code = codeIn(text(await h.as(admin).send(`/bindcode #${otherStaff.id}`)));
    const reply = text(await h.as({ platform: 'telegram', userId: 'tg-olga-new' }).send(`/bind ${code}`));
    expect(reply).toContain(en('bind.done', { name: 'Olga Officer' }));
    expect(reply).toContain(en('bind.replacedEarlier', { platform: 'Telegram' }));
    expect(await telegramOf(otherStaff.id)).toEqual(['tg-olga-new']);
    const [told] = await h.db.select().from(deliveries).where(eq(deliveries.kind, 'member.bindingReplaced'));
    expect(told).toMatchObject({ chatKey: 'telegram:private:chat-tg-olga', memberId: null });
    expect((told!.params as { text: string }).text).toMatch(/another Telegram account was linked to Olga Officer's profile/);
  });

  it("replaces a member's account with a staff officer's code, and tells the old account in the member's language", async () => {
    await h.db.update(members).set({ locale: 'zh-Hant' }).where(eq(members.id, member.id));
    const code = codeIn(text(await h.as(staff).send('/bindcode Mia Member')));
    const reply = text(await h.as({ platform: 'telegram', userId: 'tg-mia-new' }).send(`/bind ${code}`));
    expect(reply).toMatch(/^綁定成功！歡迎您，Mia Member。[\s\S]*此帳號已取代之前關聯的Telegram帳號，並已通知原帳號。$/);
    expect(await telegramOf(member.id)).toEqual(['tg-mia-new']);
    const told = await h.db.select().from(deliveries).where(and(eq(deliveries.kind, 'member.bindingReplaced'), eq(deliveries.chatKey, 'telegram:private:chat-tg-mia')));
    expect(told).toHaveLength(1);
    expect((told[0]!.params as { text: string }).text).toMatch(/^同心：.*另一個Telegram帳號用綁定碼關聯了Mia Member的檔案/);
  });

  it('refuses a staff-issued code once its member has become staff, and leaves their account alone', async () => {
    const promoted = await h.addMember({ name: 'Pat Promoted', ...base });
    await h.db.insert(identities).values({ platform: 'telegram', platformUserId: 'tg-pat', memberId: promoted.id, chatId: 'chat-tg-pat' });
    const code = codeIn(text(await h.as(staff).send('/bindcode Pat Promoted')));
    await h.db.update(members).set({ role: 'staff' }).where(eq(members.id, promoted.id));
    const reply = text(await h.as({ platform: 'telegram', userId: 'tg-thief', language: 'en' }).send(`/bind ${code}`));
    expect(reply).toBe(en('bind.needsAdmin', { platform: 'Telegram' }));
    expect(await telegramOf(promoted.id)).toEqual(['tg-pat']);
  });

  it('gives 20 wrong codes sent at once exactly the five tries of the limit', async () => {
    const guesser = h.as({ platform: 'telegram', userId: 'tg-guesser', language: 'en' });
    const replies = await Promise.all(Array.from({ length: 20 }, (_, i) => guesser.send(`/bind ${String(i).padStart(10, '9')}`)));
    const said = replies.map((r) => text(r));
    expect(said.filter((s) => s === en('bind.invalid'))).toHaveLength(5);
    expect(said.filter((s) => s.startsWith('Too many attempts.'))).toHaveLength(15);
  });
});

/** A roster file sent by staff cannot make, unmake or take over a staff or admin account. */
describe.each(DATABASE_KINDS)('roster roles (%s)', (kind) => {
  let h: Harness;
  const base = { locale: 'en' as const, timeZone: 'UTC', committee: 'Culture' };

  beforeAll(async () => {
    h = await Harness.start({ kind, settings: QUIET });
  });
  afterAll(() => h.close());

  const HEADER = 'name,committee,role,wecom userid';
  const csv = (...rows: string[]) => Buffer.from([HEADER, ...rows].join('\n'));
  const roleOf = async (name: string) => (await h.db.select().from(members).where(eq(members.name, name)))[0]?.role;

  it('refuses the rows of a staff import that give or change the roles staff and admin, by line, and imports the rest', async () => {
    const staff = await h.addMember({ name: 'Sam Staff', role: 'staff', ...base });
    await h.addMember({ name: 'Ada Admin', rosterKey: 'ada', wecomUserId: 'ada', role: 'admin', ...base });
    await h.addMember({ name: 'Stu Staff', rosterKey: 'stu', wecomUserId: 'stu', role: 'staff', ...base });
    await h.addMember({ name: 'Max Member', rosterKey: 'max', wecomUserId: 'max', ...base });
    const reply = text(await h.as(staff).sendFile('roster.csv', csv(
      'Eve Evil,Culture,admin,eve', // line 2: a new admin
      'Ada Admin,Culture,member,ada', // line 3: demotes the admin
      'Max Member,Culture,staff,max', // line 4: promotes a member
      'Stu Staff,Economy,staff,stu', // line 5: changes a staff account (its committee)
      'Nia New,Culture,member,nia', // line 6: a new member, fine
    )));
    expect(reply).toContain('Roster imported: 1 added, 0 updated, 0 unchanged, 4 rejected.');
    expect(reply).toContain(`Line 2: ${en('roster.reason.roleNeedsAdmin')}`);
    expect(reply).toContain(`Line 3: ${en('roster.reason.roleNeedsAdmin')}`);
    expect(reply).toContain(`Line 4: ${en('roster.reason.roleNeedsAdmin')}`);
    expect(reply).toContain(`Line 5: ${en('roster.reason.accountNeedsAdmin')}`);
    expect(reply).not.toContain('Line 6');
    expect(await roleOf('Eve Evil')).toBeUndefined();
    expect(await roleOf('Ada Admin')).toBe('admin');
    expect(await roleOf('Max Member')).toBe('member');
    expect(await roleOf('Nia New')).toBe('member');
    expect((await h.db.select().from(members).where(eq(members.name, 'Stu Staff')))[0]?.committee).toBe('Culture');
  });

  it('lets an admin give and change those roles with the same kind of file', async () => {
    const admin = await h.addMember({ name: 'Root Admin', role: 'admin', ...base });
    const reply = text(await h.as(admin).sendFile('roster.csv', csv('Max Member,Culture,staff,max', 'Eve Evil,Culture,admin,eve')));
    expect(reply).toContain('Roster imported: 1 added, 1 updated, 0 unchanged, 0 rejected.');
    expect(await roleOf('Max Member')).toBe('staff');
    expect(await roleOf('Eve Evil')).toBe('admin');
  });
});

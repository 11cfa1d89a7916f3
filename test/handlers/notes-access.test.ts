import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Harness } from '../support/harness.js';
import { DATABASE_KINDS } from '../support/db.js';
import { QUIET } from './notes-support.js';
import { deliveries, noteEvents } from '../../src/store/schema/index.js';

const text = Harness.text;
type Row = Awaited<ReturnType<Harness['addMember']>>;

describe.each(DATABASE_KINDS)('who may see and touch a note on %s', (kind) => {
  let h: Harness;
  let wang: Row;
  let li: Row;
  let alice: Row;
  let zhao: Row;
  let qian: Row;
  let admin: Row;
  beforeAll(async () => {
    h = await Harness.start({ kind, settings: QUIET });
    wang = await h.addMember({ name: '王明', committee: '社会和法制委员会', sector: '经济界' });
    li = await h.addMember({ name: '李华', committee: '社会和法制委员会', sector: '教育界' });
    alice = await h.addMember({ name: 'Alice Smith', committee: '港澳台侨委员会', locale: 'en', timeZone: 'Europe/London' });
    zhao = await h.addMember({ name: '赵敏', role: 'staff', committee: '社会和法制委员会' });
    qian = await h.addMember({ name: '钱进', role: 'staff', committee: '港澳台侨委员会' });
    admin = await h.addMember({ name: '孙立', role: 'admin', committee: '办公厅' });
    const preview = await h.as(wang).send('/newnote 关于老旧小区加装电梯的建议 | 城市管理 | 老旧小区加装电梯协调难，建议出台统一补贴办法。');
    expect(text(await h.as(wang).press(preview[0]!.buttons![0]![0]!.data!))).toContain('#1');
    await h.as(alice).press((await h.as(alice).send('/newnote Cross-border elderly care | health | Many retirees in Guangdong need Hong Kong medical vouchers.'))[0]!.buttons![0]![0]!.data!);
  });
  afterAll(() => h.close());

  it('answers a member who guesses another note id exactly as for a note that does not exist', async () => {
    const missing = text(await h.as(li).send('/note 999'));
    expect(missing).toBe('找不到编号为 #999 的社情民意信息。');
    expect(text(await h.as(li).send('/note 1'))).toBe('找不到编号为 #1 的社情民意信息。');
    expect(text(await h.as(li).press('sqv:1'))).toBe('找不到编号为 #1 的社情民意信息。');
    expect(text(await h.as(li).send('/revisenote 1'))).toBe('找不到编号为 #1 的社情民意信息。');
    expect(text(await h.as(alice).send('/note 1'))).toBe('There is no note #1.');
    expect(text(await h.as(li).send('/mynotes'))).toBe('您还没有报送过社情民意信息。发送 /newnote 写一条。');
  });

  it('keeps staff of another committee out of the note, its queue and its actions', async () => {
    const before = { events: (await h.db.select().from(noteEvents)).length, deliveries: (await h.db.select().from(deliveries)).length };
    expect(text(await h.as(qian).send('/note 1'))).toBe('找不到编号为 #1 的社情民意信息。');
    expect(text(await h.as(qian).send('/noteclaim 1'))).toBe('找不到编号为 #1 的社情民意信息。');
    expect(text(await h.as(qian).send('/noteadopt 1 市级 单篇采用'))).toBe('找不到编号为 #1 的社情民意信息。');
    expect(text(await h.as(qian).send('/noteadopt 1'))).toBe('找不到编号为 #1 的社情民意信息。');
    expect(text(await h.as(qian).press('sqa:1:municipal:single'))).toBe('找不到编号为 #1 的社情民意信息。');
    expect(text(await h.as(qian).press('sqx:1:ret'))).toBe('找不到编号为 #1 的社情民意信息。');
    expect(text(await h.as(qian).send('/notereturn 1 不清楚'))).toBe('找不到编号为 #1 的社情民意信息。');
    const queue = text(await h.as(qian).send('/notequeue'));
    expect(queue).toContain('#2「Cross-border elderly care」— Alice Smith');
    expect(queue).not.toContain('#1');
    expect((await h.db.select().from(noteEvents)).length).toBe(before.events);
    expect((await h.db.select().from(deliveries)).length).toBe(before.deliveries);
  });

  it('shows staff of the committee the author and the actions; admins see every committee', async () => {
    const card = await h.as(zhao).send('/note 1');
    expect(text(card)).toContain('作者：王明（社会和法制委员会 · 经济界）');
    expect(card[0]!.buttons!.flat().map((b) => b.label)).toEqual(['认领审阅', '采用', '退回修改', '不采用']);
    expect(text(await h.as(zhao).send('/note 2'))).toBe('找不到编号为 #2 的社情民意信息。');
    const queue = text(await h.as(admin).send('/notequeue'));
    expect(queue).toContain('待审的社情民意信息共 2 条');
    expect(text(await h.as(admin).send('/note 2'))).toContain('作者：Alice Smith（港澳台侨委员会 · —）');
  });

  it('refuses staff commands to members', async () => {
    expect(text(await h.as(wang).send('/noteclaim 1'))).toBe('抱歉，您没有使用这个功能的权限。');
    expect(text(await h.as(wang).press('sqa:1:municipal:single'))).toBe('抱歉，您没有使用这个功能的权限。');
  });
});

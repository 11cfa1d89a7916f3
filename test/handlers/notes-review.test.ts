import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { Harness } from '../support/harness.js';
import { DATABASE_KINDS } from '../support/db.js';
import { noteEvents, notes } from '../../src/store/schema/index.js';
import { button, inbox, QUIET } from './notes-support.js';

const text = Harness.text;
type Row = Awaited<ReturnType<Harness['addMember']>>;
const DAY = 86_400_000;

describe.each(DATABASE_KINDS)('staff review of notes on %s', (kind) => {
  let h: Harness;
  let wang: Row;
  let zhao: Row;
  let zhou: Row;
  let admin: Row;
  const file = async (who: Row, line: string) => {
    const reply = text(await h.as(who).press(button(await h.as(who).send(`/newnote ${line}`), 'sqd:ok')));
    return Number(/#(\d+)/.exec(reply)![1]);
  };
  beforeAll(async () => {
    h = await Harness.start({ kind, at: '2026-10-01T02:00:00Z', settings: QUIET });
    wang = await h.addMember({ name: '王明', committee: '社会和法制委员会', sector: '经济界', locale: 'en', timeZone: 'Europe/London' });
    zhao = await h.addMember({ name: '赵敏', role: 'staff', committee: '社会和法制委员会' });
    zhou = await h.addMember({ name: '周正', role: 'staff', committee: '社会和法制委员会' });
    admin = await h.addMember({ name: '孙立', role: 'admin' });
  });
  afterAll(() => h.close());

  it('hints at a similar title the same member sent within 30 days, and not beyond', async () => {
    const first = await file(wang, '关于老旧小区加装电梯的建议 | urban | 加装电梯协调难。');
    h.clock.advance(20 * DAY);
    const second = await file(wang, '关于老旧小区加装电梯补贴的建议 | urban | 建议统一补贴。');
    h.clock.advance(40 * DAY);
    const third = await file(wang, '关于老旧小区加装电梯的建议 | urban | 再次反映。');
    const queue = text(await h.as(zhao).send('/notequeue'));
    expect(queue.split('\n').slice(0, 6)).toEqual([
      '待审的社情民意信息共 3 条（最早的在前）：',
      expect.stringContaining(`#${first}「关于老旧小区加装电梯的建议」— 王明`),
      expect.stringContaining(`⚠ 该委员 30 天内报送过相近标题：#${second}「关于老旧小区加装电梯补贴的建议」`),
      expect.stringContaining(`#${second}「关于老旧小区加装电梯补贴的建议」— 王明`),
      expect.stringContaining(`⚠ 该委员 30 天内报送过相近标题：#${first}「关于老旧小区加装电梯的建议」`),
      expect.stringContaining(`#${third}「关于老旧小区加装电梯的建议」— 王明`),
    ]);
    expect(text(await h.as(zhao).send(`/note ${third}`))).not.toContain('⚠');
  });

  it('returns and rejects through buttons and a typed reason; adopts and records 批示 through buttons', async () => {
    const card = await h.as(zhao).send('/note 1');
    const asked = await h.as(zhao).press(button(card, 'sqx:1:ret'));
    expect(text(asked)).toBe('请发送退回 #1 的理由（不超过 500 字）。发送 /cancel 放弃。');
    expect(text(await h.as(zhao).send(''))).toBe('请写明理由。');
    expect(text(await h.as(zhao).send('请补充所在街道'))).toContain('已退回 #1');

    await h.as(zhao).press('sqc:2');
    expect(text(await h.as(zhou).press('sqx:2:rej'))).toContain('请发送 #2 未采用的说明');
    expect(text(await h.as(zhou).send('-'))).toBe('#2 正由 赵敏 审阅。');
    expect(text(await h.as(zhao).press('sqx:2:rej'))).toContain('请发送 #2 未采用的说明');
    expect(text(await h.as(zhao).send('-'))).toBe('已将 #2 记为未采用，作者会收到通知。');

    const levels = await h.as(zhou).press('sqa:3');
    expect(levels[0]!.buttons!.flat().map((b) => b.label)).toEqual(['区级', '市级', '省级', '全国']);
    const kinds = await h.as(zhou).press(button(levels, 'sqa:3:provincial'));
    expect(text(kinds)).toBe('#3（省级）的采用方式：');
    const adopted = await h.as(zhou).press(button(kinds, 'sqa:3:provincial:combined'));
    expect(text(adopted)).toBe('已记录 #3 采用：省级 · 综合采用（10 分）。作者会收到通知。');
    const instructionLevels = await h.as(admin).press(button(adopted, 'sqi:3'));
    expect(text(await h.as(admin).press(button(instructionLevels, 'sqi:3:national')))).toContain('已记录 #3 的全国领导批示（30 分）');

    expect(await inbox(h, wang.id)).toEqual([
      'Your note #1 "关于老旧小区加装电梯的建议" was returned for revision.\nReason: 请补充所在街道\nPlease revise and resubmit it (/revisenote 1).',
      'Your note #2 "关于老旧小区加装电梯补贴的建议" is now under review.',
      'Your note #2 "关于老旧小区加装电梯补贴的建议" was not adopted. Thank you for raising it.',
      'Good news! Your note #3 "关于老旧小区加装电梯的建议" was adopted: provincial · adopted in a combined report.',
      'Your note #3 "关于老旧小区加装电梯的建议" received a national leader\'s instruction (批示).',
    ]);
    const card3 = text(await h.as(zhao).send('/note 3'));
    expect(card3).toContain('采用：省级 · 综合采用（周正）');
    expect(card3).toContain('积分：41');
  });

  it('lets one confirmation and one adoption win when they race', async () => {
    const preview = await h.as(wang).send('/newnote Bus lanes | urban | More bus lanes on Zhongshan Road.');
    const ok = button(preview, 'sqd:ok');
    const pressed = await Promise.all([h.as(wang).press(ok), h.as(wang).press(ok), h.as(wang).press(ok)]);
    const ids = new Set(pressed.map((r) => /#(\d+)/.exec(text(r))?.[1]));
    expect(ids.size).toBe(1);
    const id = Number([...ids][0]);
    expect(await h.db.select().from(notes).where(eq(notes.title, 'Bus lanes'))).toHaveLength(1);

    const results = await Promise.all([
      h.as(zhao).send(`/noteadopt ${id} 市级 单篇采用`), h.as(zhou).send(`/noteadopt ${id} 省级 转送`), h.as(admin).send(`/noteadopt ${id} 全国 单篇采用`),
    ]);
    const said = results.map(text);
    expect(said.filter((s) => s.startsWith(`已记录 #${id} 采用`))).toHaveLength(1);
    const adoptions = await h.db.select().from(noteEvents).where(eq(noteEvents.noteId, id));
    expect(adoptions.filter((e) => e.kind === 'adopted')).toHaveLength(1);
  });
});

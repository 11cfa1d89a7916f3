import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Harness } from '../support/harness.js';
import { DATABASE_KINDS } from '../support/db.js';
import { deliveries, dialogs, noteEvents, notes } from '../../src/store/schema/index.js';
import { button, QUIET } from './notes-support.js';
import { t } from '../../src/core/i18n.js';

const text = Harness.text;
type Row = Awaited<ReturnType<Harness['addMember']>>;

describe.each(DATABASE_KINDS)('bad input to notes on %s', (kind) => {
  let h: Harness;
  let wang: Row;
  let alice: Row;
  let zhao: Row;
  const snapshot = async () => ({
    notes: await h.db.select().from(notes).orderBy(notes.id),
    events: await h.db.select().from(noteEvents).orderBy(noteEvents.id),
    deliveries: (await h.db.select().from(deliveries)).length,
    dialogs: await h.db.select().from(dialogs).orderBy(dialogs.memberId),
  });
  beforeAll(async () => {
    h = await Harness.start({ kind, settings: QUIET });
    wang = await h.addMember({ name: '王明', committee: '社会和法制委员会' });
    alice = await h.addMember({ name: 'Alice Smith', committee: '社会和法制委员会', locale: 'en', timeZone: 'Europe/London' });
    zhao = await h.addMember({ name: '赵敏', role: 'staff', committee: '社会和法制委员会' });
  });
  afterAll(() => h.close());

  it('refuses an empty title, 1501 characters and an unknown category in the dialogue, keeping the draft where it was', async () => {
    const me = h.as(wang);
    await me.send('/newnote');
    let before = await snapshot();
    expect(text(await me.send('   '))).toBe('标题不能为空，请发送标题。');
    expect(text(await me.send('长'.repeat(61)))).toBe('标题太长：最多 60 字，现在是 61 字。');
    expect(await snapshot()).toEqual(before);

    await me.send('关于社区养老服务的建议');
    before = await snapshot();
    expect(text(await me.send('字'.repeat(1501)))).toBe('正文太长：最多 1500 字，现在是 1501 字。请精简后再发送。');
    expect(await snapshot()).toEqual(before);
    expect(text(await me.send('字'.repeat(1500)))).toContain('第 3/3 步');

    before = await snapshot();
    const unknown = text(await me.send('航天'));
    expect(unknown).toBe('没有“航天”这个类别。可选：经济发展 / 社会民生 / 生态环境 / 教育文化 / 医疗卫生 / 城市管理 / 法治建设 / 港澳台侨 / 其他');
    expect(text(await me.send('99'))).toContain('没有“99”这个类别');
    expect(await snapshot()).toEqual(before);
    expect(text(await me.send('社会民生'))).toContain('正文（1500 字）');
    expect(text(await me.send('确认'))).toBe('稿件已经写好，请点下方按钮提交或修改；发送 /cancel 放弃。');
    expect(text(await me.send('/cancel'))).toBe(t('zh-Hans', 'cancel.done'));
    expect((await snapshot()).notes).toEqual([]);
  });

  it('discards a draft by button, after which its old buttons do nothing', async () => {
    const prompt = await h.as(wang).send('/newnote');
    const typed = await h.as(wang).send('关于夜间噪音的建议');
    expect(text(await h.as(wang).press(button(prompt, 'sqd:no')))).toBe('已放弃这份稿件。');
    expect(await h.db.select().from(dialogs)).toEqual([]);
    expect(text(await h.as(wang).press(button(typed, 'sqd:no')))).toBe('没有正在编写的稿件。发送 /newnote 开始写一条。');
    expect(text(await h.as(wang).send('/newnote'))).toContain('第 1/3 步');
    expect(text(await h.as(wang).press(button(prompt, 'sqd:no')))).toBe('没有正在编写的稿件。发送 /newnote 开始写一条。');
    await h.as(wang).send('/cancel');
  });

  it('refuses the same faults in the one-line form, in the member language, and starts nothing', async () => {
    const before = await snapshot();
    const me = h.as(alice);
    expect(text(await me.send('/newnote  | other | Some text'))).toBe('The title cannot be empty. Please send a title.');
    expect(text(await me.send(`/newnote Title | other | ${'x'.repeat(1501)}`))).toBe('The text is too long: at most 1500 characters, this one has 1501. Please shorten it and send it again.');
    expect(text(await me.send('/newnote Title | space | Some text'))).toMatch(/^There is no category "space"\. Choose one of: Economy \/ Livelihood/);
    expect(text(await me.send('/newnote Title without bars'))).toBe(
      'The one-line form is: TITLE | CATEGORY | TEXT\nUsage: /newnote, or in one line: /newnote TITLE | CATEGORY | TEXT');
    expect(await snapshot()).toEqual(before);
  });

  it('refuses adopting a note twice, unknown levels and kinds, and a return without a reason', async () => {
    const preview = await h.as(wang).send('/newnote 关于公交线路调整的建议 | urban | 建议调整 12 路公交线路。');
    await h.as(wang).press(button(preview, 'sqd:ok'));
    const staff = h.as(zhao);
    expect(text(await staff.send('/noteadopt 1 月球 单篇采用'))).toBe('没有“月球”这个级别。可选：区级、市级、省级、全国。');
    expect(text(await staff.send('/noteadopt 1 市级 表扬'))).toBe('没有“表扬”这种采用方式。可选：单篇采用 / 综合采用 / 转送');
    expect(text(await staff.send('/notereturn 1'))).toBe('请写明理由。');
    expect(text(await staff.send(`/notereturn 1 ${'因'.repeat(501)}`))).toBe('太长：最多 500 字，现在是 501 字。');
    expect(text(await staff.send('/noteinstruction 1 省级'))).toBe('#1 现在是“已提交”；只有已采用的信息才能记录领导批示。');
    expect(text(await staff.send('/noteadopt abc'))).toBe(`${t('zh-Hans', 'errors.badId')}\n用法：/noteadopt 编号 [级别 方式]，例如 /noteadopt 12 市级 单篇采用`);
    expect((await snapshot()).events).toHaveLength(1);

    expect(text(await staff.send('/noteadopt 1 district forwarded'))).toContain('已记录 #1 采用：区级 · 转送（2 分）');
    const before = await snapshot();
    expect(text(await staff.send('/noteadopt 1 national single'))).toBe('#1 已经采用过了，不能重复采用。');
    expect(text(await staff.press('sqa:1:national:single'))).toBe('#1 已经采用过了，不能重复采用。');
    expect(text(await staff.send('/notereturn 1 再改改'))).toBe('#1 已经采用过了，不能重复采用。');
    expect(text(await staff.send('/noteinstruction 1 national'))).toContain('已记录 #1 的全国领导批示（30 分）');
    expect(text(await staff.send('/noteinstruction 1 全国'))).toBe('#1 已经记录过全国领导批示。');
    const after = await snapshot();
    expect(after.events).toHaveLength(before.events.length + 1);
    expect(after.notes).toEqual(before.notes);
  });

  it('does not take a resubmission of a note that was not returned', async () => {
    expect(text(await h.as(wang).send('/revisenote 1'))).toBe('#1 现在是“已采用”；只有被退回修改的信息才能修改后重新提交。');
  });
});

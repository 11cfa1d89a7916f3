import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { firstLine, splitByBytes, stripLeadingMentions, toMarkdown } from '../../../src/platforms/wecom/text.js';
import { CARD_MAX_BUTTONS, planCards, updatedCard } from '../../../src/platforms/wecom/cards.js';

describe('WeCom text shaping', () => {
  it('splits by UTF-8 bytes at line ends, never inside a character, keeping every line', () => {
    const lines = Array.from({ length: 60 }, (_, i) => `第${i}条：值班提醒 👨‍👩‍👧 明天上午九点`);
    const pieces = splitByBytes(lines.join('\n'), 500);
    expect(pieces.length).toBeGreaterThan(1);
    for (const p of pieces) expect(Buffer.byteLength(p)).toBeLessThanOrEqual(500);
    expect(pieces.join('\n').split('\n')).toEqual(lines);
  });

  it('keeps all non-space characters for any text', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', maxLength: 400 }), fc.integer({ min: 16, max: 200 }), (text, limit) => {
        const pieces = splitByBytes(text, limit);
        for (const p of pieces) expect(Buffer.byteLength(p)).toBeLessThanOrEqual(limit);
        expect(pieces.join('').replace(/\s/g, '')).toBe(text.replace(/\s/g, ''));
      }),
    );
  });

  it('strips the @-mention WeCom puts before a group message', () => {
    expect(stripLeadingMentions('@同心 /signup 3')).toBe('/signup 3');
    expect(stripLeadingMentions('  @Tongxin  @张三 /help')).toBe('/help');
    expect(stripLeadingMentions('/notice 5 @张三')).toBe('/notice 5 @张三');
  });

  it('keeps line breaks in markdown and cuts long titles', () => {
    expect(toMarkdown('一\n二\n\n三')).toBe('一  \n二\n\n三');
    expect(firstLine('一二三四五六七八九十', 5)).toEqual({ line: '一二三四…', rest: '', cut: true });
  });
});

describe('WeCom template cards', () => {
  const ids = () => {
    let n = 0;
    return () => `task${++n}`;
  };

  it('puts a short text on the card and each button key is our button data', () => {
    const plan = planCards({ text: '12月1日 上午值班\n主题：民生', buttons: [[{ label: '报名', data: 'sh:s:12' }, { label: '候补', data: 'sh:w:12' }]] }, ids());
    expect(plan.leadText).toBe('');
    expect(plan.cards).toEqual([
      {
        card_type: 'button_interaction', main_title: { title: '12月1日 上午值班' }, sub_title_text: '主题：民生',
        button_list: [{ text: '报名', style: 1, key: 'sh:s:12' }, { text: '候补', style: 1, key: 'sh:w:12' }], task_id: 'task1',
      },
    ]);
  });

  it('sends a long text first, and splits more than six buttons over cards', () => {
    const buttons = Array.from({ length: 8 }, (_, i) => [{ label: `#${i}`, data: `sh:s:${i}` }]);
    const text = `近期的值班安排如下，请选择您要报名的时段\n${'第一时段 '.repeat(40)}`;
    const plan = planCards({ text, buttons }, ids());
    expect(plan.leadText).toBe(text.trim());
    expect(plan.cards.map((c) => c.button_list?.length)).toEqual([CARD_MAX_BUTTONS, 2]);
    expect(plan.cards[0]?.main_title.title).toBe('近期的值班安排如下，请选择您要报名的时段');
    expect(new Set(plan.cards.map((c) => c.task_id)).size).toBe(2);
  });

  it('drops repeated keys and turns links into jumps', () => {
    const plan = planCards({ text: '通知', buttons: [[{ label: 'A', data: 'x:1' }, { label: 'B', data: 'x:1' }, { label: '详情', url: 'https://example.org/n/1' }]] }, ids());
    expect(plan.cards[0]?.button_list).toEqual([{ text: 'A', style: 1, key: 'x:1' }]);
    expect(plan.cards[0]?.jump_list).toEqual([{ type: 1, title: '详情', url: 'https://example.org/n/1' }]);
  });

  it('replaces a pressed card under the same task id', () => {
    expect(updatedCard({ text: '已收到 ✓' }, 'task9')).toEqual({ card_type: 'text_notice', main_title: { title: '已收到 ✓' }, task_id: 'task9' });
    expect(updatedCard({ text: '已报名', buttons: [[{ label: '取消报名', data: 'sh:c:1' }]] }, 'task9').button_list).toEqual([
      { text: '取消报名', style: 1, key: 'sh:c:1' },
    ]);
  });
});

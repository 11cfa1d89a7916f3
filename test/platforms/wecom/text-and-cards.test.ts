import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { firstLine, splitByBytes, stripLeadingMentions, toMarkdown } from '../../../src/platforms/wecom/text.js';
import { CARD_MAX_BUTTONS, checkedCard, planCards, updatedCard, type Card } from '../../../src/platforms/wecom/cards.js';
import { DeliveryError } from '../../../src/core/delivery-errors.js';
import { cardProblem } from '../../support/wecom-card-rules.js';

const buttonsOf = (card: Card | undefined) => (card && card.card_type === 'button_interaction' ? card.button_list : undefined);

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
    expect(plan.cards.map((c) => buttonsOf(c)?.length)).toEqual([CARD_MAX_BUTTONS, 2]);
    expect(plan.cards[0]?.main_title.title).toBe('近期的值班安排如下，请选择您要报名的时段');
    expect(new Set(plan.cards.map((c) => c.task_id)).size).toBe(2);
  });

  it('drops repeated keys and turns links into jumps', () => {
    const plan = planCards({ text: '通知', buttons: [[{ label: 'A', data: 'x:1' }, { label: 'B', data: 'x:1' }, { label: '详情', url: 'https://example.org/n/1' }]] }, ids());
    expect(buttonsOf(plan.cards[0])).toEqual([{ text: 'A', style: 1, key: 'x:1' }]);
    expect(plan.cards[0]?.jump_list).toEqual([{ type: 1, title: '详情', url: 'https://example.org/n/1' }]);
  });

  it('replaces a pressed card under the same task id with a card WeCom takes', () => {
    // 101032: a text notice without card_action is refused; the pressed button stays instead.
    const received = updatedCard({ text: '已收到 ✓' }, 'task9', 'nr:7');
    expect(received).toEqual({ card_type: 'button_interaction', main_title: { title: '已收到 ✓' }, button_list: [{ text: '已收到 ✓', style: 2, key: 'nr:7' }], task_id: 'task9' });
    expect(cardProblem(received)).toBeUndefined();
    expect(buttonsOf(updatedCard({ text: '已报名', buttons: [[{ label: '取消报名', data: 'sh:c:1' }]] }, 'task9', 'sh:s:1'))).toEqual([
      { text: '取消报名', style: 1, key: 'sh:c:1' },
    ]);
  });

  it('builds only cards the documented rules allow, and refuses the rest before they leave', () => {
    const messages = fc.record({
      text: fc.string({ unit: 'grapheme', maxLength: 200 }),
      buttons: fc.array(fc.array(fc.record({ label: fc.string({ minLength: 1, maxLength: 12 }), data: fc.stringMatching(/^[a-z]{1,4}:[0-9]{1,6}$/) }), { maxLength: 3 }), { maxLength: 4 }),
    });
    fc.assert(fc.property(messages, (message) => {
      for (const card of planCards(message).cards) expect(cardProblem(card)).toBeUndefined();
    }));
    const refused = (card: object) => {
      try {
        checkedCard(card as Card);
      } catch (err) {
        return (err as DeliveryError).failure.kind;
      }
      return 'taken';
    };
    expect(refused({ card_type: 'text_notice', main_title: { title: '通知' }, task_id: 't1' })).toBe('rejected');
    expect(refused({ card_type: 'button_interaction', main_title: { title: '通知' }, button_list: [], task_id: 't1' })).toBe('rejected');
    expect(refused({ card_type: 'button_interaction', main_title: { title: '通知' }, button_list: [{ text: 'a', style: 1, key: 'k' }], task_id: 'not allowed!' })).toBe('rejected');
    expect(refused({ card_type: 'button_interaction', main_title: { title: '通知' }, button_list: [{ text: 'a', style: 1, key: 'k' }], task_id: 'x'.repeat(129) })).toBe('rejected');
    expect(refused({ card_type: 'button_interaction', main_title: { title: '通知' }, button_list: [{ text: 'a', style: 1, key: 'k'.repeat(1025) }], task_id: 't1' })).toBe('rejected');
    expect(refused({ card_type: 'button_interaction', main_title: { title: '通知' }, button_list: Array.from({ length: 7 }, (_, i) => ({ text: 'a', style: 1, key: `k${i}` })), task_id: 't1' })).toBe('rejected');
    expect(refused({ card_type: 'button_interaction', main_title: { title: '通知' }, button_list: [{ text: 'a', style: 1, key: 'k' }], task_id: 'tx-1_@' })).toBe('taken');
  });
});

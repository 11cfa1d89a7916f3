import { describe, expect, it } from 'vitest';
import { parseUpdate, type ParseContext } from '../../../src/platforms/telegram/updates.js';

const now = new Date('2026-12-01T02:00:00Z');
const ctx: ParseContext = { botUsername: 'tongxin_bot', isCommand: (n) => ['help', 'newnote', 'bindcode'].includes(n), now };
const from = { id: 42, is_bot: false, first_name: 'Tai Man', last_name: 'Chan', language_code: 'zh-hk' };
const privateChat = { id: 42, type: 'private' };
const group = { id: -100500, type: 'supergroup', title: 'Committee' };

function textUpdate(text: string, chat: object = privateChat, sender: object = from) {
  return { update_id: 7, message: { message_id: 3, date: 0, chat, from: sender, text } };
}

describe('parseUpdate', () => {
  it('turns a private text into an IncomingMessage keyed by update_id', () => {
    expect(parseUpdate(textUpdate('hello'), ctx)).toEqual({
      type: 'message',
      msg: {
        id: '7', chat: { platform: 'telegram', chatId: '42', kind: 'private' }, senderId: '42', senderName: 'Tai Man Chan',
        senderLanguage: 'zh-hk', text: 'hello', receivedAt: now,
      },
    });
  });

  it('keeps group commands addressed to this bot (any case) and drops those for other bots', () => {
    const text = (u: ReturnType<typeof parseUpdate>) => (u.type === 'message' ? u.msg.text : u.type);
    expect(text(parseUpdate(textUpdate('/help@tongxin_bot now', group), ctx))).toBe('/help now');
    expect(text(parseUpdate(textUpdate('/help@TongXin_Bot', group), ctx))).toBe('/help');
    expect(text(parseUpdate(textUpdate('/help', group), ctx))).toBe('/help');
    expect(text(parseUpdate(textUpdate('/help@other_bot', group), ctx))).toBe('ignored');
    const inGroup = parseUpdate(textUpdate('/help', group), ctx);
    expect(inGroup.type === 'message' && inGroup.msg.chat).toEqual({ platform: 'telegram', chatId: '-100500', kind: 'group' });
  });

  it('turns a private deep link to a known command into that command, and leaves binding links alone', () => {
    const text = (t: string, chat: object = privateChat) => {
      const u = parseUpdate(textUpdate(t, chat), ctx);
      return u.type === 'message' ? u.msg.text : u.type;
    };
    expect(text('/start newnote')).toBe('/newnote');
    expect(text('/start bind-ABCDEF2345')).toBe('/start bind-ABCDEF2345');
    expect(text('/start nosuchthing')).toBe('/start nosuchthing');
    expect(text('/start newnote', group)).toBe('/start newnote');
  });

  it('turns a button press into buttonData with the pressed message id', () => {
    const press = {
      update_id: 8,
      callback_query: { id: 'cb1', from, chat_instance: 'x', data: 'lang:en', message: { message_id: 11, date: 0, chat: group } },
    };
    expect(parseUpdate(press, ctx)).toMatchObject({
      type: 'button', callbackQueryId: 'cb1',
      msg: { id: '8', text: '', buttonData: 'lang:en', buttonMessageId: '11', chat: { chatId: '-100500', kind: 'group' }, senderId: '42' },
    });
    const { message: _dropped, ...inline } = press.callback_query;
    expect(parseUpdate({ update_id: 9, callback_query: inline }, ctx)).toEqual({ type: 'unroutable-button', callbackQueryId: 'cb1' });
  });

  it('describes a document to fetch, with the caption as text', () => {
    const update = {
      update_id: 10,
      message: { message_id: 4, date: 0, chat: privateChat, from, caption: 'new list', document: { file_id: 'F1', file_unique_id: 'u', file_name: 'roster.xlsx', file_size: 1234 } },
    };
    expect(parseUpdate(update, ctx)).toMatchObject({
      type: 'message', msg: { text: 'new list' },
      document: { fileId: 'F1', name: 'roster.xlsx', mimeType: 'application/octet-stream', size: 1234 },
    });
  });

  it('reads blocking and unblocking in a private chat from my_chat_member', () => {
    const change = (status: string, chat: object = privateChat) => ({
      update_id: 12, my_chat_member: { chat, from, date: 0, old_chat_member: { status: 'member' }, new_chat_member: { status } },
    });
    expect(parseUpdate(change('kicked'), ctx)).toEqual({ type: 'reachability', userId: '42', reachable: false });
    expect(parseUpdate(change('member'), ctx)).toEqual({ type: 'reachability', userId: '42', reachable: true });
    expect(parseUpdate(change('kicked', group), ctx)).toEqual({ type: 'ignored' });
  });

  it('ignores what is not for the router: bots, channels, stickers, edits and garbage', () => {
    expect(parseUpdate(textUpdate('/help', privateChat, { ...from, is_bot: true }), ctx).type).toBe('ignored');
    expect(parseUpdate(textUpdate('/help', { id: -1001, type: 'channel' }), ctx).type).toBe('ignored');
    expect(parseUpdate({ update_id: 1, message: { message_id: 1, date: 0, chat: privateChat, from, sticker: {} } }, ctx).type).toBe('ignored');
    expect(parseUpdate({ update_id: 1, edited_message: { message_id: 1, date: 0, chat: privateChat, from, text: 'x' } }, ctx).type).toBe('ignored');
    expect(parseUpdate({ nonsense: true }, ctx).type).toBe('ignored');
    expect(parseUpdate(null, ctx).type).toBe('ignored');
  });
});

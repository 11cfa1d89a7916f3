import { z } from 'zod';
import { buttonData, type ButtonAction, type Feature } from '../src/router/types.js';
import { confirmNotice } from '../src/domain/notices/confirmations.js';
import { RECEIVED_PREFIX, renderNotice } from '../src/domain/notices/message.js';
import { composeButtons, composeDialog, notifyCommand } from './notices-compose.js';
import { noticeActionButtons, noticeCommand, noticesCommand } from './notices-report.js';
import { groupChatCommand } from './notices-group-chats.js';

/**
 * “收到 / Received”: records the presser's confirmation once. In a private chat the message's
 * button turns into "已收到 ✓"; in a group the message stays as it is for the others, and the
 * presser is named once so the group sees the 接龙 grow.
 */
const receivedButton: ButtonAction<[number]> = {
  prefix: RECEIVED_PREFIX, role: 'member',
  parts: z.tuple([z.string().regex(/^\d{1,9}$/u).transform(Number)]),
  run: async (ctx, [noticeId]) => {
    const chatKey = `${ctx.msg.chat.platform}:${ctx.msg.chat.chatId}`;
    const { notice, recorded } = await confirmNotice(ctx.deps.db, noticeId, ctx.member.id, chatKey, ctx.deps.clock.now());
    if (ctx.msg.chat.kind === 'group') return recorded ? { text: ctx.t('notices.confirm.recordedInGroup', { name: ctx.member.name, id: noticeId }) } : undefined;
    return {
      text: '',
      updatePressed: {
        text: renderNotice(notice, ctx.locale, ctx.timeZone),
        buttons: [[{ label: ctx.t('notices.receivedDone'), data: buttonData(RECEIVED_PREFIX, noticeId) }]],
      },
    };
  },
};

/** Commands, buttons and dialogues of the notices feature. */
export const noticesFeature: Feature = {
  name: 'notices',
  commands: [notifyCommand, noticesCommand, noticeCommand, groupChatCommand],
  buttons: [receivedButton, composeButtons, noticeActionButtons],
  dialogs: [composeDialog],
};

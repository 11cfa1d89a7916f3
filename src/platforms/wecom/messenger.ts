/**
 * The WeCom Messenger the delivery engine sends through. A member (`kind: 'private'`, chatId =
 * WeCom userid) is reached through the self-built app, which can write to members who never
 * spoke to the robot; a group chat (chatId = chatid) through the robot — from this process when
 * it holds the robot's connection, else through the holder (robot-relay.ts). Without an app the
 * robot writes to members' single chats.
 *
 * Two WeCom facts shape the choice: the robot may show some members under an opaque id instead
 * of their directory userid (developer document path 101463), which the app cannot address — a
 * member bound under such an id is reached through the robot's single chat; and the app's
 * appchat/send reaches only chats the app created itself (90248), never the robot's groups, so
 * a group without the robot cannot be reached at all.
 */
import { DeliveryError } from '../../core/delivery-errors.js';
import type { ChatRef, Messenger, OutgoingMessage, SendResult } from '../../core/messages.js';
import { APP_DUPLICATE_CHECK_SECONDS, type WecomAppApi } from './app-api.js';
import type { RobotChat } from './robot-outbound.js';
import { isOpaqueUserId } from './text.js';

/** The robot as the Messenger sees it: here if held, else relayed. */
export interface RobotSender {
  send(to: RobotChat, message: OutgoingMessage): Promise<SendResult>;
}

export interface WecomChannels {
  app?: WecomAppApi;
  robot?: RobotSender;
}

/** Builds the Messenger for platform 'wecom' over whichever channels are configured. */
export function createWecomMessenger(channels: WecomChannels): Messenger {
  const { app, robot } = channels;
  return {
    platform: 'wecom',
    // The app sends with enable_duplicate_check: WeCom drops an identical repeat within this time.
    ...(app ? { duplicateCheckMs: APP_DUPLICATE_CHECK_SECONDS * 1000 } : {}),
    async send(to: Omit<ChatRef, 'platform'>, message: OutgoingMessage): Promise<SendResult> {
      if (!to.chatId) throw new DeliveryError({ kind: 'unreachable', reason: 'wecom: empty chat id' });
      if (to.kind === 'group') {
        if (robot) return robot.send({ chatId: to.chatId, kind: 'group' }, message);
        throw new DeliveryError({ kind: 'unreachable', reason: 'wecom: group chats need the robot (WECOM_BOT_ID)' });
      }
      const opaque = isOpaqueUserId(to.chatId);
      if (app && !(opaque && robot)) return app.sendToMember(to.chatId, message);
      if (robot) return robot.send({ chatId: to.chatId, kind: 'private' }, message);
      throw new DeliveryError({ kind: 'not-sent', reason: 'wecom: no channel configured for private chats' });
    },
    async edit(): Promise<void> {
      // WeCom changes a sent message only as the answer to a press on its card (robot: within
      // 5 s; app: with the press's response code), which the adapters do on their own.
      throw new DeliveryError({ kind: 'rejected', reason: 'wecom: sent messages cannot be edited' });
    },
  };
}

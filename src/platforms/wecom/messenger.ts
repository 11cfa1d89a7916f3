/**
 * The WeCom Messenger the delivery engine sends through. A member (`kind: 'private'`, chatId =
 * WeCom userid) is reached through the self-built app, which can write to members who never
 * spoke to the robot; a group chat (chatId = chatid) through the robot — from this process when
 * it holds the robot's connection, else through the holder (robot-relay.ts). Without an app the
 * robot writes to members' single chats; without a robot, app group chats are used.
 */
import { DeliveryError } from '../../core/delivery-errors.js';
import type { ChatRef, Messenger, OutgoingMessage, SendResult } from '../../core/messages.js';
import type { WecomAppApi } from './app-api.js';

/** The robot as the Messenger sees it: here if held, else relayed. */
export interface RobotSender {
  send(chatId: string, message: OutgoingMessage): Promise<SendResult>;
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
    async send(to: Omit<ChatRef, 'platform'>, message: OutgoingMessage): Promise<SendResult> {
      if (!to.chatId) throw new DeliveryError({ kind: 'unreachable', reason: 'wecom: empty chat id' });
      if (to.kind === 'private') {
        if (app) return app.sendToMember(to.chatId, message);
        if (robot) return robot.send(to.chatId, message);
      } else {
        if (robot) return robot.send(to.chatId, message);
        if (app) return app.sendToAppChat(to.chatId, message);
      }
      throw new DeliveryError({ kind: 'not-sent', reason: `wecom: no channel configured for ${to.kind} chats` });
    },
    async edit(): Promise<void> {
      // WeCom changes a sent message only as the answer to a press on its card (robot: within
      // 5 s; app: with the press's response code), which the adapters do on their own.
      throw new DeliveryError({ kind: 'rejected', reason: 'wecom: sent messages cannot be edited' });
    },
  };
}

import { DeliveryError, type DeliveryFailure } from '../../../src/core/delivery-errors.js';
import type { ChatRef, Messenger, OutgoingMessage, Platform, SendResult } from '../../../src/core/messages.js';

export interface RecordedSend {
  to: Omit<ChatRef, 'platform'>;
  message: OutgoingMessage;
  at: number;
}

type Rule = (to: Omit<ChatRef, 'platform'>) => DeliveryFailure | undefined;

/**
 * An in-memory Messenger for engine tests: records every accepted send, and fails sends as
 * scripted (next N sends, or by rule). An `uncertain` failure is recorded as arrived, like a
 * platform that took the message and lost the answer.
 */
export class RecordingMessenger implements Messenger {
  readonly sent: RecordedSend[] = [];
  readonly attempts: Array<{ to: Omit<ChatRef, 'platform'>; at: number; failure?: DeliveryFailure['kind'] }> = [];
  private readonly next: DeliveryFailure[] = [];
  private rules: Rule[] = [];
  private seq = 0;

  constructor(readonly platform: Platform, private readonly delayMs = 0) {}

  failNext(...failures: DeliveryFailure[]): void {
    this.next.push(...failures);
  }

  failWhen(rule: Rule): () => void {
    this.rules.push(rule);
    return () => (this.rules = this.rules.filter((r) => r !== rule));
  }

  to(chatId: string): RecordedSend[] {
    return this.sent.filter((s) => s.to.chatId === chatId);
  }

  async send(to: Omit<ChatRef, 'platform'>, message: OutgoingMessage): Promise<SendResult> {
    if (this.delayMs > 0) await new Promise((r) => setTimeout(r, this.delayMs));
    const failure = this.next.shift() ?? this.rules.map((r) => r(to)).find((f) => f !== undefined);
    this.attempts.push({ to, at: Date.now(), ...(failure ? { failure: failure.kind } : {}) });
    if (failure?.kind === 'uncertain') this.sent.push({ to, message, at: Date.now() });
    if (failure) throw new DeliveryError(failure);
    this.sent.push({ to, message, at: Date.now() });
    return { messageId: `${this.platform}-${++this.seq}` };
  }

  async edit(): Promise<void> {}
}

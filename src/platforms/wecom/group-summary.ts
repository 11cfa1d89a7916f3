/**
 * Answers to button presses in a WeCom group ("张三 已确认收到通知 #7 ✓"), gathered into one
 * message per group every few seconds. WeCom allows 30 messages a minute per conversation,
 * replies and pushes together (developer document path 101463, errcode 846607): one message per
 * press would run a group of fifty over it and lose the rest. What a press records is stored
 * before its answer is gathered; only the summary line is lost if the process dies meanwhile.
 */
import type { Logger } from '../../core/logger.js';

/** How long answers gather before they go out together (at most 6 summaries a minute per group). */
export const GROUP_SUMMARY_MS = 10_000;

export interface GroupSummaryOptions {
  /** Sends one summary to the group; throws as the robot's send does. */
  post(chatId: string, text: string): Promise<unknown>;
  logger: Logger;
  windowMs?: number;
}

interface Pending {
  lines: string[];
  /** Presses in this group still being handled: the summary waits for them. */
  handling: number;
  timer?: NodeJS.Timeout;
  due: boolean;
}

/** Gathers press answers per group and posts each group's as one message. */
export class GroupSummaries {
  private readonly groups = new Map<string, Pending>();
  private readonly posting = new Set<Promise<void>>();

  constructor(private readonly options: GroupSummaryOptions) {}

  /** A press in `chatId` arrived; call the returned function with its answer lines once handled. */
  begin(chatId: string): (lines: string[]) => void {
    const group = this.groups.get(chatId) ?? { lines: [], handling: 0, due: false };
    this.groups.set(chatId, group);
    group.handling++;
    group.timer ??= setTimeout(() => {
      group.due = true;
      this.flushIfReady(chatId, group);
    }, this.options.windowMs ?? GROUP_SUMMARY_MS);
    let done = false;
    return (lines) => {
      if (done) return;
      done = true;
      group.handling--;
      for (const line of lines) if (line.trim() && !group.lines.includes(line.trim())) group.lines.push(line.trim());
      this.flushIfReady(chatId, group);
    };
  }

  /** Resolves when every gathered answer has been posted (or given up). */
  async idle(): Promise<void> {
    for (const [chatId, group] of this.groups) {
      clearTimeout(group.timer);
      group.due = true;
      this.flushIfReady(chatId, group);
    }
    while (this.posting.size > 0) await Promise.all([...this.posting]);
  }

  private flushIfReady(chatId: string, group: Pending): void {
    if (!group.due || group.handling > 0) return;
    this.groups.delete(chatId);
    if (group.lines.length === 0) return;
    const posted = this.options.post(chatId, group.lines.join('\n')).then(
      () => undefined,
      (err: unknown) => this.options.logger.warn({ err: err instanceof Error ? err.message.slice(0, 120) : String(err) }, 'wecom robot: group summary not posted'),
    );
    this.posting.add(posted);
    void posted.finally(() => this.posting.delete(posted));
  }
}

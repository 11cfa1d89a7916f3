/**
 * WeCom template cards (模板卡片) for messages with buttons. The robot and the self-built app
 * take the same card shape (developer document paths 101032 and 90236). A button's `key` is our
 * button data (≤ 64 bytes, see buttonData()); a card's `task_id` is what a press reports back and
 * what an update must name again. Every card is checked against the documented fields before it
 * leaves (checkedCard), so a card WeCom would refuse is never sent.
 */
import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import type { Button, OutgoingMessage } from '../../core/messages.js';
import { DeliveryError } from '../../core/delivery-errors.js';
import { firstLine } from './text.js';

const utf8 = (max: number) => (s: string) => Buffer.byteLength(s) <= max;
const buttonSchema = z.object({ text: z.string().min(1), style: z.number().int().min(1).max(4), key: z.string().min(1).refine(utf8(1024)) });
const jumpSchema = z.object({ type: z.literal(1), title: z.string().min(1), url: z.string().min(1) });
const common = {
  main_title: z.object({ title: z.string().min(1) }),
  sub_title_text: z.string().min(1).optional(),
  jump_list: z.array(jumpSchema).min(1).max(3).optional(),
  // 101032: 任务id … 只能由数字、字母和“_-@”组成，最长128字节.
  task_id: z.string().regex(/^[A-Za-z0-9_\-@]+$/).refine(utf8(128)),
};
/** The two card types Tongxin sends, with the fields 101032 requires of each. */
const cardSchema = z.discriminatedUnion('card_type', [
  z.object({
    card_type: z.literal('button_interaction'),
    ...common,
    // 1–6 buttons whose keys do not repeat.
    button_list: z.array(buttonSchema).min(1).max(6).refine((list) => new Set(list.map((b) => b.key)).size === list.length),
  }),
  // A text notice must say where a tap on it leads (card_action 必填, a url here).
  z.object({ card_type: z.literal('text_notice'), ...common, card_action: z.object({ type: z.literal(1), url: z.string().min(1) }) }),
]);

/** A template card as WeCom takes it (the fields we use). */
export type Card = z.infer<typeof cardSchema>;

/** `card` if it keeps every documented rule; else a `rejected` DeliveryError (it would never be taken). */
export function checkedCard(card: Card): Card {
  const parsed = cardSchema.safeParse(card);
  if (!parsed.success) throw new DeliveryError({ kind: 'rejected', reason: `wecom card: ${parsed.error.issues[0]?.path.join('.') ?? 'invalid'}` });
  return card;
}

/** WeCom shows at most 6 buttons and 3 links on a card. */
export const CARD_MAX_BUTTONS = 6;
export const CARD_MAX_LINKS = 3;
/** WeCom cuts titles longer than this; the card's text then goes in a message of its own. */
export const CARD_TITLE_CHARS = 26;
const CARD_SUBTITLE_CHARS = 112;
const CARD_SUBTITLE_LINES = 4;

/** A fresh task id: unique per robot, letters and digits only, well under 128 bytes. */
export function newTaskId(): string {
  return `tx${Date.now().toString(36)}${randomBytes(6).toString('hex')}`;
}

/** How a message with buttons goes out: optional text first, then one card per 6 buttons. */
export interface CardPlan {
  /** Text that did not fit on the card, sent as a message before it ('' when all fit). */
  leadText: string;
  cards: Card[];
}

/** Whether a message needs cards at all. */
export function hasButtons(message: OutgoingMessage): boolean {
  return (message.buttons ?? []).some((row) => row.some((b) => b.data || b.url));
}

/**
 * Lays `message` out as cards. A short text (one title line of ≤ 26 characters and up to four
 * short lines under it) sits on the card itself; a longer one is sent first and the card gets
 * its first line as title. More than six buttons make more cards.
 */
export function planCards(message: OutgoingMessage, taskId: () => string = newTaskId): CardPlan {
  const buttons = (message.buttons ?? []).flat();
  const data = uniqueByData(buttons.filter((b): b is Button & { data: string } => Boolean(b.data)));
  const links = buttons.filter((b): b is Button & { url: string } => !b.data && Boolean(b.url));
  const { line, rest, cut } = firstLine(message.text, CARD_TITLE_CHARS);
  const fits = !cut && [...rest].length <= CARD_SUBTITLE_CHARS && rest.split('\n').length <= CARD_SUBTITLE_LINES;
  const title = line || '…';
  const shownLinks = links.slice(0, CARD_MAX_LINKS);
  const extraLinks = links.slice(CARD_MAX_LINKS).map((l) => `${l.label}: ${l.url}`);
  const leadText = [fits ? '' : message.text.trim(), ...extraLinks].filter(Boolean).join('\n');
  const subtitle = fits && rest ? { sub_title_text: rest } : {};
  const jumps = shownLinks.length > 0 ? { jump_list: shownLinks.map((l) => ({ type: 1 as const, title: l.label, url: l.url })) } : {};

  if (data.length === 0) {
    if (shownLinks.length === 0) return { leadText: message.text.trim(), cards: [] };
    const card: Card = { card_type: 'text_notice', main_title: { title }, ...subtitle, ...jumps, card_action: { type: 1, url: shownLinks[0]!.url }, task_id: taskId() };
    return { leadText, cards: [checkedCard(card)] };
  }
  const cards: Card[] = [];
  for (let i = 0; i < data.length; i += CARD_MAX_BUTTONS) {
    cards.push(checkedCard({
      card_type: 'button_interaction',
      main_title: { title },
      ...(i === 0 ? { ...subtitle, ...jumps } : {}),
      button_list: data.slice(i, i + CARD_MAX_BUTTONS).map((b) => ({ text: b.label, style: 1, key: b.data })),
      task_id: taskId(),
    }));
  }
  return { leadText, cards };
}

/**
 * The card that replaces a pressed one (same task id): the new text with the new buttons; with
 * none, the pressed button stays (same key) labelled with the new text's first line, e.g.
 * "已收到 ✓" — WeCom takes no button card without a button, nor a text notice without a link.
 */
export function updatedCard(update: OutgoingMessage, taskId: string, pressedKey: string): Card {
  const { line, rest } = firstLine(update.text, CARD_TITLE_CHARS);
  const subtitle = rest ? { sub_title_text: [...rest].slice(0, CARD_SUBTITLE_CHARS).join('') } : {};
  const data = uniqueByData((update.buttons ?? []).flat().filter((b): b is Button & { data: string } => Boolean(b.data)));
  const buttons = data.length > 0
    ? data.slice(0, CARD_MAX_BUTTONS).map((b) => ({ text: b.label, style: 1, key: b.data }))
    : [{ text: firstLine(update.text, 10).line || '✓', style: 2, key: pressedKey }];
  return checkedCard({ card_type: 'button_interaction', main_title: { title: line || '✓' }, ...subtitle, button_list: buttons, task_id: taskId });
}

/** WeCom refuses a card whose button keys repeat; the first of each key is kept. */
function uniqueByData<T extends { data: string }>(buttons: T[]): T[] {
  const seen = new Set<string>();
  return buttons.filter((b) => !seen.has(b.data) && seen.add(b.data));
}

/**
 * WeCom template cards (模板卡片) for messages with buttons. The robot and the self-built app
 * take the same card shape. A button's `key` is our button data (≤ 64 bytes, see buttonData());
 * a card's `task_id` is what a press reports back and what an update must name again.
 */
import { randomBytes } from 'node:crypto';
import type { Button, OutgoingMessage } from '../../core/messages.js';
import { firstLine } from './text.js';

/** A template card as WeCom takes it (the fields we use). */
export interface Card {
  card_type: 'button_interaction' | 'text_notice';
  main_title: { title: string };
  sub_title_text?: string;
  button_list?: { text: string; style: number; key: string }[];
  jump_list?: { type: 1; title: string; url: string }[];
  card_action?: { type: 1; url: string };
  task_id: string;
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
    return { leadText, cards: [card] };
  }
  const cards: Card[] = [];
  for (let i = 0; i < data.length; i += CARD_MAX_BUTTONS) {
    cards.push({
      card_type: 'button_interaction',
      main_title: { title },
      ...(i === 0 ? { ...subtitle, ...jumps } : {}),
      button_list: data.slice(i, i + CARD_MAX_BUTTONS).map((b) => ({ text: b.label, style: 1, key: b.data })),
      task_id: taskId(),
    });
  }
  return { leadText, cards };
}

/**
 * The card that replaces a pressed one (same task id): the new buttons if there are any, else a
 * plain notice card carrying the new text (e.g. "已收到 ✓").
 */
export function updatedCard(update: OutgoingMessage, taskId: string): Card {
  const { line, rest } = firstLine(update.text, CARD_TITLE_CHARS);
  const subtitle = rest ? { sub_title_text: [...rest].slice(0, CARD_SUBTITLE_CHARS).join('') } : {};
  const data = uniqueByData((update.buttons ?? []).flat().filter((b): b is Button & { data: string } => Boolean(b.data)));
  if (data.length === 0) return { card_type: 'text_notice', main_title: { title: line || '✓' }, ...subtitle, task_id: taskId };
  return {
    card_type: 'button_interaction',
    main_title: { title: line || '…' },
    ...subtitle,
    button_list: data.slice(0, CARD_MAX_BUTTONS).map((b) => ({ text: b.label, style: 1, key: b.data })),
    task_id: taskId,
  };
}

/** WeCom refuses a card whose button keys repeat; the first of each key is kept. */
function uniqueByData<T extends { data: string }>(buttons: T[]): T[] {
  const seen = new Set<string>();
  return buttons.filter((b) => !seen.has(b.data) && seen.add(b.data));
}

/**
 * Text shaping for WeCom: byte limits (WeCom counts UTF-8 bytes, not characters), markdown line
 * breaks, and the @-mention WeCom puts in front of group messages to the robot.
 */

const graphemes = new Intl.Segmenter(undefined, { granularity: 'grapheme' });

/** Bytes per app text message (WeCom refuses more than 2048). */
export const APP_TEXT_BYTES = 2000;
/** Bytes per robot markdown message sent on its own (aibot_send_msg). */
export const ROBOT_MARKDOWN_BYTES = 4000;
/** Bytes per robot stream reply (a stream holds up to 20480). */
export const ROBOT_STREAM_BYTES = 20_000;

/**
 * Cuts `text` into pieces of at most `maxBytes` UTF-8 bytes. Prefers to cut after a newline in
 * the back half of a piece; never cuts inside a grapheme (emoji sequences, combining marks).
 * Pieces are trimmed at their ends; empty pieces are dropped.
 */
export function splitByBytes(text: string, maxBytes: number): string[] {
  if (Buffer.byteLength(text) <= maxBytes) return text.trim() ? [text.trim()] : [];
  const pieces: string[] = [];
  let current = '';
  let currentBytes = 0;
  let lastNewline = -1; // index in `current` just after the last newline
  for (const { segment } of graphemes.segment(text)) {
    const bytes = Buffer.byteLength(segment);
    if (currentBytes + bytes > maxBytes && current) {
      const cut = lastNewline > current.length / 2 ? lastNewline : current.length;
      pieces.push(current.slice(0, cut));
      current = current.slice(cut);
      currentBytes = Buffer.byteLength(current);
      lastNewline = -1;
    }
    current += segment;
    currentBytes += bytes;
    if (segment.includes('\n')) lastNewline = current.length;
  }
  if (current) pieces.push(current);
  return pieces.map((p) => p.trim()).filter(Boolean);
}

/**
 * Our texts are plain lines; in markdown a single newline is only a soft break, so each line
 * ends with two spaces (a hard break) to keep lists and cards laid out as written.
 */
export function toMarkdown(text: string): string {
  return text.replace(/\r\n?/g, '\n').replace(/([^\n])\n(?=[^\n])/g, '$1  \n');
}

/**
 * Removes the @-mentions WeCom puts at the start of a group message to the robot
 * ("@同心 /signup 3" → "/signup 3"). A mention later in the text is left as it is.
 */
export function stripLeadingMentions(text: string): string {
  return text.replace(/^(?:\s*@\S+)+\s*/u, '').trim();
}

/** The first line of `text`, cut to `maxChars` characters (with an ellipsis when cut). */
export function firstLine(text: string, maxChars: number): { line: string; rest: string; cut: boolean } {
  const trimmed = text.trim();
  const newline = trimmed.indexOf('\n');
  const line = (newline < 0 ? trimmed : trimmed.slice(0, newline)).trim();
  const rest = newline < 0 ? '' : trimmed.slice(newline + 1).trim();
  const chars = [...graphemes.segment(line)].map((s) => s.segment);
  if (chars.length <= maxChars) return { line, rest, cut: false };
  return { line: `${chars.slice(0, maxChars - 1).join('')}…`, rest, cut: true };
}

/**
 * Whether a WeCom user id is an opaque one rather than a directory userid: WeCom shows some
 * members to the robot under such an id (developer document path 101463, from.userid), 32
 * characters beginning with "wo" like its other open ids. The app cannot write to it; only the
 * robot's single chat can.
 */
export function isOpaqueUserId(userid: string): boolean {
  return /^wo[0-9A-Za-z_-]{30}$/.test(userid);
}

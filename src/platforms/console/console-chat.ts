import { createInterface } from 'node:readline';
import { eq, asc } from 'drizzle-orm';
import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import type { Readable, Writable } from 'node:stream';
import { members } from '../../store/schema/index.js';
import { t } from '../../core/i18n.js';
import type { IncomingMessage, OutgoingMessage } from '../../core/messages.js';
import { findMembersByName, type Member } from '../../domain/members/members.js';
import type { App } from '../../app.js';

/**
 * A chat in the terminal for trying Tongxin without any platform: one line is one message, as
 * typed on Telegram or WeCom. `/as NAME` switches member, `!N` presses button N of the last
 * answer, `/file PATH` sends a file. Ends at end of input (so it can be scripted) or when `signal` aborts.
 */
export async function runConsoleChat(app: App, opts: { input?: Readable; output?: Writable; signal?: AbortSignal } = {}): Promise<void> {
  const { input = process.stdin, output = process.stdout, signal } = opts;
  const { db } = app.deps;
  const write = (s: string) => output.write(`${s}\n`);
  let me: Member | undefined = (await db.select().from(members).where(eq(members.role, 'member')).orderBy(asc(members.id)).limit(1))[0];
  let lastButtons: string[] = [];
  let seq = 0;
  write(t(me?.locale ?? app.deps.defaultLocale, 'console.banner'));
  if (me) write(t(me.locale, 'console.as', { name: me.name, role: t(me.locale, `role.${me.role}`) }));

  const lines = createInterface({ input, terminal: false, ...(signal && { signal }) });
  // Output closed (`npm start | head`): stop reading instead of dying of EPIPE.
  output.once('error', () => lines.close());
  for await (const raw of lines) {
    const line = raw.trim();
    if (!line) continue;
    const as = /^\/as\s+(.+)$/u.exec(line);
    if (as) {
      const locale = me?.locale ?? app.deps.defaultLocale;
      const found = await findMembersByName(db, as[1]!.trim()).then((rows) => rows[0] ?? null, () => undefined);
      if (found === undefined) {
        write(t(locale, 'errors.tryAgain'));
        continue;
      }
      if (found) me = found;
      write(found ? t(found.locale, 'console.as', { name: found.name, role: t(found.locale, `role.${found.role}`) }) : t(locale, 'console.asUnknown', { name: as[1]! }));
      continue;
    }
    if (!me) continue;
    const msg: IncomingMessage = {
      id: `console-${++seq}`,
      chat: { platform: 'console', chatId: `console-${me.id}`, kind: 'private' },
      senderId: String(me.id),
      text: line,
      receivedAt: new Date(),
    };
    const press = /^!(\d+)$/.exec(line);
    if (press) {
      msg.buttonData = lastButtons[Number(press[1]) - 1] ?? 'expired';
      msg.text = '';
    }
    const file = /^\/file\s+(.+)$/u.exec(line);
    if (file) {
      const path = file[1]!.trim();
      msg.file = { name: basename(path), mimeType: 'application/octet-stream', data: await readFile(path) };
      msg.text = '';
    }
    for (const reply of await app.router.handle(msg)) lastButtons = print(reply, write, lastButtons);
    // The member may have changed language or time zone; read them afresh (a failed read, as
    // when the database connection just dropped, keeps the last known member).
    const id = me.id;
    me = (await db.select().from(members).where(eq(members.id, id)).then((rows) => rows[0], () => me)) ?? me;
  }
}

function print(reply: OutgoingMessage, write: (s: string) => void, previous: string[]): string[] {
  write(reply.text);
  if (reply.file) write(`📎 ${reply.file.name} (${reply.file.data.length} bytes)`);
  const flat = (reply.buttons ?? []).flat();
  if (flat.length === 0) return previous;
  write(flat.map((b, i) => (b.url ? `[${b.label}: ${b.url}]` : `[!${i + 1} ${b.label}]`)).join(' '));
  return flat.map((b) => b.data ?? '');
}

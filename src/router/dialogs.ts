import { and, eq } from 'drizzle-orm';
import type { Db } from '../store/db.js';
import { dialogs } from '../store/schema/index.js';
import type { DialogControl } from './types.js';

/** A dialogue as stored: which handler owns it and its state. */
export interface StoredDialog {
  kind: string;
  state: unknown;
}

/** The dialogue state of one member in one chat, read once per message and written through. */
export async function loadDialog(db: Db, memberId: number, chatKey: string): Promise<DialogControl> {
  const [row] = await db.select().from(dialogs).where(and(eq(dialogs.memberId, memberId), eq(dialogs.chatKey, chatKey)));
  return dialogControl(db, memberId, chatKey, row ? { kind: row.kind, state: row.state } : undefined);
}

/** Control of a dialogue already read (`stored`, or none), writing every change through. */
export function dialogControl(db: Db, memberId: number, chatKey: string, stored: StoredDialog | undefined): DialogControl {
  let current = stored;
  const where = and(eq(dialogs.memberId, memberId), eq(dialogs.chatKey, chatKey));
  return {
    get current() {
      return current;
    },
    async start(kind, state) {
      await db
        .insert(dialogs)
        .values({ memberId, chatKey, kind, state: state as object, updatedAt: new Date() })
        .onConflictDoUpdate({ target: [dialogs.memberId, dialogs.chatKey], set: { kind, state: state as object, updatedAt: new Date() } });
      current = { kind, state };
    },
    async update(state) {
      if (!current) throw new Error('no dialogue to update');
      await db.update(dialogs).set({ state: state as object, updatedAt: new Date() }).where(where);
      current = { kind: current.kind, state };
    },
    async end() {
      await db.delete(dialogs).where(where);
      current = undefined;
    },
  };
}

/** A DialogControl for someone with no member record: there is nothing to keep. */
export const noDialog: DialogControl = {
  current: undefined,
  start: async () => {
    throw new Error('guests have no dialogue');
  },
  update: async () => {},
  end: async () => {},
};

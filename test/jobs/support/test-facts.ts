import { dt } from '../../../src/core/i18n.js';
import type { ReminderFacts } from '../../../src/domain/reminders.js';
import type { ReminderSources } from '../../../src/domain/delivery/reminders.js';
import { recordEvents } from '../../../src/domain/outbox.js';
import type { DbOrTx } from '../../../src/store/db.js';

/**
 * A stand-in for the shifts and reading features in engine tests: things with a start time and the
 * members to remind, changed the way a feature would (facts, then a `reminder.changed` event).
 */
export class TestFacts {
  private readonly things = new Map<string, { startsAt: Date; memberIds: number[] } | undefined>();
  /** How often the engine asked, per ref; shows it re-reads before sending. */
  readonly reads = new Map<string, number>();

  /** Registry for the engine: `{ shift, reading }` read from this store. */
  get sources(): ReminderSources {
    const read = (kind: string) => async (_db: DbOrTx, id: number): Promise<ReminderFacts | undefined> => {
      const ref = `${kind}:${id}`;
      this.reads.set(ref, (this.reads.get(ref) ?? 0) + 1);
      const thing = this.things.get(ref);
      if (!thing) return undefined;
      return {
        startsAt: thing.startsAt, memberIds: [...thing.memberIds], template: 'digest.coverageAlert',
        params: { id, theme: `Theme ${id}`, startsAt: dt(thing.startsAt), filled: thing.memberIds.length, capacity: 3, missing: 0, hours: 1 },
      };
    };
    return { shift: read('shift'), reading: read('reading') };
  }

  /** Sets (or with `undefined`, cancels) things and records the events a feature would. */
  async set(db: DbOrTx, changes: Array<[ref: string, facts: { startsAt: Date; memberIds: number[] } | undefined]>, event = true): Promise<void> {
    for (const [ref, facts] of changes) this.things.set(ref, facts && { startsAt: facts.startsAt, memberIds: [...facts.memberIds] });
    if (event) await recordEvents(db, changes.map(([ref]) => ({ kind: 'reminder.changed', ref })));
  }
}

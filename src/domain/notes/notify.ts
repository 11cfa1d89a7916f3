import { dt, tk, type Params } from '../../core/i18n.js';
import type { DeliveryButton, DeliveryRequest } from '../outbox.js';
import type { Note, NoteEvent } from './access.js';

/**
 * Button prefixes of the notes feature that the domain puts on delivered messages; handlers/notes
 * registers the actions behind them.
 */
export const NOTE_BUTTON = { view: 'sqv', revise: 'sqr' } as const;

/** The locale key that tells a note's author about `event` (their own submissions need none). */
function templateOf(event: NoteEvent): string | undefined {
  switch (event.kind) {
    case 'claimed': return 'notes.notify.claimed';
    case 'returned': return 'notes.notify.returned';
    case 'adopted': return 'notes.notify.adopted';
    case 'rejected': return event.reason ? 'notes.notify.rejectedWithReason' : 'notes.notify.rejected';
    case 'instruction': return event.reason ? 'notes.notify.instructionWithText' : 'notes.notify.instruction';
    default: return undefined;
  }
}

/** The params every note message uses; levels and kinds are keys, rendered in the reader's language. */
export function eventParams(note: Pick<Note, 'id' | 'title'>, event: NoteEvent): Params {
  return {
    id: note.id,
    title: note.title,
    at: dt(event.at),
    reason: event.reason ?? '',
    level: event.level ? tk(`notes.level.${event.level}`) : '',
    kind: event.adoptionKind ? tk(`notes.adoptionKind.${event.adoptionKind}`) : '',
  };
}

/**
 * The outbox row telling the author of `note` what `event` did to it, in their language at send
 * time; undefined for the author's own actions. One row per event (the event id is in the ref).
 */
export function authorNotice(note: Note, event: NoteEvent): DeliveryRequest | undefined {
  const template = templateOf(event);
  if (!template || event.actorId === note.memberId) return undefined;
  const buttons: DeliveryButton[][] = [[{ labelKey: 'notes.button.view', data: `${NOTE_BUTTON.view}:${note.id}` }]];
  if (event.kind === 'returned') buttons.unshift([{ labelKey: 'notes.button.revise', data: `${NOTE_BUTTON.revise}:${note.id}` }]);
  return { kind: 'note.status', ref: `note:${note.id}:e${event.id}`, to: { memberId: note.memberId }, template, params: eventParams(note, event), buttons };
}

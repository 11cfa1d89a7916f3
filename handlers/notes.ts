import type { Feature } from '../src/router/types.js';

/** Commands, buttons and dialogues of the notes feature. */
export const notesFeature: Feature = { name: 'notes' };

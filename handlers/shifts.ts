import type { Feature } from '../src/router/types.js';

/** Commands, buttons and dialogues of the shifts feature. */
export const shiftsFeature: Feature = { name: 'shifts' };

import type { Feature } from '../src/router/types.js';

/** Commands, buttons and dialogues of the notices feature. */
export const noticesFeature: Feature = { name: 'notices' };

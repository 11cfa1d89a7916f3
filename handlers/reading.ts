import type { Feature } from '../src/router/types.js';

/** Commands, buttons and dialogues of the reading feature. */
export const readingFeature: Feature = { name: 'reading' };

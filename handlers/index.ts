import type { Feature } from '../src/router/types.js';
import { coreFeature } from './core.js';
import { staffMembersFeature } from './staff-members.js';
import { shiftsFeature } from './shifts.js';
import { notesFeature } from './notes.js';
import { readingFeature } from './reading.js';
import { noticesFeature } from './notices.js';

/** Every feature the router serves, in the order /help lists them. */
export const features: Feature[] = [coreFeature, shiftsFeature, notesFeature, readingFeature, noticesFeature, staffMembersFeature];

import type { Feature } from '../src/router/types.js';
import { coreFeature } from './core.js';
import { staffMembersFeature } from './staff-members.js';
import { shiftsFeature } from './shifts.js';
import { notesFeature } from './notes.js';
import { recordFeature } from './record.js';
import { readingFeature } from './reading.js';
import { noticesFeature } from './notices.js';
import { calendarFeature } from './calendar.js';

/** Every feature the router serves, in the order /help lists them. */
export const features: Feature[] = [coreFeature, shiftsFeature, notesFeature, recordFeature, readingFeature, calendarFeature, noticesFeature, staffMembersFeature];

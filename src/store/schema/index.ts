/** Every table, one file per feature. drizzle-kit reads this to generate migrations. */
export * from './members.js';
export * from './delivery.js';
export * from './shifts.js';
export * from './notes.js';
export * from './reading.js';
export * from './notices.js';

/**
 * Public-opinion notes (社情民意信息): submission, review, points and the periodic tally. Other
 * features (digests, the performance record) use what is exported here.
 */
export { monthlyTally, periodRange, type NotesTally, type MemberTally, type SectorTally, type TallyLine, type TallyQuery } from './tally.js';
export { noteChangesFor, noteChangesOfMembers, pendingReviewCount, type NoteChange } from './queries.js';
export { notesActivityOf, notesActivityByMember, pointsFor, type NotesActivity } from './points.js';
export { notesSettings, defaultNotesSettings, type NotesSettings, type PointsTable } from './settings.js';

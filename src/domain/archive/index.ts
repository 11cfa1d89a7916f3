/** The performance record (履职档案): each member's activity per year and per term, computed from the activity tables. */
export { performanceRecord, performanceRecords, membersOnRecord, type PerformanceRecord } from './record.js';
export { currentYear, termPeriod, yearPeriod, type RecordPeriod, type TermRule } from './periods.js';

/** The shifts feature's domain: what other features and the delivery engine may use. */
export { shiftReminderFacts } from './reminders.js';
export {
  unfilledShifts, openShiftsBetween, memberShiftsBetween, shiftsOfMembersBetween, coverage, shiftsServedBy, rosterBetween, shiftsBetween,
  type ShiftSummary, type RosterEntry,
} from './views.js';
export { createShift, editShift, cancelShift, parseLevel, type ShiftDraft, type ShiftEdit } from './shifts.js';
export { signUp, withdraw, type SignupOutcome, type WithdrawOutcome } from './signup.js';
export { offerSwap, acceptSwap } from './swaps.js';
export { recordDutyLog, dutyLogsBetween, logsOwedBy } from './duty-log.js';
export { pendingCancelRequests, decideCancelRequest } from './cancel-requests.js';
export { importShifts, SHIFT_FILE_NAME } from './import.js';
export { shiftById, type Shift, type ShiftRules } from './records.js';

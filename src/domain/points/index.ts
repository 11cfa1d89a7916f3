/** The performance record's points (履职积分): one table in the settings, applied to every feature's duty facts. */
export { type DutyFact, type DutyFactFilter, type DutyFactSource } from './facts.js';
export { pointsSettings, pointsOf, type PointsSettings } from './settings.js';

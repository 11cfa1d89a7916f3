import { describe, expect, it } from 'vitest';
import { loadSettings } from '../../../src/settings.js';
import { pointsOf } from '../../../src/domain/points/index.js';

describe('the points table', () => {
  it('scores proposals by the common rule unless the settings say otherwise', () => {
    const table = loadSettings(undefined, {}).points;
    expect(pointsOf({ category: 'proposals', item: 'lead' }, table)).toBe(15);
    expect(pointsOf({ category: 'proposals', item: 'cosigner' }, table)).toBe(3);
  });

  it('keeps the defaults of items a settings file leaves out, and scores items it adds', () => {
    const table = loadSettings(undefined, { points: { table: { proposals: { lead: 10 }, activities: { 'attended.plenary': 5 } } } }).points;
    expect(pointsOf({ category: 'proposals', item: 'lead', share: 0.5 }, table)).toBe(5);
    expect(pointsOf({ category: 'proposals', item: 'filed' }, table)).toBe(5);
    expect(pointsOf({ category: 'activities', item: 'attended.plenary' }, table)).toBe(5);
    expect(pointsOf({ category: 'activities', item: 'attended.training' }, table)).toBe(0);
  });

  it('refuses a table that is not numbers', () => {
    expect(() => loadSettings(undefined, { points: { table: { proposals: { lead: 'many' } } } })).toThrow();
  });
});

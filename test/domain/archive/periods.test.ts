import { describe, expect, it } from 'vitest';
import { termPeriod, yearPeriod } from '../../../src/domain/archive/index.js';

const term = { start: '2023-01-01', years: 5 };
const at = (iso: string) => new Date(iso);

describe('record periods', () => {
  it('finds the term a moment falls in, before, during and after the configured one', () => {
    expect(termPeriod(term, 'Asia/Shanghai', at('2026-11-20T02:00:00Z'))).toEqual({
      from: at('2022-12-31T16:00:00Z'), to: at('2026-11-20T02:00:00Z'), firstDay: '2023-01-01', lastDay: '2027-12-31',
    });
    // Midnight of 1 January 2028 in Shanghai opens the next term.
    expect(termPeriod(term, 'Asia/Shanghai', at('2027-12-31T16:00:00Z'))).toMatchObject({ firstDay: '2028-01-01', lastDay: '2032-12-31' });
    expect(termPeriod(term, 'Asia/Shanghai', at('2027-12-31T15:59:59Z'))).toMatchObject({ firstDay: '2023-01-01' });
    expect(termPeriod(term, 'Asia/Shanghai', at('2022-06-01T00:00:00Z'))).toMatchObject({ firstDay: '2018-01-01', lastDay: '2022-12-31', to: at('2022-06-01T00:00:00Z') });
    expect(termPeriod({ start: '2023-03-15', years: 4 }, 'Asia/Shanghai', at('2027-03-14T00:00:00Z'))).toMatchObject({ firstDay: '2023-03-15', lastDay: '2027-03-14' });
    expect(termPeriod({ start: '2023-03-15', years: 4 }, 'Asia/Shanghai', at('2027-03-15T00:00:00Z'))).toMatchObject({ firstDay: '2027-03-15' });
  });

  it('gives a calendar year in the committee time zone, ending now at the latest', () => {
    expect(yearPeriod(2025, 'Asia/Shanghai', at('2026-11-20T02:00:00Z'))).toEqual({
      from: at('2024-12-31T16:00:00Z'), to: at('2025-12-31T16:00:00Z'), firstDay: '2025-01-01', lastDay: '2025-12-31',
    });
    expect(yearPeriod(2026, 'Asia/Shanghai', at('2026-11-20T02:00:00Z')).to).toEqual(at('2026-11-20T02:00:00Z'));
  });
});

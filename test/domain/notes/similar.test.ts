import { describe, expect, it } from 'vitest';
import { titleSimilarity } from '../../../src/domain/notes/similar.js';

describe('title similarity', () => {
  it('finds the same issue in other words, ignoring the usual 关于…的建议', () => {
    expect(titleSimilarity('关于加强老旧小区加装电梯的建议', '关于老旧小区加装电梯的几点建议')).toBeGreaterThanOrEqual(0.5);
    expect(titleSimilarity('關於跨境學童交通安排的建議', '关于跨境学童交通安排的建议')).toBeGreaterThanOrEqual(0.5);
    expect(titleSimilarity('Parking near schools', 'parking near the schools!')).toBeGreaterThanOrEqual(0.5);
  });

  it('does not match different issues that share only boilerplate', () => {
    expect(titleSimilarity('关于停车难的建议', '关于夜市管理的建议')).toBeLessThan(0.5);
    expect(titleSimilarity('关于的建议', '关于的建议')).toBe(0);
  });
});

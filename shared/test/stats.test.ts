import { percentile } from '../src/testing';

describe('percentile (nearest rank)', () => {
  const sorted = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10];

  it('takes the value at rank ceil(p/100 × n)', () => {
    expect(percentile(sorted, 50)).toBe(5);
    expect(percentile(sorted, 99)).toBe(10);
    expect(percentile(sorted, 10)).toBe(1);
    expect(percentile(Float64Array.from([0.25, 0.5, 0.75]), 50)).toBe(0.5);
  });

  it('gives the smallest value for p = 0 and NaN for no values', () => {
    expect(percentile(sorted, 0)).toBe(1);
    expect(percentile([], 50)).toBeNaN();
  });
});

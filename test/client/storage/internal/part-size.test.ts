import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { partRanges, partSizeFor } from '../../../../src/client/storage/internal/part-size.js';
import { S3_MAX_PARTS, S3_MIN_PART_SIZE } from '../../../../src/defaults.js';

const MIB = 1024 * 1024;

describe('part sizes', () => {
  it('keeps the preferred size for ordinary files and never goes below 5 MiB', () => {
    expect(partSizeFor(100 * MIB, 8 * MIB)).toBe(8 * MIB);
    expect(partSizeFor(100 * MIB, MIB)).toBe(S3_MIN_PART_SIZE);
  });

  it('grows the part size so that no file needs more than 10,000 parts, up to the 5 TiB S3 limit (fast-check)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 5 * 1024 * 1024 * MIB }),
        fc.integer({ min: 1, max: 64 * MIB }),
        (size, preferred) => {
          const partSize = partSizeFor(size, preferred);
          expect(partSize).toBeGreaterThanOrEqual(S3_MIN_PART_SIZE);
          expect(Math.ceil(size / partSize)).toBeLessThanOrEqual(S3_MAX_PARTS);
        },
      ),
    );
    expect(partSizeFor(1024 * 1024 * MIB, 8 * MIB)).toBe(105 * MIB);
  });

  it('cuts a file into consecutive ranges covering every byte once, only the last one shorter (fast-check)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 10 ** 9 }),
        fc.integer({ min: 5 * MIB, max: 64 * MIB }),
        (size, partSize) => {
          const ranges = partRanges(size, partSize);
          let next = 0;
          ranges.forEach((range, index) => {
            expect(range.partNumber).toBe(index + 1);
            expect(range.start).toBe(next);
            if (index < ranges.length - 1) expect(range.size).toBe(partSize);
            else expect(range.size).toBeGreaterThan(0);
            next += range.size;
          });
          expect(next).toBe(size);
        },
      ),
    );
    expect(partRanges(5 * MIB + 1, 5 * MIB).map((r) => r.size)).toEqual([5 * MIB, 1]);
    expect(partRanges(5 * MIB, 5 * MIB).map((r) => r.size)).toEqual([5 * MIB]);
  });
});

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { lineSplitter } from '../../src/runner/lines.js';

function split(chunks: readonly Buffer[], maxChars?: number): string[] {
  const lines: string[] = [];
  const splitter = lineSplitter((line) => lines.push(line), maxChars);
  for (const chunk of chunks) splitter.push(chunk);
  splitter.end();
  return lines;
}

/** Cuts `bytes` at the given offsets. */
function cut(bytes: Buffer, offsets: readonly number[]): Buffer[] {
  const points = [...new Set(offsets.map((o) => o % (bytes.length + 1)))].sort((a, b) => a - b);
  const out: Buffer[] = [];
  let start = 0;
  for (const p of points) {
    out.push(bytes.subarray(start, p));
    start = p;
  }
  out.push(bytes.subarray(start));
  return out;
}

describe('lineSplitter', () => {
  it('gives the same lines however the bytes are chunked, multi-byte characters included', () => {
    const line = fc.string({ unit: fc.constantFrom('a', 'é', '漢', '🙂', ' ', '\r', 'z') });
    fc.assert(
      fc.property(
        fc.array(line, { maxLength: 20 }),
        fc.array(fc.nat(), { maxLength: 10 }),
        (lines, offsets) => {
          const text = lines.map((l) => `${l}\n`).join('');
          const expected = lines.map((l) => (l.endsWith('\r') ? l.slice(0, -1) : l));
          expect(split(cut(Buffer.from(text, 'utf8'), offsets))).toEqual(expected);
        },
      ),
    );
  });

  it('strips one trailing \\r, keeps a partial last line until the end, and emits empty lines', () => {
    expect(split([Buffer.from('a\r\n\nb'), Buffer.from('c\r')])).toEqual(['a', '', 'bc']);
    expect(split([Buffer.from('only\n')])).toEqual(['only']);
    expect(split([])).toEqual([]);
  });

  it('emits an over-long line in pieces instead of holding it', () => {
    expect(split([Buffer.from('abcdefg'), Buffer.from('h\nij\n')], 3)).toEqual(['abc', 'def', 'gh', 'ij']);
  });
});

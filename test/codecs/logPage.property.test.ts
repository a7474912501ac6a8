/**
 * The log page's hand-checked fast path (`LogPage`) against its io-ts reference
 * (`LogPageReference`): for any input, the same `Either` — the same decoded value
 * (key for key, `undefined` included) or the same error messages.
 */
import fc from 'fast-check';
import * as E from 'fp-ts/lib/Either.js';
import * as t from 'io-ts';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { decode, LogLine, LogPage, LogPageReference } from '../../src/codecs/index.js';

const RUNS = 2000;

/** Both decoders on `value`: equal results, errors compared by their messages. */
function expectSameDecode(fast: t.Any, reference: t.Any, value: unknown): void {
  const got = decode(fast, value);
  const want = decode(reference, value);
  if (E.isLeft(want)) {
    expect(E.isLeft(got)).toBe(true);
    if (E.isLeft(got)) expect(got.left.problems).toEqual(want.left.problems);
  } else {
    expect(E.isRight(got)).toBe(true);
    if (E.isRight(got)) expect(got.right).toStrictEqual(want.right);
  }
}

/** Values a field may hold: right and wrong types, edge numbers, `null`. */
const anyScalar = fc.oneof(
  fc.integer({ min: -3, max: 3 }),
  fc.constantFrom(0, 1, -0, 0.5, Number.MAX_SAFE_INTEGER, Number.MAX_SAFE_INTEGER + 2, Number.NaN, Infinity),
  fc.string({ maxLength: 4 }),
  fc.constantFrom(null, true, false, '1', '0', 'stdout', 'stderr'),
  fc.constant([]),
  fc.constant({}),
);
const validId = fc.nat({ max: 1_000_000 });
const field = <T>(valid: fc.Arbitrary<T>) =>
  fc.oneof({ weight: 4, arbitrary: valid }, { weight: 1, arbitrary: anyScalar });
/** A line: mostly well-formed (the hot shape), sometimes with a wrong or `null` field or extra keys. */
const line = fc.record(
  {
    id: field(validId),
    content: field(fc.string({ maxLength: 12 })),
    time: field(fc.oneof(fc.nat(), fc.constant('2024-01-01T00:00:00Z'))),
    nanTime: field(fc.oneof(fc.nat(), fc.string({ maxLength: 4 }))),
    instance: field(fc.nat({ max: 3 })),
    stream: field(fc.constantFrom('stdout', 'stderr', 'other')),
    extra: anyScalar,
  },
  { requiredKeys: [] },
);
const lineOrJunk = fc.oneof({ weight: 8, arbitrary: line }, { weight: 1, arbitrary: anyScalar });
const page = fc.record(
  {
    logs: fc.oneof(
      { weight: 8, arbitrary: fc.array(lineOrJunk, { maxLength: 6 }) },
      { weight: 1, arbitrary: anyScalar },
    ),
    hasMore: fc.constantFrom(0, 1, true, false, null, 2, '1', undefined),
    other: anyScalar,
  },
  { requiredKeys: [] },
);
/** Only well-formed pages: the fast path's own shape. */
const hotPage = fc.record(
  {
    logs: fc.array(
      fc.record(
        {
          id: validId,
          content: fc.string(),
          time: fc.oneof(fc.nat(), fc.string()),
          instance: fc.nat({ max: 9 }),
          stream: fc.string(),
        },
        { requiredKeys: ['id', 'content'] },
      ),
      { maxLength: 20 },
    ),
    hasMore: fc.constantFrom(0, 1, true, false),
  },
  { requiredKeys: ['logs'] },
);

describe('LogPage (fast path) decodes exactly like LogPageReference (io-ts)', () => {
  afterEach(() => {
    vi.restoreAllMocks();
  });

  it('on page-shaped input with wrong, null and extra fields mixed in', () => {
    fc.assert(
      fc.property(page, (value) => expectSameDecode(LogPage, LogPageReference, value)),
      { numRuns: RUNS },
    );
  });

  it('on well-formed pages (the hot shape)', () => {
    fc.assert(
      fc.property(hotPage, (value) => expectSameDecode(LogPage, LogPageReference, value)),
      { numRuns: RUNS },
    );
  });

  it('on arbitrary JSON, and after a JSON round trip of page-shaped input', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => expectSameDecode(LogPage, LogPageReference, value)),
      { numRuns: RUNS / 2 },
    );
    fc.assert(
      fc.property(page, (value) => {
        const wire = JSON.parse(JSON.stringify(value)) as unknown;
        expectSameDecode(LogPage, LogPageReference, wire);
      }),
      { numRuns: RUNS / 2 },
    );
  });

  it('inside another codec: error paths are the same as with the reference in its place', () => {
    const outer = (codec: t.Any) => t.type({ pages: t.array(codec) });
    fc.assert(
      fc.property(fc.array(page, { maxLength: 3 }), (pages) =>
        expectSameDecode(outer(LogPage), outer(LogPageReference), { pages }),
      ),
      { numRuns: RUNS / 4 },
    );
  });

  it('names the bad field like the reference does', () => {
    const result = decode(LogPage, {
      logs: [
        { id: 0, content: 'a' },
        { id: -1, content: 'x', time: null },
      ],
    });
    expect(E.isLeft(result) && result.left.problems).toEqual([
      'logs[1].id: expected a non-negative integer, got -1',
    ]);
  });

  it('takes the fast path on a well-formed page: the line codec never runs and the lines are not copied', () => {
    const validate = vi.spyOn(LogLine, 'validate');
    const logs = Array.from({ length: 1000 }, (_, id) => ({
      id,
      content: `line ${id}`,
      time: 1700000000000 + id,
    }));
    const result = decode(LogPage, { logs, hasMore: 1 });
    expect(validate).not.toHaveBeenCalled();
    expect(E.isRight(result) && result.right).toStrictEqual({ logs, hasMore: true });
    expect(E.isRight(result) && result.right.logs).toBe(logs);
    // the reference does run it (the spy sees what the fast path skips)
    decode(LogPageReference, { logs, hasMore: 1 });
    expect(validate).toHaveBeenCalledTimes(1000);
  });

  it('falls back to the reference for a line it would rewrite (null optional field)', () => {
    const validate = vi.spyOn(LogLine, 'validate');
    const result = decode(LogPage, { logs: [{ id: 0, content: 'a', time: null }] });
    expect(validate).toHaveBeenCalledTimes(1);
    expect(E.isRight(result) && result.right).toStrictEqual({
      logs: [{ id: 0, content: 'a', time: undefined }],
    });
  });

  it('encodes and guards like the reference', () => {
    fc.assert(
      fc.property(page, (value) => {
        expect(LogPage.is(value)).toBe(LogPageReference.is(value));
      }),
      { numRuns: RUNS / 4 },
    );
    expect(LogPage.encode({ logs: [{ id: 0, content: 'a' }], hasMore: true })).toEqual({
      logs: [{ id: 0, content: 'a' }],
      hasMore: 1,
    });
  });
});

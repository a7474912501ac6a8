import * as E from 'fp-ts/lib/Either.js';
import { describe, expect, it } from 'vitest';
import { applyMonitors, compileMonitors, fromPython, monitorValue } from '../../src/codecs/monitors.js';

/** The seed's table example, verbatim: `monitors=[{r"name":r"Loss",r"regular":r"loss=\d+",r"sample":"loss=20"}]`. */
const SEED = { name: 'Loss', regular: String.raw`loss=\d+`, sample: 'loss=20' };

function compiled(...specs: Parameters<typeof compileMonitors>[0]) {
  const result = compileMonitors(specs);
  if (E.isLeft(result)) throw result.left;
  return result.right;
}

function problems(...specs: Parameters<typeof compileMonitors>[0]) {
  const result = compileMonitors(specs);
  return E.isLeft(result) ? result.left.problems : [];
}

describe('the value a monitor reads', () => {
  it("reads 20 from loss=20 with the seed's example (no group: the first number in the match)", () => {
    const monitors = compiled(SEED);
    expect(applyMonitors(monitors, 'loss=20')).toEqual([{ name: 'Loss', value: 20 }]);
    expect(applyMonitors(monitors, 'epoch 3 loss=7 acc=0.5')).toEqual([{ name: 'Loss', value: 7 }]);
    expect(applyMonitors(monitors, 'accuracy=0.9')).toEqual([]);
  });

  it('reads capture group 1 when the pattern has groups, even when another number comes first', () => {
    expect(monitorValue(/step (\d+) loss=([0-9.]+)/, 'step 12 loss=0.25')).toBe(12);
    expect(monitorValue(/loss=([0-9.]+)/, 'step 12 loss=0.25')).toBe(0.25);
    // a greedy group holding more than the number: its first number
    expect(monitorValue(/loss\s=\s(.*)/, 'loss = 0.5 , step = 3')).toBe(0.5);
    // group 1 did not take part, or holds no number: no value
    expect(monitorValue(/(loss)?acc=\d+/, 'acc=3')).toBeUndefined();
    expect(monitorValue(/loss=(\w+)/, 'loss=nan')).toBeUndefined();
  });

  it('reads signs, fractions and exponents; a non-capturing group is not a group', () => {
    expect(monitorValue(/delta=\S+/, 'delta=-1.5e-3')).toBe(-0.0015);
    expect(monitorValue(/(?:loss|cost)=\S+/, 'cost=.25')).toBe(0.25);
  });
});

describe('Python spellings', () => {
  it('rewrites the one-to-one ones: (?P<name>…), (?P=name), \\A and \\Z', () => {
    expect(fromPython(String.raw`(?P<loss>\d+) (?P=loss)`)).toEqual({
      source: String.raw`(?<loss>\d+) \k<loss>`,
    });
    expect(fromPython(String.raw`\Aloss=(\d+)\Z`)).toEqual({ source: String.raw`^loss=(\d+)$` });
    expect(
      monitorValue(compiled({ name: 'l', regular: String.raw`(?P<v>\d+)-(?P=v)` })[0]!.pattern, 'x 4-4'),
    ).toBe(4);
  });

  it('leaves escapes and character classes alone', () => {
    expect(fromPython(String.raw`\(?P<x>[(?#]`)).toEqual({ source: String.raw`\(?P<x>[(?#]` });
    expect(fromPython('[]a]')).toEqual({ source: '[\\]a]' });
  });

  it('refuses the Python-only constructs, naming each', () => {
    const cases: Array<[string, RegExp]> = [
      ['(?#comment)loss=(\\d+)', /comment group \(\?#…\)/],
      ['(?i)loss=(\\d+)', /inline flags \(\?i\)/],
      ['(?i:loss)=(\\d+)', /inline flags \(\?i:…\)/],
      ['(?-i:loss)=(\\d+)', /inline flags \(\?-i:…\)/],
      ['(a)?(?(1)x|y)', /conditional group/],
      ['(?>a+)b', /atomic group/],
      ['a++', /possessive quantifier \+\+/],
      ['a{1,3}+', /possessive quantifier \}\+/],
    ];
    for (const [regular, message] of cases) {
      const found = problems({ name: 'm', regular });
      expect(found).toHaveLength(1);
      expect(found[0]!.field).toBe('monitors[0].regular');
      expect(found[0]!.message).toMatch(message);
      expect(found[0]!.message).toMatch(/Python-only/);
    }
    // JavaScript's own groups are fine
    expect(problems({ name: 'm', regular: '(?:a)(?=b)(?!c)(?<=d)(?<!e)(?<n>f)' })).toEqual([]);
    expect(problems({ name: 'm', regular: 'x}+' })).toEqual([]);
  });
});

describe('compileMonitors', () => {
  it('checks the sample: the pattern must match it and read a number, naming monitors[i].sample', () => {
    expect(problems(SEED)).toEqual([]);
    expect(
      problems({ name: 'a', regular: 'loss=(\\d+)', sample: 'acc=1' }, { ...SEED, sample: 'loss=x' }),
    ).toEqual([
      { field: 'monitors[0].sample', message: 'the expression does not match this sample line' },
      { field: 'monitors[1].sample', message: 'the expression does not match this sample line' },
    ]);
    expect(problems({ name: 'a', regular: 'loss=(\\w+)', sample: 'loss=x' })).toEqual([
      {
        field: 'monitors[0].sample',
        message: 'the expression matches this sample line but its group 1 holds no number',
      },
    ]);
  });

  it('names a name missing and an expression that does not compile', () => {
    expect(problems({ name: '', regular: 'loss=([0-9' })).toEqual([
      { field: 'monitors[0].name', message: 'expected a non-empty string' },
      {
        field: 'monitors[0].regular',
        message: expect.stringMatching(/^expected a valid regular expression/),
      },
    ]);
  });
});

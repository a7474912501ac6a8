/**
 * Fitting a styled line to the terminal's width.
 * @module
 */

// Our own styles (SGR): zero-width when counting columns. Anything else in a line was neutralised.
const SGR = new RegExp(`${'\x1b'}\\[[0-9;]*m`, 'g');
const RESET = '\x1b[0m';

/**
 * `line` cut to `columns` visible characters (styles not counted, never cut in half),
 * ending in `…` (and a style reset, when the line has styles) when something was cut.
 */
export function cut(line: string, columns: number): string {
  const plain = line.replace(SGR, '');
  if ([...plain].length <= columns) return line;
  const end = plain === line ? '…' : `…${RESET}`;
  let out = '';
  let visible = 0;
  let last = 0;
  for (const match of line.matchAll(SGR)) {
    for (const char of line.slice(last, match.index)) {
      if (visible === columns - 1) return out + end;
      out += char;
      visible++;
    }
    out += match[0];
    last = match.index + match[0].length;
  }
  for (const char of line.slice(last)) {
    if (visible === columns - 1) return out + end;
    out += char;
    visible++;
  }
  return out;
}

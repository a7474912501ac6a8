/**
 * CSV input of the preset algorithms: a header row, then one row per example. The
 * label column is named by the `label` hyperparameter (default: the last column);
 * every other column is a numeric feature. A label whose values are all numbers is
 * numeric (regression targets, numeric classes); otherwise its values are class names.
 * @module
 */
import { ModelMakerError } from 'modelmaker';

/** The training input could not be used: bad CSV, unknown column, non-numeric feature, bad hyperparameter. */
export class PresetInputError extends ModelMakerError {
  readonly _tag = 'PresetInputError' as const;
  override readonly name = 'PresetInputError';
  constructor(message: string) {
    super(message, { reason: 'input' });
  }
}

/** A parsed CSV: header and rows of text cells. */
export interface CsvTable {
  readonly columns: readonly string[];
  readonly rows: readonly (readonly string[])[];
}

/** Parses CSV text (RFC 4180 quoting, `,` separator, `\n` or `\r\n` lines; blank lines skipped). */
export function parseCsv(text: string): CsvTable {
  const records: string[][] = [];
  let record: string[] = [];
  let cell = '';
  let quoted = false;
  let i = 0;
  const endRecord = () => {
    record.push(cell);
    cell = '';
    if (!(record.length === 1 && record[0]!.trim() === '')) records.push(record);
    record = [];
  };
  while (i < text.length) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        cell += '"';
        i += 2;
        continue;
      }
      if (c === '"') quoted = false;
      else cell += c;
      i += 1;
      continue;
    }
    if (c === '"' && cell === '') quoted = true;
    else if (c === ',') {
      record.push(cell);
      cell = '';
    } else if (c === '\n') endRecord();
    else if (c !== '\r') cell += c;
    i += 1;
  }
  if (quoted) throw new PresetInputError('the CSV ends inside a quoted field');
  if (cell !== '' || record.length > 0) endRecord();
  const [header, ...rows] = records;
  if (!header) throw new PresetInputError('the CSV is empty: a header row is needed');
  const columns = header.map((h) => h.trim());
  rows.forEach((row, n) => {
    if (row.length !== columns.length) {
      throw new PresetInputError(
        `CSV row ${n + 2} has ${row.length} fields, the header has ${columns.length}`,
      );
    }
  });
  return { columns, rows };
}

/** Examples ready for an algorithm. */
export interface Dataset {
  /** Feature column names, in the order of each row of `x`. */
  readonly features: readonly string[];
  readonly x: number[][];
  /** The label column's name, or undefined when the data has none (k-means with `label=none`). */
  readonly label: string | undefined;
  /** Label values (numbers when the whole column is numeric, text otherwise); `[]` without a label. */
  readonly y: ReadonlyArray<number | string>;
  readonly labelIsNumeric: boolean;
}

function toNumber(cell: string): number {
  const trimmed = cell.trim();
  return trimmed === '' ? Number.NaN : Number(trimmed);
}

/**
 * Splits a table into features and label. `label` names the label column; default the
 * last one; `'none'` means there is none. `features` names the feature columns;
 * default every column but the label.
 */
export function toDataset(table: CsvTable, label?: string, features?: readonly string[]): Dataset {
  if (table.rows.length === 0) throw new PresetInputError('the CSV has a header but no rows');
  const labelIndex =
    label === 'none'
      ? -1
      : label === undefined || label === ''
        ? table.columns.length - 1
        : table.columns.indexOf(label);
  if (labelIndex < 0 && label !== 'none') {
    throw new PresetInputError(
      `label column ${JSON.stringify(label)} is not in the header (${table.columns.join(', ')})`,
    );
  }
  const featureIndexes =
    features === undefined
      ? table.columns.map((_, i) => i).filter((i) => i !== labelIndex)
      : features.map((name) => {
          const i = table.columns.indexOf(name);
          if (i < 0 || i === labelIndex) {
            throw new PresetInputError(
              `feature column ${JSON.stringify(name)} is not in the header or is the label`,
            );
          }
          return i;
        });
  if (featureIndexes.length === 0)
    throw new PresetInputError('the CSV has no feature columns besides the label');
  const x = table.rows.map((row, r) =>
    featureIndexes.map((i) => {
      const value = toNumber(row[i]!);
      if (!Number.isFinite(value)) {
        throw new PresetInputError(
          `feature ${table.columns[i]} in CSV row ${r + 2} is not a number: ${JSON.stringify(row[i])}`,
        );
      }
      return value;
    }),
  );
  const cells = labelIndex < 0 ? [] : table.rows.map((row) => row[labelIndex]!.trim());
  const labelIsNumeric = cells.length > 0 && cells.every((c) => Number.isFinite(toNumber(c)));
  return {
    features: featureIndexes.map((i) => table.columns[i]!),
    x,
    label: labelIndex < 0 ? undefined : table.columns[labelIndex],
    y: labelIsNumeric ? cells.map(toNumber) : cells,
    labelIsNumeric,
  };
}

/** The distinct label values, sorted (numbers numerically, text by code point): index = class id. */
export function classesOf(y: ReadonlyArray<number | string>): Array<number | string> {
  const distinct = [...new Set(y)];
  return distinct.every((v) => typeof v === 'number')
    ? (distinct as number[]).sort((a, b) => a - b)
    : distinct.map(String).sort();
}

/** Mean and standard deviation per column (a constant column gets std 1, so it scales to 0). */
export function standardization(x: readonly (readonly number[])[]): { mean: number[]; std: number[] } {
  const d = x[0]?.length ?? 0;
  const mean = Array.from({ length: d }, (_, j) => x.reduce((s, row) => s + row[j]!, 0) / x.length);
  const std = mean.map((m, j) => {
    const variance = x.reduce((s, row) => s + (row[j]! - m) ** 2, 0) / x.length;
    return variance > 0 ? Math.sqrt(variance) : 1;
  });
  return { mean, std };
}

/** Applies a standardization to rows. */
export function standardize(
  x: readonly (readonly number[])[],
  s: { mean: readonly number[]; std: readonly number[] },
): number[][] {
  return x.map((row) => row.map((v, j) => (v - s.mean[j]!) / s.std[j]!));
}

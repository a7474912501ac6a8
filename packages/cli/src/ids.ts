/**
 * Argument parsers shared by the commands: ids and counts, refused by commander
 * (usage error, exit status 2) when they are not positive integers.
 * @module
 */
import { InvalidArgumentError } from 'commander';

/** A positive integer id (job, version, model, service, machine spec…). */
export function id(value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value.trim()) || !Number.isSafeInteger(n) || n < 1) {
    throw new InvalidArgumentError('expected a positive integer id');
  }
  return n;
}

/** A count or index ≥ 0 (e.g. a log line id). */
export function nonNegative(value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value.trim()) || !Number.isSafeInteger(n)) {
    throw new InvalidArgumentError('expected an integer >= 0');
  }
  return n;
}

/** A positive count (concurrency, instances…). */
export function positive(value: string): number {
  const n = nonNegative(value);
  if (n < 1) throw new InvalidArgumentError('expected a positive integer');
  return n;
}

/** Collects a repeatable option's values. */
export function collect(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value];
}

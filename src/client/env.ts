/**
 * Guarded reads of environment variables, so the SDK core loads in Node, Bun,
 * Deno (with or without `--allow-env`) and browsers alike.
 * @module
 */

interface DenoEnv {
  readonly env: { get(name: string): string | undefined };
}

/**
 * The value of environment variable `name`, or `undefined` when it is unset or the
 * runtime has no environment (browsers) or denies access (Deno without `--allow-env`).
 */
export function readEnv(name: string): string | undefined {
  try {
    const deno = (globalThis as { Deno?: DenoEnv }).Deno;
    if (deno !== undefined) return deno.env.get(name);
    const proc = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process;
    return proc?.env?.[name];
  } catch {
    return undefined;
  }
}

/** True when running on Node.js proper (not Bun or Deno's Node compatibility layer). */
export function isNode(): boolean {
  const g = globalThis as { process?: { versions?: { node?: string; bun?: string } }; Deno?: unknown };
  return (
    g.process?.versions?.node !== undefined && g.process.versions.bun === undefined && g.Deno === undefined
  );
}

/** True when running on Bun. */
export function isBun(): boolean {
  return (globalThis as { Bun?: unknown }).Bun !== undefined;
}

/** True on Windows, where POSIX file modes mean nothing. */
export function isWindows(): boolean {
  return (globalThis as { process?: { platform?: string } }).process?.platform === 'win32';
}

/**
 * A configured platform that does not answer: `openSession()` checks before handing
 * the session out, so a stale `~/.modelmaker/config.json` (naming a `modelmaker local`
 * that is no longer running) is one clear error naming the file and the ways out, not
 * a network error from deep inside the first call.
 * @module
 */
import { ModelMakerError, type Session } from 'modelmaker';
import { DEFAULT_CONFIGURED_PLATFORM_CHECK_MS } from './defaults.js';

/** Where the session's platform was configured. */
export interface PlatformOrigin {
  /** The config file it came from, when it did. */
  readonly configPath?: string | undefined;
  /** True when `$MODELMAKER_CONFIG` named that file. */
  readonly fromEnvironment: boolean;
}

/** The configured platform did not answer (refused, unreachable, timed out). */
export class PlatformUnreachable extends ModelMakerError {
  readonly _tag = 'PlatformUnreachable' as const;
  override readonly name = 'PlatformUnreachable';

  constructor(
    /** The API base URL that did not answer. */
    readonly baseUrl: string,
    /** The config file that names it, when it came from one. */
    readonly configPath: string | undefined,
    reason: string,
    fromEnvironment: boolean,
    cause: unknown,
  ) {
    super(describe(baseUrl, configPath, reason, fromEnvironment), { reason: 'unreachable', cause });
  }
}

function describe(baseUrl: string, configPath: string | undefined, reason: string, fromEnvironment: boolean) {
  if (configPath === undefined) {
    return (
      `the ModelMaker platform at ${baseUrl} does not answer (${reason}). Start it, or leave out ` +
      'baseUrl / hostBase so that openSession() starts an embedded local platform.'
    );
  }
  const otherFile = fromEnvironment
    ? 'unset MODELMAKER_CONFIG (it names that file)'
    : 'remove that file (or set MODELMAKER_CONFIG to another config file)';
  return (
    `the ModelMaker platform configured in ${configPath} does not answer at ${baseUrl} (${reason}). ` +
    `Start it (npx modelmaker local, if that command wrote the file), or ${otherFile} ` +
    'so that openSession() starts an embedded local platform.'
  );
}

/** Node's codes of a connection that could not be made, as words. */
const UNREACHABLE: Readonly<Record<string, string>> = {
  ECONNREFUSED: 'connection refused',
  ENOTFOUND: 'host not found',
  EAI_AGAIN: 'host not found',
  EHOSTUNREACH: 'host unreachable',
  ENETUNREACH: 'network unreachable',
  ETIMEDOUT: 'connection timed out',
  UND_ERR_CONNECT_TIMEOUT: 'connection timed out',
};

/** Why nothing answered, when that is what `error` says (else `undefined`: something answered). */
function unreachableReason(error: unknown, timeoutMs: number): string | undefined {
  for (let current = error, depth = 0; current instanceof Error && depth < 5; depth++) {
    if (current.name === 'TimeoutError') return `no answer within ${timeoutMs / 1000} s`;
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string' && code in UNREACHABLE) return UNREACHABLE[code];
    current = current.cause;
  }
  return undefined;
}

/**
 * Asks the session's platform for anything (`GET` its base URL, with the session's
 * `fetch` when it has one) and resolves once something answered, whatever the answer:
 * credentials, TLS and the like are the calls' own business. Fails with
 * {@link PlatformUnreachable} when the connection was refused, the host not found or
 * unreachable, or nothing came within `timeoutMs`. Quiet: no retry, no log line.
 */
export async function checkAnswers(
  session: Session,
  origin: PlatformOrigin,
  options: { readonly fetch?: typeof fetch | undefined; readonly timeoutMs?: number | undefined } = {},
): Promise<void> {
  const timeoutMs = options.timeoutMs ?? DEFAULT_CONFIGURED_PLATFORM_CHECK_MS;
  const { baseUrl } = await session.resolved();
  try {
    const answer = await (options.fetch ?? fetch)(baseUrl, { signal: AbortSignal.timeout(timeoutMs) });
    await answer.body?.cancel();
  } catch (error) {
    const reason = unreachableReason(error, timeoutMs);
    if (reason === undefined) return;
    throw new PlatformUnreachable(baseUrl, origin.configPath, reason, origin.fromEnvironment, error);
  }
}

/**
 * Which platform the contract suite runs against: the one the config file named by
 * `MODELMAKER_CONTRACT_CONFIG` points at (a `~/.modelmaker/config.json`-style file with
 * `iam_config`: a real ModelMaker deployment, or a local platform started elsewhere), or
 * else a fresh local platform started here in a temporary data dir. The session records
 * the name of every endpoint it calls, so the suite can check it covered the whole table.
 * See docs/contract-suite.md.
 * @module
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startLocalPlatform } from '@modelmaker/local';
import {
  type AnyEndpoint,
  type CallArgs,
  type CallOptions,
  type EndpointResponse,
  Session,
  type SessionOptions,
} from 'modelmaker';
import type { Observable } from 'rxjs';

// The lockfile pins AWS SDK versions that support Node 20; hide their notice about later ones.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

/** The variable naming the config file of the platform under test. */
export const CONTRACT_CONFIG_VARIABLE = 'MODELMAKER_CONTRACT_CONFIG';

/** A session that records which endpoints it called. */
export class RecordingSession extends Session {
  /** The names of the endpoints called, each once. */
  readonly called = new Set<string>();

  override call<E extends AnyEndpoint>(
    endpoint: E,
    args: CallArgs<E>,
    options?: CallOptions,
  ): Observable<EndpointResponse<E>> {
    this.called.add(endpoint.name);
    return super.call(endpoint, args, options);
  }
}

/** The platform under test. */
export interface ContractTarget {
  readonly session: RecordingSession;
  /** What it is, for the test names: `local platform` or the config file. */
  readonly description: string;
  /** True for a platform started here. */
  readonly local: boolean;
  close(): Promise<void>;
}

/** Opens the platform under test (see the module comment). */
export async function openContractTarget(options: SessionOptions = {}): Promise<ContractTarget> {
  const configPath = process.env[CONTRACT_CONFIG_VARIABLE];
  if (configPath !== undefined && configPath !== '') {
    return {
      session: new RecordingSession({ level: 40, ...options, configPath }),
      description: `the platform of ${configPath}`,
      local: false,
      close: async () => {},
    };
  }
  const dataDir = mkdtempSync(join(tmpdir(), 'mm-contract-'));
  try {
    const platform = await startLocalPlatform({ dataDir, onError: () => {} });
    return {
      session: new RecordingSession({
        level: 40,
        ...options,
        configPath: false,
        baseUrl: platform.baseUrl,
        username: platform.username,
        password: platform.password,
        bucket: platform.s3.bucket,
      }),
      description: 'a fresh local platform',
      local: true,
      async close() {
        try {
          await platform.close();
        } finally {
          rmSync(dataDir, { recursive: true, force: true });
        }
      },
    };
  } catch (error) {
    rmSync(dataDir, { recursive: true, force: true });
    throw error;
  }
}

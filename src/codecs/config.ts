/**
 * `~/.modelmaker/config.json` (or `$MODELMAKER_CONFIG`), as the Python SDK writes it:
 * `{ "iam_config": { … } }`. Every field is optional because session options can
 * supply them; unknown fields are tolerated.
 * @module
 */
import * as t from 'io-ts';
import { optionalFields, withDefault } from './common.js';

/**
 * `verify_ssl` as people write it: `true`/`false`, `0`/`1`, or the text `"true"`,
 * `"false"`, `"1"`, `"0"` (any case). Decodes and encodes as a boolean (the config file
 * is read by Python's `json`, where booleans are fine).
 */
export const VerifySsl = new t.Type<boolean, boolean, unknown>(
  'boolean | 0 | 1 | "true" | "false"',
  (u): u is boolean => typeof u === 'boolean',
  (u, c) => {
    if (typeof u === 'boolean') return t.success(u);
    if (u === 0 || u === 1) return t.success(u === 1);
    if (typeof u === 'string') {
      const text = u.trim().toLowerCase();
      if (text === 'true' || text === '1') return t.success(true);
      if (text === 'false' || text === '0') return t.success(false);
    }
    return t.failure(u, c);
  },
  t.identity,
);
/** A boolean. */
export type VerifySsl = t.TypeOf<typeof VerifySsl>;

/**
 * The `iam_config` section. Field names are the Python SDK's (snake case, and the
 * odd `access_Key`). `s3_protocol` is kept as text (`http`/`https`; the session checks
 * it). Extension: `base_url`, the API base URL given directly (the local platform
 * prints it), which bypasses the `host_base` + `region` derivation.
 */
export const IamConfig = optionalFields({
  username: t.string,
  password: t.string,
  host_base: t.string,
  region: t.string,
  verify_ssl: VerifySsl,
  s3_protocol: t.string,
  bucket: t.string,
  access_Key: t.string,
  access_Key_Secret: t.string,
  base_url: t.string,
});
/** The `iam_config` section. */
export type IamConfig = t.TypeOf<typeof IamConfig>;

/** The whole config file. A file without `iam_config` (or with `null`) decodes as `{ iam_config: {} }`. */
export const ConfigFile = t.type({ iam_config: withDefault(IamConfig, () => ({})) });
/** The whole config file. */
export type ConfigFile = t.TypeOf<typeof ConfigFile>;

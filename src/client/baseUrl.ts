/**
 * The API base URL ("iam server") from `host_base` and `region`, as the contract
 * says: an IP address or `localhost` is kept as is, any other host gets the region
 * prefixed (`https://mmr.example.com:9948/mmr` + `js01` →
 * `https://js01mmr.example.com:9948/mmr`). An explicit base URL wins.
 * @module
 */
import { ValidationError } from '../errors.js';

/** What the base URL is derived from (Session options or the config file). */
export interface BaseUrlInput {
  /** Used as is (after normalisation) when given. */
  readonly baseUrl?: string | undefined;
  /** `host_base` of the config file, e.g. `https://mmr.example.com:9948/mmr` or `172.16.14.201:9048/mmr`. */
  readonly hostBase?: string | undefined;
  /** `region` of the config file, e.g. `js01`; empty or absent means no prefix. */
  readonly region?: string | undefined;
}

const HAS_SCHEME = /^[a-z][a-z0-9+.-]*:\/\//i;
const IPV4 = /^(25[0-5]|2[0-4]\d|1?\d?\d)(\.(25[0-5]|2[0-4]\d|1?\d?\d)){3}$/;

/**
 * True for hosts that are addresses rather than names: IPv4, bracketed IPv6
 * literals (`[::1]`) and `localhost`. The region prefix is never applied to them
 * (`js01[::1]` or `js01127.0.0.1` would be nonsense).
 */
export function isAddressHost(hostname: string): boolean {
  const host = hostname.toLowerCase();
  return IPV4.test(host) || (host.startsWith('[') && host.endsWith(']')) || host === 'localhost';
}

/** The host part of a scheme-less `host[:port][/path]`, brackets of IPv6 literals kept. */
function bareHost(text: string): string {
  const authority = text.split('/')[0] ?? '';
  if (authority.startsWith('[')) return authority.slice(0, authority.indexOf(']') + 1);
  return authority.split(':')[0] ?? '';
}

/**
 * Parses a URL that may lack its scheme. Without one, an address host (see
 * {@link isAddressHost}) gets `http://` — the seed's example `172.16.14.201:9048/mmr`
 * is a plain-HTTP intranet server — and a domain name gets `https://`.
 */
function parseLenient(text: string, field: string): URL {
  const trimmed = text.trim();
  const withScheme = HAS_SCHEME.test(trimmed)
    ? trimmed
    : `${isAddressHost(bareHost(trimmed)) ? 'http' : 'https'}://${trimmed}`;
  try {
    const url = new URL(withScheme);
    if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new TypeError(url.protocol);
    return url;
  } catch (cause) {
    throw new ValidationError([{ field, message: `not an http(s) URL: ${JSON.stringify(text)}` }], { cause });
  }
}

/** `origin + path`, no trailing slash, query and fragment dropped. */
function serialise(url: URL): string {
  return `${url.origin}${url.pathname.replace(/\/+$/, '')}`;
}

/**
 * Derives the API base URL.
 *
 * @throws ValidationError (field `host_base` or `baseUrl`) when neither is given or the text is not a URL.
 * @example
 * ```ts
 * deriveBaseUrl({ hostBase: 'https://mmr.example.com:9948/mmr', region: 'js01' });
 * // 'https://js01mmr.example.com:9948/mmr'
 * deriveBaseUrl({ hostBase: '172.16.14.201:9048/mmr', region: 'js01' });
 * // 'http://172.16.14.201:9048/mmr'
 * ```
 */
export function deriveBaseUrl(input: BaseUrlInput): string {
  if (input.baseUrl !== undefined && input.baseUrl.trim() !== '') {
    return serialise(parseLenient(input.baseUrl, 'baseUrl'));
  }
  if (input.hostBase === undefined || input.hostBase.trim() === '') {
    throw new ValidationError([
      {
        field: 'host_base',
        message: 'required: give hostBase (or baseUrl) or set host_base in the config file',
      },
    ]);
  }
  const url = parseLenient(input.hostBase, 'host_base');
  const region = input.region?.trim() ?? '';
  if (region !== '' && !isAddressHost(url.hostname)) url.hostname = `${region}${url.hostname}`;
  return serialise(url);
}

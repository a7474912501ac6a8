/**
 * Which address the platform binds and which it puts in URLs: the literal
 * `127.0.0.1` by default; a wildcard bind (`0.0.0.0`, `::`) is advertised as the
 * machine's first external IPv4 (or the loopback when it has none) unless told.
 * @module
 */
import { networkInterfaces } from 'node:os';
import { DEFAULT_LOCAL_HOST } from '../defaults.js';

/** True for an address that binds every interface. */
export function isWildcard(host: string): boolean {
  return host === '0.0.0.0' || host === '::' || host === '';
}

function externalIpv4(): string | undefined {
  for (const addresses of Object.values(networkInterfaces())) {
    for (const address of addresses ?? [])
      if (address.family === 'IPv4' && !address.internal) return address.address;
  }
  return undefined;
}

/** The host put in URLs for a platform bound to `host`. */
export function advertisedHost(host: string, advertise: string | undefined): string {
  return advertise ?? (isWildcard(host) ? (externalIpv4() ?? DEFAULT_LOCAL_HOST) : host);
}

/** `url`'s origin with its host replaced by `host` (IPv6 literals bracketed). */
export function withHost(url: string, host: string): string {
  const parsed = new URL(url);
  parsed.hostname = host.includes(':') ? `[${host}]` : host;
  return parsed.origin;
}

/** `url` reachable from this machine: a wildcard host becomes the loopback. */
export function loopbackUrl(url: string): string {
  return url.replace(/\/\/(0\.0\.0\.0|\[::\])/, `//${DEFAULT_LOCAL_HOST}`);
}

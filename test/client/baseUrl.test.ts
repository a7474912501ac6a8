import { describe, expect, it } from 'vitest';
import { deriveBaseUrl, isAddressHost } from '../../src/client/baseUrl.js';

describe('deriveBaseUrl', () => {
  it.each([
    [
      'prefixes the region to a domain host',
      'https://mmr.example.com:9948/mmr',
      'js01',
      'https://js01mmr.example.com:9948/mmr',
    ],
    ['keeps an IPv4 host as is', 'http://172.16.14.201:9048/mmr', 'js01', 'http://172.16.14.201:9048/mmr'],
    ['keeps localhost as is', 'http://localhost:8080/', 'js01', 'http://localhost:8080'],
    ['keeps an IPv6 literal as is', 'http://[::1]:8080/mmr', 'js01', 'http://[::1]:8080/mmr'],
    [
      'adds http:// to a scheme-less IPv4 host (the seed example)',
      '172.16.14.201:9048/mmr',
      'js01',
      'http://172.16.14.201:9048/mmr',
    ],
    [
      'adds https:// to a scheme-less domain',
      'mmr.example.com/mmr',
      'js01',
      'https://js01mmr.example.com/mmr',
    ],
    [
      'adds nothing without a region',
      'https://mmr.example.com/mmr/',
      undefined,
      'https://mmr.example.com/mmr',
    ],
    ['treats an empty region as none', 'https://mmr.example.com', '', 'https://mmr.example.com'],
  ])('%s', (_, hostBase, region, expected) => {
    expect(deriveBaseUrl({ hostBase, region })).toBe(expected);
  });

  it('lets an explicit base URL win over host_base and region', () => {
    expect(
      deriveBaseUrl({
        baseUrl: 'http://127.0.0.1:7000/api/',
        hostBase: 'https://mmr.example.com',
        region: 'js01',
      }),
    ).toBe('http://127.0.0.1:7000/api');
  });

  it('rejects a missing host_base with a ValidationError naming it', () => {
    expect(() => deriveBaseUrl({ region: 'js01' })).toThrow(
      expect.objectContaining({ _tag: 'ValidationError' }),
    );
    expect(() => deriveBaseUrl({})).toThrow(/host_base/);
  });

  it('rejects something that is not an http(s) URL', () => {
    expect(() => deriveBaseUrl({ hostBase: 'ftp://files.example.com' })).toThrow(
      expect.objectContaining({ _tag: 'ValidationError' }),
    );
    expect(() => deriveBaseUrl({ baseUrl: 'http://' })).toThrow(
      expect.objectContaining({ _tag: 'ValidationError' }),
    );
  });
});

describe('isAddressHost', () => {
  it('knows addresses from names', () => {
    expect(isAddressHost('10.0.0.1')).toBe(true);
    expect(isAddressHost('LOCALHOST')).toBe(true);
    expect(isAddressHost('[fe80::1]')).toBe(true);
    expect(isAddressHost('10.0.0.256')).toBe(false);
    expect(isAddressHost('mmr.example.com')).toBe(false);
    expect(isAddressHost('1.2.3.example.com')).toBe(false);
  });
});

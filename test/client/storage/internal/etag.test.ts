import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { etagMatches, md5Hex, multipartEtag } from '../../../../src/client/storage/internal/etag.js';

const md5 = (content: Uint8Array | string) => createHash('md5').update(content).digest('base64');

describe('ETags as evidence of content', () => {
  it("computes S3's multipart ETag: the MD5 of the parts' binary MD5s, then -<parts> (vector made with openssl)", () => {
    // (openssl md5 -binary p1; openssl md5 -binary p2) | openssl md5, with p1 = "hello", p2 = "world!"
    expect(multipartEtag([md5('hello'), md5('world!')])).toBe('d0e2a57660a3e97ebbae6b69b8c83b4a-2');
    expect(md5Hex(md5('hello'))).toBe('5d41402abc4b2a76b9719d911017c592');
  });

  it("a plain ETag proves the content only when it is that content's MD5, in any case (fast-check)", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), fc.uint8Array({ maxLength: 64 }), (a, b) => {
        const etag = createHash('md5').update(a).digest('hex');
        expect(etagMatches(etag, { md5: md5(a) })).toBe(true);
        expect(etagMatches(etag.toUpperCase(), { md5: md5(a) })).toBe(true);
        expect(etagMatches(etag, { md5: md5(b) })).toBe(Buffer.from(a).equals(Buffer.from(b)));
        // Part MD5s say nothing about a plain ETag.
        expect(etagMatches(etag, { partMd5: [md5(a)] })).toBe(false);
      }),
    );
  });

  it('a multipart ETag proves the content only with the same parts, same count (fast-check)', () => {
    fc.assert(
      fc.property(fc.array(fc.uint8Array({ maxLength: 16 }), { minLength: 1, maxLength: 6 }), (parts) => {
        const partMd5 = parts.map((part) => md5(part));
        const etag = multipartEtag(partMd5);
        expect(etagMatches(etag, { partMd5 })).toBe(true);
        expect(etagMatches(etag, { partMd5: [...partMd5, md5('more')] })).toBe(false);
        expect(etagMatches(etag, { partMd5: partMd5.map((m, i) => (i === 0 ? md5('other') : m)) })).toBe(
          parts.length > 0 && md5('other') === partMd5[0],
        );
        // The whole MD5 says nothing about a multipart ETag.
        expect(etagMatches(etag, { md5: md5(Buffer.concat(parts)) })).toBe(false);
      }),
    );
  });

  it('says nothing for ETags of other forms (encrypted objects, other stores) or none', () => {
    const evidence = { md5: md5('x'), partMd5: [md5('x')] };
    for (const etag of [undefined, '', 'W/"abc"', 'not-a-hash', `${md5Hex(md5('x'))}-x`, 'z'.repeat(32)]) {
      expect(etagMatches(etag, evidence)).toBe(false);
    }
  });
});

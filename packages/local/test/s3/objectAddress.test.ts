import * as E from 'fp-ts/lib/Either.js';
import { describe, expect, it } from 'vitest';
import { checkObjectAddress } from '../../src/s3/objectAddress.js';

describe('checkObjectAddress: the s3:// addresses a request body may name', () => {
  it('accepts objects, folders (one trailing /) and a bucket root', () => {
    expect(checkObjectAddress('s3://modelmaker/out/model.bin')).toEqual(
      E.right({ bucket: 'modelmaker', key: 'out/model.bin' }),
    );
    expect(checkObjectAddress('s3://modelmaker/out/')).toEqual(
      E.right({ bucket: 'modelmaker', key: 'out/' }),
    );
    expect(checkObjectAddress('s3://modelmaker/')).toEqual(E.right({ bucket: 'modelmaker', key: '' }));
    expect(checkObjectAddress('s3://my.team-bucket/a..b/c')).toEqual(
      E.right({ bucket: 'my.team-bucket', key: 'a..b/c' }),
    );
  });

  it.each([
    ['/tmp/out', /expected an s3:\/\/bucket\/key address/],
    ['s3://Bad_Bucket/x', /expected an s3:\/\/bucket\/key address/],
    ['s3://a..b/x', /not a valid bucket name/],
    ['s3://modelmaker/../../credentials.json', /"\.\." path segments/],
    ['s3://modelmaker/out/./x', /"\.\." path segments/],
    ['s3://modelmaker/out//x', /empty path segment/],
    ['s3://modelmaker//out/', /empty path segment/],
    ['s3://modelmaker/out\0/x', /NUL/],
  ])('refuses %j, saying why', (uri, why) => {
    const checked = checkObjectAddress(uri);
    expect(E.isLeft(checked) && checked.left).toMatch(why);
  });
});

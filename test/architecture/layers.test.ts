/**
 * The import graph keeps the layering docs/architecture.md promises: in the SDK,
 * api → streams → client → codecs and never back; the SDK never imports the
 * workspace packages; the packages use the SDK by its name ('modelmaker',
 * 'modelmaker/storage'), not by a relative path into src/. The checker is first shown
 * to catch each kind of violation on a small made-up graph, then run on the repository.
 */
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { importsOf, repositoryImports, type SourceImports, violations } from './importGraph.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

describe('the import checker', () => {
  it('finds every form of import: static, type-only, re-exports, require, import() calls and types', () => {
    const text = `
      import a from './a.js';
      import type { B } from '../b.js';
      import './side-effect.js';
      export { c } from './c.js';
      export * from './d.js';
      import e = require('./e.js');
      const f = await import('./f.js');
      const g = require('./g.js');
      type H = typeof import('./h.js');
      let i: import('./i.js').I;
      // import { no } from './comment.js';
      const text = "import { no } from './string.js'";
    `;
    expect(importsOf('x.ts', text)).toEqual([
      './a.js',
      '../b.js',
      './side-effect.js',
      './c.js',
      './d.js',
      './e.js',
      './f.js',
      './g.js',
      './h.js',
      './i.js',
    ]);
  });

  it('catches each kind of violation on a made-up graph, and lets the allowed imports through', () => {
    const graph: SourceImports[] = [
      // allowed: downward, within a layer, the shared base, third parties, the SDK by name from a package
      {
        path: 'src/api/estimator.ts',
        imports: ['../streams/fit.js', '../client/session.js', '../errors.js', './predictor.js', 'rxjs'],
      },
      {
        path: 'src/streams/fit.ts',
        imports: ['../client/training.js', '../codecs/training.js', '../defaults.js'],
      },
      { path: 'src/client/session.ts', imports: ['../codecs/auth.js', './storage/index.js', 'node:fs'] },
      { path: 'src/codecs/training.ts', imports: ['./common.js', '../errors.js', 'io-ts'] },
      { path: 'src/index.ts', imports: ['./api/estimator.js', './streams/index.js'] },
      {
        path: 'packages/cli/src/main.ts',
        imports: ['modelmaker', 'modelmaker/storage', '@modelmaker/local', './jobs.js'],
      },
      {
        path: 'packages/local/test/x.test.ts',
        imports: ['../src/server.js', '../../local/src/y.js', 'modelmaker'],
      },
      // violations, one of each kind
      {
        path: 'src/codecs/bad.ts',
        imports: ['../client/session.js', '../streams/fit.js', '../api/model.js'],
      },
      { path: 'src/client/bad.ts', imports: ['../streams/poll.js', '../api'] },
      { path: 'src/streams/deploy.ts', imports: ['../api/predictor.js'] },
      { path: 'src/errors.ts', imports: ['./codecs/common.js'] },
      { path: 'src/api/bad.ts', imports: ['../index.js', '../feeds/sse.js'] },
      { path: 'src/streams/bad.ts', imports: ['../feeds/sse.js'] },
      { path: 'src/feeds/bad.ts', imports: ['../api/model.js', '../streams/logs.js'] },
      {
        path: 'src/client/local.ts',
        imports: ['../../packages/local/src/index.js', '@modelmaker/local', 'modelmaker'],
      },
      { path: 'packages/cli/src/bad.ts', imports: ['../../../src/index.js', '../../local/src/index.js'] },
      {
        path: 'packages/local/src/bad.ts',
        imports: ['../../../src/client/storage/index.js', '@modelmaker/cli'],
      },
    ];
    expect(violations(graph).map((v) => `${v.from} ${v.specifier}: ${v.rule}`)).toEqual([
      'src/codecs/bad.ts ../client/session.js: codecs must not import client (layers one way: api, feeds → streams → client → codecs)',
      'src/codecs/bad.ts ../streams/fit.js: codecs must not import streams (layers one way: api, feeds → streams → client → codecs)',
      'src/codecs/bad.ts ../api/model.js: codecs must not import api (layers one way: api, feeds → streams → client → codecs)',
      'src/client/bad.ts ../streams/poll.js: client must not import streams (layers one way: api, feeds → streams → client → codecs)',
      'src/client/bad.ts ../api: client must not import api (layers one way: api, feeds → streams → client → codecs)',
      'src/streams/deploy.ts ../api/predictor.js: streams must not import api (layers one way: api, feeds → streams → client → codecs)',
      'src/errors.ts ./codecs/common.js: base must not import codecs (layers one way: api, feeds → streams → client → codecs)',
      'src/api/bad.ts ../index.js: api must not import index (layers one way: api, feeds → streams → client → codecs)',
      'src/api/bad.ts ../feeds/sse.js: api must not import feeds (siblings on streams)',
      'src/streams/bad.ts ../feeds/sse.js: streams must not import feeds (layers one way: api, feeds → streams → client → codecs)',
      'src/feeds/bad.ts ../api/model.js: feeds must not import api (layers one way: api, feeds → streams → client → codecs)',
      'src/client/local.ts ../../packages/local/src/index.js: the SDK (src/) must not import the workspace packages (packages/*, @modelmaker/*)',
      'src/client/local.ts @modelmaker/local: the SDK (src/) must not import the workspace packages (packages/*, @modelmaker/*)',
      'src/client/local.ts modelmaker: the SDK (src/) must not import itself by its package name',
      "packages/cli/src/bad.ts ../../../src/index.js: packages/cli must import the SDK as 'modelmaker' or 'modelmaker/storage', not by a relative path",
      'packages/cli/src/bad.ts ../../local/src/index.js: packages/cli must import other packages by their name, not by a relative path',
      "packages/local/src/bad.ts ../../../src/client/storage/index.js: packages/local must import the SDK as 'modelmaker' or 'modelmaker/storage', not by a relative path",
      'packages/local/src/bad.ts @modelmaker/cli: packages/local must not import the CLI (packages one way: cli → local → modelmaker)',
    ]);
  });
});

describe('the repository', () => {
  const files = repositoryImports(ROOT);

  it('is scanned whole: every SDK layer and every package has files, and the layers import each other downwards', () => {
    const under = (prefix: string) => files.filter((file) => file.path.startsWith(prefix));
    for (const prefix of [
      'src/api/',
      'src/streams/',
      'src/feeds/',
      'src/client/',
      'src/codecs/',
      'packages/local/src/',
      'packages/local/test/',
      'packages/cli/src/',
      'packages/cli/test/',
      'packages/cli/bin/',
    ])
      expect(under(prefix).length, prefix).toBeGreaterThan(0);
    const importsInto = (prefix: string, layer: string) =>
      under(prefix).some((file) => file.imports.some((specifier) => specifier.startsWith(`../${layer}/`)));
    expect(importsInto('src/api/', 'streams')).toBe(true);
    expect(importsInto('src/feeds/', 'streams')).toBe(true);
    expect(importsInto('src/streams/', 'client')).toBe(true);
    expect(importsInto('src/client/', 'codecs')).toBe(true);
  });

  it('keeps every rule: no import runs against the layers or around the package names', () => {
    expect(violations(files)).toEqual([]);
  });
});

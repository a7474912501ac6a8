/**
 * The import graph of the repository and the rules it must keep: the SDK's layers go
 * one way (api → streams → client → codecs, the shared `errors`/`defaults` below them),
 * the SDK never reaches into the workspace packages, and the packages use the SDK by
 * its name (test helpers aside, which test folders may share). Parsing is TypeScript's own (`ts.createSourceFile`), so every form of
 * import counts: `import`, `import type`, `export … from`, `import x = require()`,
 * `import()` calls and `typeof import()` types.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { extname, join, posix, relative, sep } from 'node:path';
import ts from 'typescript';

/** One source file and the module specifiers it imports, as written. */
export interface SourceImports {
  /** Path from the repository root, with `/` separators. */
  readonly path: string;
  readonly imports: readonly string[];
}

/** An import that breaks a rule. */
export interface Violation {
  readonly from: string;
  /** The specifier as written. */
  readonly specifier: string;
  /** Which rule, in words. */
  readonly rule: string;
}

/** Every module specifier `text` imports (in order of appearance). */
export function importsOf(fileName: string, text: string): string[] {
  const source = ts.createSourceFile(fileName, text, ts.ScriptTarget.Latest, false);
  const found: string[] = [];
  const literal = (node: ts.Node | undefined) => {
    if (node !== undefined && ts.isStringLiteralLike(node)) found.push(node.text);
  };
  const visit = (node: ts.Node): void => {
    if (ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) literal(node.moduleSpecifier);
    else if (ts.isImportEqualsDeclaration(node) && ts.isExternalModuleReference(node.moduleReference))
      literal(node.moduleReference.expression);
    else if (
      ts.isCallExpression(node) &&
      (node.expression.kind === ts.SyntaxKind.ImportKeyword ||
        (ts.isIdentifier(node.expression) && node.expression.text === 'require'))
    )
      literal(node.arguments[0]);
    else if (ts.isImportTypeNode(node) && ts.isLiteralTypeNode(node.argument)) literal(node.argument.literal);
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

/**
 * The SDK's layers, lowest first: a file may import its own layer and those below it.
 * `feeds` (bridges out of the streams: async iterables, web streams, SSE, OpenTelemetry)
 * sits on `streams`, beside `api`: neither imports the other.
 */
const LAYERS = ['base', 'codecs', 'client', 'streams', 'feeds', 'api', 'index'] as const;
type Layer = (typeof LAYERS)[number];

/** Layers side by side: the first may not import the second although it is listed above it. */
const SIBLINGS: ReadonlySet<string> = new Set(['api→feeds']);

/** The layer of a path under `src/` (`src/index` is the root barrel; other top-level files are the shared base). */
function layerOf(path: string): Layer | undefined {
  if (!path.startsWith('src/')) return undefined;
  const [first, ...rest] = path.slice('src/'.length).split('/');
  if (first === undefined) return undefined;
  if ((LAYERS as readonly string[]).includes(first)) return first as Layer; // a file in it, or the folder itself
  return rest.length === 0 && first.replace(/\.[cm]?[jt]sx?$/, '') === 'index' ? 'index' : 'base';
}

/** The package directory (`packages/<name>`) a path is in, if any. */
function packageOf(path: string): string | undefined {
  const match = /^packages\/[^/]+/.exec(path);
  return match?.[0];
}

const isRelative = (specifier: string) =>
  specifier === '.' || specifier === '..' || specifier.startsWith('./') || specifier.startsWith('../');
const isSdkName = (specifier: string) => specifier === 'modelmaker' || specifier.startsWith('modelmaker/');
const isWorkspaceName = (specifier: string) => specifier.startsWith('@modelmaker/');

/** The rules, applied to one import. `target` is the repository path a relative specifier points at. */
function check(from: string, specifier: string, target: string | undefined): string | undefined {
  const fromLayer = layerOf(from);
  if (fromLayer !== undefined) {
    if (isWorkspaceName(specifier) || target?.startsWith('packages/'))
      return 'the SDK (src/) must not import the workspace packages (packages/*, @modelmaker/*)';
    if (isSdkName(specifier)) return 'the SDK (src/) must not import itself by its package name';
    const toLayer = target === undefined ? undefined : layerOf(target);
    if (toLayer !== undefined && SIBLINGS.has(`${fromLayer}→${toLayer}`))
      return `${fromLayer} must not import ${toLayer} (siblings on streams)`;
    if (toLayer !== undefined && LAYERS.indexOf(toLayer) > LAYERS.indexOf(fromLayer))
      return `${fromLayer} must not import ${toLayer} (layers one way: api, feeds → streams → client → codecs)`;
    return undefined;
  }
  const pkg = packageOf(from);
  if (pkg !== undefined && target !== undefined && !target.startsWith(`${pkg}/`)) {
    if (target.startsWith('src/'))
      return `${pkg} must import the SDK as 'modelmaker' or 'modelmaker/storage', not by a relative path`;
    // Test helpers may be shared between test folders (they are not published); code is imported by name.
    if (/^packages\/[^/]+\/(src|bin)(\/|$)/.test(target))
      return `${pkg} must import other packages by their name, not by a relative path`;
  }
  if (pkg === 'packages/local' && specifier.startsWith('@modelmaker/cli'))
    return 'packages/local must not import the CLI (packages one way: cli → local → modelmaker)';
  return undefined;
}

/** The imports of `files` that break a rule. */
export function violations(files: readonly SourceImports[]): Violation[] {
  const found: Violation[] = [];
  for (const file of files) {
    for (const specifier of file.imports) {
      const target = isRelative(specifier)
        ? posix.normalize(posix.join(posix.dirname(file.path), specifier))
        : undefined;
      const rule = check(file.path, specifier, target);
      if (rule !== undefined) found.push({ from: file.path, specifier, rule });
    }
  }
  return found;
}

const SOURCE_EXTENSIONS = new Set(['.ts', '.mts', '.cts', '.tsx', '.js', '.mjs', '.cjs']);
const SKIPPED_DIRECTORIES = new Set(['node_modules', 'dist']);

/** Every source file under `directory` (no `node_modules`, no `dist`), as paths from `root`. */
function sourceFiles(root: string, directory: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(join(root, directory), { withFileTypes: true })) {
    const path = join(directory, entry.name);
    if (entry.isDirectory()) {
      if (!SKIPPED_DIRECTORIES.has(entry.name)) out.push(...sourceFiles(root, path));
    } else if (SOURCE_EXTENSIONS.has(extname(entry.name)) && !entry.name.endsWith('.d.ts')) {
      out.push(path);
    }
  }
  return out;
}

/** The SDK's `src/` and every workspace package's sources, tests and bin, with their imports. */
export function repositoryImports(root: string): SourceImports[] {
  const packages = readdirSync(join(root, 'packages'), { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .map((entry) => join('packages', entry.name));
  return ['src', ...packages].flatMap((directory) =>
    sourceFiles(root, directory).map((path) => ({
      path: relative(root, join(root, path)).split(sep).join('/'),
      imports: importsOf(path, readFileSync(join(root, path), 'utf8')),
    })),
  );
}

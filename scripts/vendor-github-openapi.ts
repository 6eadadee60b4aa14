import { isDeepStrictEqual } from 'node:util';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * Extracts contracts/github-api-subset.json from GitHub's full REST description of api.github.com, so the
 * subset can be regenerated and audited:
 *
 *   node --import ./scripts/ts-loader.mjs scripts/vendor-github-openapi.ts \
 *     <api.github.com.json> [<api.github.com.deref.json>] > contracts/github-api-subset.json
 *
 * The input is `generated/api.github.com.json` of the npm package @octokit/openapi (GitHub's
 * github/rest-api-description with Octokit's `x-octokit` extension; `$ref`s kept). The subset keeps the
 * operations below, each path item and operation object unchanged except that a path item loses the
 * operations not listed, and every component they reference, transitively, unchanged; `openapi`, `info`,
 * `servers` and `externalDocs` unchanged, `tags` only those the kept operations name, nothing else
 * (`x-webhooks` and every other path, operation and component are left out). Order is the input's.
 *
 * Given the package's `api.github.com.deref.json` too (every `$ref` resolved, what the GitHub stand-in used
 * to load), it checks that each kept operation, dereferenced as the stand-in dereferences the subset,
 * equals that file's, and fails otherwise.
 */

/** The operations the product calls (src/github) and the GitHub stand-in serves (test/github/standin). */
export const SERVED_OPERATIONS = [
  'repos/list-deployments',
  'repos/create-deployment',
  'repos/list-deployment-statuses',
  'repos/create-deployment-status',
  'issues/list-comments',
  'issues/create-comment',
  'issues/update-comment',
  'issues/delete-comment',
  'pulls/get',
  'users/get-authenticated',
] as const;

/**
 * Kept only so the checker's handling of a closed request body (`additionalProperties: false`) stays
 * tested against GitHub's own data: none of the served operations has one. The stand-in does not serve it.
 */
export const WITNESS_OPERATIONS = ['code-security/attach-configuration'] as const;

const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'];

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };

export interface Description extends JsonObject {
  paths: { [path: string]: JsonObject };
  components: { [section: string]: JsonObject };
}

/** The subset of `doc` holding `operationIds` and what they reference; throws when one is missing. */
export function extractSubset(
  doc: Description,
  operationIds: readonly string[] = [...SERVED_OPERATIONS, ...WITNESS_OPERATIONS],
): Description {
  const wanted = new Set(operationIds);
  const found = new Set<string>();
  const paths: Description['paths'] = {};
  for (const [template, item] of Object.entries(doc.paths)) {
    const kept: JsonObject = {};
    let any = false;
    for (const [key, value] of Object.entries(item)) {
      if (!METHODS.includes(key)) {
        kept[key] = value;
        continue;
      }
      const operationId = (value as JsonObject).operationId as string;
      if (!wanted.has(operationId)) continue;
      if (found.has(operationId)) throw new Error(`operation ${operationId} appears twice`);
      found.add(operationId);
      kept[key] = value;
      any = true;
    }
    if (any) paths[template] = kept;
  }
  const missing = operationIds.filter((id) => !found.has(id));
  if (missing.length > 0) throw new Error(`the description has no operation ${missing.join(', ')}`);

  const refs = new Set<string>();
  const visit = (value: Json): void => {
    if (Array.isArray(value)) {
      value.forEach(visit);
    } else if (value !== null && typeof value === 'object') {
      const ref = value.$ref;
      if (typeof ref === 'string' && !refs.has(ref)) {
        refs.add(ref);
        visit(resolvePointer(doc, ref));
      }
      for (const [key, child] of Object.entries(value)) if (key !== '$ref') visit(child);
    }
  };
  Object.values(paths).forEach(visit);

  const components: Description['components'] = {};
  for (const [section, entries] of Object.entries(doc.components)) {
    const kept = Object.fromEntries(
      Object.entries(entries).filter(([name]) => refs.has(`#/components/${section}/${escape(name)}`)),
    );
    if (Object.keys(kept).length > 0) components[section] = kept;
  }
  for (const ref of refs) {
    if (!/^#\/components\/[^/]+\/[^/]+$/.test(ref)) throw new Error(`unexpected $ref ${ref}`);
  }

  const tagNames = new Set(
    Object.values(paths).flatMap((item) =>
      METHODS.flatMap((method) => ((item[method] as JsonObject | undefined)?.tags ?? []) as string[]),
    ),
  );
  const subset: JsonObject = {};
  for (const [key, value] of Object.entries(doc)) {
    if (key === 'paths') subset.paths = paths;
    else if (key === 'components') subset.components = components;
    else if (key === 'tags')
      subset.tags = (value as JsonObject[]).filter((tag) => tagNames.has(tag.name as string));
    else if (['openapi', 'info', 'servers', 'externalDocs'].includes(key)) subset[key] = value;
  }
  return subset as Description;
}

/**
 * `value` with every `$ref` (a local JSON pointer into `doc`) replaced by what it points to, recursively;
 * keys beside a `$ref` are ignored, as OpenAPI 3.0 says. A cycle throws: GitHub's description has none in
 * what the subset keeps, and the stand-in relies on fully resolved schemas.
 */
export function dereference<T>(doc: Description, value: T, seen: readonly string[] = []): T {
  if (Array.isArray(value)) return value.map((item) => dereference(doc, item, seen)) as T;
  if (value === null || typeof value !== 'object') return value;
  const ref = (value as JsonObject).$ref;
  if (typeof ref === 'string') {
    if (seen.includes(ref)) throw new Error(`$ref cycle: ${[...seen, ref].join(' -> ')}`);
    return dereference(doc, resolvePointer(doc, ref), [...seen, ref]) as T;
  }
  return Object.fromEntries(
    Object.entries(value).map(([key, child]) => [key, dereference(doc, child, seen)]),
  ) as T;
}

function resolvePointer(doc: Description, ref: string): Json {
  if (!ref.startsWith('#/')) throw new Error(`only local $refs are supported, not ${ref}`);
  let node: Json = doc;
  for (const raw of ref.slice(2).split('/')) {
    const key = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    if (node === null || typeof node !== 'object' || Array.isArray(node) || !(key in node)) {
      throw new Error(`$ref ${ref} points at nothing`);
    }
    node = node[key]!;
  }
  return node;
}

function withoutDiscriminators(value: Json): Json {
  if (Array.isArray(value)) return value.map(withoutDiscriminators);
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(
    Object.entries(value)
      .filter(([key]) => key !== 'discriminator')
      .map(([key, child]) => [key, withoutDiscriminators(child)]),
  );
}

function escape(name: string): string {
  return name.replace(/~/g, '~0').replace(/\//g, '~1');
}

/** Problems where a kept operation, dereferenced, differs from the fully dereferenced description's. */
export function compareWithDereferenced(subset: Description, deref: Description): string[] {
  const problems: string[] = [];
  for (const [template, item] of Object.entries(subset.paths)) {
    for (const method of METHODS) {
      if (!item[method]) continue;
      const expected = deref.paths[template]?.[method];
      // The package's dereferenced file drops `discriminator` (its mapping names $refs); the rest must match.
      if (!isDeepStrictEqual(withoutDiscriminators(dereference(subset, item[method])), expected)) {
        problems.push(`${method.toUpperCase()} ${template} differs from the dereferenced description`);
      }
    }
  }
  return problems;
}

export function serialise(subset: Description): string {
  return `${JSON.stringify(subset, null, 2)}\n`;
}

function main(args: string[]): void {
  const [input, derefInput] = args;
  if (!input || args.length > 2) {
    console.error(
      'usage: node --import ./scripts/ts-loader.mjs scripts/vendor-github-openapi.ts ' +
        '<api.github.com.json> [<api.github.com.deref.json>]',
    );
    process.exit(2);
  }
  const read = (file: string): Description => JSON.parse(readFileSync(file, 'utf8')) as Description;
  const subset = extractSubset(read(input));
  if (derefInput) {
    const problems = compareWithDereferenced(subset, read(derefInput));
    if (problems.length > 0) {
      console.error(problems.join('\n'));
      process.exit(1);
    }
    console.error(`every kept operation equals its dereferenced form in ${derefInput}`);
  }
  process.stdout.write(serialise(subset));
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main(process.argv.slice(2));
}

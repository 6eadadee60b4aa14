import { LineCounter, isMap, isScalar, isSeq, parseDocument } from 'yaml';
import type { Document, Node as YamlNode } from 'yaml';
import { z } from 'zod';
import type { core } from 'zod';
import { ConfigurationError } from '../errors.js';
import { echoed } from '../util/echo.js';
import { closestMatch } from '../util/edit-distance.js';
import { checkSpecFiles, readSpecFile, specFolder } from './files.js';
import type { FileRoot } from './files.js';
import { adoptProductionLayout } from './production-layout.js';
import { checkSpecRules } from './rules.js';
import type { RuleIssue, SpecPath } from './rules.js';
import { splitExplanation } from './schema-fields.js';
import { TwinSpecSchema } from './schema.js';
import type { TwinSpec } from './schema.js';

/** Reads twin.yaml: YAML syntax, then shape (schema.ts), then cross-field rules (rules.ts), each with file:line:col. */

export interface SpecIssue {
  severity: 'error' | 'warning';
  file: string;
  line: number;
  column: number;
  /** Where in the spec, e.g. clusters[1].network.gateway; empty for YAML syntax errors. */
  path: string;
  message: string;
  fix: string;
}

export class SpecError extends ConfigurationError {
  override name = 'SpecError';
  constructor(readonly issues: SpecIssue[]) {
    super(issues.map(formatIssue).join('\n'));
  }
}

export function formatIssue(issue: SpecIssue): string {
  const where = issue.path ? `${issue.path}: ` : '';
  return `${issue.file}:${issue.line}:${issue.column}: ${issue.severity}: ${where}${issue.message} (fix: ${issue.fix})`;
}

/**
 * Reads and checks twin.yaml, then the files it names (files.ts): actions pass the workspace every one of
 * them must be in; the CLI passes none (see specFolder).
 */
export function loadSpec(
  file: string,
  workspace?: FileRoot,
  layoutFile?: string,
): { spec: TwinSpec; warnings: SpecIssue[] } {
  const layout =
    layoutFile === undefined
      ? undefined
      : {
          spec: parseSpec(
            readSpecFile(layoutFile, "the production branch's twin spec", workspace),
            layoutFile,
          ).spec,
          file: layoutFile,
        };
  const loaded = parseSpec(readSpecFile(file, 'the twin spec', workspace), file, layout);
  checkSpecFiles(loaded.spec, specFolder(file, workspace));
  return loaded;
}

/**
 * Parses and checks one spec. With `layout` (the production branch's spec), the layout fields are taken
 * from it (production-layout.ts) before the cross-field rules run, so the rules judge the twin that runs.
 */
export function parseSpec(
  text: string,
  file: string,
  layout?: { spec: TwinSpec; file: string },
): { spec: TwinSpec; warnings: SpecIssue[] } {
  const lineCounter = new LineCounter();
  const document = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  const at = (offset: number) => {
    const { line, col } = lineCounter.linePos(offset);
    return { file, line, column: col };
  };
  const firstSyntaxError = document.errors[0];
  if (firstSyntaxError) {
    // Later YAML errors are usually echoes of the first, so one precise report beats a cascade.
    throw new SpecError([
      { severity: 'error', ...at(firstSyntaxError.pos[0]), ...describeYamlError(firstSyntaxError, text) },
    ]);
  }
  const result = TwinSpecSchema.safeParse(document.toJS(), { reportInput: true });
  if (!result.success) {
    throw new SpecError(
      sortByPosition(result.error.issues.flatMap((issue) => fromZodIssue(issue, document, text, at))),
    );
  }
  const adopted = layout
    ? adoptProductionLayout(result.data, layout.spec, layout.file)
    : { spec: result.data, issues: [] };
  const issues = [...adopted.issues, ...checkSpecRules(adopted.spec)].map((issue) =>
    fromRuleIssue(issue, document, at),
  );
  const errors = issues.filter((issue) => issue.severity === 'error');
  if (errors.length > 0) throw new SpecError(sortByPosition(errors));
  return {
    spec: adopted.spec,
    warnings: sortByPosition(issues.filter((issue) => issue.severity === 'warning')),
  };
}

type Locate = (offset: number) => { file: string; line: number; column: number };

function sortByPosition(issues: SpecIssue[]): SpecIssue[] {
  return [...issues].sort((a, b) => a.line - b.line || a.column - b.column);
}

function describeYamlError(error: { code: string; message: string; pos: [number, number] }, text: string) {
  if (error.code === 'DUPLICATE_KEY') {
    const key = /^[^:\n,{}]*/.exec(text.slice(error.pos[0]))?.[0].trim() ?? '';
    return {
      path: '',
      message: `duplicate key ${formatPath([key])}: YAML keeps only one of them`,
      fix: 'remove one of the two entries or merge them',
    };
  }
  return {
    path: '',
    message: `YAML syntax: ${error.message.split('\n')[0]}`,
    fix: 'correct the YAML here (check indentation, colons and quotes)',
  };
}

function fromRuleIssue(issue: RuleIssue, document: Document, at: Locate): SpecIssue {
  return {
    severity: issue.severity,
    ...at(findOffset(document, issue.path, issue.at ?? 'value')),
    path: formatPath(issue.path),
    message: issue.message,
    fix: issue.fix,
  };
}

function fromZodIssue(issue: core.$ZodIssue, document: Document, text: string, at: Locate): SpecIssue[] {
  const path = issue.path.filter((segment): segment is string | number => typeof segment !== 'symbol');
  if (issue.code === 'unrecognized_keys') {
    const allowed = allowedKeys(path);
    return issue.keys.map((key) => ({
      severity: 'error',
      ...at(findOffset(document, [...path, key], 'key')),
      path: formatPath([...path, key]),
      message: `unknown key ${formatPath([key])}`,
      fix: unknownKeyFix(key, allowed),
    }));
  }
  const own = splitExplanation(issue.message);
  const generic =
    own.fix === undefined ? genericExplanation(issue, path, sourceText(document, path, text)) : undefined;
  return [
    {
      severity: 'error',
      ...at(findOffset(document, path, 'value')),
      path: formatPath(path),
      message: generic?.message ?? own.message,
      fix: generic?.fix ?? own.fix ?? 'see examples/twin.yaml for a valid value',
    },
  ];
}

function genericExplanation(
  issue: core.$ZodIssue,
  path: SpecPath,
  source: string | undefined,
): { message: string; fix: string } {
  const field = path.length > 0 ? String(path[path.length - 1]) : 'the spec';
  if (issue.code === 'invalid_type') {
    const expected = describeExpected(issue.expected);
    if (path.length === 0) {
      return { message: 'the spec is empty or not a mapping', fix: 'start from examples/twin.yaml' };
    }
    if (issue.input === undefined) {
      const parent = path.length > 1 ? ` under ${formatPath(path.slice(0, -1))}` : '';
      return { message: `missing required field ${field}`, fix: `add ${field} (${expected})${parent}` };
    }
    const found = describeFound(issue.input, source);
    const quote =
      issue.expected === 'string' && typeof issue.input !== 'object'
        ? ` (quote it: ${echoed(source ?? '')})`
        : '';
    return { message: `${field} must be ${expected}, found ${found}`, fix: `write ${expected}${quote}` };
  }
  return { message: `${field}: ${issue.message}`, fix: 'see examples/twin.yaml for a valid value' };
}

function describeExpected(expected: string): string {
  const names: Record<string, string> = {
    object: 'a mapping (key: value lines)',
    array: 'a list',
    string: 'text',
    number: 'a number',
    int: 'a whole number',
    boolean: 'true or false',
    record: 'a mapping',
  };
  return names[expected] ?? expected;
}

function describeFound(input: unknown, source: string | undefined): string {
  if (input === null) return 'nothing';
  if (Array.isArray(input)) return 'a list';
  if (typeof input === 'object') return 'a mapping';
  return `${typeof input === 'string' ? 'text' : typeof input} ${echoed(source ?? input)}`;
}

/** The keys the schema allows at `path`, for "did you mean" hints. */
function allowedKeys(path: SpecPath): string[] {
  let schema: z.ZodType = TwinSpecSchema;
  for (const segment of path) {
    schema = unwrap(schema);
    if (schema instanceof z.ZodObject)
      schema = (schema.shape as Record<string, z.ZodType>)[segment] ?? schema;
    else if (schema instanceof z.ZodArray) schema = schema.element as z.ZodType;
    else if (schema instanceof z.ZodRecord) schema = schema.valueType as z.ZodType;
  }
  schema = unwrap(schema);
  return schema instanceof z.ZodObject ? Object.keys(schema.shape) : [];
}

function unwrap(schema: z.ZodType): z.ZodType {
  if (schema instanceof z.ZodOptional || schema instanceof z.ZodDefault)
    return unwrap(schema.unwrap() as z.ZodType);
  return schema;
}

function unknownKeyFix(key: string, allowed: string[]): string {
  const closest = closestMatch(key, allowed);
  if (closest) return `did you mean ${closest}?`;
  return allowed.length > 0 ? `remove it; allowed here: ${allowed.join(', ')}` : 'remove it';
}

export function formatPath(path: SpecPath): string {
  return path
    .map((segment, index) => {
      if (typeof segment === 'number') return `[${segment}]`;
      if (!/^[A-Za-z_][\w-]{0,59}$/.test(segment)) return `[${echoed(segment)}]`;
      return index === 0 ? segment : `.${segment}`;
    })
    .join('');
}

interface Found {
  node?: YamlNode;
  offset: number;
}

/**
 * The node at `path`, or where to point when it is missing: at the key that opens the nearest
 * existing parent (a missing field is reported at its parent map), or the document's first node.
 */
function walk(document: Document, path: SpecPath, point: 'value' | 'key'): Found {
  let node = document.contents as YamlNode | null;
  let parentOffset = node?.range?.[0] ?? 0;
  for (const [index, segment] of path.entries()) {
    if (isMap(node)) {
      const pair = node.items.find(
        (item) => isScalar(item.key) && String(item.key.value) === String(segment),
      );
      if (!pair) return { offset: parentOffset };
      const key = pair.key as YamlNode;
      const keyOffset = key.range?.[0] ?? parentOffset;
      if (index === path.length - 1 && point === 'key') return { node: key, offset: keyOffset };
      node = pair.value as YamlNode | null;
      if (!node) return { offset: keyOffset };
      parentOffset = keyOffset;
    } else if (isSeq(node) && typeof segment === 'number' && node.items[segment]) {
      node = node.items[segment] as YamlNode;
      parentOffset = node.range?.[0] ?? parentOffset;
    } else {
      return { offset: parentOffset };
    }
  }
  return node ? { node, offset: node.range?.[0] ?? parentOffset } : { offset: parentOffset };
}

function findOffset(document: Document, path: SpecPath, point: 'value' | 'key'): number {
  return walk(document, path, point).offset;
}

function sourceText(document: Document, path: SpecPath, text: string): string | undefined {
  const { node } = walk(document, path, 'value');
  const range = node?.range;
  return range && isScalar(node) ? text.slice(range[0], range[1]) : undefined;
}

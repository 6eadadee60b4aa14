/**
 * kubectl's JSONPath templates (client-go util/jsonpath): text with `{...}` actions holding paths
 * (`.a.b`, `[0]`, `[*]`, `[1:3]`, `..name`, `[?(@.type=="Ready")]`), `range ... end` blocks and quoted
 * strings. Missing keys print nothing, as `kubectl get -o jsonpath` allows them; a parse error or an index
 * out of range fails with client-go's words.
 */

export class JsonPathError extends Error {}

type Step =
  | { kind: 'field'; name: string }
  | { kind: 'index'; start?: number; end?: number; single: boolean }
  | { kind: 'wildcard' }
  | { kind: 'recursive'; name: string }
  | { kind: 'filter'; left: Step[]; operator?: string; right?: string | number | boolean };

type Node =
  | { kind: 'text'; text: string }
  | { kind: 'path'; steps: Step[] }
  | { kind: 'range'; steps: Step[] }
  | { kind: 'end' };

/** Prints `template` over `data` as `kubectl get -o jsonpath=...` does. */
export function renderJsonPath(template: string, data: unknown): string {
  const nodes = parseTemplate(template);
  return execute(nodes, data);
}

/** The values one `{path}` (or relaxed `.path`) selects; used by `kubectl wait --for=jsonpath`. */
export function selectJsonPath(expression: string, data: unknown): unknown[] {
  const nodes = parseTemplate(expression);
  const path = nodes.find((node) => node.kind === 'path');
  return path && path.kind === 'path' ? evaluate(path.steps, [data]) : [];
}

function parseError(template: string, reason: string): JsonPathError {
  return new JsonPathError(`error parsing jsonpath ${template}, ${reason}`);
}

function parseTemplate(template: string): Node[] {
  const nodes: Node[] = [];
  let at = 0;
  while (at < template.length) {
    const open = template.indexOf('{', at);
    if (open < 0) {
      nodes.push({ kind: 'text', text: template.slice(at) });
      break;
    }
    if (open > at) nodes.push({ kind: 'text', text: template.slice(at, open) });
    const close = findClose(template, open);
    if (close < 0) throw parseError(template, 'unclosed action');
    nodes.push(parseAction(template, template.slice(open + 1, close).trim()));
    at = close + 1;
  }
  let depth = 0;
  for (const node of nodes) {
    if (node.kind === 'range') depth++;
    if (node.kind === 'end' && --depth < 0) throw parseError(template, 'not in range, nothing to end');
  }
  return nodes;
}

/** The `}` closing the action opened at `open`, skipping quoted strings. */
function findClose(template: string, open: number): number {
  let quote: string | undefined;
  for (let i = open + 1; i < template.length; i++) {
    const char = template[i];
    if (quote) {
      if (char === '\\') i++;
      else if (char === quote) quote = undefined;
    } else if (char === '"' || char === "'") quote = char;
    else if (char === '}') return i;
  }
  return -1;
}

function parseAction(template: string, action: string): Node {
  if (action === 'end') return { kind: 'end' };
  if (action.startsWith('range '))
    return { kind: 'range', steps: parsePath(template, action.slice(6).trim()) };
  if (action.startsWith('"')) {
    try {
      return { kind: 'text', text: JSON.parse(action) as string };
    } catch {
      throw parseError(template, 'unterminated quoted string');
    }
  }
  return { kind: 'path', steps: parsePath(template, action) };
}

function parsePath(template: string, path: string): Step[] {
  const steps: Step[] = [];
  let at = path.startsWith('$') || path.startsWith('@') ? 1 : 0;
  while (at < path.length) {
    const char = path[at];
    if (path.startsWith('..', at)) {
      const field = readField(path, at + 2);
      steps.push({ kind: 'recursive', name: field.name });
      at = field.end;
    } else if (char === '.') {
      if (path[at + 1] === '*') {
        steps.push({ kind: 'wildcard' });
        at += 2;
        continue;
      }
      const field = readField(path, at + 1);
      if (field.name !== '') steps.push({ kind: 'field', name: field.name });
      at = field.end;
    } else if (char === '[') {
      const close = bracketEnd(path, at);
      if (close < 0) throw parseError(template, 'unterminated array');
      steps.push(parseBracket(template, path.slice(at + 1, close)));
      at = close + 1;
    } else {
      throw parseError(template, `unrecognized character in action: U+${hex(char ?? '')} '${char ?? ''}'`);
    }
  }
  return steps;
}

function hex(char: string): string {
  return (char.codePointAt(0) ?? 0).toString(16).toUpperCase().padStart(4, '0');
}

/** A field name; `\.` keeps a dot inside it (annotation keys). */
function readField(path: string, start: number): { name: string; end: number } {
  let name = '';
  let at = start;
  while (at < path.length && path[at] !== '[' && !(path[at] === '.' && path[at - 1] !== '\\')) {
    if (path[at] !== '\\') name += path[at];
    at++;
  }
  return { name, end: at };
}

function bracketEnd(path: string, open: number): number {
  let depth = 0;
  for (let i = open; i < path.length; i++) {
    if (path[i] === '[') depth++;
    if (path[i] === ']' && --depth === 0) return i;
  }
  return -1;
}

function parseBracket(template: string, inner: string): Step {
  const text = inner.trim();
  if (text === '*') return { kind: 'wildcard' };
  const quoted = /^'([^']*)'$/.exec(text) ?? /^"([^"]*)"$/.exec(text);
  if (quoted) return { kind: 'field', name: quoted[1] ?? '' };
  if (text.startsWith('?(') && text.endsWith(')')) return parseFilter(template, text.slice(2, -1).trim());
  const range = /^(-?\d+)?(:)?(-?\d+)?$/.exec(text);
  if (!range || text === '') throw parseError(template, `invalid array index ${text}`);
  return {
    kind: 'index',
    ...(range[1] === undefined ? {} : { start: Number(range[1]) }),
    ...(range[3] === undefined ? {} : { end: Number(range[3]) }),
    single: range[2] === undefined,
  };
}

function parseFilter(template: string, filter: string): Step {
  const match = /^(@[^=!<>\s]*)\s*(==|!=|<=|>=|<|>)?\s*(.*)$/.exec(filter);
  if (!match) throw parseError(template, `unrecognized filter ${filter}`);
  const [, left = '@', operator, right = ''] = match;
  const leftSteps = parsePath(template, left);
  if (!operator) return { kind: 'filter', left: leftSteps };
  const literal = /^(["'])(.*)\1$/.exec(right.trim());
  const value: string | number | boolean = literal
    ? (literal[2] ?? '')
    : right.trim() === 'true' || right.trim() === 'false'
      ? right.trim() === 'true'
      : Number(right.trim());
  return { kind: 'filter', left: leftSteps, operator, right: value };
}

// ---- evaluation ------------------------------------------------------------------------------------------

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function evaluate(steps: Step[], start: unknown[]): unknown[] {
  return steps.reduce<unknown[]>((values, step) => values.flatMap((value) => apply(step, value)), start);
}

function apply(step: Step, value: unknown): unknown[] {
  switch (step.kind) {
    case 'field':
      return isObject(value) && step.name in value ? [value[step.name]] : [];
    case 'wildcard':
      if (Array.isArray(value)) return value;
      return isObject(value)
        ? Object.keys(value)
            .sort()
            .map((key) => value[key])
        : [];
    case 'recursive':
      return descendants(value).flatMap((item) =>
        isObject(item) && step.name in item ? [item[step.name]] : [],
      );
    case 'index':
      return Array.isArray(value) ? indexed(step, value) : [];
    case 'filter':
      return Array.isArray(value) ? value.filter((item) => passes(step, item)) : [];
  }
}

function descendants(value: unknown): unknown[] {
  const children = Array.isArray(value) ? value : isObject(value) ? Object.values(value) : [];
  return [value, ...children.flatMap(descendants)];
}

function indexed(step: Extract<Step, { kind: 'index' }>, list: unknown[]): unknown[] {
  const resolve = (index: number) => (index < 0 ? index + list.length : index);
  if (step.single) {
    const index = resolve(step.start ?? 0);
    if (index < 0 || index >= list.length)
      throw new JsonPathError(`array index out of bounds: index ${step.start ?? 0}, length ${list.length}`);
    return [list[index]];
  }
  return list.slice(resolve(step.start ?? 0), step.end === undefined ? list.length : resolve(step.end));
}

function passes(step: Extract<Step, { kind: 'filter' }>, item: unknown): boolean {
  const [left] = evaluate(step.left, [item]);
  if (step.operator === undefined) return left !== undefined;
  const right = step.right;
  switch (step.operator) {
    case '==':
      return left === right;
    case '!=':
      return left !== right;
    case '<':
      return Number(left) < Number(right);
    case '>':
      return Number(left) > Number(right);
    case '<=':
      return Number(left) <= Number(right);
    default:
      return Number(left) >= Number(right);
  }
}

function execute(nodes: Node[], data: unknown): string {
  let out = '';
  for (let i = 0; i < nodes.length; i++) {
    const node = nodes[i]!;
    if (node.kind === 'text') out += node.text;
    else if (node.kind === 'path') out += evaluate(node.steps, [data]).map(toText).join(' ');
    else if (node.kind === 'range') {
      const end = matchingEnd(nodes, i);
      const body = nodes.slice(i + 1, end);
      for (const item of evaluate(node.steps, [data])) out += execute(body, item);
      i = end;
    }
  }
  return out;
}

function matchingEnd(nodes: Node[], start: number): number {
  let depth = 0;
  for (let i = start; i < nodes.length; i++) {
    if (nodes[i]!.kind === 'range') depth++;
    if (nodes[i]!.kind === 'end' && --depth === 0) return i;
  }
  return nodes.length;
}

/** Maps and lists print as JSON, everything else as Go's fmt prints it. */
function toText(value: unknown): string {
  if (value === null) return '<nil>';
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value);
}

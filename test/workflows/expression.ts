/**
 * A small evaluator of GitHub Actions expression syntax, enough for the expressions our workflows write:
 * literals, contexts and property access (`github.event.pull_request.head.repo.full_name`, `a['b']`),
 * `!`, `==`, `!=`, `<`, `<=`, `>`, `>=`, `&&`, `||`, parentheses, and the functions `contains`,
 * `startsWith`, `endsWith` and `format`. It follows GitHub's rules where they differ from JavaScript:
 * strings compare ignoring case, values of different types compare as numbers, a missing property is
 * null, and `&&` / `||` yield one of their operands.
 */

export type Value = null | boolean | number | string | Value[] | { [key: string]: Value };
export type Contexts = Record<string, Value>;

type Token =
  | { kind: 'string'; value: string }
  | { kind: 'number'; value: number }
  | { kind: 'identifier'; value: string }
  | { kind: 'operator'; value: string };

const OPERATORS = ['==', '!=', '<=', '>=', '&&', '||', '<', '>', '!', '(', ')', '[', ']', '.', ',', '*'];

function tokenize(source: string): Token[] {
  const tokens: Token[] = [];
  let at = 0;
  while (at < source.length) {
    const rest = source.slice(at);
    const space = /^\s+/.exec(rest);
    if (space) {
      at += space[0].length;
      continue;
    }
    if (rest.startsWith("'")) {
      const literal = /^'((?:[^']|'')*)'/.exec(rest);
      if (!literal) throw new SyntaxError(`unterminated string at ${at} in: ${source}`);
      tokens.push({ kind: 'string', value: literal[1]!.replace(/''/g, "'") });
      at += literal[0].length;
      continue;
    }
    const number = /^-?\d+(\.\d+)?/.exec(rest);
    if (number) {
      tokens.push({ kind: 'number', value: Number(number[0]) });
      at += number[0].length;
      continue;
    }
    const identifier = /^[A-Za-z_][A-Za-z0-9_-]*/.exec(rest);
    if (identifier) {
      tokens.push({ kind: 'identifier', value: identifier[0] });
      at += identifier[0].length;
      continue;
    }
    const operator = OPERATORS.find((op) => rest.startsWith(op));
    if (!operator) throw new SyntaxError(`unexpected "${rest[0]}" at ${at} in: ${source}`);
    tokens.push({ kind: 'operator', value: operator });
    at += operator.length;
  }
  return tokens;
}

export function isTruthy(value: Value): boolean {
  if (value === null || value === false || value === '' || value === 0) return false;
  return !(typeof value === 'number' && Number.isNaN(value));
}

function toNumber(value: Value): number {
  if (value === null) return 0;
  if (typeof value === 'boolean') return value ? 1 : 0;
  if (typeof value === 'number') return value;
  if (typeof value === 'string') return value.trim() === '' ? 0 : Number(value);
  return NaN;
}

export function toText(value: Value): string {
  if (value === null) return '';
  if (typeof value === 'string') return value;
  if (typeof value === 'boolean' || typeof value === 'number') return String(value);
  return JSON.stringify(value);
}

function looselyEqual(left: Value, right: Value): boolean {
  if (typeof left === 'string' && typeof right === 'string')
    return left.toLowerCase() === right.toLowerCase();
  const isContainer = (value: Value): boolean => value !== null && typeof value === 'object';
  if (isContainer(left) || isContainer(right)) return left === right;
  return toNumber(left) === toNumber(right);
}

function compare(left: Value, right: Value): number {
  if (typeof left === 'string' && typeof right === 'string') {
    const [a, b] = [left.toLowerCase(), right.toLowerCase()];
    return a < b ? -1 : a > b ? 1 : 0;
  }
  const [a, b] = [toNumber(left), toNumber(right)];
  return Number.isNaN(a) || Number.isNaN(b) ? NaN : a - b;
}

/** Object keys are looked up ignoring case, as GitHub does. */
function property(target: Value, name: Value): Value {
  if (Array.isArray(target)) return typeof name === 'number' ? (target[name] ?? null) : null;
  if (target === null || typeof target !== 'object') return null;
  const wanted = toText(name).toLowerCase();
  const key = Object.keys(target).find((candidate) => candidate.toLowerCase() === wanted);
  return key === undefined ? null : (target[key] ?? null);
}

function format(template: string, args: Value[]): string {
  return template.replace(/\{\{|\}\}|\{(\d+)\}/g, (match, index: string | undefined) => {
    if (match === '{{') return '{';
    if (match === '}}') return '}';
    const arg = args[Number(index)];
    if (arg === undefined) throw new RangeError(`format: no argument {${index}} for "${template}"`);
    return toText(arg);
  });
}

const FUNCTIONS: Record<string, (args: Value[]) => Value> = {
  contains: ([search = null, item = null]) =>
    Array.isArray(search)
      ? search.some((element) => looselyEqual(element, item))
      : toText(search).toLowerCase().includes(toText(item).toLowerCase()),
  startswith: ([text = null, prefix = null]) =>
    toText(text).toLowerCase().startsWith(toText(prefix).toLowerCase()),
  endswith: ([text = null, suffix = null]) =>
    toText(text).toLowerCase().endsWith(toText(suffix).toLowerCase()),
  format: ([template = null, ...args]) => format(toText(template), args),
};

/**
 * GitHub's status check functions, on the job's status so far (`job.status`: success unless a step failed;
 * this evaluator has no cancellation).
 */
const STATUS_FUNCTIONS: Record<string, (status: string) => boolean> = {
  success: (status) => status === 'success',
  failure: (status) => status === 'failure',
  always: () => true,
  cancelled: (status) => status === 'cancelled',
};

function jobStatus(contexts: Contexts): string {
  const job = contexts.job;
  const status = job !== null && typeof job === 'object' && !Array.isArray(job) ? job.status : undefined;
  return typeof status === 'string' ? status : 'success';
}

/** Whether a step `if:` names a status function; without one GitHub runs the step only while all succeed. */
export function hasStatusFunction(condition: string): boolean {
  return /\b(success|failure|always|cancelled)\s*\(/i.test(condition);
}

class Parser {
  private at = 0;

  constructor(
    private readonly tokens: Token[],
    private readonly contexts: Contexts,
    private readonly source: string,
  ) {}

  parse(): Value {
    const value = this.or();
    if (this.at < this.tokens.length) this.fail('unexpected token');
    return value;
  }

  private peekOperator(...operators: string[]): string | undefined {
    const token = this.tokens[this.at];
    return token?.kind === 'operator' && operators.includes(token.value) ? token.value : undefined;
  }

  private expect(operator: string): void {
    if (!this.peekOperator(operator)) this.fail(`expected "${operator}"`);
    this.at++;
  }

  private fail(message: string): never {
    throw new SyntaxError(`${message} at token ${this.at} in: ${this.source}`);
  }

  private or(): Value {
    let left = this.and();
    while (this.peekOperator('||')) {
      this.at++;
      const right = this.and();
      left = isTruthy(left) ? left : right;
    }
    return left;
  }

  private and(): Value {
    let left = this.equality();
    while (this.peekOperator('&&')) {
      this.at++;
      const right = this.equality();
      left = isTruthy(left) ? right : left;
    }
    return left;
  }

  private equality(): Value {
    let left = this.comparison();
    for (let op = this.peekOperator('==', '!='); op; op = this.peekOperator('==', '!=')) {
      this.at++;
      const equal = looselyEqual(left, this.comparison());
      left = op === '==' ? equal : !equal;
    }
    return left;
  }

  private comparison(): Value {
    let left = this.unary();
    for (let op = this.peekOperator('<', '<=', '>', '>='); op; op = this.peekOperator('<', '<=', '>', '>=')) {
      this.at++;
      const order = compare(left, this.unary());
      left = op === '<' ? order < 0 : op === '<=' ? order <= 0 : op === '>' ? order > 0 : order >= 0;
    }
    return left;
  }

  private unary(): Value {
    if (this.peekOperator('!')) {
      this.at++;
      return !isTruthy(this.unary());
    }
    return this.postfix();
  }

  /**
   * Property access, and GitHub's object filter: `labels.*.name` is the `name` of every element (of an
   * array, or every value of an object); once filtered, each further access applies to every element.
   */
  private postfix(): Value {
    let value = this.primary();
    let filtered = false;
    const access = (target: Value, name: Value): Value =>
      filtered && Array.isArray(target)
        ? target.map((element) => property(element, name))
        : property(target, name);
    for (;;) {
      if (this.peekOperator('.')) {
        this.at++;
        if (this.peekOperator('*')) {
          this.at++;
          const elements = (target: Value): Value[] =>
            Array.isArray(target)
              ? target
              : target !== null && typeof target === 'object'
                ? Object.values(target)
                : [];
          value = filtered && Array.isArray(value) ? value.flatMap(elements) : elements(value);
          filtered = true;
          continue;
        }
        const name = this.tokens[this.at];
        if (name?.kind !== 'identifier') this.fail('expected a property name');
        this.at++;
        value = access(value, name.value);
      } else if (this.peekOperator('[')) {
        this.at++;
        const index = this.or();
        this.expect(']');
        value = access(value, index);
      } else {
        return value;
      }
    }
  }

  private primary(): Value {
    const token = this.tokens[this.at++];
    if (!token) this.fail('unexpected end');
    if (token.kind === 'string' || token.kind === 'number') return token.value;
    if (token.kind === 'operator') {
      if (token.value !== '(') this.fail(`unexpected "${token.value}"`);
      const value = this.or();
      this.expect(')');
      return value;
    }
    const name = token.value;
    if (name === 'true' || name === 'false') return name === 'true';
    if (name === 'null') return null;
    if (this.peekOperator('(')) return this.call(name);
    if (!(name in this.contexts)) this.fail(`unknown context "${name}"`);
    return this.contexts[name] ?? null;
  }

  private call(name: string): Value {
    const status = STATUS_FUNCTIONS[name.toLowerCase()];
    if (status) {
      this.expect('(');
      this.expect(')');
      return status(jobStatus(this.contexts));
    }
    const fn = FUNCTIONS[name.toLowerCase()];
    if (!fn) this.fail(`unknown function ${name}()`);
    this.expect('(');
    const args: Value[] = [];
    if (!this.peekOperator(')')) {
      args.push(this.or());
      while (this.peekOperator(',')) {
        this.at++;
        args.push(this.or());
      }
    }
    this.expect(')');
    return fn(args);
  }
}

/** Evaluates one expression (the text inside `${{ }}`). */
export function evaluate(expression: string, contexts: Contexts): Value {
  return new Parser(tokenize(expression), contexts, expression).parse();
}

/** A job or step `if:`: an expression with or without the `${{ }}` around it. */
export function evaluateCondition(condition: string, contexts: Contexts): boolean {
  const whole = /^\s*\$\{\{([\s\S]*)\}\}\s*$/.exec(condition);
  return isTruthy(evaluate(whole ? whole[1]! : condition, contexts));
}

/** A string with `${{ }}` placeholders, such as a concurrency group or an environment name. */
export function interpolate(template: string, contexts: Contexts): string {
  return template.replace(/\$\{\{([\s\S]*?)\}\}/g, (_match, expression: string) =>
    toText(evaluate(expression, contexts)),
  );
}

import { readFileSync } from 'node:fs';
import { Ajv } from 'ajv';
import type { ErrorObject, ValidateFunction } from 'ajv';
import { dereference } from '../../../scripts/vendor-github-openapi.js';
import type { Description } from '../../../scripts/vendor-github-openapi.js';

/**
 * GitHub's published REST description of api.github.com, as much of it as the product calls
 * (contracts/github-api-subset.json, extracted by scripts/vendor-github-openapi.ts from @octokit/openapi;
 * every $ref resolved on load) as a checker: which operation a method and path are, whether path and query
 * parameters and the JSON body fit that operation, and whether a response fits what the operation says it
 * returns for that status. A method and path the subset does not hold is no operation here.
 */

type Schema = Record<string, unknown>;

interface Parameter {
  name: string;
  in: 'path' | 'query' | 'header' | 'cookie';
  required?: boolean;
  schema?: Schema;
}

interface ResponseSpec {
  content?: Record<string, { schema?: Schema }>;
}

interface OperationSpec {
  operationId: string;
  parameters?: Parameter[];
  requestBody?: { required?: boolean; content?: Record<string, { schema?: Schema }> };
  responses: Record<string, ResponseSpec>;
  externalDocs?: { url?: string };
}

export interface Operation {
  method: string;
  template: string;
  operationId: string;
  docsUrl: string;
  spec: OperationSpec;
}

export interface OperationMatch {
  operation: Operation;
  pathParams: Record<string, string>;
}

interface IndexedOperation extends Operation {
  pattern: RegExp;
  paramNames: string[];
  literalSegments: number;
}

const METHODS = ['get', 'post', 'put', 'patch', 'delete'];
export const DESCRIPTION_FILE = new URL('../../../contracts/github-api-subset.json', import.meta.url);
/** Any operation's 404 body is GitHub's "basic-error"; the one of pulls/get stands for statuses an operation leaves out. */
const BASIC_ERROR_SOURCE = {
  path: '/repos/{owner}/{repo}/pulls/{pull_number}',
  method: 'get',
  status: '404',
};

export class GitHubApiContract {
  private static loaded: GitHubApiContract | undefined;
  private readonly ajv = new Ajv({ strict: false, allErrors: true, verbose: true, logger: false });
  private readonly validators = new Map<string, ValidateFunction>();
  private readonly basicError: Schema;

  private constructor(
    private readonly operations: IndexedOperation[],
    basicError: Schema,
  ) {
    this.basicError = basicError;
    this.ajv.addFormat('uri', { type: 'string', validate: isUrl });
    this.ajv.addFormat('date-time', { type: 'string', validate: isDateTime });
    this.ajv.addFormat('int64', { type: 'number', validate: (n: number) => Number.isSafeInteger(n) });
    this.ajv.addFormat('int32', { type: 'number', validate: (n: number) => Math.abs(n) < 2 ** 31 });
    this.ajv.addFormat('email', { type: 'string', validate: (s: string) => /^[^@\s]+@[^@\s]+$/.test(s) });
  }

  /** Each test process reads and compiles the description once. */
  static shared(): GitHubApiContract {
    GitHubApiContract.loaded ??= GitHubApiContract.load();
    return GitHubApiContract.loaded;
  }

  private static load(): GitHubApiContract {
    const description = JSON.parse(readFileSync(DESCRIPTION_FILE, 'utf8')) as Description;
    const doc = { paths: dereference(description, description.paths) } as unknown as {
      paths: Record<string, Record<string, OperationSpec>>;
    };
    const operations: IndexedOperation[] = [];
    for (const [template, item] of Object.entries(doc.paths)) {
      for (const method of METHODS) {
        const spec = item[method];
        if (spec) operations.push(indexOperation(method.toUpperCase(), template, spec));
      }
    }
    const source = doc.paths[BASIC_ERROR_SOURCE.path]?.[BASIC_ERROR_SOURCE.method];
    const basicError = source?.responses[BASIC_ERROR_SOURCE.status]?.content?.['application/json']?.schema;
    if (!basicError) throw new Error(`${DESCRIPTION_FILE.pathname} has no basic-error schema where expected`);
    // Literal segments win over parameters: /issues/comments is not issue number "comments".
    operations.sort((a, b) => b.literalSegments - a.literalSegments);
    return new GitHubApiContract(operations, basicError);
  }

  /** Every operation the description holds. */
  all(): Operation[] {
    return [...this.operations];
  }

  /** The operation for this method and path, `undefined` when GitHub has none. */
  find(method: string, pathname: string): OperationMatch | undefined {
    for (const operation of this.operations) {
      if (operation.method !== method) continue;
      const match = operation.pattern.exec(pathname);
      if (!match) continue;
      const pathParams = Object.fromEntries(
        operation.paramNames.map((name, index) => [name, decodeURIComponent(match[index + 1]!)]),
      );
      return { operation, pathParams };
    }
    return undefined;
  }

  /** Problems with the path parameters (GitHub answers 404 for them). */
  checkPathParams(match: OperationMatch): string[] {
    return this.parametersIn(match.operation, 'path').flatMap((parameter) =>
      this.checkParameter(match.operation, parameter, match.pathParams[parameter.name]),
    );
  }

  /** Problems with the query (GitHub answers 422 for them); parameters it does not know are ignored, as GitHub does. */
  checkQuery(operation: Operation, query: URLSearchParams): string[] {
    return this.parametersIn(operation, 'query').flatMap((parameter) =>
      this.checkParameter(operation, parameter, query.get(parameter.name) ?? undefined),
    );
  }

  /** Problems with a JSON body, worded as GitHub words them after "Invalid request.". */
  checkBody(operation: Operation, body: unknown): string[] {
    const schema = operation.spec.requestBody?.content?.['application/json']?.schema;
    if (!schema) return [];
    if (body === undefined) return operation.spec.requestBody?.required ? ['Body is required.'] : [];
    const validate = this.validator(`${operation.operationId} body`, schema);
    return validate(body) ? [] : (validate.errors ?? []).map(describeBodyError);
  }

  /** Problems with a response; error statuses an operation leaves out must still be a basic-error. */
  checkResponse(operation: Operation, status: number, body: unknown): string[] {
    const spec = operation.spec.responses[String(status)];
    const where = `${operation.operationId} ${status}`;
    if (!spec) {
      if (status < 400) return [`${where}: the operation does not answer ${status}`];
      return this.schemaProblems(`basic-error`, this.basicError, body, where);
    }
    const schema = spec.content?.['application/json']?.schema;
    if (!schema)
      return body === undefined ? [] : [`${where}: the operation answers ${status} without a body`];
    return this.schemaProblems(where, schema, body, where);
  }

  private schemaProblems(key: string, schema: Schema, value: unknown, where: string): string[] {
    const validate = this.validator(key, schema);
    if (validate(value)) return [];
    return (validate.errors ?? []).map((error) => `${where}: ${error.instancePath || '/'} ${error.message}`);
  }

  private parametersIn(operation: Operation, place: Parameter['in']): Parameter[] {
    return (operation.spec.parameters ?? []).filter((parameter) => parameter.in === place);
  }

  private checkParameter(operation: Operation, parameter: Parameter, raw: string | undefined): string[] {
    if (raw === undefined) return parameter.required ? [`"${parameter.name}" wasn't supplied.`] : [];
    if (!parameter.schema) return [];
    const validate = this.validator(
      `${operation.operationId} ${parameter.in} ${parameter.name}`,
      parameter.schema,
    );
    const value = coerce(raw, parameter.schema);
    return validate(value)
      ? []
      : [
          `${parameter.in} parameter ${parameter.name}=${JSON.stringify(raw)} ${validate.errors?.[0]?.message}`,
        ];
  }

  private validator(key: string, schema: Schema): ValidateFunction {
    let validate = this.validators.get(key);
    if (!validate) {
      validate = this.ajv.compile(schema);
      this.validators.set(key, validate);
    }
    return validate;
  }
}

function indexOperation(method: string, template: string, spec: OperationSpec): IndexedOperation {
  const paramNames: string[] = [];
  let literalSegments = 0;
  const source = template
    .split('/')
    .map((segment) => {
      const param = /^\{(\w+)\}$/.exec(segment);
      if (param) {
        paramNames.push(param[1]!);
        return '([^/]+)';
      }
      if (segment !== '') literalSegments++;
      return segment.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    })
    .join('/');
  return {
    method,
    template,
    operationId: spec.operationId,
    docsUrl: spec.externalDocs?.url ?? 'https://docs.github.com/rest',
    spec,
    pattern: new RegExp(`^${source}$`),
    paramNames,
    literalSegments,
  };
}

/** Query and path values arrive as text; the schema says what they stand for. */
function coerce(raw: string, schema: Schema): unknown {
  switch (schema.type) {
    case 'integer':
    case 'number':
      return /^-?\d+(\.\d+)?$/.test(raw) ? Number(raw) : raw;
    case 'boolean':
      return raw === 'true' ? true : raw === 'false' ? false : raw;
    case 'array':
      return raw.split(',');
    default:
      return raw;
  }
}

function describeBodyError(error: ErrorObject): string {
  const field = error.instancePath ? `For 'properties${error.instancePath}', ` : '';
  const params = error.params as Record<string, unknown>;
  switch (error.keyword) {
    case 'required':
      return `"${String(params.missingProperty)}" wasn't supplied.`;
    case 'additionalProperties':
      return `"${String(params.additionalProperty)}" is not a permitted key.`;
    case 'enum':
      return `${field}${JSON.stringify(error.data)} is not a member of ${JSON.stringify(params.allowedValues)}.`;
    case 'type':
      return `${field}${JSON.stringify(error.data)} is not a ${String(params.type)}.`;
    default:
      return `${field}${JSON.stringify(error.data)} ${error.message}.`;
  }
}

/**
 * GitHub sends "" for a URL that was never set (a deployment status's target_url, which is required), and
 * its description declares `default: ""` on those fields, so the empty string counts as a URL here.
 */
function isUrl(text: string): boolean {
  if (text === '') return true;
  try {
    new URL(text);
    return true;
  } catch {
    return false;
  }
}

function isDateTime(text: string): boolean {
  return (
    /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/.test(text) &&
    !Number.isNaN(Date.parse(text))
  );
}

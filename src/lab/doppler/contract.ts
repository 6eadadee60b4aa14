/**
 * The Doppler API contract of the lab: Doppler's own OpenAPI 3.1 description of the operations the
 * product uses (contracts/doppler-api-subset.json, plus configs-list in doppler-api-extra.json; provenance in
 * contracts/SOURCES.md). The stand-in
 * routes by it, and tests hold every exchange against it: query parameters present and typed per the
 * operation, request bodies and 2xx bodies per the schemas (JSON Schema 2020-12, checked with ajv, as
 * the Talos and Cilium schemas are), errors per Doppler's `{messages, success:false}` (LIFECYCLE J.3).
 */
import { readFileSync } from 'node:fs';
import { Ajv2020 } from 'ajv/dist/2020.js';
import type { ErrorObject, ValidateFunction } from 'ajv';
import { contractFile } from '../contracts-dir.js';

export interface DopplerParameter {
  name: string;
  in: 'query' | 'header';
  required: boolean;
  description?: string;
  schema: { type?: string; enum?: unknown[] };
}

export interface DopplerOperation {
  operationId: string;
  method: string;
  path: string;
  parameters: DopplerParameter[];
  /** The application/json request body schema, if the operation takes a body. */
  requestBody?: ValidateFunction;
  /** The documented 2xx statuses, each with its body schema when the spec gives one. */
  responses: Map<number, ValidateFunction | undefined>;
}

/** One request and its answer as the stand-in saw them. */
export interface DopplerExchange {
  method: string;
  path: string;
  query: Record<string, string>;
  /** The JSON request body, undefined when none was sent. */
  body: unknown;
  status: number;
  /** The JSON response body, undefined for an empty one (204). */
  response: unknown;
}

/**
 * The spec types `change_requests[].originalName` and `.value` as required strings, yet their own
 * descriptions say: originalName "Use `null` ... or omit this parameter for new secrets", value "Use
 * `null` ... to leave the existing secret value unchanged". The checker follows the descriptions.
 */
function applyDocumentedNulls(schema: SchemaNode): void {
  const items = schema.properties?.change_requests?.items;
  if (!items?.properties) return;
  for (const key of ['originalName', 'value']) {
    const property = items.properties[key];
    if (property) property.type = ['string', 'null'];
  }
  items.required = (items.required ?? []).filter((key) => key !== 'originalName');
}

interface SchemaNode {
  type?: string | string[];
  properties?: Record<string, SchemaNode>;
  items?: SchemaNode;
  required?: string[];
}

interface RawOperation {
  operationId: string;
  parameters?: DopplerParameter[];
  requestBody?: { content?: { 'application/json'?: { schema?: SchemaNode } } };
  responses: Record<string, { content?: { 'application/json'?: { schema?: SchemaNode } } }>;
}

const cache = new Map<string, DopplerContract>();

export class DopplerContract {
  private constructor(private readonly all: DopplerOperation[]) {}

  static load(
    files: string[] = [contractFile('dopplerApi'), contractFile('dopplerApiExtra')],
  ): DopplerContract {
    const cacheKey = files.join('\n');
    const cached = cache.get(cacheKey);
    if (cached) return cached;
    const ajv = new Ajv2020({ strict: false, allErrors: true, validateFormats: false });
    const operations: DopplerOperation[] = [];
    for (const [path, methods] of files.flatMap(pathsOf)) {
      for (const [method, raw] of Object.entries(methods)) {
        const bodySchema = raw.requestBody?.content?.['application/json']?.schema;
        if (bodySchema) applyDocumentedNulls(bodySchema);
        const responses = new Map<number, ValidateFunction | undefined>();
        for (const [status, response] of Object.entries(raw.responses)) {
          const schema = response.content?.['application/json']?.schema;
          responses.set(Number(status), schema ? ajv.compile(schema) : undefined);
        }
        operations.push({
          operationId: raw.operationId,
          method: method.toUpperCase(),
          path,
          parameters: raw.parameters ?? [],
          ...(bodySchema ? { requestBody: ajv.compile(bodySchema) } : {}),
          responses,
        });
      }
    }
    const contract = new DopplerContract(operations);
    cache.set(cacheKey, contract);
    return contract;
  }

  operations(): DopplerOperation[] {
    return [...this.all];
  }

  /** The operation a method and path name; Doppler's paths have no templated segments. */
  find(method: string, path: string): DopplerOperation | undefined {
    return this.all.find((op) => op.method === method.toUpperCase() && op.path === path);
  }

  /**
   * What in an exchange breaks the contract; [] when nothing does. The request is held to the spec
   * when it was answered 2xx: a refused request is the stand-in doing its job (tests send wrong ones
   * on purpose), and the refusal's body is still checked.
   */
  check(exchange: DopplerExchange): string[] {
    const where = `${exchange.method} ${exchange.path}`;
    const op = this.find(exchange.method, exchange.path);
    if (!op) {
      // Refusing an unknown operation is right; its answer must still be Doppler's error body.
      if (exchange.status < 400) return [`${where}: not an operation of the contract`];
      return isErrorBody(exchange.response) ? [] : [`${where}: error body is not {messages, success:false}`];
    }
    const accepted = exchange.status < 400;
    return [
      ...(accepted ? checkQuery(op, exchange.query) : []),
      ...(accepted ? checkRequestBody(op, exchange.body) : []),
      ...checkResponse(op, exchange.status, exchange.response),
    ].map((problem) => `${op.operationId}: ${problem}`);
  }
}

/** The path items of one OpenAPI file; the files share no operation (SOURCES.md). */
function pathsOf(file: string): [string, Record<string, RawOperation>][] {
  const spec = JSON.parse(readFileSync(file, 'utf8')) as {
    paths: Record<string, Record<string, RawOperation>>;
  };
  return Object.entries(spec.paths);
}

function checkQuery(op: DopplerOperation, query: Record<string, string>): string[] {
  const problems: string[] = [];
  const declared = op.parameters.filter((param) => param.in === 'query');
  for (const param of declared) {
    const text = query[param.name];
    if (text === undefined) {
      if (param.required && !impliedByServiceToken(param))
        problems.push(`query parameter ${param.name} is required`);
      continue;
    }
    const problem = checkQueryValue(text, param.schema);
    if (problem) problems.push(`query parameter ${param.name}=${text}: ${problem}`);
  }
  for (const name of Object.keys(query)) {
    if (!declared.some((param) => param.name === name)) {
      problems.push(`query parameter ${name} is not a parameter of the operation`);
    }
  }
  return problems;
}

/**
 * secrets-download marks project and config `required` yet describes them as "Not required if using a
 * Service Token"; the exchange does not say which token was used, so the description wins.
 */
function impliedByServiceToken(param: DopplerParameter): boolean {
  return param.description?.includes('Not required if using a Service Token') ?? false;
}

/** A query value is text; the spec's types say which texts it may be. */
export function checkQueryValue(text: string, schema: DopplerParameter['schema']): string | undefined {
  if (schema.type === 'boolean' && text !== 'true' && text !== 'false') return 'not a boolean';
  if (schema.type === 'integer' && !/^-?\d+$/.test(text)) return 'not an integer';
  if (schema.enum && !schema.enum.includes(text)) return `not one of ${schema.enum.join(', ')}`;
  return undefined;
}

function checkRequestBody(op: DopplerOperation, body: unknown): string[] {
  if (!op.requestBody) return body === undefined ? [] : ['the operation takes no request body'];
  if (body === undefined) return ['the request body is missing'];
  return op.requestBody(body) ? [] : describe('request body', op.requestBody.errors);
}

function checkResponse(op: DopplerOperation, status: number, body: unknown): string[] {
  if (status >= 400)
    return isErrorBody(body) ? [] : [`error ${status}: body is not {messages, success:false}`];
  if (!op.responses.has(status)) return [`status ${status} is not a documented response`];
  const validate = op.responses.get(status);
  if (status === 204) return body === undefined ? [] : ['a 204 answer must have no body'];
  if (body === undefined) return [`status ${status}: the response body is missing`];
  if (!validate) return [];
  return validate(body) ? [] : describe(`response ${status}`, validate.errors);
}

/** Doppler's error body (LIFECYCLE J.3, the CLI's errorResponse): `{messages: [...], success: false}`. */
export function isErrorBody(body: unknown): boolean {
  if (typeof body !== 'object' || body === null) return false;
  const { messages, success, ...rest } = body as Record<string, unknown>;
  return (
    success === false &&
    Array.isArray(messages) &&
    messages.length > 0 &&
    messages.every((text) => typeof text === 'string') &&
    Object.keys(rest).length === 0
  );
}

function describe(what: string, errors: ErrorObject[] | null | undefined): string[] {
  return (errors ?? []).map((error) => `${what}${error.instancePath || ''} ${error.message ?? 'invalid'}`);
}

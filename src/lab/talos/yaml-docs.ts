import { parseAllDocuments, stringify } from 'yaml';

export type Doc = Record<string, unknown>;

export function isMap(value: unknown): value is Doc {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Multi-document YAML as Go's yaml decoder sees it; a syntax error is reported with its line. */
export function parseDocuments(text: string, source: string): Doc[] {
  const docs: Doc[] = [];
  for (const document of parseAllDocuments(text)) {
    const error = document.errors[0];
    if (error) {
      const line = error.linePos?.[0]?.line;
      throw new Error(
        `${source}: yaml: ${line === undefined ? '' : `line ${line}: `}${error.message.split('\n')[0]}`,
      );
    }
    const value: unknown = document.toJS();
    if (value === null || value === undefined) continue;
    if (!isMap(value)) throw new Error(`${source}: yaml: a config document must be a mapping`);
    docs.push(value);
  }
  return docs;
}

/** Documents as Talos writes them: 4-space indents, `---` between documents. */
export function renderDocuments(docs: Doc[]): string {
  return docs.map((doc) => stringify(doc, { indent: 4, lineWidth: 0 })).join('---\n');
}

/** A dotted path read, e.g. get(doc, 'machine.network.interfaces'). */
export function get(doc: unknown, path: string): unknown {
  let value = doc;
  for (const key of path.split('.')) {
    if (!isMap(value)) return undefined;
    value = value[key];
  }
  return value;
}

export function getString(doc: unknown, path: string): string | undefined {
  const value = get(doc, path);
  return typeof value === 'string' ? value : undefined;
}

/** The v1alpha1 document of a machine config (the one without `kind`). */
export function mainDocument(docs: Doc[]): Doc | undefined {
  return docs.find((doc) => doc.version === 'v1alpha1' && doc.kind === undefined);
}

/** Talos keeps PEM blocks base64-encoded in its YAML. */
export function decodePem(value: unknown): string {
  return typeof value === 'string' ? Buffer.from(value, 'base64').toString('utf8') : '';
}

export function encodePem(pem: string): string {
  return Buffer.from(pem, 'utf8').toString('base64');
}

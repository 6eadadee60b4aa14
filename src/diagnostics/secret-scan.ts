import { parseAllDocuments } from 'yaml';

/**
 * A twin's secret material as strings to look for in what a run writes: private keys (each line of a PEM
 * body), Talos secrets (tokens, encryption secrets), kubeconfig and talosconfig credentials; each also as
 * it would appear base64-encoded at any byte offset. Used to prove a diagnostics bundle (and, in the
 * benches and tests, logs and summaries) holds none of it.
 */

const MIN_LENGTH = 16;
const SECRET_FIELD = /key|secret|token|password/i;
const PUBLIC_FIELD = /crt|cert|ca$|certificate/i;

/** The secrets in the texts of a twin's stored state (YAML or JSON files, PEM blocks such as Talos' ED25519 keys). */
export function secretMaterial(texts: Iterable<string>): Set<string> {
  const found = new Set<string>();
  for (const text of texts) {
    for (const line of privateKeyLines(text)) found.add(line);
    for (const value of secretFieldValues(text)) {
      found.add(value);
      for (const line of privateKeyLines(decodedText(value))) found.add(line);
    }
  }
  return found;
}

/** Each secret, and its base64 forms (three byte alignments, edges cut so neighbours do not matter). */
export function withEncodings(secrets: Iterable<string>): string[] {
  const needles = new Set<string>();
  for (const secret of secrets) {
    if (secret.length < MIN_LENGTH) continue;
    needles.add(secret);
    for (let offset = 0; offset < 3; offset++) {
      const encoded = Buffer.concat([Buffer.alloc(offset), Buffer.from(secret)]).toString('base64');
      const inner = encoded.slice(4, -4);
      if (inner.length >= MIN_LENGTH) needles.add(inner);
    }
  }
  return [...needles];
}

/** Where each needle was found: `source: first characters of the needle`. */
export function scanForSecrets(haystacks: Record<string, string>, needles: string[]): string[] {
  const hits: string[] = [];
  for (const [source, text] of Object.entries(haystacks)) {
    for (const needle of needles) if (text.includes(needle)) hits.push(`${source}: ${needle.slice(0, 8)}…`);
  }
  return hits;
}

function privateKeyLines(text: string): string[] {
  const blocks =
    text.match(/-----BEGIN [A-Z0-9 ]*PRIVATE KEY-----[\s\S]*?-----END [A-Z0-9 ]*PRIVATE KEY-----/g) ?? [];
  return blocks.flatMap((block) =>
    block
      .split('\n')
      .map((line) => line.trim())
      .filter((line) => line.length >= MIN_LENGTH && !line.startsWith('-----')),
  );
}

/** Strings under fields named like secrets (not certificates) in YAML or JSON files. */
function secretFieldValues(text: string): string[] {
  let documents: unknown[];
  try {
    documents = parseAllDocuments(text).map((document) => document.toJS() as unknown);
  } catch {
    return [];
  }
  const values: string[] = [];
  const visit = (value: unknown, field: string): void => {
    if (typeof value === 'string') {
      if (SECRET_FIELD.test(field) && !PUBLIC_FIELD.test(field) && value.length >= MIN_LENGTH)
        values.push(value);
    } else if (Array.isArray(value)) {
      for (const item of value) visit(item, field);
    } else if (value && typeof value === 'object') {
      for (const [key, item] of Object.entries(value)) visit(item, key);
    }
  };
  for (const document of documents) visit(document, '');
  return values;
}

function decodedText(value: string): string {
  return /^[A-Za-z0-9+/=\s]+$/.test(value) ? Buffer.from(value, 'base64').toString('utf8') : '';
}

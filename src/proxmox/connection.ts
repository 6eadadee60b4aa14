import { X509Certificate } from 'node:crypto';
import { ConfigurationError, errorMessage } from '../errors.js';
import { echoed } from '../util/echo.js';
import { readRegularFile } from '../util/regular-file.js';

/** How the client decides to trust the PVE server's certificate. */
export type PveTls =
  | { mode: 'ca'; caPem: string }
  /** Upper-case hex pairs joined by ':', as PVE shows it. */
  | { mode: 'fingerprint'; sha256: string }
  | { mode: 'insecure' };

/** Validated connection settings, built once by parsePveConnection. */
export interface PveConnection {
  /** The API base, always ending in `/api2/json`. */
  endpoint: URL;
  /** `USER@REALM!TOKENID`, safe to show. */
  tokenId: string;
  /** Never log or print this. */
  tokenSecret: string;
  tls: PveTls;
}

export interface RawPveConnection {
  endpoint?: string;
  token?: string;
  caFile?: string;
  caPem?: string;
  fingerprint?: string;
  insecure?: boolean;
}

const API_BASE = '/api2/json';

// pve-access-control: user `[^\s:/]+`, realm and token id `[A-Za-z][A-Za-z0-9.\-_]+`.
const TOKEN_ID = /^[^\s:/]+@[A-Za-z][A-Za-z0-9.\-_]+![A-Za-z][A-Za-z0-9.\-_]+$/;
const TOKEN_SECRET = /^\S+$/;
const FINGERPRINT = /^[0-9a-f]{2}(?::[0-9a-f]{2}){31}$|^[0-9a-f]{64}$/i;

/** How messages name each field: the action's inputs, the CLI's options, a config file's keys. */
export type ConnectionFieldNames = Record<keyof RawPveConnection, string>;

const FIELD_NAMES: ConnectionFieldNames = {
  endpoint: 'endpoint',
  token: 'token',
  caFile: 'caFile',
  caPem: 'caPem',
  fingerprint: 'fingerprint',
  insecure: 'insecure: true',
};

export function parsePveConnection(
  raw: RawPveConnection,
  names: ConnectionFieldNames = FIELD_NAMES,
): PveConnection {
  return {
    endpoint: parseEndpoint(raw.endpoint, names.endpoint),
    ...parseToken(raw.token, names.token),
    tls: parseTls(raw, names),
  };
}

function parseEndpoint(text: string | undefined, field: string): URL {
  const example = 'e.g. https://pve1.lab.example:8006';
  if (!text?.trim())
    throw new ConfigurationError(`${field} is missing: set it to the PVE API URL (${example})`);
  let url: URL;
  try {
    url = new URL(text.trim());
  } catch {
    throw new ConfigurationError(`${field} ${echoed(text)} is not a URL: use the PVE API URL (${example})`);
  }
  const shown = withoutCredentials(url);
  if (url.protocol !== 'https:') {
    throw new ConfigurationError(
      `${field} ${echoed(shown)} must use https:// (PVE serves its API only over TLS): ${example}`,
    );
  }
  if (url.username || url.password || url.search || url.hash) {
    throw new ConfigurationError(
      `${field} ${echoed(shown)} must not carry credentials, a query or a fragment: put the credentials in the token`,
    );
  }
  const path = url.pathname.replace(/\/+$/, '');
  if (path === '') url.pathname = API_BASE;
  else if (path.endsWith(API_BASE)) url.pathname = path;
  else {
    throw new ConfigurationError(
      `${field} ${echoed(shown)} has path ${echoed(url.pathname)}: give just https://host:port, or a path ending in ${API_BASE}`,
    );
  }
  return url;
}

/** The URL as given, minus any user:password@ someone put there. */
function withoutCredentials(url: URL): string {
  const safe = new URL(url.href);
  safe.username = '';
  safe.password = '';
  return safe.href;
}

/** Never puts any part of the token into a message: which part is the secret is unknown until it parses. */
function parseToken(text: string | undefined, field: string): { tokenId: string; tokenSecret: string } {
  const shape =
    'it must look like USER@REALM!TOKENID=SECRET, e.g. ci@pve!gha=<uuid shown once at token creation>';
  if (!text?.trim()) throw new ConfigurationError(`${field} is missing: ${shape}`);
  const value = text.trim();
  const separator = value.lastIndexOf('=');
  if (separator < 0) {
    throw new ConfigurationError(`${field} has no '=' between token id and secret: ${shape}`);
  }
  const tokenId = value.slice(0, separator);
  const tokenSecret = value.slice(separator + 1);
  if (!TOKEN_ID.test(tokenId)) {
    throw new ConfigurationError(
      `${field}: the part before '=' is not a token id USER@REALM!TOKENID: ${shape}`,
    );
  }
  if (!TOKEN_SECRET.test(tokenSecret)) {
    throw new ConfigurationError(`${field}: the secret after '=' is empty or contains spaces: ${shape}`);
  }
  return { tokenId, tokenSecret };
}

function parseTls(raw: RawPveConnection, names: ConnectionFieldNames): PveTls {
  const chosen = [
    raw.caFile !== undefined && names.caFile,
    raw.caPem !== undefined && names.caPem,
    raw.fingerprint !== undefined && names.fingerprint,
    raw.insecure === true && names.insecure,
  ].filter((name): name is string => typeof name === 'string');
  if (chosen.length !== 1) {
    const problem = chosen.length === 0 ? 'none is set' : `${chosen.join(' and ')} are all set`;
    throw new ConfigurationError(
      `choose exactly one way to trust the PVE certificate, but ${problem}: ${names.caFile} or ${names.caPem} ` +
        `(the cluster CA, /etc/pve/pve-root-ca.pem on any node), ${names.fingerprint} (SHA-256 shown under ` +
        `Node > System > Certificates) or ${names.insecure} (test labs only)`,
    );
  }
  if (raw.caFile !== undefined)
    return {
      mode: 'ca',
      caPem: checkedPem(readCaFile(raw.caFile, names.caFile), `${names.caFile} ${raw.caFile}`),
    };
  if (raw.caPem !== undefined) return { mode: 'ca', caPem: checkedPem(raw.caPem, names.caPem) };
  if (raw.fingerprint !== undefined)
    return { mode: 'fingerprint', sha256: normalizeFingerprint(raw.fingerprint, names.fingerprint) };
  return { mode: 'insecure' };
}

/** A CA bundle is a few KiB; 64 KiB holds dozens of certificates. */
const MAX_CA_FILE_BYTES = 64 * 1024;

function readCaFile(path: string, field: string): string {
  return readRegularFile(path, field, {
    maxBytes: MAX_CA_FILE_BYTES,
    missingFix: 'copy /etc/pve/pve-root-ca.pem from a PVE node there',
  });
}

function checkedPem(pem: string, field: string): string {
  if (!pem.includes('-----BEGIN CERTIFICATE-----')) {
    throw new ConfigurationError(
      `${field} holds no PEM certificate (-----BEGIN CERTIFICATE-----): use pve-root-ca.pem`,
    );
  }
  try {
    new X509Certificate(pem);
  } catch (err) {
    throw new ConfigurationError(
      `${field} is not a valid PEM certificate (${errorMessage(err)}): use pve-root-ca.pem`,
    );
  }
  return pem;
}

/** Accepts `AB:CD:...` or `abcd...` in any case; returns the form PVE and Node show. */
export function normalizeFingerprint(text: string, field = 'fingerprint'): string {
  const trimmed = text.trim();
  if (!FINGERPRINT.test(trimmed)) {
    throw new ConfigurationError(
      `${field} ${echoed(text)} is not a SHA-256 fingerprint: give 64 hex digits, with or without ':' between pairs ` +
        `(PVE shows it under Node > System > Certificates)`,
    );
  }
  return trimmed
    .replaceAll(':', '')
    .toUpperCase()
    .replace(/(..)(?!$)/g, '$1:');
}

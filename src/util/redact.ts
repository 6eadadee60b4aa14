const REDACTED = '[redacted]';

/**
 * Removes what looks like a credential from free text: PEM blocks, PVE API tokens, GitHub tokens,
 * bearer/basic credentials, JWTs (Kubernetes service-account tokens), `secret=...`-style pairs,
 * passwords in URLs and long base64 runs (kubeconfig key data).
 */
export function redactSecrets(text: string): string {
  return (
    text
      .replace(/-----BEGIN [A-Z0-9 ]+-----[\s\S]*?(-----END [A-Z0-9 ]+-----|$)/g, `${REDACTED} PEM block`)
      .replace(/PVEAPIToken=\S+/gi, `PVEAPIToken=${REDACTED}`)
      .replace(/\b[\w.-]+@[\w.-]+![\w.-]+[=:][0-9a-f]{8}-[0-9a-f-]{27}\b/gi, REDACTED)
      .replace(/\b(?:gh[pousr]_[A-Za-z0-9]{20,}|github_pat_\w{20,})/g, REDACTED)
      // Credentials carry digits; requiring one spares prose such as "token provided".
      .replace(/\b(Bearer|Basic|token)\s+(?=[\w.~+/=-]*\d)[\w.~+/=-]{8,}/gi, `$1 ${REDACTED}`)
      .replace(/\beyJ[\w-]+\.[\w-]+\.[\w-]*/g, REDACTED)
      .replace(
        /\b([\w-]*(?:secret|token|passw(?:or)?d|api[-_]?key|private[-_]?key|key-data)[\w-]*)("?\s*[:=]\s*)("?)[^\s"',;]+\3/gi,
        `$1$2$3${REDACTED}$3`,
      )
      .replace(/\b([a-z][a-z0-9+.-]*:\/\/)[^\s/@]+@/gi, `$1${REDACTED}@`)
      .replace(/[A-Za-z0-9+/]{60,}={0,2}/g, REDACTED)
  );
}

/**
 * The environment of every child process (talosctl, kubectl, helm and whatever they start): an allow-list
 * of this process's variables plus the caller's explicit additions, so tokens in the job's environment
 * (the step's inputs, GITHUB_TOKEN, the runner's own tokens, DOPPLER_TOKEN) never reach a tool or a plugin.
 */

/** Variables passed through by name, each for a reason a tool has. */
const PASSED = [
  'PATH', // tools are found through it, and the lab's tools are `#!/usr/bin/env node` scripts
  'HOME', // default config and cache folders (~/.kube/cache, ~/.cache/helm, ~/.talos); the lab tools forward it
  'TMPDIR', // where the tools put temporary files
  'TEMP',
  'TMP',
  'LANG', // language and time zone of messages and times
  'TZ',
  'USER', // who runs the tool (user.Current() falls back to them)
  'LOGNAME',
  'XDG_CACHE_HOME', // helm's folders, when the runner moved them; HELM_KUBETOKEN and its kin stay out
  'XDG_CONFIG_HOME',
  'XDG_DATA_HOME',
  'HELM_CACHE_HOME',
  'HELM_CONFIG_HOME',
  'HELM_DATA_HOME',
  'HTTPS_PROXY', // helm fetches charts from their repositories through the runner's proxy, if it has one
  'https_proxy',
  'HTTP_PROXY',
  'http_proxy',
  'NO_PROXY',
  'no_proxy',
  'SSL_CERT_FILE', // a runner that trusts a lab CA for chart repositories says where it is (Go's crypto/x509)
  'SSL_CERT_DIR',
] as const;

/** Every LC_* locale category (LC_ALL, LC_CTYPE, ...). */
const LOCALE = /^LC_[A-Z]+$/;

/*
 * Left out on purpose, among everything else: KUBECONFIG and TALOSCONFIG (every call names its file with
 * --kubeconfig / --talosconfig; an inherited one could point a tool at a cluster the twin does not own),
 * NODE_OPTIONS (code loaded into the lab's node tools), and every token.
 */

/** Names that must never reach a child, not even as an explicit addition. */
const FORBIDDEN = [
  'GITHUB_TOKEN',
  'ACTIONS_RUNTIME_TOKEN',
  'ACTIONS_ID_TOKEN_REQUEST_TOKEN',
  'ACTIONS_ID_TOKEN_REQUEST_URL',
  'DOPPLER_TOKEN',
  'PVE_TOKEN',
];

function forbidden(name: string): boolean {
  return FORBIDDEN.includes(name.toUpperCase()) || /^INPUT_/i.test(name);
}

function passed(name: string): boolean {
  return (PASSED as readonly string[]).includes(name) || LOCALE.test(name);
}

/**
 * The allow-listed part of `parent` with `additions` laid over it. An addition that names a token
 * variable is a bug in the caller and throws rather than hand the token on.
 */
export function childEnv(
  parent: NodeJS.ProcessEnv,
  additions: Record<string, string> = {},
): Record<string, string> {
  const refused = Object.keys(additions).filter(forbidden);
  if (refused.length > 0) {
    throw new Error(`${refused.join(', ')} must never be passed to a child process`);
  }
  const env: Record<string, string> = {};
  for (const [name, value] of Object.entries(parent)) {
    if (value !== undefined && passed(name)) env[name] = value;
  }
  return { ...env, ...additions };
}

import { parse, stringify } from 'yaml';
import { servesRepo } from '../kube/charts.js';
import { isMap } from '../talos/yaml-docs.js';
import type { ParsedArgs } from './flags.js';
import type { ToolCall } from './runtime.js';
import { ToolFailure } from './runtime.js';

/**
 * `helm repo add NAME URL`: the named repositories a chart reference `NAME/chart` resolves through, kept
 * where helm keeps them ($HELM_REPOSITORY_CONFIG, else $XDG_CONFIG_HOME/helm, else ~/.config/helm,
 * repositories.yaml). The lab's charts come from the repositories it serves, so no index is cached.
 */

interface RepoEntry {
  name: string;
  url: string;
}

function repositoriesFile(call: ToolCall): string {
  const explicit = call.env('HELM_REPOSITORY_CONFIG');
  if (explicit) return explicit;
  const config = call.env('XDG_CONFIG_HOME') ?? '~/.config';
  return `${config}/helm/repositories.yaml`;
}

function readRepositories(call: ToolCall): RepoEntry[] {
  const file = repositoriesFile(call);
  if (!call.exists(file)) return [];
  const parsed: unknown = parse(call.read(file));
  const entries = isMap(parsed) && Array.isArray(parsed.repositories) ? parsed.repositories : [];
  return entries.filter(isMap).map((entry) => ({ name: String(entry.name), url: String(entry.url) }));
}

/** The URL of a repository added by name, if it was. */
export function repositoryUrl(call: ToolCall, name: string): string | undefined {
  return readRepositories(call).find((entry) => entry.name === name)?.url;
}

export async function repoAdd(call: ToolCall, args: ParsedArgs): Promise<void> {
  const [name, url] = args.positionals;
  if (name === undefined || url === undefined || args.positionals.length !== 2) {
    throw new ToolFailure(
      `"helm repo add" requires 2 arguments\n\nUsage:  helm repo add [NAME] [URL] [flags]`,
    );
  }
  const repositories = readRepositories(call);
  const existing = repositories.find((entry) => entry.name === name);
  if (existing?.url === url)
    return call.out(`"${name}" already exists with the same configuration, skipping\n`);
  if (existing)
    throw new ToolFailure(`repository name (${name}) already exists, please specify a different name`);
  const bare = url.replace(/\/+$/, '');
  if (!servesRepo(bare)) {
    throw new ToolFailure(
      `looks like "${url}" is not a valid chart repository or cannot be reached: failed to fetch ${bare}/index.yaml : 404 Not Found`,
    );
  }
  const entry = (repo: RepoEntry) => ({
    caFile: '',
    certFile: '',
    insecure_skip_tls_verify: false,
    keyFile: '',
    name: repo.name,
    pass_credentials_all: false,
    password: '',
    url: repo.url,
    username: '',
  });
  const file = {
    apiVersion: '',
    generated: '0001-01-01T00:00:00Z',
    repositories: [...repositories, { name, url }].map(entry),
  };
  call.write(repositoriesFile(call), stringify(file), 0o644);
  call.out(`"${name}" has been added to your repositories\n`);
}

/** `helm repo update`: the lab's repositories are always current; helm's messages for the added ones. */
export async function repoUpdate(call: ToolCall): Promise<void> {
  const repositories = readRepositories(call);
  if (repositories.length === 0)
    throw new ToolFailure('no repositories found. You must add one before updating');
  call.out(
    'Hang tight while we grab the latest from your chart repositories...\n' +
      repositories
        .map((repo) => `...Successfully got an update from the "${repo.name}" chart repository\n`)
        .join('') +
      'Update Complete. ⎈Happy Helming!⎈\n',
  );
}

import type { CONTRACT_FILES } from '../contracts-dir.js';

/**
 * The Talos releases the lab's nodes can run, and the version rules between them, from the Talos sources
 * (LIFECYCLE F.1, F.2; /work/facts-13.md section 1 for v1.13):
 * - `UpgradeableFrom` (TALOS v1.13.9 `pkg/machinery/compatibility/talos_version.go` l.75-141) with the
 *   bounds of `talos111`/`talos112`/`talos113` (`MinimumHostUpgradeVersion`, `MaximumHostDowngradeVersion`);
 * - `KubernetesVersion.SupportedWith` (`kubernetes_version.go` l.51-96) with their Kubernetes ranges;
 * - go-kubernetes v0.2.38 `upgrade/path.go` `IsSupported` (l.58-100): N->N and N->N+1 for 1.19..1.36.
 */

export const RELEASES = ['v1.11.6', 'v1.12.11', 'v1.13.9'] as const;
export type Release = (typeof RELEASES)[number];

/** The release a node runs when nothing says otherwise (the lab's image before releases were modelled). */
export const DEFAULT_RELEASE: Release = 'v1.11.6';

/** The lab's talosctl: the product pins v1.13.9 (only its upgrade-k8s knows 1.35->1.36, facts-13 §1). */
export const CLIENT_RELEASE: Release = 'v1.13.9';

/** The machine-config schema each release validates with (contracts/, CONTRACTS B.1). */
export const SCHEMA_OF: Record<Release, keyof typeof CONTRACT_FILES> = {
  'v1.11.6': 'talosConfig',
  'v1.12.11': 'talosConfigV112',
  'v1.13.9': 'talosConfigV113',
};

type Triple = [number, number, number];

interface MinorRules {
  minimumHostUpgrade: Triple;
  /** Not inclusive: a host at or above it is too new. */
  maximumHostDowngrade: Triple;
  minimumKubernetes: Triple;
  maximumKubernetes: Triple;
}

/** talos1xx.go of each minor (TALOS v1.13.9; the same values in the v1.11.6/v1.12.11 trees). */
const MINORS: Record<string, MinorRules> = {
  '1.11': {
    minimumHostUpgrade: [1, 9, 0],
    maximumHostDowngrade: [1, 13, 0],
    minimumKubernetes: [1, 29, 0],
    maximumKubernetes: [1, 34, 99],
  },
  '1.12': {
    minimumHostUpgrade: [1, 10, 0],
    maximumHostDowngrade: [1, 14, 0],
    minimumKubernetes: [1, 30, 0],
    maximumKubernetes: [1, 35, 99],
  },
  '1.13': {
    minimumHostUpgrade: [1, 11, 0],
    maximumHostDowngrade: [1, 15, 0],
    minimumKubernetes: [1, 31, 0],
    maximumKubernetes: [1, 36, 99],
  },
};

/** `semver.ParseTolerant` of the versions we meet: "v1.12.11", "1.35", "1.35.0". */
export function parseVersion(text: string): Triple | undefined {
  const match = /^v?(\d+)\.(\d+)(?:\.(\d+))?(?:[-+][\w.-]+)?$/.exec(text.trim());
  if (!match) return undefined;
  return [Number(match[1]), Number(match[2]), Number(match[3] ?? 0)];
}

/** semver's String(): no leading v. */
export function plain(version: Triple): string {
  return version.join('.');
}

function compare(a: Triple, b: Triple): number {
  return a[0] - b[0] || a[1] - b[1] || a[2] - b[2];
}

/** Orders version strings as semver does (unparsable ones first). */
export function compareVersions(a: string, b: string): number {
  return compare(parseVersion(a) ?? [0, 0, 0], parseVersion(b) ?? [0, 0, 0]);
}

function minorOf(version: Triple): MinorRules | undefined {
  return MINORS[`${version[0]}.${version[1]}`];
}

export function isRelease(text: string): text is Release {
  return (RELEASES as readonly string[]).includes(text);
}

/** The installer's pre-flight (`UpgradeableFrom`): undefined when `host` may move to `target`. */
export function upgradeableFrom(target: string, host: string): string | undefined {
  const to = parseVersion(target);
  const from = parseVersion(host);
  if (!to || !from) return `error parsing version "${!to ? target : host}"`;
  const rules = minorOf(to);
  if (!rules) return `upgrades to version ${plain(to)} are not supported`;
  if (compare(from, rules.minimumHostUpgrade) < 0)
    return `host version ${plain(from)} is too old to upgrade to Talos ${plain(to)}`;
  if (compare(from, rules.maximumHostDowngrade) >= 0)
    return `host version ${plain(from)} is too new to downgrade to Talos ${plain(to)}`;
  return undefined;
}

/** `KubernetesVersion.SupportedWith(talos)`: undefined when the Talos release runs that Kubernetes. */
export function kubernetesSupportedWith(kubernetes: string, talos: string): string | undefined {
  const k = parseVersion(kubernetes);
  const t = parseVersion(talos);
  if (!k || !t) return `error parsing version "${!k ? kubernetes : talos}"`;
  const rules = minorOf(t);
  if (!rules) return `compatibility with version ${plain(t)} is not supported`;
  if (compare(k, rules.minimumKubernetes) < 0)
    return `version of Kubernetes ${plain(k)} is too old to be used with Talos ${plain(t)}`;
  if (compare(k, rules.maximumKubernetes) >= 0)
    return `version of Kubernetes ${plain(k)} is too new to be used with Talos ${plain(t)}`;
  return undefined;
}

/** go-kubernetes v0.2.38 `Path.String()`: "1.34->1.36". */
export function pathString(from: string, to: string): string {
  const a = parseVersion(from) ?? [0, 0, 0];
  const b = parseVersion(to) ?? [0, 0, 0];
  return `${a[0]}.${a[1]}->${b[0]}.${b[1]}`;
}

/** go-kubernetes v0.2.38 `IsSupported`: the same minor, or the next one, from 1.19 up to 1.36. */
export function upgradePathSupported(from: string, to: string): boolean {
  const a = parseVersion(from);
  const b = parseVersion(to);
  if (!a || !b || a[0] !== 1 || b[0] !== 1) return false;
  if (a[1] < 19 || b[1] > 36) return false;
  return b[1] === a[1] || b[1] === a[1] + 1;
}

/** The version an image reference carries: `registry.k8s.io/kube-apiserver:v1.34.1` -> `1.34.1`. */
export function imageVersion(image: unknown): string | undefined {
  if (typeof image !== 'string') return undefined;
  const tag = image.split('@')[0]?.split('/').pop()?.split(':')[1];
  return tag?.replace(/^v/, '');
}

/**
 * The release of a nocloud boot image, as the product names it (src/talos/image.ts): the Image Factory
 * URL `https://factory.talos.dev/image/<schematic>/<version>/nocloud-<arch>.qcow2`, else the file name
 * `talos-<version>-…`. Undefined for anything else.
 */
export function releaseOfImage(urlOrName: string | undefined): string | undefined {
  if (!urlOrName) return undefined;
  const fromUrl =
    /factory\.talos\.dev\/image\/[0-9a-f]+\/(v[\d.]+[^/]*)\/[a-z]+-[a-z0-9]+\.(?:qcow2|raw(?:\.xz|\.zst)?|iso)$/.exec(
      urlOrName,
    )?.[1];
  if (fromUrl) return fromUrl;
  return /(?:^|\/)talos-(v\d+\.\d+\.\d+[^-]*)-/.exec(urlOrName)?.[1];
}

/** A factory installer reference: `factory.talos.dev/<platform>-installer/<schematic>:<version>` or `installer/`. */
export interface InstallerImage {
  /** `metal` for the plain `installer` (FACTORY profile.go: InstallerProfile defaults to metal, F.1). */
  platform: string;
  schematic: string;
  version: string;
  secureboot: boolean;
}

export function parseInstallerImage(ref: string): InstallerImage | undefined {
  const match =
    /^factory\.talos\.dev\/(?:([a-z0-9]+)-)?installer(-secureboot)?\/([0-9a-f]{64}):(v\d+\.\d+\.\d+)$/.exec(
      ref,
    );
  if (!match) return undefined;
  return {
    platform: match[1] ?? 'metal',
    secureboot: match[2] !== undefined,
    schematic: match[3] ?? '',
    version: match[4] ?? '',
  };
}

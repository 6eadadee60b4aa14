/**
 * The releases this product drives, as data, and the upgrade paths the real systems allow between them.
 * Sources: LIFECYCLE F.1 (installer pre-flight bounds, "only tested between adjacent minor releases"), F.2
 * (upgrade-k8s path and the Talos ↔ Kubernetes matrix), F.9, G.3, and /work/facts-13.md §1 for v1.13.
 */

/** One Talos minor series. Kubernetes bounds are minors (`1.34` = any 1.34.x, as `1.34.99` in Talos). */
export interface TalosSeries {
  series: string;
  /** The newest patch of the series: the one intermediate hops go through. */
  latest: string;
  kubernetesMin: string;
  kubernetesMax: string;
  /** `constants.DefaultKubernetesVersion` of `latest` (what `gen config` and `upgrade-k8s --to` default to). */
  defaultKubernetes: string;
  /** The installer of this series accepts hosts `>= minimumHost` and `< hostBelow` (pre-flight, F.1). */
  minimumHost: string;
  hostBelow: string;
}

export const TALOS_RELEASES: readonly TalosSeries[] = [
  // F.1 table, F.2 matrix: compatibility/talos111 at v1.11.6.
  {
    series: 'v1.11',
    latest: 'v1.11.6',
    kubernetesMin: '1.29',
    kubernetesMax: '1.34',
    defaultKubernetes: '1.34.1',
    minimumHost: '1.9.0',
    hostBelow: '1.13.0',
  },
  // F.1, F.2, F.9: compatibility/talos112 at v1.12.11, constants.go line 404.
  {
    series: 'v1.12',
    latest: 'v1.12.11',
    kubernetesMin: '1.30',
    kubernetesMax: '1.35',
    defaultKubernetes: '1.35.4',
    minimumHost: '1.10.0',
    hostBelow: '1.14.0',
  },
  // facts-13 §1: talos113.go lines 16-28 and constants.go line 366 at v1.13.9.
  {
    series: 'v1.13',
    latest: 'v1.13.9',
    kubernetesMin: '1.31',
    kubernetesMax: '1.36',
    defaultKubernetes: '1.36.3',
    minimumHost: '1.11.0',
    hostBelow: '1.15.0',
  },
];

/** One Cilium minor series; Kubernetes bounds only where a source gave them. */
export interface CiliumSeries {
  series: string;
  latest: string;
  kubernetesMin?: string;
  kubernetesMax?: string;
}

export const CILIUM_RELEASES: readonly CiliumSeries[] = [
  // e2e-tested Kubernetes 1.32-1.35 (compatibility.rst at 1.19.3, facts-13 §4): not tested on 1.36.
  { series: '1.19', latest: '1.19.6', kubernetesMin: '1.32', kubernetesMax: '1.35' },
  // Its tested Kubernetes list was not found (facts-13 §4, UNCONFIRMED); facts-13 also saw a 1.20.1 chart.
  { series: '1.20', latest: '1.20.0' },
];

/** Whether Cilium `cilium` is tested with Kubernetes `kubernetes`; undefined where no source says. */
export function ciliumSupportsKubernetes(cilium: string, kubernetes: string): boolean | undefined {
  const version = parse(cilium, 'Cilium');
  const series = CILIUM_RELEASES.find((release) => release.series === minorOf(version));
  if (!series) return false;
  if (!series.kubernetesMin || !series.kubernetesMax) return undefined;
  const minor = parseMinor(minorOf(parse(kubernetes, 'Kubernetes')));
  return (
    compare(minor, parseMinor(series.kubernetesMin)) >= 0 &&
    compare(minor, parseMinor(series.kubernetesMax)) <= 0
  );
}

/** The ordered versions to go through (the last one is the target), or why the real systems refuse. */
export type UpgradePath = { hops: string[] } | { refused: string };

interface Version {
  major: number;
  minor: number;
  patch: number;
}

const VERSION = /^v?(\d+)\.(\d+)\.(\d+)$/;

function parse(text: string, what: string): Version {
  const match = VERSION.exec(text.trim());
  if (!match)
    throw new RangeError(
      `"${text}" is not a ${what} version like ${what === 'Talos' ? 'v1.11.6' : '1.34.1'}`,
    );
  return { major: Number(match[1]), minor: Number(match[2]), patch: Number(match[3]) };
}

function compare(a: Version, b: Version): number {
  return a.major - b.major || a.minor - b.minor || a.patch - b.patch;
}

function minorOf(version: Version): string {
  return `${version.major}.${version.minor}`;
}

/** `1.34` -> {1, 34, 0}, so minors compare like versions. */
function parseMinor(minor: string): Version {
  return parse(`${minor}.0`, 'Kubernetes');
}

/** The Talos series `version` belongs to (`v1.12.3` -> v1.12), if this product knows it. */
export function talosSeriesOf(version: string): TalosSeries | undefined {
  const parsed = parse(version, 'Talos');
  return TALOS_RELEASES.find((release) => release.series === `v${minorOf(parsed)}`);
}

const KNOWN_SERIES = TALOS_RELEASES.map((release) => release.series).join(', ');

/**
 * What the installer of `target` says of a host running `host` (F.1 pre-flight, compared on major.minor.patch):
 * undefined when it accepts, else the installer's own words.
 */
export function installerRefusal(target: string, host: string): string | undefined {
  const series = talosSeriesOf(target);
  const hostVersion = parse(host, 'Talos');
  const shown = `${hostVersion.major}.${hostVersion.minor}.${hostVersion.patch}`;
  const targetShown = target.replace(/^v/, '');
  if (!series) return `upgrades to version ${targetShown} are not supported`;
  if (compare(hostVersion, parse(series.minimumHost, 'Talos')) < 0) {
    return `host version ${shown} is too old to upgrade to Talos ${targetShown}`;
  }
  if (compare(hostVersion, parse(series.hostBelow, 'Talos')) >= 0) {
    return `host version ${shown} is too new to downgrade to Talos ${targetShown}`;
  }
  return undefined;
}

/** A target this product can install: a known series, and no patch newer than the newest one known. */
function unknownTarget(to: string): string | undefined {
  const series = talosSeriesOf(to);
  if (!series) return `Talos ${to} is not a supported release (supported: ${KNOWN_SERIES})`;
  if (compare(parse(to, 'Talos'), parse(series.latest, 'Talos')) > 0) {
    return `Talos ${to} is not a known release: the newest ${series.series} is ${series.latest}`;
  }
  return undefined;
}

/**
 * The Talos versions a node goes through from `from` to `to`. Upgrades cross one minor per hop, through the
 * newest patch of each intermediate minor (F.1: "only tested between adjacent minor releases"; "always
 * upgrade to the latest patch release of all intermediate minor releases"). The node is not first moved to
 * the newest patch of its own minor: the next minor's installer accepts every patch of the current one
 * (minimum host 1.10.0 for v1.12, 1.11.0 for v1.13), so that hop would cost a reboot and buy nothing (a test
 * keeps this true of the data). A downgrade is one direct hop
 * (Talos has no path for it), refused where the target's pre-flight refuses the host.
 */
export function talosUpgradePath(from: string, to: string): UpgradePath {
  const fromVersion = parse(from, 'Talos');
  const toVersion = parse(to, 'Talos');
  const fromSeries = talosSeriesOf(from);
  if (!fromSeries) {
    return {
      refused: `Talos ${from} is not a release this product drives (supported: ${KNOWN_SERIES}): upgrade the node to ${TALOS_RELEASES[0]?.latest} by hand first`,
    };
  }
  const unknown = unknownTarget(to);
  if (unknown) return { refused: unknown };
  const order = compare(fromVersion, toVersion);
  if (order === 0) return { hops: [] };
  if (order > 0 || fromVersion.minor === toVersion.minor) return directHop(from, to);
  return stepUp(from, to);
}

function directHop(from: string, to: string): UpgradePath {
  const refusal = installerRefusal(to, from);
  if (!refusal) return { hops: [to] };
  const between = TALOS_RELEASES.filter(
    (release) => !installerRefusal(to, release.latest) && !installerRefusal(release.latest, from),
  );
  const first = between.at(-1)?.latest;
  const next = first ? `: go to ${first} first` : '';
  return {
    refused: `the ${talosSeriesOf(to)?.series} installer refuses it (pre-flight checks failed: ${refusal})${next}`,
  };
}

function stepUp(from: string, to: string): UpgradePath {
  const fromMinor = parse(from, 'Talos').minor;
  const toMinor = parse(to, 'Talos').minor;
  const intermediate = TALOS_RELEASES.filter((release) => {
    const minor = parse(`${release.series}.0`, 'Talos').minor;
    return minor > fromMinor && minor < toMinor;
  }).map((release) => release.latest);
  const hops = [...intermediate, to];
  let host = from;
  for (const target of hops) {
    const refusal = installerRefusal(target, host);
    if (refusal) return { refused: `pre-flight checks failed: ${refusal}` };
    host = target;
  }
  return { hops };
}

/** The newest Kubernetes minor any known `upgrade-k8s` has a path to (go-kubernetes path.go, facts-13 §1). */
const NEWEST_KUBERNETES = TALOS_RELEASES.map((release) => release.kubernetesMax).reduce((a, b) =>
  compare(parseMinor(a), parseMinor(b)) >= 0 ? a : b,
);

/**
 * The version an intermediate Kubernetes minor is crossed at: the default of the Talos release that ships
 * it (a patch Talos tested), else the minor's first release, which exists for every minor.
 */
export function kubernetesHopVersion(minor: string): string {
  const shipped = TALOS_RELEASES.find((release) => release.defaultKubernetes.startsWith(`${minor}.`));
  return shipped?.defaultKubernetes ?? `${minor}.0`;
}

/**
 * The Kubernetes versions `upgrade-k8s` goes through: one minor per run (go-kubernetes `IsSupported`: only
 * N->N and N->N+1, F.2; G.3 "skipping minors is not supported"); patch changes within a minor either way.
 */
export function kubernetesUpgradePath(from: string, to: string): UpgradePath {
  const fromVersion = parse(from, 'Kubernetes');
  const toVersion = parse(to, 'Kubernetes');
  const target = to.replace(/^v/, '');
  if (compare(fromVersion, toVersion) === 0) return { hops: [] };
  if (fromVersion.major !== toVersion.major)
    return { refused: `Kubernetes ${from} -> ${to} changes the major version` };
  if (toVersion.minor < fromVersion.minor) {
    return {
      refused: `Kubernetes cannot go back from ${minorOf(fromVersion)} to ${minorOf(toVersion)}: talosctl upgrade-k8s supports only N->N and N->N+1`,
    };
  }
  if (compare(toVersion, parseMinor(NEWEST_KUBERNETES)) > 0 && minorOf(toVersion) !== NEWEST_KUBERNETES) {
    return {
      refused: `Kubernetes ${minorOf(toVersion)} is newer than any supported Talos knows (up to ${NEWEST_KUBERNETES})`,
    };
  }
  const hops: string[] = [];
  for (let minor = fromVersion.minor + 1; minor < toVersion.minor; minor += 1) {
    hops.push(kubernetesHopVersion(`${toVersion.major}.${minor}`));
  }
  hops.push(target);
  return { hops };
}

/** Whether Talos `talos` runs Kubernetes `kubernetes` (F.2 matrix; facts-13 §1 for v1.13). */
export function talosSupportsKubernetes(talos: string, kubernetes: string): boolean {
  const series = talosSeriesOf(talos);
  if (!series) return false;
  const minor = parseMinor(minorOf(parse(kubernetes, 'Kubernetes')));
  return (
    compare(minor, parseMinor(series.kubernetesMin)) >= 0 &&
    compare(minor, parseMinor(series.kubernetesMax)) <= 0
  );
}

/** The oldest Talos series that runs `kubernetes`, for "upgrade Talos to vX first" messages. */
export function oldestTalosFor(kubernetes: string): TalosSeries | undefined {
  return TALOS_RELEASES.find((release) => talosSupportsKubernetes(release.latest, kubernetes));
}

/** The Kubernetes minor of a version: `v1.34.1` -> `1.34`. */
export function kubernetesMinor(version: string): string {
  return minorOf(parse(version, 'Kubernetes'));
}

/** The Talos series of a version: `v1.12.3` -> `v1.12`. */
export function talosMinor(version: string): string {
  return `v${minorOf(parse(version, 'Talos'))}`;
}

import type { Doc } from '../talos/yaml-docs.js';
import { get } from '../talos/yaml-docs.js';
import {
  CILIUM_CHART_VERSIONS,
  CILIUM_REPO,
  chartDefaults as ciliumDefaults,
  minorOf,
  renderCiliumConfig,
  renderClustermeshApiserver,
  validateTemplateError,
} from './cilium-chart.js';
import { customCaError } from './cilium-ca.js';
import { renderPreflight } from './cilium-preflight.js';
import { valuesSchemaError } from './cilium-values-schema.js';
import type { ChartRelease } from './rook-charts.js';
import {
  ROOK_CHART_VERSIONS,
  ROOK_REPO,
  clusterDefaults,
  clusterNotes,
  operatorDefaults,
  operatorNotes,
  renderCluster,
  renderOperator,
} from './rook-charts.js';

export type { ChartRelease } from './rook-charts.js';

/** A chart of a repository the lab serves: what helm would fetch, check, render and print. */
export interface LabChart {
  repo: string;
  name: string;
  /** Oldest first; the last one is what helm installs without --version. */
  versions: string[];
  /** Chart.yaml fields `helm status -o json` shows. */
  home: string;
  description: string;
  kubeVersion?: string;
  /** values.yaml of a chart version: what the user's values are coalesced over. */
  defaults(chartVersion: string): Doc;
  /** The chart version's own refusals (values.schema.json, `fail` in templates), for charts that have any. */
  check?(values: Doc, chartVersion: string): string | undefined;
  /** The objects the chart's templates produce for the coalesced values. */
  render(values: Doc, release: ChartRelease): Doc[];
  /** templates/NOTES.txt. */
  notes(release: ChartRelease): string;
}

const cilium: LabChart = {
  repo: CILIUM_REPO,
  name: 'cilium',
  versions: CILIUM_CHART_VERSIONS,
  home: 'https://cilium.io/',
  description: 'eBPF-based Networking, Security, and Observability',
  kubeVersion: '>= 1.21.0-0',
  defaults: ciliumDefaults,
  check: (values, chartVersion) =>
    valuesSchemaError(structuredClone(values), chartVersion) ??
    validateTemplateError(values, chartVersion) ??
    customCaError(values),
  render: (values, release) => [
    ...renderCiliumConfig(values, release),
    ...renderClustermeshApiserver(values, release),
    ...renderPreflight(values, release),
  ],
  notes: (release) => {
    const minor = minorOf(release.chartVersion);
    return `You have successfully installed Cilium with Hubble Relay and Hubble UI.\n\nYour release version is ${release.chartVersion}.\n\nFor any further help, visit https://docs.cilium.io/en/v${minor}/gettinghelp\n`;
  },
};

const tetragon: LabChart = {
  repo: CILIUM_REPO,
  name: 'tetragon',
  versions: ['1.5.0'],
  home: 'https://cilium.io/',
  description: 'Helm chart for Tetragon',
  defaults: () => ({ tetragon: { image: { repository: 'quay.io/cilium/tetragon' } } }),
  render: (values, release) => [tetragonDaemonSet(values, release)],
  notes: (release) =>
    `Tetragon has been deployed to namespace ${release.namespace}.\n\nSee https://tetragon.io/docs/ to get started with tracing policies.\n`,
};

/** The agent DaemonSet: privileged with the host's network and PIDs, as eBPF tracing needs. */
function tetragonDaemonSet(values: Doc, release: ChartRelease): Doc {
  const labels = { 'app.kubernetes.io/name': 'tetragon' };
  return {
    apiVersion: 'apps/v1',
    kind: 'DaemonSet',
    metadata: { name: 'tetragon', namespace: release.namespace, labels },
    spec: {
      selector: { matchLabels: labels },
      template: {
        metadata: { labels },
        spec: {
          hostNetwork: true,
          hostPID: true,
          serviceAccountName: 'tetragon',
          containers: [
            {
              name: 'tetragon',
              image: `${String(get(values, 'tetragon.image.repository'))}:v${release.chartVersion}`,
              securityContext: { privileged: true },
            },
          ],
        },
      },
    },
  };
}

const rookCeph: LabChart = {
  repo: ROOK_REPO,
  name: 'rook-ceph',
  versions: ROOK_CHART_VERSIONS,
  home: 'https://rook.io',
  description: 'File, Block, and Object Storage Services for your Cloud-Native Environment',
  defaults: operatorDefaults,
  render: renderOperator,
  notes: operatorNotes,
};

const rookCephCluster: LabChart = {
  repo: ROOK_REPO,
  name: 'rook-ceph-cluster',
  versions: ROOK_CHART_VERSIONS,
  home: 'https://rook.io',
  description: 'Manages a single Ceph cluster namespace for Rook',
  defaults: clusterDefaults,
  render: renderCluster,
  notes: clusterNotes,
};

export const CHARTS: readonly LabChart[] = [cilium, tetragon, rookCeph, rookCephCluster];

/** The repositories the lab serves, by URL without a trailing slash. */
export function servesRepo(url: string): boolean {
  return CHARTS.some((chart) => chart.repo === url.replace(/\/+$/, ''));
}

export function findChart(repo: string, name: string): LabChart | undefined {
  return CHARTS.find((chart) => chart.repo === repo.replace(/\/+$/, '') && chart.name === name);
}

/** The chart version `--version` selects (helm matches `1.18.8` and `v1.18.8` alike), or the latest. */
export function pickVersion(chart: LabChart, wanted: string | undefined): string | undefined {
  if (wanted === undefined) return chart.versions[chart.versions.length - 1];
  const bare = (version: string) => version.replace(/^v/, '');
  return chart.versions.find((version) => bare(version) === bare(wanted));
}

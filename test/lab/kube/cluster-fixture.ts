import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { expect } from 'vitest';
import { ciliumValues, valuesYaml } from '../../../src/mesh/cilium-values.js';
import { createCertificateAuthority } from '../../../src/util/x509.js';
import { bootstrapCluster, provision } from '../tools/cluster-flow.js';
import type { ClusterFiles, ToolLab, ToolResult } from '../tools/helpers.js';
import { ciliumInstallArgs, eventually, startToolLab } from '../tools/helpers.js';

/**
 * A started lab with one Kubernetes cluster ready for workloads: `east` with one control plane and
 * `workers` workers, bootstrapped, Cilium installed with the product's Talos values, every node Ready.
 * Tests drive it through the lab's own kubectl and helm, as the product does.
 */
export interface ClusterFixture {
  lab: ToolLab;
  files: ClusterFiles;
  /** The lab's kubectl with the cluster's kubeconfig. */
  kubectl(...args: string[]): Promise<ToolResult>;
  helm(...args: string[]): Promise<ToolResult>;
  /** Writes a file into the working folder the tools run in; returns its path. */
  file(name: string, text: string): string;
  stop(): Promise<void>;
}

export async function startCluster(
  workers = 2,
  options: { timeScale?: number } = {},
): Promise<ClusterFixture> {
  const lab = await startToolLab(undefined, options);
  try {
    const files = await provision(lab, 1, workers);
    await bootstrapCluster(lab, files);
    const kubectl = (...args: string[]) => lab.run('kubectl', ['--kubeconfig', files.kubeconfig, ...args]);
    const helm = (...args: string[]) => lab.run('helm', [...args, '--kubeconfig', files.kubeconfig]);
    await installCilium(lab, helm, workers + 1);
    await eventually(
      async () => (await kubectl('get', 'nodes', '-o', 'name')).stdout.split('\n').length > workers + 1,
    );
    const ready = await kubectl('wait', '--for=condition=Ready', 'node', '--all', '--timeout=30s');
    expect(ready.code, ready.stderr).toBe(0);
    const file = (name: string, text: string) => {
      mkdirSync(dirname(join(lab.work, name)), { recursive: true });
      return lab.file(name, text);
    };
    return { lab, files, kubectl, helm, file, stop: () => lab.stop() };
  } catch (error) {
    await lab.stop();
    throw error;
  }
}

async function installCilium(
  lab: ToolLab,
  helm: (...args: string[]) => Promise<ToolResult>,
  nodeCount: number,
): Promise<void> {
  const ca = await createCertificateAuthority('east-west mesh CA');
  lab.file(
    'cilium-values.yaml',
    valuesYaml(ciliumValues({ clusterName: 'east', clusterId: 1, ca, nodeCount })),
  );
  const installed = await helm(...ciliumInstallArgs('cilium-values.yaml'));
  expect(installed.code, installed.stderr).toBe(0);
}

/** A Deployment manifest; `pod` is merged into its pod spec. */
export function deploymentYaml(opts: {
  name: string;
  namespace?: string;
  replicas?: number;
  image?: string;
  pod?: string;
}): string {
  const lines = [
    'apiVersion: apps/v1',
    'kind: Deployment',
    'metadata:',
    `  name: ${opts.name}`,
    ...(opts.namespace ? [`  namespace: ${opts.namespace}`] : []),
    'spec:',
    `  replicas: ${opts.replicas ?? 2}`,
    '  selector:',
    '    matchLabels:',
    `      app: ${opts.name}`,
    '  template:',
    '    metadata:',
    '      labels:',
    `        app: ${opts.name}`,
    '    spec:',
    '      containers:',
    '        - name: web',
    `          image: ${opts.image ?? 'docker.io/library/nginx:1.27.1'}`,
    ...(opts.pod ? opts.pod.split('\n').map((line) => `      ${line}`) : []),
  ];
  return `${lines.join('\n')}\n`;
}

import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  commonPatch,
  controlPlanePatch,
  nodePatch,
  workerPatch,
  type TalosClusterInput,
  type TalosNodeInput,
} from './config.js';
import { installerImage } from './image.js';
import { talosContract, type GeneratedConfigs, type Talosctl } from './talosctl.js';

/**
 * The machine configs the product generates for a cluster and its nodes: `gen config` with the cluster's
 * patches, then each node's own patch (CONTRACTS B.2). One function for creating nodes and for comparing a
 * running node with what the product would send it now.
 */

/** The cluster fields that do not depend on the release: what a Talos or Kubernetes upgrade leaves alone. */
export type ClusterBase = Omit<TalosClusterInput, 'talosVersion' | 'kubernetesVersion' | 'installImage'>;

/** The releases a config is generated for (a node's running ones when comparing it, F.3). */
export interface ConfigReleases {
  /** e.g. v1.12.11: the version contract and the install image follow it. */
  talosVersion: string;
  /** e.g. 1.35.4: the control-plane and kubelet images follow it. */
  kubernetesVersion: string;
  /** The Image Factory schematic of the boot image and installer. */
  schematic: string;
}

/**
 * The version contract of every config the product generates, whatever the release: v1.11. From the v1.12
 * contract on, `gen config` adds a HostnameConfig document with `auto: stable` (TALOS v1.13.9
 * `pkg/machinery/config/generate/network.go` l.39-44, `MultidocNetworkConfigSupported` = contract > 1.11,
 * `contract.go` l.183), which Talos refuses beside the `machine.network.hostname` our node patch sets
 * ("static hostname is already set in v1alpha1 config", `types/network/hostname.go` l.151-157). Newer Talos
 * still decodes the v1.11 contract's fields (deprecated, "still supported for backwards compatibility",
 * LIFECYCLE F.9; facts-13 §2 for v1.13), and a config that keeps its contract does not drift when the node
 * is upgraded. Moving to the multi-document network config is a change of its own.
 */
export const CONFIG_CONTRACT = 'v1.11';

/** The contract a config for `release` is generated with: its own minor, capped at CONFIG_CONTRACT. */
export function configContract(release: string): string {
  const own = talosContract(release);
  const minor = (contract: string) => Number(contract.split('.')[1]);
  return minor(own) < minor(CONFIG_CONTRACT) ? own : CONFIG_CONTRACT;
}

/** The full cluster input for one pair of releases. */
export function clusterInputFor(base: ClusterBase, releases: ConfigReleases): TalosClusterInput {
  return {
    ...base,
    talosVersion: releases.talosVersion,
    versionContract: configContract(releases.talosVersion),
    kubernetesVersion: releases.kubernetesVersion.replace(/^v/, ''),
    installImage: installerImage({ schematic: releases.schematic, version: releases.talosVersion }),
  };
}

/**
 * Writes the cluster's patches into `dir` (private, created if missing) and runs `gen config` there: the
 * control-plane and worker configs and a talosconfig, overwritten.
 */
export async function generateClusterConfigs(
  talosctl: Talosctl,
  request: { cluster: TalosClusterInput; secretsFile: string; dir: string },
): Promise<GeneratedConfigs> {
  const { cluster, dir } = request;
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const patch = async (name: string, content: string) => {
    const path = join(dir, name);
    await writeFile(path, content, { mode: 0o600 });
    return path;
  };
  return talosctl.genConfig({
    cluster,
    secretsFile: request.secretsFile,
    patches: {
      common: await patch('common.patch.yaml', commonPatch(cluster)),
      controlPlane: await patch('controlplane.patch.yaml', controlPlanePatch(cluster)),
      worker: await patch('worker.patch.yaml', workerPatch(cluster)),
    },
    outputDir: dir,
  });
}

/** One node's config: its role's config with its node patch laid over; written to `<dir>/<name>.yaml`. */
export async function generateNodeConfig(
  talosctl: Talosctl,
  request: { configs: GeneratedConfigs; node: TalosNodeInput; dir: string },
): Promise<string> {
  const { node, dir } = request;
  const patchFile = join(dir, `${node.name}.patch.yaml`);
  await writeFile(patchFile, nodePatch(node), { mode: 0o600 });
  const outputFile = join(dir, `${node.name}.yaml`);
  await talosctl.patchMachineConfig({
    baseFile: node.role === 'controlplane' ? request.configs.controlPlane : request.configs.worker,
    patchFile,
    outputFile,
  });
  return outputFile;
}

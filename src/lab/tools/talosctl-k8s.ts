import type { TalosNode } from '../talos/nodes.js';
import { mergeValue } from '../talos/patch.js';
import {
  compareVersions,
  kubernetesSupportedWith,
  parseVersion,
  pathString,
  plain,
  upgradePathSupported,
} from '../talos/releases.js';
import type { Doc } from '../talos/yaml-docs.js';
import { getString, mainDocument, renderDocuments } from '../talos/yaml-docs.js';
import type { FlagSpec, ParsedArgs } from './flags.js';
import { boolFlag, listFlag, stringFlag } from './flags.js';
import type { ToolCall } from './runtime.js';
import { ToolFailure } from './runtime.js';
import { dialSecure, loadTalosconfig, proxyTo } from './talos-dial.js';
import { DEFAULT_KUBERNETES_VERSION } from '../talos/generate.js';
import { talosContext } from '../talos/generate.js';

/**
 * `talosctl upgrade-k8s` of the v1.13.9 client (LIFECYCLE F.2; TALOS v1.13.9 `cmd/talosctl/cmd/talos/upgrade-k8s.go`,
 * `pkg/cluster/kubernetes/talos_managed.go` Upgrade l.80-166, `kubelet.go`, `compat.go`; go-kubernetes v0.2.38
 * path.go): one node only, the path check, every node's Talos release against the target, then the control
 * plane static pods one node at a time, kube-proxy, the kubelets (control planes first) and the manifests.
 * Each step patches the node's machine config (no reboot), so the configs really change. Log lines on stdout.
 */

export const UPGRADE_K8S_FLAGS: FlagSpec[] = [
  { name: 'from', kind: 'string' },
  { name: 'to', kind: 'string' },
  { name: 'endpoint', kind: 'string' },
  { name: 'dry-run', kind: 'bool' },
  { name: 'upgrade-kubelet', kind: 'bool' },
  { name: 'pre-pull-images', kind: 'bool' },
  { name: 'with-docs', kind: 'bool' },
  { name: 'with-examples', kind: 'bool' },
  { name: 'apiserver-image', kind: 'string' },
  { name: 'controller-manager-image', kind: 'string' },
  { name: 'scheduler-image', kind: 'string' },
  { name: 'proxy-image', kind: 'string' },
  { name: 'kubelet-image', kind: 'string' },
  { name: 'manifests-force', kind: 'bool' },
  { name: 'manifests-no-prune', kind: 'bool' },
  { name: 'manifests-inventory-policy', kind: 'string' },
  { name: 'manifests-reconcile-timeout', kind: 'string' },
];

/** The static pods in upgrade order, with the config field holding each one's image. */
const STATIC_PODS = [
  {
    service: 'kube-apiserver',
    path: 'cluster.apiServer',
    flag: 'apiserver-image',
    image: 'registry.k8s.io/kube-apiserver',
  },
  {
    service: 'kube-controller-manager',
    path: 'cluster.controllerManager',
    flag: 'controller-manager-image',
    image: 'registry.k8s.io/kube-controller-manager',
  },
  {
    service: 'kube-scheduler',
    path: 'cluster.scheduler',
    flag: 'scheduler-image',
    image: 'registry.k8s.io/kube-scheduler',
  },
] as const;

interface Plan {
  from: string;
  to: string;
  dryRun: boolean;
  controlPlanes: TalosNode[];
  workers: TalosNode[];
  log(line: string): void;
}

export async function upgradeK8s(call: ToolCall, args: ParsedArgs): Promise<void> {
  const nodes = nodesOf(call, args);
  if (nodes.length > 1) throw new ToolFailure('command "upgrade-k8s" is not supported with multiple nodes');
  const target = await dialSecure(call, args);
  const node = await proxyTo(call, target.endpoint, nodes[0] ?? target.endpoint.addresses[0] ?? '');
  const log = (line: string) => call.out(`${line}\n`);
  const members = clusterNodes(call, node);
  let from = stringFlag(args, 'from');
  if (from === undefined) {
    from = lowestApiServer(members.controlPlanes);
    log(`automatically detected the lowest Kubernetes version ${from}`);
  }
  const to = (stringFlag(args, 'to') ?? DEFAULT_KUBERNETES_VERSION).replace(/^v/, '');
  from = from.replace(/^v/, '');
  if (!parseVersion(from))
    throw new ToolFailure(
      `error creating upgrade path error parsing from version: Invalid character(s) found in major number "${from}"`,
    );
  if (!upgradePathSupported(from, to)) {
    throw new ToolFailure(`unsupported upgrade path ${pathString(from, to)} (from "${from}" to "${to}")`);
  }
  if (members.controlPlanes.length === 0) throw new ToolFailure('no controlplane nodes discovered');
  const ips = (list: TalosNode[]) =>
    `[${list.map((member) => JSON.stringify(member.addresses[0] ?? '')).join(' ')}]`;
  log(`discovered controlplane nodes ${ips(members.controlPlanes)}`);
  const upgradeKubelet = boolFlag(args, 'upgrade-kubelet', true);
  if (upgradeKubelet) log(`discovered worker nodes ${ips(members.workers)}`);
  const checked = upgradeKubelet ? [...members.controlPlanes, ...members.workers] : members.controlPlanes;
  verifyCompatibility(checked, to, log);
  const plan: Plan = { from, to, dryRun: boolFlag(args, 'dry-run'), ...members, log };
  log('checking for removed Kubernetes component flags');
  log('checking for removed Kubernetes API resource versions');
  if (boolFlag(args, 'pre-pull-images', true)) await prePull(call, args, plan, upgradeKubelet);
  for (const pod of STATIC_PODS)
    await upgradeStaticPod(call, plan, pod, imageFlag(args, pod.flag, pod.image));
  upgradeKubeProxy(call, plan, imageFlag(args, 'proxy-image', 'registry.k8s.io/kube-proxy'));
  if (upgradeKubelet)
    await upgradeKubelets(call, plan, imageFlag(args, 'kubelet-image', 'ghcr.io/siderolabs/kubelet'));
  else log('skipped updating kubelet');
  log(plan.dryRun ? 'updating manifests (dry run)' : 'updating manifests');
  if (!plan.dryRun) await call.pause(call.talos.seconds.kubeManifestsSync);
}

function imageFlag(args: ParsedArgs, flag: string, fallback: string): string {
  return stringFlag(args, flag) ?? fallback;
}

/** `--nodes`, else the context's nodes: what FailIfMultiNodes counts. */
function nodesOf(call: ToolCall, args: ParsedArgs): string[] {
  const flagged = listFlag(args, 'nodes');
  if (flagged.length > 0) return flagged;
  const { doc } = loadTalosconfig(call, args);
  const nodes = talosContext(doc, stringFlag(args, 'context'))?.context.nodes;
  return Array.isArray(nodes) ? nodes.map(String) : [];
}

/** The cluster's Nodes (k8sClient.NodeIPs by machine type): its configured nodes that run. */
function clusterNodes(call: ToolCall, node: TalosNode): { controlPlanes: TalosNode[]; workers: TalosNode[] } {
  const members = call.talos
    .all()
    .filter((member) => member.phase === 'running' && member.clusterId === node.clusterId && member.config);
  const byAddress = (a: TalosNode, b: TalosNode) =>
    (a.addresses[0] ?? '').localeCompare(b.addresses[0] ?? '');
  return {
    controlPlanes: members.filter((member) => member.role === 'controlplane').sort(byAddress),
    workers: members.filter((member) => member.role === 'worker').sort(byAddress),
  };
}

/** DetectLowestVersion: the oldest kube-apiserver among the control planes. */
function lowestApiServer(controlPlanes: TalosNode[]): string {
  const versions = controlPlanes
    .map((member) => member.kubernetes?.apiServer)
    .filter((version): version is string => version !== undefined)
    .sort(compareVersions);
  return versions[0] ?? '';
}

/** VerifyVersionCompatibility (compat.go): every node's Talos release must run the target. */
function verifyCompatibility(nodes: TalosNode[], to: string, log: (line: string) => void): void {
  for (const member of nodes) {
    const problem = kubernetesSupportedWith(to, member.release);
    if (problem) throw new ToolFailure(`node "${member.addresses[0] ?? ''}": ${problem}`);
  }
  const target = plain(parseVersion(to) ?? [0, 0, 0]);
  for (const member of nodes) {
    const release = plain(parseVersion(member.release) ?? [0, 0, 0]);
    log(
      `> "${member.addresses[0] ?? ''}": Talos version ${release} is compatible with Kubernetes version ${target}`,
    );
  }
}

async function prePull(call: ToolCall, args: ParsedArgs, plan: Plan, kubelets: boolean): Promise<void> {
  const images = STATIC_PODS.map((pod) => `${imageFlag(args, pod.flag, pod.image)}:v${plan.to}`);
  for (const image of images) {
    for (const member of plan.controlPlanes)
      plan.log(` > "${member.addresses[0] ?? ''}": pre-pulling ${image}`);
  }
  if (!kubelets) return;
  const kubelet = `${imageFlag(args, 'kubelet-image', 'ghcr.io/siderolabs/kubelet')}:v${plan.to}`;
  for (const member of [...plan.controlPlanes, ...plan.workers]) {
    plan.log(` > "${member.addresses[0] ?? ''}": pre-pulling ${kubelet}`);
  }
  if (!plan.dryRun) await call.pause(call.talos.seconds.imagePull);
}

/** Patches a node's v1alpha1 document (patchNodeConfig: ApplyConfiguration in NO_REBOOT mode). */
function patchConfig(call: ToolCall, node: TalosNode, patch: Doc): void {
  const fresh = call.talos.all().find((member) => member.vm.vmid === node.vm.vmid) ?? node;
  const docs = (fresh.docs ?? []).map((doc) =>
    doc === mainDocument(fresh.docs ?? []) ? (mergeValue(doc, patch, '') as Doc) : doc,
  );
  call.talos.applyRunning(fresh, renderDocuments(docs), 'no-reboot');
}

async function upgradeStaticPod(
  call: ToolCall,
  plan: Plan,
  pod: (typeof STATIC_PODS)[number],
  imageName: string,
): Promise<void> {
  plan.log(`updating "${pod.service}" to version "${plan.to}"`);
  const image = `${imageName}:v${plan.to}`;
  for (const node of plan.controlPlanes) {
    const ip = node.addresses[0] ?? '';
    plan.log(` > "${ip}": starting update`);
    const current = getString(node.config, `${pod.path}.image`) ?? '';
    if (current === image) continue;
    const version = current.split('@')[0]?.split(':')[1] ?? plan.from;
    plan.log(` > update ${pod.service}: ${version} -> ${plan.to}`);
    if (plan.dryRun) {
      plan.log(' > skipped in dry-run');
      continue;
    }
    const [section, field] = pod.path.split('.') as [string, string];
    patchConfig(call, node, { [section]: { [field]: { image } } });
    plan.log(` > "${ip}": machine configuration patched`);
    plan.log(` > "${ip}": waiting for ${pod.service} pod update`);
    await call.pause(call.talos.seconds.kubeStaticPodUpdate);
    plan.log(` < "${ip}": successfully updated`);
  }
}

/** v1.13.9 patches `cluster.proxy.image` on every control plane (talos_managed.go l.230-265). */
function upgradeKubeProxy(call: ToolCall, plan: Plan, imageName: string): void {
  plan.log(`updating kube-proxy to version "${plan.to}"`);
  for (const node of plan.controlPlanes) {
    plan.log(` > "${node.addresses[0] ?? ''}": starting update`);
    if (plan.dryRun) plan.log(' > skipped in dry-run');
    else patchConfig(call, node, { cluster: { proxy: { image: `${imageName}:v${plan.to}` } } });
  }
}

/** kubelet.go: control planes first, then workers, one at a time; each waits for its Node's new version. */
async function upgradeKubelets(call: ToolCall, plan: Plan, imageName: string): Promise<void> {
  plan.log(`updating kubelet to version "${plan.to}"`);
  for (const node of [...plan.controlPlanes, ...plan.workers]) {
    const ip = node.addresses[0] ?? '';
    plan.log(` > "${ip}": starting update`);
    const old = node.kubernetes?.kubelet ?? plan.from;
    const image = `${imageName}:v${plan.to}`;
    const skipped = getString(node.config, 'machine.kubelet.image') === image;
    if (!skipped) {
      plan.log(` > update kubelet: ${old} -> ${plan.to}`);
      if (plan.dryRun) {
        plan.log(' > skipped in dry-run');
        continue;
      }
      patchConfig(call, node, { machine: { kubelet: { image } } });
    }
    if (plan.dryRun) continue;
    plan.log(` > "${ip}": machine configuration patched`);
    if (skipped) continue;
    plan.log(` > "${ip}": waiting for kubelet restart`);
    await call.pause(call.talos.seconds.kubeletRestart);
    plan.log(` > "${ip}": waiting for node update`);
    plan.log(` < "${ip}": successfully updated`);
  }
}

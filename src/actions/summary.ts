import * as core from '@actions/core';
import type { TwinPlan } from '../plan/plan.js';
import type { NodeLoad } from '../sizing/node-load.js';
import { changeLine, layerRows, orderedChanges, refusedLine, refusals } from '../twin/layers/describe.js';
import type { LayerDiff } from '../twin/layers/types.js';
import type { TwinOutcome } from '../twin/outcome.js';
import type { DestroyOutcome } from '../twin/destroy.js';
import type { OrphanSweep } from '../twin/known-twins.js';
import type { ReapDecision } from '../twin/reaper.js';
import { stageTimingTable } from '../twin/outcome.js';
import { expiryInWords, redactedBlock, shareInWords } from '../github/report.js';
import type { Expiry } from '../twin/expiry.js';
import type { TwinShare } from '../twin/twin-list.js';

const MAX_FAILURE_CHARS = 4000;

type Row = Parameters<typeof core.summary.addTable>[0][number];

function header(...cells: string[]): Row {
  return cells.map((data) => ({ data, header: true }));
}

/**
 * The job summary of an apply: the twin's share of the lab and its expiry, nodes and addresses, per-stage
 * timings, and what failed.
 */
export async function writeApplySummary(
  outcome: TwinOutcome,
  scale: number,
  lab: { share?: TwinShare; expiry?: Expiry } = {},
): Promise<void> {
  const summary = core.summary.addHeading(`Twin ${outcome.twin}: ${outcome.ok ? 'ready' : 'not ready'}`, 2);
  const expiry = lab.expiry && expiryInWords(lab.expiry);
  summary.addRaw(
    [
      `Environment ${outcome.environment}, slot ${outcome.slot} (pool \`${outcome.pool}\`).`,
      ...(lab.share ? [shareInWords(lab.share)] : []),
      ...(expiry ? [expiry] : []),
    ].join(' '),
    true,
  );
  summary.addTable([
    header('Cluster', 'Node', 'Role', 'Address', 'PVE node', 'VMID'),
    ...outcome.clusters.flatMap((cluster) =>
      cluster.nodes.map((node) => [
        cluster.name,
        node.name,
        node.role,
        node.address,
        node.pveNode,
        String(node.vmid),
      ]),
    ),
  ]);
  if (outcome.availability) {
    summary.addHeading('Availability while nodes changed (demo and mesh services, from each cluster)', 3);
    summary.addTable([
      header('Cluster', 'Requests sent', 'Answered', 'Failed'),
      ...outcome.availability.map((f) => [f.cluster, String(f.sent), String(f.answered), String(f.failed)]),
    ]);
  }
  const timings = stageTimingTable(outcome.records, scale);
  summary.addHeading(scale < 1 ? 'Stage timings (on the simulated lab)' : 'Stage timings', 3);
  summary.addTable([header(...timings.header), ...timings.rows]);
  if (outcome.failure) {
    summary
      .addHeading('What failed', 3)
      .addRaw(`\n${redactedBlock(outcome.failure, MAX_FAILURE_CHARS)}\n`, true);
  }
  await summary.write();
}

/** Running vs wanted per layer, the ordered path, and what the real systems refuse. */
function addLayers(layers: LayerDiff[]): void {
  const changes = orderedChanges(layers);
  const refused = refusals(layers);
  core.summary
    .addHeading('Layers: running and wanted', 3)
    .addTable([header('Layer', 'Cluster', 'Running', 'Wanted', 'State'), ...layerRows(layers)]);
  if (changes.length > 0) core.summary.addList(changes.map(changeLine), true);
  if (refused.length > 0) core.summary.addCodeBlock(refused.map(refusedLine).join('\n'));
}

/**
 * The plan's VMs, then what the twin requests on the fullest node of each role against its allocatable;
 * first the reason an apply would refuse the twin with, when it would.
 */
export async function writePlanSummary(
  plan: TwinPlan,
  loads: NodeLoad[],
  layers?: LayerDiff[],
  refusal?: string,
): Promise<void> {
  if (refusal) {
    core.summary
      .addHeading('An apply would refuse this twin, before claiming or changing anything', 3)
      .addRaw(`\n${redactedBlock(refusal, MAX_FAILURE_CHARS)}\n`, true);
  }
  if (layers) addLayers(layers);
  const share = (part: number, whole: number) => (whole > 0 ? `${Math.round((100 * part) / whole)}%` : '-');
  await core.summary
    .addHeading(`Plan of twin ${plan.twin}`, 2)
    .addTable([
      header('Action', 'VM', 'Cluster', 'PVE node', 'VMID', 'Address', 'Why'),
      ...plan.vms.map((vm) => [
        vm.action,
        vm.name,
        vm.cluster,
        vm.pveNode,
        String(vm.vmid),
        vm.address ?? '-',
        vm.reasons.join('; '),
      ]),
    ])
    .addHeading('Requests on the fullest node of each role (extras and Tetragon not counted)', 3)
    .addTable([
      header('Cluster', 'Role', 'VM', 'CPU requested / allocatable', 'Memory requested / allocatable'),
      ...loads.map((load) => [
        load.cluster,
        load.role,
        `${load.vm.cores} vCPU, ${load.vm.memoryMiB} MiB`,
        `${load.requested.cpuMilli}m / ${load.allocatable.cpuMilli}m (${share(load.requested.cpuMilli, load.allocatable.cpuMilli)})`,
        `${load.requested.memoryMiB}Mi / ${load.allocatable.memoryMiB}Mi (${share(load.requested.memoryMiB, load.allocatable.memoryMiB)})`,
      ]),
    ])
    .write();
}

export async function writeDestroySummary(outcome: DestroyOutcome): Promise<void> {
  const summary = core.summary.addHeading(
    outcome.existed ? `Twin ${outcome.twin} destroyed` : `Twin ${outcome.twin} does not exist`,
    2,
  );
  summary.addRaw(
    outcome.existed
      ? `${outcome.vms.length} VM(s) and pool(s) ${outcome.pools.join(', ') || 'none'} removed; nothing of the twin is left.`
      : 'No slot pool and no VM of this twin: nothing to destroy.',
    true,
  );
  if (outcome.foreign.length > 0) {
    summary
      .addHeading("Left alone: VMs that look like the twin's but are not", 3)
      .addTable([
        header('VMID', 'Name', 'PVE node', 'Pool', 'Why'),
        ...outcome.foreign.map((vm) => [String(vm.vmid), vm.name, vm.pveNode, vm.pool ?? '', vm.why]),
      ]);
  }
  await summary.write();
}

export async function writeReapSummary(
  decisions: ReapDecision[],
  dryRun: boolean,
  sweep: OrphanSweep,
  failures: string[],
  leftAlone: string[] = [],
): Promise<void> {
  const summary = core.summary
    .addHeading(dryRun ? 'Reaper (dry run): twins it would destroy' : 'Reaper: twins destroyed', 2)
    .addTable([header('Twin', 'Slot', 'Why'), ...decisions.map((d) => [d.twin, String(d.slot), d.detail])]);
  if (failures.length > 0) {
    const text = redactedBlock(failures.join('\n'), MAX_FAILURE_CHARS);
    summary.addHeading('Not reaped', 3).addRaw(`\n${text}\n`, true);
  }
  if (leftAlone.length > 0) {
    summary.addHeading("Left alone: VMs that look like a reaped twin's but are not", 3).addList(leftAlone);
  }
  if (sweep.removed.length > 0) {
    summary
      .addHeading(dryRun ? 'State it would remove (the twin is gone)' : 'State removed (the twin is gone)', 3)
      .addList(sweep.removed);
  }
  if (sweep.kept.length > 0) {
    summary.addHeading('State kept although no slot or VM is visible', 3).addList(sweep.kept);
  }
  if (sweep.skipped.length > 0) {
    const text = redactedBlock(sweep.skipped.join('\n'), MAX_FAILURE_CHARS);
    summary
      .addHeading('State kept this time: another operation holds the twin', 3)
      .addRaw(`\n${text}\n`, true);
  }
  await summary.write();
}

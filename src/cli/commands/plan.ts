import { resolveTwin } from '../../spec/environment.js';
import type { TwinPlan } from '../../plan/plan.js';
import type { PreflightReport } from '../../proxmox/preflight.js';
import { checkRights, findingLine, verdict } from '../../proxmox/preflight.js';
import { observeProxmox, planTwin } from '../../plan/plan.js';
import { nodeRequestsSection, twinNodeLoads } from '../../plan/node-requests.js';
import { admissionRefusal } from '../../twin/admission.js';
import { observeRunningTwin } from '../../twin/converge.js';
import { describeLayers, refusals } from '../../twin/layers/describe.js';
import type { Io } from '../output.js';
import {
  LAYOUT_OPTIONS,
  LAYOUT_USAGE,
  STATE_OPTIONS,
  STATE_USAGE,
  contextOn,
  specOf,
} from '../twin-context.js';
import { table } from '../output.js';
import {
  CONNECTION_OPTIONS,
  CONNECTION_USAGE,
  integerOption,
  parseCommandLine,
  requiredOption,
} from '../args.js';
import type { Parsed } from '../args.js';
import { connectWithLab, wantsProxmox } from '../connect.js';

export const PLAN_USAGE = `usage: twin plan SPEC --env TWIN [--json] [--slot N] [--layout-spec FILE] [--state-dir DIR] [--state-store local|doppler] (--lab DIR | --endpoint URL ...)
  TWIN is production, pr-<number> or a dispatch name. Changes nothing. Runs the admission up runs before it
  claims a slot (quota, VMIDs and addresses held by others, lost state, the new VMs against the PVE nodes' free
  capacity after other twins' reservations) and prints up's reason when it would refuse the twin (exit 1).
  For a twin that runs, every layer (VM hardware, Talos release and config, Kubernetes, helm releases) is
  compared with the spec, with the ordered path between them; paths the real systems refuse are named with
  the step needed first (exit 1).
${STATE_USAGE}
${LAYOUT_USAGE}
${CONNECTION_USAGE}`;

/** Shared by plan and render: the spec, the twin, and the plan against Proxmox when one is named. */
export async function planFromCommandLine(parsed: Parsed, usage: string, io: Io) {
  const spec = specOf(parsed, io);
  const resolved = resolveTwin(spec, requiredOption(parsed, 'env', usage));
  const slot = integerOption(parsed, 'slot');
  const proxmox = wantsProxmox(parsed) ? await connectWithLab(parsed) : undefined;
  const view = proxmox ? await observeProxmox(proxmox.client, spec) : undefined;
  const plan = planTwin(resolved, view, slot === undefined ? {} : { slot });
  return { spec, resolved, plan, proxmox, view };
}

export const PLAN_OPTIONS = {
  env: { type: 'string' },
  json: { type: 'boolean' },
  slot: { type: 'string' },
  ...STATE_OPTIONS,
  ...LAYOUT_OPTIONS,
  ...CONNECTION_OPTIONS,
} as const;

export async function planCommand(args: string[], io: Io): Promise<number> {
  const parsed = parseCommandLine(args, PLAN_OPTIONS, ['SPEC'], PLAN_USAGE);
  const { spec, resolved, plan: planned, proxmox, view } = await planFromCommandLine(parsed, PLAN_USAGE, io);
  // The findings of `twin doctor` and of apply's preflight; the plan is made all the same.
  const plan = proxmox
    ? {
        ...planned,
        rights: await checkRights(
          proxmox.client,
          spec,
          { operation: 'apply', environments: [resolved.environment] },
          proxmox.tokenId,
        ),
      }
    : planned;
  // Quiet: observing runs talosctl and kubectl, whose progress is not the plan.
  const ctx = proxmox && { ...contextOn(parsed, resolved, proxmox, io), log: () => {} };
  // What up would say before claiming anything: the same checks, read-only.
  const refusal = ctx && view ? await admissionRefusal(ctx, plan, view) : undefined;
  const admission = ctx && { admitted: refusal === undefined, ...(refusal ? { refusal } : {}) };
  const layers = ctx ? await observeRunningTwin(ctx, plan) : undefined;
  io.out(
    parsed.values.json === true
      ? JSON.stringify(
          {
            ...planJson(plan),
            ...(admission ? { admission } : {}),
            ...(layers ? { layers } : {}),
            nodeRequests: twinNodeLoads(resolved),
          },
          null,
          2,
        )
      : [
          describePlan(plan, refusal),
          ...(layers ? ['', ...describeLayers(layers, table)] : []),
          '',
          ...nodeRequestsSection(resolved),
        ].join('\n'),
  );
  const conflicts = plan.vms.some((vm) => vm.action === 'conflict');
  return conflicts || refusal || (layers !== undefined && refusals(layers).length > 0) ? 1 : 0;
}

/** The JSON form: stable field names, no internal definitions. */
export function planJson(plan: TwinPlan) {
  const { vms, ...rest } = plan;
  return {
    ...rest,
    summary: countActions(plan),
    vms: vms.map(({ definition: _definition, ...vm }) => vm),
  };
}

function countActions(plan: TwinPlan): Record<string, number> {
  const counts: Record<string, number> = { create: 0, keep: 0, change: 0, destroy: 0, conflict: 0 };
  for (const vm of plan.vms) counts[vm.action] = (counts[vm.action] ?? 0) + 1;
  return counts;
}

/** The plan in words; `refusal` is what up would refuse the twin with, right below what it would do. */
export function describePlan(plan: TwinPlan, refusal?: string): string {
  const counts = countActions(plan);
  const slotLine =
    `twin ${plan.twin} (${plan.environment}), slot ${plan.slot} ` +
    `(${plan.slotState === 'held' ? 'held' : 'to claim'}: pool ${plan.pool})` +
    (plan.observed ? '' : ' - planned without Proxmox: placement ignores free memory');
  const clusters = plan.clusters.map(
    (c) => `  ${c.name}: cluster id ${c.id}, VIP ${c.vip}, pods ${c.pods}, services ${c.services}`,
  );
  const rows = plan.vms.map((vm) => [
    vm.action,
    vm.name,
    vm.cluster,
    vm.role,
    vm.pveNode,
    String(vm.vmid),
    vm.address ?? '-',
    `${vm.cores}c/${vm.memoryMiB}M`,
    vm.tags.join(';'),
    vm.reasons.join('; '),
  ]);
  return [
    slotLine,
    `image ${plan.image.fileName}`,
    ...clusters,
    '',
    table(['ACTION', 'VM', 'CLUSTER', 'ROLE', 'PVE NODE', 'VMID', 'ADDRESS', 'SIZE', 'TAGS', 'WHY'], rows),
    '',
    `${counts.create} to create, ${counts.keep} to keep, ${counts.change} to change, ${counts.destroy} to destroy` +
      (counts.conflict ? `, ${counts.conflict} CONFLICT(S): a VMID of this twin is held by another VM` : ''),
    ...(refusal ? ['', 'up would refuse this twin, before claiming or changing anything:', refusal] : []),
    ...(plan.rights ? ['', ...rightsSection(plan.rights)] : []),
  ].join('\n');
}

/** What `twin doctor` would name: only the findings here, and the verdict. */
function rightsSection(rights: PreflightReport): string[] {
  return [
    'rights (what apply needs):',
    ...[...rights.findings.map(findingLine), verdict(rights)].map((l) => `  ${l}`),
  ];
}

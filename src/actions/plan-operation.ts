import * as core from '@actions/core';
import { Outputs } from '../github/action-io.js';
import { twinNodeLoads } from '../plan/node-requests.js';
import { observeProxmox, planTwin } from '../plan/plan.js';
import { admissionRefusal } from '../twin/admission.js';
import type { TwinContext } from '../twin/context.js';
import { observeRunningTwin } from '../twin/converge.js';
import { refusedLine, refusals } from '../twin/layers/describe.js';
import { writePlanSummary } from './summary.js';

/**
 * operation plan: what an apply would do, changing nothing. The admission an apply runs before it claims a
 * slot runs here too, so a twin that would be refused (it does not fit, its addresses are held, ...) is
 * told with the apply's reason; like a layer path the real systems refuse, it is a warning, not a failure.
 */
export async function planOperation(ctx: TwinContext): Promise<void> {
  const view = await observeProxmox(ctx.client, ctx.twin.spec);
  const plan = planTwin(ctx.twin, view);
  core.setOutput(Outputs.Plan, JSON.stringify(plan.vms.map(({ definition: _d, ...vm }) => vm)));
  core.setOutput(Outputs.Slot, String(plan.slot));
  const refusal = await admissionRefusal(ctx, plan, view);
  if (refusal) core.warning(`apply would refuse this twin, before claiming or changing anything: ${refusal}`);
  const layers = await observeRunningTwin(ctx, plan);
  for (const refused of layers ? refusals(layers) : []) core.warning(refusedLine(refused));
  await writePlanSummary(plan, twinNodeLoads(ctx.twin), layers, refusal);
}

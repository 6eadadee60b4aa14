/**
 * The stages of a twin's pipeline in the order they run: the plan and the claim (before any step), then
 * provisioning (action-provision: image, VMs, Talos, Kubernetes, Cilium up to every node Ready, with converge's
 * rollout and release upgrades of a twin that runs already), the mesh (action-mesh), day 2 (action-day2), and
 * destroy. Steps name their stage (Step.stage); this order is what people read progress and timings in.
 */
export const PIPELINE_STAGES: readonly string[] = [
  'plan',
  'image',
  'vm',
  'scale',
  'talos',
  'kubernetes',
  'cilium',
  'rollout',
  'release',
  'mesh',
  'mesh-check',
  'storage',
  'demo',
  'extras',
  'checks',
  'destroy',
];

/** Sorts stages into pipeline order; a stage the list does not know goes last, in the order given. */
export function inPipelineOrder(stages: Iterable<string>): string[] {
  const rank = (stage: string) => {
    const index = PIPELINE_STAGES.indexOf(stage);
    return index === -1 ? PIPELINE_STAGES.length : index;
  };
  return [...stages].sort((a, b) => rank(a) - rank(b));
}

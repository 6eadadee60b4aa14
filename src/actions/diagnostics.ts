import { join } from 'node:path';
import * as core from '@actions/core';
import { bundleAfterFailure, describeBundle, diagnosticsRequest } from '../diagnostics/bundle.js';
import type { RunFacts } from '../diagnostics/run.js';
import type { DiagnosticCluster } from '../diagnostics/types.js';
import { logLine, Outputs, withGroup } from '../github/action-io.js';
import type { ClusterWorkContext } from '../twin/context.js';
import { tempRoot } from './work-dirs.js';

export type DiagnosedStep = 'provision' | 'mesh' | 'day2';

/**
 * A failed step's diagnostics bundle (src/diagnostics): a file directly in RUNNER_TEMP (the post step removes
 * only scratch folders, and the runner empties RUNNER_TEMP after the job), its path set as output
 * `diagnostics` and named in the job summary, for the workflow's upload step to keep as an artifact.
 * Writing it never replaces the step's own failure: a bundle that cannot be written is a warning.
 */
export async function diagnoseFailedStep(
  step: DiagnosedStep,
  ctx: ClusterWorkContext,
  clusters: DiagnosticCluster[],
  run: RunFacts,
  secrets: string[] = [],
): Promise<void> {
  const path = join(tempRoot(), `aggrik8s-twin-${ctx.twin.twin}-${step}-diagnostics.tar.gz`);
  const request = { ...diagnosticsRequest(ctx, clusters, run), secrets };
  const bundle = await withGroup('Diagnostics bundle', () => bundleAfterFailure(request, path, core.warning));
  if (!bundle) return;
  core.setOutput(Outputs.Diagnostics, bundle.path);
  logLine(`diagnostics: ${describeBundle(bundle)}`);
  await core.summary
    .addHeading('Diagnostics', 3)
    .addRaw(
      `The state of the twin's clusters when this step failed (Talos services and logs, Kubernetes events, ` +
        `pods that are not Ready, Cilium, Cluster Mesh and Ceph status), redacted and scanned for the twin's ` +
        `secrets: \`${bundle.path}\`, ${bundle.items.length} items. The workflow keeps it as an artifact.`,
      true,
    )
    .write();
}

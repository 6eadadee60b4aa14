import { isDeepStrictEqual } from 'node:util';
import type { RuleIssue, SpecPath } from './rules.js';
import type { TwinSpec } from './schema.js';

/**
 * The layout of the lab: the spec fields that say where twins live and what they may take (the project tag,
 * Proxmox nodes, storage, bridge and slots, each cluster's node network and address pool, production's slot,
 * pool and VIPs, the previews' TTL, quota, keep label and long-lived twins). A pull request runs with its own twin.yaml, so a preview takes
 * these fields from the production branch's spec instead: an edited slot setting or address pool cannot put it
 * on VMIDs, pools or addresses another twin holds, nor lift its own quota or TTL. Everything else (releases,
 * sizes, add-ons) stays the pull request's, which is what it previews.
 */
export function adoptProductionLayout(
  spec: TwinSpec,
  production: TwinSpec,
  productionFile: string,
): { spec: TwinSpec; issues: RuleIssue[] } {
  const issues: RuleIssue[] = [];
  const differs = (path: SpecPath, mine: unknown, theirs: unknown) => {
    if (!isDeepStrictEqual(mine, theirs)) issues.push(ignoredChange(path, productionFile));
  };

  differs(['project'], spec.project, production.project);
  for (const key of Object.keys({
    ...spec.proxmox,
    ...production.proxmox,
  }) as (keyof TwinSpec['proxmox'])[]) {
    differs(['proxmox', key], spec.proxmox[key], production.proxmox[key]);
  }
  const clusters = spec.clusters.map((cluster, index) => {
    const theirs = production.clusters.find((candidate) => candidate.name === cluster.name);
    if (!theirs) {
      issues.push(newCluster(index, cluster.name, productionFile));
      return cluster;
    }
    differs(['clusters', index, 'network'], cluster.network, theirs.network);
    return { ...cluster, network: theirs.network };
  });
  const { preview } = spec.environments;
  differs(['environments', 'production'], spec.environments.production, production.environments.production);
  differs(
    ['environments', 'preview', 'ttlHours'],
    preview.ttlHours,
    production.environments.preview.ttlHours,
  );
  differs(['environments', 'preview', 'quota'], preview.quota, production.environments.preview.quota);
  differs(
    ['environments', 'preview', 'keepLabel'],
    preview.keepLabel,
    production.environments.preview.keepLabel,
  );
  differs(
    ['environments', 'preview', 'longLived'],
    preview.longLived,
    production.environments.preview.longLived,
  );

  const { quota, ttlHours, keepLabel, longLived } = production.environments.preview;
  const { quota: _ignored, ...ownPreview } = preview;
  return {
    spec: {
      ...spec,
      project: production.project,
      proxmox: production.proxmox,
      clusters,
      environments: {
        production: production.environments.production,
        preview: { ...ownPreview, ttlHours, keepLabel, longLived, ...(quota === undefined ? {} : { quota }) },
      },
    },
    issues,
  };
}

function ignoredChange(path: SpecPath, productionFile: string): RuleIssue {
  return {
    severity: 'warning',
    path,
    message:
      `differs from the production branch's spec (${productionFile}); this twin takes the production ` +
      "branch's value: the lab's layout changes only once the change is merged",
    fix: 'leave the field as the production branch has it, or merge the change to the production branch first',
  };
}

function newCluster(index: number, name: string, productionFile: string): RuleIssue {
  return {
    severity: 'error',
    path: ['clusters', index, 'name'],
    message:
      `cluster ${name} is not in the production branch's spec (${productionFile}), so it has no node ` +
      'network and address pool the lab agreed to',
    fix: "add the cluster's network to the production branch first, or preview without the cluster",
  };
}

import type { KubeObject } from '../../src/kube/objects.js';

/** Rules every manifest we apply must keep; returns the broken ones, one line each. */

const DNS_1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const PINNED_IMAGE = /^[^@\s]+:[^@\s]+@sha256:[0-9a-f]{64}$/;

interface PodTemplateHolder {
  spec?: {
    selector?: { matchLabels?: Record<string, string> };
    template?: {
      metadata?: { labels?: Record<string, string> };
      spec?: { containers?: { name: string; image: string; securityContext?: { privileged?: boolean } }[] };
    };
  };
}

export function manifestProblems(objects: KubeObject[]): string[] {
  return objects.flatMap((object) => [...identityProblems(object), ...deploymentProblems(object)]);
}

function identityProblems(object: KubeObject): string[] {
  const where = `${object.kind}/${object.metadata.name}`;
  const problems: string[] = [];
  if (!object.apiVersion) problems.push(`${where}: no apiVersion`);
  if (!object.kind) problems.push(`${where}: no kind`);
  if (object.metadata.name.length > 63 || !DNS_1123_LABEL.test(object.metadata.name))
    problems.push(`${where}: name is not a DNS-1123 label`);
  return problems;
}

function deploymentProblems(object: KubeObject): string[] {
  if (object.kind !== 'Deployment') return [];
  const where = `Deployment/${object.metadata.name}`;
  const { spec } = object as PodTemplateHolder;
  const selector = spec?.selector?.matchLabels ?? {};
  const labels = spec?.template?.metadata?.labels ?? {};
  const problems: string[] = [];
  if (Object.keys(selector).length === 0) problems.push(`${where}: empty selector`);
  for (const [key, value] of Object.entries(selector)) {
    if (labels[key] !== value)
      problems.push(`${where}: selector ${key}=${value} does not match the template`);
  }
  for (const container of spec?.template?.spec?.containers ?? []) {
    if (!PINNED_IMAGE.test(container.image))
      problems.push(`${where}: image ${container.image} is not pinned`);
    if (container.securityContext?.privileged)
      problems.push(`${where}: container ${container.name} is privileged`);
  }
  return problems;
}

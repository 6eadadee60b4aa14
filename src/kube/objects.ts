import { stringify } from 'yaml';

/** The fields every Kubernetes object shares; the rest (spec, data, ...) is the kind's own. */
export interface KubeObject {
  apiVersion: string;
  kind: string;
  metadata: {
    name: string;
    namespace?: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
  };
  [key: string]: unknown;
}

/** One multi-document YAML stream for `kubectl apply -f`, in the order given (namespaces first). */
export function manifestsYaml(objects: KubeObject[]): string {
  return objects.map((object) => stringify(object, { lineWidth: 0 })).join('---\n');
}

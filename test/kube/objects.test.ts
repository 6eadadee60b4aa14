import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { manifestsYaml, type KubeObject } from '../../src/kube/objects.js';

const namespace: KubeObject = { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'starwars' } };
const configMap: KubeObject = {
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: { name: 'reply', namespace: 'starwars' },
  data: { message: `{"Cluster": "east", "padding": "${'x'.repeat(200)}"}\n` },
};

describe('manifestsYaml', () => {
  it('writes one document per object, in order, separated by ---', () => {
    const text = manifestsYaml([namespace, configMap]);
    expect(text.split('---\n')).toHaveLength(2);
    expect(parseAllDocuments(text).map((doc) => doc.toJS() as unknown)).toEqual([namespace, configMap]);
  });

  it('never folds long strings (lineWidth 0)', () => {
    const text = manifestsYaml([configMap]);
    expect(text.split('\n').some((line) => line.includes('x'.repeat(200)))).toBe(true);
  });

  it('writes nothing for no objects', () => {
    expect(manifestsYaml([])).toBe('');
  });
});

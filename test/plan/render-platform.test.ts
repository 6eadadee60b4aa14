import { readFileSync } from 'node:fs';
import { Ajv } from 'ajv';
import { X509Certificate } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { parseAllDocuments, parse } from 'yaml';
import { contractFile } from '../../src/lab/contracts-dir.js';
import { customCaError } from '../../src/lab/kube/cilium-ca.js';
import { chartDefaults, coalesce, validateTemplateError } from '../../src/lab/kube/cilium-chart.js';
import { findChart } from '../../src/lab/kube/charts.js';
import { KINDS, crdName } from '../../src/lab/kube/kinds.js';
import { ObjectStore } from '../../src/lab/kube/objects.js';
import type { StoredObject } from '../../src/lab/kube/objects.js';
import type { Doc } from '../../src/lab/talos/yaml-docs.js';
import { THROWAWAY_CA_COMMON_NAME, createThrowawayCa, parseMeshCa } from '../../src/mesh/ca.js';
import { planTwin } from '../../src/plan/plan.js';
import { renderPlatform } from '../../src/plan/render-platform.js';
import { resolveTwin } from '../../src/spec/environment.js';
import { loadSpec } from '../../src/spec/load.js';
import type { CertificateAndKey } from '../../src/util/x509.js';

const { spec } = loadSpec('examples/twin.yaml');
const validateCilium = new Ajv({ strict: false, allErrors: true }).compile(
  JSON.parse(readFileSync(contractFile('ciliumValues'), 'utf8')) as object,
);

/** An API server with every CRD installed, so each rendered object meets the lab's (real) validation. */
function apiServer(): ObjectStore {
  const objects: Record<string, StoredObject> = {};
  const store = new ObjectStore(
    objects,
    () => 0,
    () => undefined,
  );
  for (const info of KINDS.filter((kind) => kind.custom)) {
    store.apply(
      {
        apiVersion: 'apiextensions.k8s.io/v1',
        kind: 'CustomResourceDefinition',
        metadata: { name: crdName(info) },
      },
      { defaultNamespace: 'default' },
    );
  }
  return store;
}

let throwawayCa: CertificateAndKey;
beforeAll(async () => {
  throwawayCa = await createThrowawayCa();
});

const fromBase64 = (value: unknown) => Buffer.from(String(value), 'base64').toString('utf8');

describe('twin render: helm values and manifests', () => {
  for (const twin of ['pr-7', 'production']) {
    it(`renders every release and manifest of ${twin}, valid as the chart and the API server see them`, () => {
      const plan = planTwin(resolveTwin(spec, twin), undefined, twin === 'production' ? {} : { slot: 3 });
      const files = renderPlatform(plan, spec, throwawayCa);
      const paths = files.map((file) => file.path);
      for (const cluster of ['east', 'west']) {
        for (const release of ['cilium', 'rook-ceph', 'rook-ceph-cluster'])
          expect(paths).toContain(`${twin}/${cluster}/helm/${release}.values.yaml`);
        for (const set of ['mesh-check', 'rook-namespace', 'starwars'])
          expect(paths).toContain(`${twin}/${cluster}/manifests/${set}.yaml`);
        const releases = JSON.parse(
          files.find((file) => file.path === `${twin}/${cluster}/releases.json`)!.content,
        ) as {
          release: string;
        }[];
        expect(releases.map((entry) => entry.release)).toEqual(['cilium', 'rook-ceph', 'rook-ceph-cluster']);
      }
      for (const file of files.filter((entry) => entry.path.endsWith('/helm/cilium.values.yaml'))) {
        const values = parse(file.content) as Doc;
        expect(validateCilium(values), JSON.stringify(validateCilium.errors)).toBe(true);
        expect(validateTemplateError(coalesce(chartDefaults(), values) as Doc)).toBeUndefined();
        // All of what the lab's helm checks (schema, validate.yaml, the CA's buildCustomCert), as helm merges.
        const chart = findChart('https://helm.cilium.io', 'cilium')!;
        const merged = coalesce(chart.defaults(spec.cilium.version), values) as Doc;
        expect(chart.check!(merged, spec.cilium.version)).toBeUndefined();
      }
      for (const file of files.filter((entry) => entry.path.includes('/manifests/'))) {
        const store = apiServer();
        for (const document of parseAllDocuments(file.content)) {
          const object = document.toJS() as Doc;
          expect(() => store.apply(object, { defaultNamespace: 'default' }), `${file.path}`).not.toThrow();
        }
      }
    });
  }

  it('lists the same clusters peers in every cluster and each cluster its own name', () => {
    const plan = planTwin(resolveTwin(spec, 'pr-7'), undefined, { slot: 3 });
    const values = renderPlatform(plan, spec, throwawayCa)
      .filter((file) => file.path.endsWith('/helm/cilium.values.yaml'))
      .map(
        (file) =>
          parse(file.content) as {
            cluster: { name: string };
            clustermesh: { config: { clusters: unknown } };
          },
      );
    expect(values.map((entry) => entry.cluster.name)).toEqual(['east', 'west']);
    expect(values[0]!.clustermesh.config.clusters).toEqual(values[1]!.clustermesh.config.clusters);
  });

  it("carries the render's throw-away CA, marked so: a CA certificate whose key matches, the same in every cluster", () => {
    const plan = planTwin(resolveTwin(spec, 'pr-7'), undefined, { slot: 3 });
    const ciliumFiles = renderPlatform(plan, spec, throwawayCa).filter((file) =>
      file.path.endsWith('/helm/cilium.values.yaml'),
    );
    expect(ciliumFiles).toHaveLength(2);
    for (const file of ciliumFiles) {
      expect(file.content.split('\n')[0]).toMatch(/^# tls\.ca: a throw-away CA made for this render only/);
      const { tls } = parse(file.content) as { tls: { ca: { cert: string; key: string } } };
      const ca = { certPem: fromBase64(tls.ca.cert), keyPem: fromBase64(tls.ca.key) };
      expect(() => parseMeshCa(JSON.stringify(ca), file.path)).not.toThrow(); // a CA, its key, not expired
      expect(new X509Certificate(ca.certPem).subject).toBe(`CN=${THROWAWAY_CA_COMMON_NAME}`);
      expect(ca).toEqual(throwawayCa);
    }
  });

  it("the lab's chart refuses the placeholder render used to write, as buildCustomCert does", () => {
    const values = (ca: { cert: string; key: string }) =>
      coalesce(chartDefaults(), { cluster: { name: 'east', id: 1 }, tls: { ca } }) as Doc;
    const placeholder = 'kept-in-the-state-store-never-rendered';
    expect(customCaError(values({ cert: placeholder, key: placeholder }))).toMatch(
      /error calling buildCustomCert: unable to decode base64 certificate$/,
    );
    const notPem = Buffer.from('not a certificate').toString('base64');
    expect(customCaError(values({ cert: notPem, key: notPem }))).toMatch(/unable to decode certificate$/);
    const cert = Buffer.from(throwawayCa.certPem).toString('base64');
    expect(customCaError(values({ cert, key: notPem }))).toMatch(/error parsing private key/);
  });

  it('the lab API server refuses a broken manifest (the check above can fail)', () => {
    const store = apiServer();
    expect(() =>
      store.apply(
        {
          apiVersion: 'apps/v1',
          kind: 'Deployment',
          metadata: { name: 'x-wing' },
          spec: {
            selector: { matchLabels: { name: 'x-wing' } },
            template: {
              metadata: { labels: { name: 'other' } },
              spec: { containers: [{ name: 'c', image: 'nginx' }] },
            },
          },
        },
        { defaultNamespace: 'default' },
      ),
    ).toThrow(/selector` does not match template `labels`/);
  });
});

export const id = 54;
export const ids = [54];
export const modules = {

/***/ 99054:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {


// EXPORTS
__webpack_require__.d(__webpack_exports__, {
  twinPlatform: () => (/* binding */ twinPlatform)
});

// EXTERNAL MODULE: external "node:fs/promises"
var promises_ = __webpack_require__(51455);
// EXTERNAL MODULE: external "node:path"
var external_node_path_ = __webpack_require__(76760);
// EXTERNAL MODULE: ./node_modules/yaml/dist/index.js
var dist = __webpack_require__(38815);
// EXTERNAL MODULE: ./src/addons/rook.ts + 1 modules
var rook = __webpack_require__(74513);
// EXTERNAL MODULE: ./src/addons/starwars.ts
var starwars = __webpack_require__(47564);
// EXTERNAL MODULE: ./src/kube/helm.ts
var helm = __webpack_require__(78781);
// EXTERNAL MODULE: ./src/kube/kubectl.ts
var kubectl = __webpack_require__(49283);
// EXTERNAL MODULE: ./src/kube/objects.ts
var kube_objects = __webpack_require__(49509);
// EXTERNAL MODULE: ./src/spec/files.ts
var files = __webpack_require__(5432);
// EXTERNAL MODULE: ./src/twin/ceph-wait.ts
var ceph_wait = __webpack_require__(27428);
// EXTERNAL MODULE: ./src/twin/curl-check.ts
var curl_check = __webpack_require__(60487);
// EXTERNAL MODULE: ./src/twin/platform.ts
var platform = __webpack_require__(89215);
// EXTERNAL MODULE: ./src/twin/platform-steps.ts
var platform_steps = __webpack_require__(87817);
;// CONCATENATED MODULE: ./src/twin/day2.ts














const DEMO_REQUESTS = 20;
const DEMO_REPLICAS = 2;
const CILIUM_REPO = 'https://helm.cilium.io';
/**
 * Day-2 platform on every cluster of a meshed twin: Rook Ceph up to HEALTH_OK, the Star Wars demo with its
 * cross-cluster checks (reach, failover, optional shared/affinity), then the spec's extras (Tetragon, helm
 * releases, manifest folders) once storage is there.
 */
async function day2Twin(ctx, clusters, folder) {
    const part = day2Steps(ctx, clusters, folder, AFTER_BUILD);
    return { ...(await runPlatformSteps(ctx, part.steps)), report: part.report() };
}
/**
 * Day 2's steps. Joined to the build steps (`gates`), Rook's operator chart goes in once the cluster's API
 * answers (its pod starts on the first Ready node); the CephCluster, the demo and the extras wait for every
 * node to be Ready (Rook places its mons at once, and pods' rollouts count from their start), and the demo's
 * checks for the mesh.
 */
function day2Steps(ctx, clusters, folder, gates) {
    const { addons } = ctx.twin.spec;
    const ceph = new Map();
    const checks = [];
    const kubectlOf = (cluster) => new kubectl/* Kubectl */.b(ctx.runner, { kubeconfig: cluster.kubeconfig, path: ctx.tools.kubectl });
    const helmOf = (cluster) => new helm/* Helm */.f(ctx.runner, { kubeconfig: cluster.kubeconfig, path: ctx.tools.helm });
    const steps = [];
    for (const cluster of clusters) {
        const kubectl = kubectlOf(cluster);
        const helm = helmOf(cluster);
        const apply = async (label, objects) => {
            const file = (0,external_node_path_.join)(ctx.workDir, `${cluster.name}-${label}.yaml`);
            await (0,promises_.writeFile)(file, (0,kube_objects/* manifestsYaml */.G)(objects), { mode: 0o600 });
            await kubectl.apply(file);
        };
        const valuesFile = async (label, values) => {
            const file = (0,external_node_path_.join)(ctx.workDir, `${cluster.name}-${label}-values.yaml`);
            await (0,promises_.writeFile)(file, (0,dist/* stringify */.As)(values, { lineWidth: 0 }), { mode: 0o600 });
            return file;
        };
        if (addons.rook.enabled) {
            const { cores, memoryMiB } = ctx.twin.clusters.find((spec) => spec.name === cluster.name).workers;
            const workerVm = { cores, memoryMiB };
            steps.push({
                id: `rook-operator:${cluster.name}`,
                title: `${cluster.name}: Rook operator`,
                doing: `installing the Rook operator on ${cluster.name}`,
                stage: 'storage',
                needs: gates.api(cluster.name),
                run: async () => {
                    await apply('rook-namespace', [(0,rook/* rookNamespaceManifest */.W5)()]); // privileged before any Rook pod asks for it
                    await helm.upgradeInstall({
                        release: 'rook-ceph',
                        chart: 'rook-ceph',
                        repo: rook/* ROOK_REPO */.jn,
                        version: addons.rook.version,
                        namespace: rook/* ROOK_NAMESPACE */.MN,
                        valuesFile: await valuesFile('rook-operator', (0,rook/* rookOperatorValues */.YC)(workerVm)),
                    });
                },
            }, {
                id: `ceph:${cluster.name}`,
                title: `${cluster.name}: Ceph HEALTH_OK`,
                doing: `creating the Ceph cluster of ${cluster.name} and waiting for HEALTH_OK`,
                stage: 'storage',
                needs: [`rook-operator:${cluster.name}`, ...gates.ready(cluster.name)],
                run: async () => {
                    const workers = cluster.nodes
                        .filter((node) => node.role === 'worker')
                        .map((node) => ({ name: node.name, extraDisks: node.extraDisks }));
                    await helm.upgradeInstall({
                        release: 'rook-ceph-cluster',
                        chart: 'rook-ceph-cluster',
                        repo: rook/* ROOK_REPO */.jn,
                        version: addons.rook.version,
                        namespace: rook/* ROOK_NAMESPACE */.MN,
                        valuesFile: await valuesFile('rook-cluster', (0,rook/* rookClusterValues */.AX)({ cluster: cluster.name, workers, workerVm })),
                    });
                    // The chart needs only the operator's CRDs: its pod starts meanwhile, then reconciles the cluster.
                    await kubectl.rolloutStatus('deployment', 'rook-ceph-operator', rook/* ROOK_NAMESPACE */.MN, ctx.pace.rolloutTimeoutSec);
                    await (0,ceph_wait/* waitForCeph */.Fp)(ctx.pace, kubectl, cluster.name, (status) => ceph.set(cluster.name, status));
                },
            });
        }
        if (addons.starwars.enabled) {
            steps.push({
                id: `starwars:${cluster.name}`,
                title: `${cluster.name}: Star Wars demo deployed`,
                doing: `deploying the Star Wars demo on ${cluster.name}`,
                stage: 'demo',
                needs: gates.ready(cluster.name),
                run: async () => {
                    await apply('starwars', (0,starwars/* starwarsManifests */.qc)(cluster.name));
                    for (const name of [starwars/* REBEL_BASE */.xu, starwars/* X_WING */.zG])
                        await kubectl.rolloutStatus('deployment', name, starwars/* STARWARS_NAMESPACE */.wI, ctx.pace.rolloutTimeoutSec);
                },
            });
        }
        const afterStorage = [
            ...(addons.rook.enabled ? [`ceph:${cluster.name}`] : []),
            ...gates.ready(cluster.name),
        ];
        if (addons.tetragon?.enabled) {
            const version = addons.tetragon.version;
            steps.push({
                id: `tetragon:${cluster.name}`,
                title: `${cluster.name}: Tetragon`,
                doing: `installing Tetragon on ${cluster.name}`,
                stage: 'extras',
                needs: afterStorage,
                run: async () => {
                    await helm.upgradeInstall({
                        release: 'tetragon',
                        chart: 'tetragon',
                        repo: CILIUM_REPO,
                        version,
                        namespace: 'kube-system',
                        valuesFile: await valuesFile('tetragon', {}),
                        waitSeconds: ctx.pace.rolloutTimeoutSec,
                    });
                },
            });
        }
        const { releases, manifests } = addons.extras;
        if (releases.length > 0 || manifests.length > 0) {
            steps.push({
                id: `extras:${cluster.name}`,
                title: `${cluster.name}: the repository's releases and manifests`,
                doing: `installing the repository's releases and manifests on ${cluster.name}`,
                stage: 'extras',
                needs: afterStorage,
                run: async () => {
                    for (const [index, release] of releases.entries()) {
                        await helm.upgradeInstall({
                            release: release.name,
                            chart: release.chart,
                            repo: release.repo,
                            version: release.version,
                            namespace: release.namespace,
                            createNamespace: true,
                            valuesFile: release.values
                                ? (0,files/* checkNamedFile */.iV)(folder, release.values, `addons.extras.releases[${index}].values`, 'file')
                                : await valuesFile(`release-${release.name}`, {}),
                            waitSeconds: ctx.pace.rolloutTimeoutSec,
                        });
                    }
                    for (const [index, path] of manifests.entries()) {
                        const field = `addons.extras.manifests[${index}]`;
                        const lines = await kubectl.apply((0,files/* checkNamedFile */.iV)(folder, path, field, 'file or folder'));
                        ctx.log(`${cluster.name}: ${path}: ${lines.join('; ')}`);
                    }
                },
            });
        }
    }
    if (addons.starwars.enabled) {
        steps.push({
            id: 'starwars-checks',
            title: 'Star Wars demo answered across the mesh',
            doing: 'asking the Star Wars demo across the mesh',
            stage: 'checks',
            needs: [...clusters.map((cluster) => `starwars:${cluster.name}`), ...gates.meshed],
            run: async () => {
                const names = clusters.map((cluster) => cluster.name);
                const results = await starwarsChecks(ctx, clusters.map((cluster) => ({ name: cluster.name, kubectl: kubectlOf(cluster) })), names);
                checks.push(...results);
                const failure = (0,platform/* describeFailedChecks */.u0)(results);
                if (failure)
                    throw new Error(failure);
            },
        });
    }
    return {
        steps,
        report: () => ({
            mesh: [],
            ceph: clusters.filter((cluster) => ceph.has(cluster.name)).map((cluster) => ceph.get(cluster.name)),
            checks,
        }),
    };
}
/**
 * The demo's checks (CONTRACTS E): from x-wing in each cluster, rebel-base answers from every cluster; with
 * rebel-base scaled to zero in one cluster, requests from there are still answered by the others (then it is
 * restored); optionally shared=false and affinity=local. Each check keeps its evidence.
 */
async function starwarsChecks(ctx, clusters, names) {
    const sample = (from) => () => (0,curl_check/* sampleService */.T)({
        kubectl: from.kubectl,
        namespace: starwars/* STARWARS_NAMESPACE */.wI,
        client: `deploy/${starwars/* X_WING */.zG}`,
        container: starwars/* X_WING_CONTAINER */.$s,
        host: starwars/* REBEL_BASE */.xu,
        requests: DEMO_REQUESTS,
    });
    const check = (from, id, title, judge) => (0,curl_check/* runCheck */.k)(ctx, { id: `${id}:${from.name}`, title, cluster: from.name, take: sample(from), judge });
    const outcomes = [];
    for (const from of clusters) {
        outcomes.push(await check(from, 'starwars-reach', `from ${from.name}, rebel-base answers from every cluster`, (s) => allAnswered(s) ?? missingClusters(s, names)));
    }
    if (clusters.length < 2)
        return outcomes;
    for (const down of clusters) {
        await down.kubectl.scale(starwars/* REBEL_BASE */.xu, starwars/* STARWARS_NAMESPACE */.wI, 0);
        try {
            outcomes.push(await check(down, 'starwars-failover', `with rebel-base scaled to zero in ${down.name}, requests from ${down.name} are answered by the others`, (s) => allAnswered(s) ?? ((s.byCluster[down.name] ?? 0) > 0 ? `${down.name} still answered` : undefined)));
        }
        finally {
            await down.kubectl.scale(starwars/* REBEL_BASE */.xu, starwars/* STARWARS_NAMESPACE */.wI, DEMO_REPLICAS);
            await down.kubectl.rolloutStatus('deployment', starwars/* REBEL_BASE */.xu, starwars/* STARWARS_NAMESPACE */.wI, ctx.pace.rolloutTimeoutSec);
        }
    }
    const extra = ctx.twin.spec.addons.starwars.extraChecks;
    const [first, ...others] = clusters;
    if (first && extra.includes('shared'))
        outcomes.push(...(await sharedChecks(first, others, names, check)));
    if (first && extra.includes('affinity')) {
        await withAnnotation(first, 'service.cilium.io/affinity', 'local', async () => {
            outcomes.push(await check(first, 'starwars-affinity', `with affinity=local in ${first.name}, only ${first.name} answers there`, (s) => allAnswered(s) ??
                (s.byCluster[first.name] === s.requests ? undefined : `answers came from other clusters too`)));
        });
    }
    return outcomes;
}
/** shared=false in one cluster: it still sees every cluster, the others no longer see its backends. */
async function sharedChecks(first, others, names, check) {
    const outcomes = [];
    await withAnnotation(first, 'service.cilium.io/shared', 'false', async () => {
        outcomes.push(await check(first, 'starwars-shared', `with shared=false in ${first.name}, ${first.name} still sees every cluster`, (s) => allAnswered(s) ?? missingClusters(s, names)));
        for (const other of others) {
            outcomes.push(await check(other, 'starwars-shared', `with shared=false in ${first.name}, ${other.name} no longer reaches it`, (s) => allAnswered(s) ??
                ((s.byCluster[first.name] ?? 0) > 0 ? `${first.name} still answered` : undefined)));
        }
    });
    return outcomes;
}
async function withAnnotation(cluster, key, value, body) {
    await cluster.kubectl.annotate('service', starwars/* REBEL_BASE */.xu, starwars/* STARWARS_NAMESPACE */.wI, { [key]: value });
    try {
        await body();
    }
    finally {
        await cluster.kubectl.annotate('service', starwars/* REBEL_BASE */.xu, starwars/* STARWARS_NAMESPACE */.wI, { [key]: null });
    }
}
function allAnswered(sample) {
    return sample.answered === sample.requests
        ? undefined
        : `${sample.requests - sample.answered} of ${sample.requests} requests got no answer`;
}
function missingClusters(sample, names) {
    const missing = names.filter((name) => (sample.byCluster[name] ?? 0) === 0);
    return missing.length === 0 ? undefined : `no answer from ${missing.join(', ')}`;
}

// EXTERNAL MODULE: ./src/twin/mesh.ts
var twin_mesh = __webpack_require__(18377);
;// CONCATENATED MODULE: ./src/twin/platform-graph.ts


/**
 * The mesh (for two or more clusters) and day 2 as one part of a graph: each cluster's storage and demo
 * start beside its mesh, and the demo's cross-cluster checks wait until every cluster sees the others.
 */
function twinPlatform(ctx, folder) {
    return (clusters, gates) => {
        const mesh = clusters.length > 1 ? (0,twin_mesh/* meshSteps */.pz)(ctx, clusters, gates) : undefined;
        const meshed = mesh ? clusters.map((cluster) => `mesh-connected:${cluster.name}`) : [];
        const day2 = day2Steps(ctx, clusters, folder, { ...gates, meshed });
        return {
            steps: [...(mesh?.steps ?? []), ...day2.steps],
            report: () => {
                const joined = mesh?.report();
                const storage = day2.report();
                return {
                    ...storage,
                    mesh: joined?.mesh ?? [],
                    checks: [...(joined?.checks ?? []), ...storage.checks],
                };
            },
        };
    };
}


/***/ })

};

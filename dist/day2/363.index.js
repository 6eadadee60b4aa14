export const id = 363;
export const ids = [363];
export const modules = {

/***/ 5363:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {


// EXPORTS
__webpack_require__.d(__webpack_exports__, {
  day2Twin: () => (/* binding */ day2Twin)
});

// UNUSED EXPORTS: day2Steps, starwarsChecks

// EXTERNAL MODULE: external "node:fs/promises"
var promises_ = __webpack_require__(1455);
// EXTERNAL MODULE: external "node:path"
var external_node_path_ = __webpack_require__(6760);
// EXTERNAL MODULE: ./node_modules/yaml/dist/index.js
var dist = __webpack_require__(8815);
// EXTERNAL MODULE: ./src/addons/rook.ts + 1 modules
var rook = __webpack_require__(4513);
// EXTERNAL MODULE: ./src/addons/starwars.ts
var starwars = __webpack_require__(7564);
// EXTERNAL MODULE: ./src/kube/helm.ts
var helm = __webpack_require__(8781);
// EXTERNAL MODULE: ./src/kube/kubectl.ts
var kubectl = __webpack_require__(9283);
// EXTERNAL MODULE: ./src/kube/objects.ts
var kube_objects = __webpack_require__(9509);
// EXTERNAL MODULE: ./src/spec/files.ts
var files = __webpack_require__(5432);
// EXTERNAL MODULE: ./src/util/sleep.ts + 1 modules
var sleep = __webpack_require__(2701);
;// CONCATENATED MODULE: ./src/twin/ceph-wait.ts


/** The CephCluster the rook-ceph-cluster chart makes. */
const CEPH_CLUSTER = {
    kind: 'cephclusters.ceph.rook.io',
    name: 'rook-ceph',
    namespace: rook/* ROOK_NAMESPACE */.MN,
};
/** How many times a full Ceph wait reads the CephCluster at least: its status is recorded that often. */
const SLICES = 12;
/**
 * Waits until Ceph reports HEALTH_OK and Rook phase Ready; on timeout, fails with Ceph's health detail.
 * Between two reads of the CephCluster, `kubectl wait` watches the field still missing (the health, then
 * the phase) for up to a twelfth of the timeout: it wakes when the change lands, and a wait of minutes is
 * a few tool calls, not one per poll.
 */
async function waitForCeph(pace, kubectl, cluster, record) {
    const started = Date.now();
    const deadline = started + pace.cephTimeoutMs;
    const sliceSec = Math.max(1, Math.round(pace.cephTimeoutMs / SLICES / 1000));
    for (let reads = 1;; reads++) {
        const object = await kubectl.getObject(CEPH_CLUSTER.kind, CEPH_CLUSTER.name, CEPH_CLUSTER.namespace);
        const status = cephStatus(cluster, object);
        record(status);
        if (status.health === 'HEALTH_OK' && status.phase === 'Ready')
            return;
        const remainingSec = Math.floor((deadline - Date.now()) / 1000);
        if (remainingSec < 1)
            throw cephTimeout(cluster, status, Date.now() - started, reads);
        const awaited = awaitedField(status, object);
        if (awaited)
            await kubectl.waitForField(CEPH_CLUSTER, awaited.field, awaited.value, Math.min(sliceSec, remainingSec));
        else
            await (0,sleep/* sleep */.y)(Math.min(pace.pollMs, remainingSec * 1000));
    }
}
/**
 * The field kubectl can watch for what is still missing; none while the object is absent (kubectl wait
 * needs it) or while its Ready is stale (phase says Ready already: only the observed generation moves).
 */
function awaitedField(status, object) {
    if (!object)
        return undefined;
    if (status.health !== 'HEALTH_OK')
        return { field: '{.status.ceph.health}', value: 'HEALTH_OK' };
    const phase = object.status?.phase;
    return phase === 'Ready' ? undefined : { field: '{.status.phase}', value: 'Ready' };
}
function cephTimeout(cluster, last, elapsedMs, reads) {
    const observed = `${last.phase} ${last.health}, ${last.mons} mon(s), ${last.osds} OSD(s)`;
    const details = last.details.length > 0 ? `\n  ${last.details.join('\n  ')}` : '';
    return new Error(`timed out after ${Math.round(elapsedMs / 1000)}s (${reads} reads) waiting for Ceph HEALTH_OK in ${cluster}; ` +
        `last observation: ${observed}; Ceph health detail:${details || ' none reported'}`);
}
/** Rook's CephCluster status in our terms: mons and OSDs counted from the daemons' versions. */
function cephStatus(cluster, object) {
    const status = (object?.status ?? {});
    const count = (daemon) => Object.values(status.ceph?.versions?.[daemon] ?? {}).reduce((sum, value) => sum + Number(value), 0);
    const health = status.ceph?.health;
    const known = ['HEALTH_OK', 'HEALTH_WARN', 'HEALTH_ERR'];
    // A Ready written before the operator saw the newest spec says nothing about that spec.
    const generation = Number(object?.metadata?.generation ?? 0);
    const unobserved = status.phase === 'Ready' &&
        status.observedGeneration !== undefined &&
        generation > status.observedGeneration;
    return {
        cluster,
        health: known.includes(health) ? health : 'UNKNOWN',
        phase: unobserved ? 'Progressing' : (status.phase ?? (object ? 'Pending' : 'absent')),
        mons: count('mon'),
        osds: count('osd'),
        details: [
            ...Object.entries(status.ceph?.details ?? {}).map(([code, detail]) => `${code}: ${detail.message ?? ''}`),
            ...(status.message && status.phase !== 'Ready' ? [`Rook: ${status.message}`] : []),
            ...(unobserved
                ? [
                    `Rook: generation ${generation} of the spec is not reconciled yet (${status.observedGeneration} is)`,
                ]
                : []),
        ],
    };
}

// EXTERNAL MODULE: ./src/twin/curl-check.ts
var curl_check = __webpack_require__(487);
// EXTERNAL MODULE: ./src/twin/platform.ts
var platform = __webpack_require__(9215);
// EXTERNAL MODULE: ./src/twin/platform-steps.ts
var platform_steps = __webpack_require__(7817);
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
    const part = day2Steps(ctx, clusters, folder, platform_steps/* AFTER_BUILD */.IQ);
    return { ...(await (0,platform_steps/* runPlatformSteps */.EN)(ctx, part.steps)), report: part.report() };
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
                    await waitForCeph(ctx.pace, kubectl, cluster.name, (status) => ceph.set(cluster.name, status));
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


/***/ })

};

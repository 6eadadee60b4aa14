export const id = 470;
export const ids = [470];
export const modules = {

/***/ 4513:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {


// EXPORTS
__webpack_require__.d(__webpack_exports__, {
  MN: () => (/* binding */ ROOK_NAMESPACE),
  jn: () => (/* binding */ ROOK_REPO),
  AX: () => (/* binding */ rookClusterValues),
  W5: () => (/* binding */ rookNamespaceManifest),
  YC: () => (/* binding */ rookOperatorValues)
});

// UNUSED EXPORTS: isSmallCluster, osdDeviceNames

// EXTERNAL MODULE: ./src/errors.ts
var errors = __webpack_require__(3916);
// EXTERNAL MODULE: ./node_modules/yaml/dist/index.js
var dist = __webpack_require__(8815);
// EXTERNAL MODULE: ./src/sizing/allocatable.ts
var allocatable = __webpack_require__(4018);
;// CONCATENATED MODULE: ./src/addons/rook-resources.ts


const sized = (cpu, memory, limit) => ({
    requests: { cpu, memory },
    ...(limit ? { limits: { memory: limit } } : {}),
});
/** The provisioner's sidecars, as ceph-csi-operator deploys them for RBD (chart values lines 231–282). */
const PROVISIONER_SIDECARS = ['csi-provisioner', 'csi-resizer', 'csi-attacher', 'csi-snapshotter'];
function provisioner(sidecar, plugin) {
    return {
        ...Object.fromEntries(PROVISIONER_SIDECARS.map((name) => [name, sidecar])),
        'csi-rbdplugin': plugin,
    };
}
/*
 * OSD memory: Ceph sets osd_memory_target = min(POD_MEMORY_REQUEST, POD_MEMORY_LIMIT × 0.8)
 * (md_config_t::parse_env; osd_memory_target_cgroup_limit_ratio 0.8), so each limit is the request / 0.8:
 * the OSD aims at its request and has a fifth more before the kernel kills it. Rook's recommended
 * minimum OSD limit is 2048 MB (ceph-cluster-crd.md); every tier's limit is above it.
 */
const COMPACT = {
    name: 'compact',
    minimum: { cpuMilli: 0, memoryMiB: 0 },
    mgrCount: 1,
    provisionerReplicas: 1,
    daemons: {
        mon: sized('150m', '384Mi', '1Gi'),
        mgr: sized('100m', '384Mi', '1Gi'),
        'mgr-sidecar': sized('10m', '40Mi', '100Mi'),
        osd: sized('500m', '2Gi', '2560Mi'),
        prepareosd: sized('50m', '50Mi'),
        crashcollector: sized('10m', '32Mi', '60Mi'),
        exporter: sized('10m', '32Mi', '128Mi'),
    },
    operator: sized('50m', '128Mi', '512Mi'),
    rbdProvisioner: provisioner(sized('10m', '32Mi', '256Mi'), sized('10m', '128Mi', '1Gi')),
    rbdPlugin: {
        'driver-registrar': sized('10m', '32Mi', '256Mi'),
        'csi-rbdplugin': sized('50m', '128Mi', '1Gi'),
    },
};
const STANDARD = {
    name: 'standard',
    minimum: { cpuMilli: 3900, memoryMiB: 7000 },
    mgrCount: 2,
    provisionerReplicas: 2,
    daemons: {
        mon: sized('500m', '1Gi', '2Gi'),
        mgr: sized('250m', '512Mi', '1Gi'),
        'mgr-sidecar': sized('20m', '40Mi', '100Mi'),
        osd: sized('1000m', '2560Mi', '3200Mi'),
        prepareosd: sized('100m', '50Mi'),
        crashcollector: sized('20m', '60Mi', '60Mi'),
        exporter: sized('20m', '50Mi', '128Mi'),
    },
    operator: sized('100m', '128Mi', '512Mi'),
    rbdProvisioner: provisioner(sized('20m', '32Mi', '256Mi'), sized('20m', '128Mi', '1Gi')),
    rbdPlugin: {
        'driver-registrar': sized('20m', '32Mi', '256Mi'),
        'csi-rbdplugin': sized('100m', '128Mi', '1Gi'),
    },
};
/** The chart's own defaults (H.1), with the OSD limit raised so its memory target stays its request. */
const LARGE = {
    name: 'large',
    minimum: { cpuMilli: 7900, memoryMiB: 15000 },
    mgrCount: 2,
    provisionerReplicas: 2,
    daemons: {
        mon: sized('1000m', '1Gi', '2Gi'),
        mgr: sized('500m', '512Mi', '1Gi'),
        'mgr-sidecar': sized('100m', '40Mi', '100Mi'),
        osd: sized('1000m', '4Gi', '5Gi'),
        prepareosd: sized('500m', '50Mi'),
        crashcollector: sized('100m', '60Mi', '60Mi'),
        exporter: sized('50m', '50Mi', '128Mi'),
    },
    operator: sized('200m', '128Mi', '512Mi'),
    rbdProvisioner: provisioner(sized('100m', '128Mi', '256Mi'), sized('0m', '512Mi', '1Gi')),
    rbdPlugin: {
        'driver-registrar': sized('50m', '128Mi', '256Mi'),
        'csi-rbdplugin': sized('250m', '512Mi', '1Gi'),
    },
};
/** Largest first. */
const ROOK_TIERS = [LARGE, STANDARD, COMPACT];
/** The largest tier the workers reach; compact below that (the capacity check decides whether it fits). */
function rookTierFor(worker) {
    const offered = (0,allocatable/* allocatable */.n)('worker', worker);
    return (ROOK_TIERS.find((tier) => offered.cpuMilli >= tier.minimum.cpuMilli && offered.memoryMiB >= tier.minimum.memoryMiB) ?? COMPACT);
}
/** The chart's csi.*Resource shape: a YAML string listing `- name: <container>` with its `resource`. */
function csiResourceList(containers) {
    return (0,dist/* stringify */.As)(Object.entries(containers).map(([name, resource]) => ({ name, resource })), { lineWidth: 0 });
}

;// CONCATENATED MODULE: ./src/addons/rook.ts


/** Rook Ceph on Talos (CONTRACTS D): the operator chart, then the cluster chart, both in rook-ceph. */
const ROOK_REPO = 'https://charts.rook.io/release';
const ROOK_NAMESPACE = 'rook-ceph';
/** Proxmox attaches extra disks as scsi1.. after the Talos system disk scsi0 (sda); Linux names them sdb, sdc, ... */
const FIRST_EXTRA_DISK = 'b'.charCodeAt(0);
/** sdb..sdz: far above twin.yaml's limit of 8 extra disks per VM. */
const MAX_EXTRA_DISKS = 25;
/** Three mons on distinct nodes and size-3 pools with failure domain host need three OSD hosts. */
const FULL_CLUSTER_HOSTS = 3;
/**
 * The device names of a VM's extra disks: scsi1.. appear as sdb, sdc, ... (scsi0 = sda is the Talos system
 * disk, which never becomes an OSD; the cloud-init drive is ide2 = sr0).
 */
function osdDeviceNames(extraDisks) {
    if (!Number.isInteger(extraDisks) || extraDisks < 0 || extraDisks > MAX_EXTRA_DISKS) {
        throw new errors/* ConfigurationError */.j1(`extraDisks ${extraDisks} is not a disk count from 0 to ${MAX_EXTRA_DISKS}: list at most 8 workers.extraDisks in twin.yaml`);
    }
    return Array.from({ length: extraDisks }, (_, i) => `sd${String.fromCharCode(FIRST_EXTRA_DISK + i)}`);
}
/** Ceph's pods are privileged (they own raw disks): the Talos guide labels the namespace so (CONTRACTS D). */
function rookNamespaceManifest() {
    return {
        apiVersion: 'v1',
        kind: 'Namespace',
        metadata: {
            name: ROOK_NAMESPACE,
            labels: {
                'pod-security.kubernetes.io/enforce': 'privileged',
                'pod-security.kubernetes.io/audit': 'privileged',
                'pod-security.kubernetes.io/warn': 'privileged',
            },
        },
    };
}
/**
 * The rook-ceph (operator) chart: its CRDs, no Prometheus the twin does not run, and the RBD driver only
 * (the twin has no CephFS), everything sized to the workers.
 */
function rookOperatorValues(workerVm) {
    const tier = rookTierFor(workerVm);
    return {
        crds: { enabled: true },
        monitoring: { enabled: false },
        resources: tier.operator,
        csi: {
            enableRbdDriver: true,
            enableCephfsDriver: false,
            provisionerReplicas: tier.provisionerReplicas,
            csiRBDProvisionerResource: csiResourceList(tier.rbdProvisioner),
            csiRBDPluginResource: csiResourceList(tier.rbdPlugin),
        },
    };
}
/**
 * Too few hosts for the chart's defaults: fewer than 3 workers carrying OSD disks. Mons schedule on
 * workers only (control planes are tainted), and OSD hosts are a subset of the workers, so this also
 * covers fewer than 3 workers.
 */
function isSmallCluster(input) {
    return osdNodes(input).length < FULL_CLUSTER_HOSTS;
}
/**
 * The rook-ceph-cluster chart: OSDs on the workers' extra disks only, mons and mgrs sized to the workers,
 * block storage only (ceph-block, the default StorageClass), no filesystem and no object store, each
 * daemon's requests from the workers' tier. Changing the tier restarts daemons one at a time (Rook waits
 * for clean PGs between OSDs); it never touches storage.nodes, so no OSD is recreated.
 * cleanupPolicy is never set: its confirmation makes Rook wipe the hosts' data on deletion, and the same
 * values converge production, which must never lose data.
 */
function rookClusterValues(input) {
    const nodes = osdNodes(input);
    if (nodes.length === 0) {
        throw new errors/* ConfigurationError */.j1(`cluster ${input.cluster}: Rook Ceph has no disk for an OSD (the workers have no extra disks and the system disk ` +
            'is never used): add workers.extraDisks in twin.yaml, or turn addons.rook.enabled off');
    }
    const small = isSmallCluster(input);
    const tier = rookTierFor(input.workerVm);
    return {
        operatorNamespace: ROOK_NAMESPACE,
        toolbox: { enabled: false },
        monitoring: { enabled: false },
        cephClusterSpec: {
            dataDirHostPath: '/var/lib/rook',
            mon: small ? { count: 1, allowMultiplePerNode: true } : { count: 3, allowMultiplePerNode: false },
            mgr: small
                ? { count: 1, allowMultiplePerNode: true }
                : { count: tier.mgrCount, allowMultiplePerNode: false },
            // Without these a single-replica cluster sits in HEALTH_WARN (ROOK cluster-test.yaml).
            ...(small
                ? { cephConfig: { global: { osd_pool_default_size: '1', mon_warn_on_pool_no_redundancy: 'false' } } }
                : {}),
            storage: { useAllNodes: false, useAllDevices: false, nodes },
            // Rook copies `ceph status` into the CephCluster's status every 60 s unless told (rook cephstatus.go,
            // ceph-cluster-crd.md "Health settings"); the twin waits on that field, so Rook refreshes it every 10 s.
            healthCheck: { daemonHealth: { status: { interval: '10s' } } },
            ...daemonSettings(tier),
        },
        cephBlockPools: [blockPool(small)],
        cephFileSystems: [],
        cephObjectStores: [],
    };
}
/**
 * Resources, and nothing the twin does not need: no logcollector sidecar in every Ceph pod (100m/100Mi
 * each; the daemons still log to stderr, which `kubectl logs` shows) and no dashboard. The crash collector stays: it feeds `ceph crash`
 * and the RECENT_CRASH health check (LIFECYCLE H.4).
 */
function daemonSettings(tier) {
    return {
        resources: tier.daemons,
        logCollector: { enabled: false },
        crashCollector: { disable: false },
        dashboard: { enabled: false },
    };
}
/** The workers with extra disks, each with its disks named; workers without any are left out. */
function osdNodes(input) {
    return input.workers
        .filter((worker) => worker.extraDisks > 0)
        .map((worker) => ({
        name: worker.name,
        devices: osdDeviceNames(worker.extraDisks).map((name) => ({ name })),
    }));
}
function blockPool(small) {
    return {
        name: 'ceph-blockpool',
        spec: {
            failureDomain: 'host',
            replicated: small ? { size: 1, requireSafeReplicaSize: false } : { size: 3 },
        },
        storageClass: {
            enabled: true,
            name: 'ceph-block',
            isDefault: true,
            reclaimPolicy: 'Delete',
            allowVolumeExpansion: true,
            volumeBindingMode: 'Immediate',
            parameters: blockStorageClassParameters(),
        },
    };
}
/** The chart's default RBD parameters: the CSI secrets Rook creates in its namespace. */
function blockStorageClassParameters() {
    return {
        imageFormat: '2',
        imageFeatures: 'layering',
        'csi.storage.k8s.io/provisioner-secret-name': 'rook-csi-rbd-provisioner',
        'csi.storage.k8s.io/provisioner-secret-namespace': ROOK_NAMESPACE,
        'csi.storage.k8s.io/controller-expand-secret-name': 'rook-csi-rbd-provisioner',
        'csi.storage.k8s.io/controller-expand-secret-namespace': ROOK_NAMESPACE,
        'csi.storage.k8s.io/node-stage-secret-name': 'rook-csi-rbd-node',
        'csi.storage.k8s.io/node-stage-secret-namespace': ROOK_NAMESPACE,
        'csi.storage.k8s.io/fstype': 'ext4',
    };
}


/***/ }),

/***/ 7564:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   $s: () => (/* binding */ X_WING_CONTAINER),
/* harmony export */   gb: () => (/* binding */ countReplies),
/* harmony export */   qc: () => (/* binding */ starwarsManifests),
/* harmony export */   wI: () => (/* binding */ STARWARS_NAMESPACE),
/* harmony export */   xu: () => (/* binding */ REBEL_BASE),
/* harmony export */   zG: () => (/* binding */ X_WING)
/* harmony export */ });
/* unused harmony export rebelBaseMessage */
/* harmony import */ var _workloads_js__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(4397);

/**
 * Cilium's Cluster Mesh Star Wars demo (CONTRACTS E): the same global Service rebel-base in every cluster,
 * each cluster's rebel-base pods answering with that cluster's name, and an x-wing to curl from.
 */
const STARWARS_NAMESPACE = 'starwars';
const REBEL_BASE = 'rebel-base';
const X_WING = 'x-wing';
/** The container of the x-wing Deployment the checks exec curl in. */
const X_WING_CONTAINER = 'x-wing-container';
const REBEL_BASE_RESPONSE = 'rebel-base-response';
const DEMO_REPLICAS = 2;
/** Keeps a garbled reply from flooding a log or a check's evidence. */
const FAILURE_LINE_MAX = 200;
/** The demo's reply, with the twin's cluster name where the demo says Cluster-1 / Cluster-2. */
function rebelBaseMessage(cluster) {
    (0,_workloads_js__WEBPACK_IMPORTED_MODULE_0__/* .requireClusterLabel */ .uu)(cluster);
    return `{"Galaxy": "Alderaan", "Cluster": ${JSON.stringify(cluster)}}\n`;
}
/** What to apply in one cluster: Namespace, ConfigMap, Deployments, Service. */
function starwarsManifests(cluster) {
    const ns = STARWARS_NAMESPACE;
    return [
        (0,_workloads_js__WEBPACK_IMPORTED_MODULE_0__/* .workloadNamespace */ .b0)(ns),
        (0,_workloads_js__WEBPACK_IMPORTED_MODULE_0__/* .messageConfigMap */ .ic)(REBEL_BASE_RESPONSE, ns, rebelBaseMessage(cluster)),
        (0,_workloads_js__WEBPACK_IMPORTED_MODULE_0__/* .nginxDeployment */ .qe)({
            name: REBEL_BASE,
            namespace: ns,
            labels: { name: REBEL_BASE },
            replicas: DEMO_REPLICAS,
            configMap: REBEL_BASE_RESPONSE,
        }),
        (0,_workloads_js__WEBPACK_IMPORTED_MODULE_0__/* .curlClientDeployment */ .fo)({
            name: X_WING,
            namespace: ns,
            labels: { name: X_WING },
            replicas: DEMO_REPLICAS,
            container: X_WING_CONTAINER,
        }),
        (0,_workloads_js__WEBPACK_IMPORTED_MODULE_0__/* .globalService */ .vN)(REBEL_BASE, ns, { name: REBEL_BASE }),
    ];
}
const JSON_OBJECT = /\{[^{}]*\}/g;
/**
 * Replies of one curl batch counted by the cluster that answered: the demo's `"Cluster"` and the mesh
 * check's `"cluster"` alike. Replies are found as JSON objects, so a reply without its newline does not
 * swallow the next one.
 */
function countReplies(stdout, stderr) {
    const byCluster = {};
    const failures = [];
    let answered = 0;
    for (const candidate of stdout.match(JSON_OBJECT) ?? []) {
        const cluster = replyCluster(candidate);
        if (cluster === undefined) {
            failures.push(`unexpected reply: ${clip(candidate)}`);
            continue;
        }
        byCluster[cluster] = (byCluster[cluster] ?? 0) + 1;
        answered += 1;
    }
    const leftover = stdout.replace(JSON_OBJECT, '\n');
    failures.push(...nonBlankLines(leftover).map((line) => `unexpected reply: ${clip(line)}`));
    failures.push(...nonBlankLines(stderr).map(clip));
    return { answered, byCluster, failures };
}
function replyCluster(text) {
    let parsed;
    try {
        parsed = JSON.parse(text);
    }
    catch {
        return undefined;
    }
    if (typeof parsed !== 'object' || parsed === null)
        return undefined;
    const { Cluster, cluster } = parsed;
    const name = Cluster ?? cluster;
    return typeof name === 'string' && name !== '' ? name : undefined;
}
function nonBlankLines(text) {
    return text
        .split('\n')
        .map((line) => line.trim())
        .filter((line) => line !== '');
}
function clip(line) {
    return line.length > FAILURE_LINE_MAX ? `${line.slice(0, FAILURE_LINE_MAX)}…` : line;
}


/***/ }),

/***/ 4397:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {


// EXPORTS
__webpack_require__.d(__webpack_exports__, {
  fo: () => (/* binding */ curlClientDeployment),
  vN: () => (/* binding */ globalService),
  ic: () => (/* binding */ messageConfigMap),
  qe: () => (/* binding */ nginxDeployment),
  uu: () => (/* binding */ requireClusterLabel),
  b0: () => (/* binding */ workloadNamespace)
});

// UNUSED EXPORTS: GLOBAL_SERVICE_ANNOTATION, MESSAGE_KEY

// EXTERNAL MODULE: ./src/errors.ts
var errors = __webpack_require__(3916);
;// CONCATENATED MODULE: ./src/addons/images.ts
/**
 * The container images our own workloads run, pinned by digest so every twin runs the same bytes.
 * One place, so an update touches one line.
 */
/** Serves the demo's and the mesh check's replies from a ConfigMap (CONTRACTS E: nginx 1.27.1). */
const NGINX_IMAGE = 'docker.io/library/nginx:1.27.1@sha256:135fbc7ed19c8f644ddf678e68292e678696908451dad7ee2fd4e0cf861f4b6f';
/** Cilium's json-mock, the demo's x-wing: it carries curl, so it is the client the checks exec into. */
const CURL_CLIENT_IMAGE = 'quay.io/cilium/json-mock:v1.3.8@sha256:5aad04835eda9025fe4561ad31be77fd55309af8158ca8663a72f6abb78c2603';

;// CONCATENATED MODULE: ./src/addons/workloads.ts


/**
 * The building blocks the Star Wars demo and the mesh check share: a reply served by nginx from a
 * ConfigMap, a curl client to exec into, and a Cilium global Service (CONTRACTS C.5, E).
 */
const GLOBAL_SERVICE_ANNOTATION = 'service.cilium.io/global';
/** The key of the reply ConfigMaps; nginx serves it as index.html. */
const MESSAGE_KEY = 'message';
const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const HTML_DIR = '/usr/share/nginx/html';
const HTTP_PORT = 80;
const SMALL_REQUESTS = { requests: { cpu: '10m', memory: '16Mi' } };
/** A cluster name that goes into object names and replies: the twin's names always pass (twin.yaml rules). */
function requireClusterLabel(cluster) {
    if (cluster.length > 32 || !DNS_LABEL.test(cluster)) {
        throw new errors/* ConfigurationError */.j1(`cluster name "${cluster}" cannot name Kubernetes objects: use at most 32 lower-case letters, digits and "-", ` +
            'starting and ending with a letter or digit (twin.yaml clusters[].name)');
    }
}
/** Pod Security "baseline" enforced: these workloads need no privileges, so none can slip in. */
function workloadNamespace(name) {
    return {
        apiVersion: 'v1',
        kind: 'Namespace',
        metadata: { name, labels: { 'pod-security.kubernetes.io/enforce': 'baseline' } },
    };
}
function messageConfigMap(name, namespace, message) {
    return {
        apiVersion: 'v1',
        kind: 'ConfigMap',
        metadata: { name, namespace },
        data: { [MESSAGE_KEY]: message },
    };
}
/** nginx answering every GET / with the ConfigMap's message; ready once it answers. */
function nginxDeployment(input) {
    return deployment(input, {
        containers: [
            {
                name: 'nginx',
                image: NGINX_IMAGE,
                ports: [{ containerPort: HTTP_PORT, name: 'http' }],
                readinessProbe: { httpGet: { path: '/', port: HTTP_PORT }, periodSeconds: 5 },
                resources: SMALL_REQUESTS,
                volumeMounts: [{ name: 'html', mountPath: HTML_DIR, readOnly: true }],
            },
        ],
        volumes: [
            {
                name: 'html',
                configMap: { name: input.configMap, items: [{ key: MESSAGE_KEY, path: 'index.html' }] },
            },
        ],
    });
}
/** json-mock, which carries curl; its probe is the demo's own (curl localhost). */
function curlClientDeployment(input) {
    return deployment(input, {
        containers: [
            {
                name: input.container,
                image: CURL_CLIENT_IMAGE,
                readinessProbe: {
                    exec: { command: ['curl', '-sS', '-o', '/dev/null', 'localhost'] },
                    periodSeconds: 5,
                },
                resources: SMALL_REQUESTS,
            },
        ],
    });
}
/** A ClusterIP Service Cilium load-balances across the backends of every cluster that has it (C.5). */
function globalService(name, namespace, selector) {
    return {
        apiVersion: 'v1',
        kind: 'Service',
        metadata: { name, namespace, annotations: { [GLOBAL_SERVICE_ANNOTATION]: 'true' } },
        spec: {
            type: 'ClusterIP',
            selector,
            ports: [{ name: 'http', port: HTTP_PORT, targetPort: HTTP_PORT, protocol: 'TCP' }],
        },
    };
}
function deployment(input, podSpec) {
    return {
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        metadata: { name: input.name, namespace: input.namespace, labels: { ...input.labels } },
        spec: {
            replicas: input.replicas,
            selector: { matchLabels: { ...input.labels } },
            template: { metadata: { labels: { ...input.labels } }, spec: podSpec },
        },
    };
}


/***/ }),

/***/ 2228:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   d: () => (/* binding */ parseJsonOutput)
/* harmony export */ });
/**
 * Parses a CLI's JSON output. The error never quotes the output: it can hold secrets (helm's release JSON
 * carries the values, keys included).
 */
function parseJsonOutput(command, text) {
    try {
        return JSON.parse(text);
    }
    catch {
        throw new Error(`${command} printed something that is not JSON (${text.length} characters)`);
    }
}


/***/ }),

/***/ 9544:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {


// EXPORTS
__webpack_require__.d(__webpack_exports__, {
  Qd: () => (/* binding */ CommandError),
  M6: () => (/* binding */ execRunner),
  NE: () => (/* binding */ withDeadline)
});

// UNUSED EXPORTS: CommandTimeoutError, describeCommand, launchProcess, runnerOver

// EXTERNAL MODULE: external "node:child_process"
var external_node_child_process_ = __webpack_require__(1421);
// EXTERNAL MODULE: ./node_modules/@actions/exec/lib/exec.js + 2 modules
var exec = __webpack_require__(5260);
// EXTERNAL MODULE: ./src/errors.ts
var errors = __webpack_require__(3916);
;// CONCATENATED MODULE: ./src/exec/child-env.ts
/**
 * The environment of every child process (talosctl, kubectl, helm and whatever they start): an allow-list
 * of this process's variables plus the caller's explicit additions, so tokens in the job's environment
 * (the step's inputs, GITHUB_TOKEN, the runner's own tokens, DOPPLER_TOKEN) never reach a tool or a plugin.
 */
/** Variables passed through by name, each for a reason a tool has. */
const PASSED = [
    'PATH', // tools are found through it, and the lab's tools are `#!/usr/bin/env node` scripts
    'HOME', // default config and cache folders (~/.kube/cache, ~/.cache/helm, ~/.talos); the lab tools forward it
    'TMPDIR', // where the tools put temporary files
    'TEMP',
    'TMP',
    'LANG', // language and time zone of messages and times
    'TZ',
    'USER', // who runs the tool (user.Current() falls back to them)
    'LOGNAME',
    'XDG_CACHE_HOME', // helm's folders, when the runner moved them; HELM_KUBETOKEN and its kin stay out
    'XDG_CONFIG_HOME',
    'XDG_DATA_HOME',
    'HELM_CACHE_HOME',
    'HELM_CONFIG_HOME',
    'HELM_DATA_HOME',
    'HTTPS_PROXY', // helm fetches charts from their repositories through the runner's proxy, if it has one
    'https_proxy',
    'HTTP_PROXY',
    'http_proxy',
    'NO_PROXY',
    'no_proxy',
    'SSL_CERT_FILE', // a runner that trusts a lab CA for chart repositories says where it is (Go's crypto/x509)
    'SSL_CERT_DIR',
];
/** Every LC_* locale category (LC_ALL, LC_CTYPE, ...). */
const LOCALE = /^LC_[A-Z]+$/;
/*
 * Left out on purpose, among everything else: KUBECONFIG and TALOSCONFIG (every call names its file with
 * --kubeconfig / --talosconfig; an inherited one could point a tool at a cluster the twin does not own),
 * NODE_OPTIONS (code loaded into the lab's node tools), and every token.
 */
/** Names that must never reach a child, not even as an explicit addition. */
const FORBIDDEN = [
    'GITHUB_TOKEN',
    'ACTIONS_RUNTIME_TOKEN',
    'ACTIONS_ID_TOKEN_REQUEST_TOKEN',
    'ACTIONS_ID_TOKEN_REQUEST_URL',
    'DOPPLER_TOKEN',
    'PVE_TOKEN',
];
function forbidden(name) {
    return FORBIDDEN.includes(name.toUpperCase()) || /^INPUT_/i.test(name);
}
function passed(name) {
    return PASSED.includes(name) || LOCALE.test(name);
}
/**
 * The allow-listed part of `parent` with `additions` laid over it. An addition that names a token
 * variable is a bug in the caller and throws rather than hand the token on.
 */
function childEnv(parent, additions = {}) {
    const refused = Object.keys(additions).filter(forbidden);
    if (refused.length > 0) {
        throw new Error(`${refused.join(', ')} must never be passed to a child process`);
    }
    const env = {};
    for (const [name, value] of Object.entries(parent)) {
        if (value !== undefined && passed(name))
            env[name] = value;
    }
    return { ...env, ...additions };
}

;// CONCATENATED MODULE: ./src/exec/runner.ts




const MASK = '***';
const STDERR_TAIL_LINES = 20;
const STDERR_TAIL_CHARS = 2_000;
/** A command exited non-zero. Args and stderr are already masked, so the message is safe to print. */
class CommandError extends Error {
    name = 'CommandError';
    tool;
    args;
    exitCode;
    /** The last lines of stderr (stdout when stderr was empty), where CLIs put the reason. */
    stderrTail;
    constructor(init) {
        const reason = init.stderrTail || '(no output)';
        super(`${describeCommand(init.tool, init.args)} failed with exit code ${init.exitCode}: ${reason}`);
        this.tool = init.tool;
        this.args = init.args;
        this.exitCode = init.exitCode;
        this.stderrTail = init.stderrTail;
    }
}
/** A command was stopped because it ran past its timeoutMs. */
class CommandTimeoutError extends Error {
    name = 'CommandTimeoutError';
    constructor(tool, args, timeoutMs) {
        super(`${describeCommand(tool, args)} gave no answer within ${timeoutMs / 1000}s and was stopped`);
    }
}
/** The command as a person would type it, for messages. */
function describeCommand(tool, args) {
    const quote = (word) => (/^[\w@%+=:,./-]+$/.test(word) ? word : JSON.stringify(word));
    return [tool, ...args].map(quote).join(' ');
}
function maskSecrets(text, secrets) {
    return secrets
        .filter((secret) => secret.length > 0)
        .reduce((masked, secret) => masked.split(secret).join(MASK), text);
}
function tail(output) {
    const lines = output.trimEnd().split('\n').slice(-STDERR_TAIL_LINES).join('\n');
    return lines.length > STDERR_TAIL_CHARS ? `...${lines.slice(-STDERR_TAIL_CHARS)}` : lines;
}
/** A runner over `launch` that turns a non-zero exit into a CommandError (unless allowed) with secrets masked. */
function runnerOver(launch) {
    return {
        async run(tool, args, opts = {}) {
            const { allowFailure, secrets = [], ...launchOpts } = opts;
            const result = await launch(tool, args, launchOpts);
            if (result.exitCode !== 0 && !allowFailure) {
                throw new CommandError({
                    tool,
                    args: args.map((arg) => maskSecrets(arg, secrets)),
                    exitCode: result.exitCode,
                    stderrTail: maskSecrets(tail(result.stderr || result.stdout), secrets),
                });
            }
            return result;
        },
    };
}
/** Message of @actions/io's `which` when the tool is neither a path nor on PATH. */
const NOT_FOUND = /^Unable to locate executable file/;
/**
 * Starts real processes through @actions/exec, silently: output is returned, never echoed to the job log.
 * The child's environment is always the allow-listed one: @actions/exec would otherwise pass all of ours.
 */
const launchProcess = async (tool, args, opts) => {
    if (opts.timeoutMs !== undefined)
        return launchWithDeadline(tool, args, opts, opts.timeoutMs);
    try {
        return await (0,exec/* getExecOutput */.H)(tool, args, {
            silent: true,
            ignoreReturnCode: true,
            ...(opts.cwd === undefined ? {} : { cwd: opts.cwd }),
            env: childEnv(process.env, opts.env),
            ...(opts.input === undefined ? {} : { input: Buffer.from(opts.input) }),
        });
    }
    catch (error) {
        if (error instanceof Error && NOT_FOUND.test(error.message))
            throw toolNotFound(tool);
        throw error;
    }
};
function toolNotFound(tool) {
    return new errors/* ConfigurationError */.j1(`${tool} was not found on PATH: install it on the runner (runner-setup/ installs the pinned versions) ` +
        'or put its folder on PATH');
}
const MAX_OUTPUT_BYTES = 64 * 1024 * 1024;
/**
 * As launchProcess, through node's execFile, which can stop the child: @actions/exec has no timeout. The same
 * allow-listed environment; output is collected, never echoed.
 */
function launchWithDeadline(tool, args, opts, timeoutMs) {
    return new Promise((resolve, reject) => {
        const child = (0,external_node_child_process_.execFile)(tool, args, {
            env: childEnv(process.env, opts.env),
            ...(opts.cwd === undefined ? {} : { cwd: opts.cwd }),
            timeout: timeoutMs,
            killSignal: 'SIGKILL',
            maxBuffer: MAX_OUTPUT_BYTES,
            encoding: 'utf8',
        }, (error, stdout, stderr) => {
            if (!error)
                return resolve({ exitCode: 0, stdout, stderr });
            if (error.code === 'ERR_CHILD_PROCESS_STDIO_MAXBUFFER')
                return reject(error);
            if (error.killed)
                return reject(new CommandTimeoutError(tool, args, timeoutMs));
            if (error.code === 'ENOENT')
                return reject(toolNotFound(tool));
            if (typeof error.code === 'number')
                return resolve({ exitCode: error.code, stdout, stderr });
            reject(error);
        });
        child.stdin?.end(opts.input ?? '');
    });
}
/** `runner` with every call stopped once it has run `timeoutMs` (CommandTimeoutError). */
function withDeadline(runner, timeoutMs) {
    return { run: (tool, args, opts = {}) => runner.run(tool, args, { ...opts, timeoutMs }) };
}
/** The runner the product uses: real child processes. */
const execRunner = runnerOver(launchProcess);


/***/ }),

/***/ 8781:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   f: () => (/* binding */ Helm)
/* harmony export */ });
/* harmony import */ var zod__WEBPACK_IMPORTED_MODULE_1__ = __webpack_require__(8816);
/* harmony import */ var _exec_output_js__WEBPACK_IMPORTED_MODULE_2__ = __webpack_require__(2228);
/* harmony import */ var _exec_runner_js__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(9544);



/**
 * The fields of `helm status -o json` we read. The output also carries the release's values (the mesh CA
 * key among them): they are never kept or printed.
 */
const ReleaseSchema = zod__WEBPACK_IMPORTED_MODULE_1__/* .object */ .Ikc({
    name: zod__WEBPACK_IMPORTED_MODULE_1__/* .string */ .YjP(),
    namespace: zod__WEBPACK_IMPORTED_MODULE_1__/* .string */ .YjP(),
    version: zod__WEBPACK_IMPORTED_MODULE_1__/* .number */ .aig(),
    info: zod__WEBPACK_IMPORTED_MODULE_1__/* .object */ .Ikc({ status: zod__WEBPACK_IMPORTED_MODULE_1__/* .string */ .YjP() }),
    chart: zod__WEBPACK_IMPORTED_MODULE_1__/* .object */ .Ikc({ metadata: zod__WEBPACK_IMPORTED_MODULE_1__/* .object */ .Ikc({ version: zod__WEBPACK_IMPORTED_MODULE_1__/* .string */ .YjP().optional() }).optional() }).optional(),
});
const RELEASE_NOT_FOUND = /release: not found/;
/** helm against one cluster, one method per command the product uses. */
class Helm {
    runner;
    tool;
    kubeconfig;
    constructor(runner, opts) {
        this.runner = runner;
        this.tool = opts.path ?? 'helm';
        this.kubeconfig = opts.kubeconfig;
    }
    /** Installs the release, or upgrades it in place when it exists. */
    async upgradeInstall(release) {
        await this.runner.run(this.tool, [
            'upgrade',
            '--install',
            release.release,
            release.chart,
            '--repo',
            release.repo,
            '--version',
            release.version,
            '--namespace',
            release.namespace,
            ...(release.valuesFile === undefined ? [] : ['--values', release.valuesFile]),
            ...(release.set ?? []).flatMap(([key, value]) => ['--set', `${key}=${value}`]),
            ...(release.createNamespace ? ['--create-namespace'] : []),
            ...(release.waitSeconds === undefined ? [] : ['--wait', '--timeout', `${release.waitSeconds}s`]),
            '--kubeconfig',
            this.kubeconfig,
        ]);
    }
    /** Removes the release; one that is not installed is already gone. */
    async uninstall(release, namespace) {
        try {
            await this.runner.run(this.tool, [
                'uninstall',
                release,
                '--namespace',
                namespace,
                '--kubeconfig',
                this.kubeconfig,
            ]);
            return 'uninstalled';
        }
        catch (error) {
            if (error instanceof _exec_runner_js__WEBPACK_IMPORTED_MODULE_0__/* .CommandError */ .Qd && RELEASE_NOT_FOUND.test(error.stderrTail))
                return 'absent';
            throw error;
        }
    }
    /**
     * The values the release was installed with (what `--values` gave), or undefined when it is not
     * installed. They may hold keys: callers compare them and never print them.
     */
    async userValues(release, namespace) {
        const parsed = await this.releaseJson(['get', 'values', release], namespace);
        if (parsed === undefined)
            return undefined;
        if (parsed === null)
            return {}; // installed without values
        if (typeof parsed !== 'object' || Array.isArray(parsed)) {
            throw new Error(`helm get values ${release} did not return an object`);
        }
        return parsed;
    }
    /** The release's state, or undefined when it is not installed. */
    async status(release, namespace) {
        const output = await this.releaseJson(['status', release], namespace);
        if (output === undefined)
            return undefined;
        const parsed = ReleaseSchema.safeParse(output);
        if (!parsed.success) {
            throw new Error(`helm status ${release} gave an unexpected shape: ${parsed.error.issues[0]?.message}`);
        }
        const { name, namespace: releaseNamespace, version, info, chart } = parsed.data;
        const chartVersion = chart?.metadata?.version;
        return {
            name,
            namespace: releaseNamespace,
            revision: version,
            status: info.status,
            ...(chartVersion === undefined ? {} : { chartVersion }),
        };
    }
    /** A release command's JSON output (`-o json`), or undefined when the release is not installed. */
    async releaseJson(command, namespace) {
        const args = [...command, '--namespace', namespace, '--kubeconfig', this.kubeconfig, '-o', 'json'];
        let stdout;
        try {
            ({ stdout } = await this.runner.run(this.tool, args));
        }
        catch (error) {
            if (error instanceof _exec_runner_js__WEBPACK_IMPORTED_MODULE_0__/* .CommandError */ .Qd && RELEASE_NOT_FOUND.test(error.stderrTail))
                return undefined;
            throw error;
        }
        return (0,_exec_output_js__WEBPACK_IMPORTED_MODULE_2__/* .parseJsonOutput */ .d)(`helm ${command.join(' ')}`, stdout);
    }
}


/***/ }),

/***/ 9283:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   b: () => (/* binding */ Kubectl)
/* harmony export */ });
/* harmony import */ var zod__WEBPACK_IMPORTED_MODULE_1__ = __webpack_require__(8816);
/* harmony import */ var _exec_output_js__WEBPACK_IMPORTED_MODULE_2__ = __webpack_require__(2228);
/* harmony import */ var _exec_runner_js__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(9544);



/** The part of `kubectl get nodes -o json` we read; anything else in it is ignored. */
const NodeListSchema = zod__WEBPACK_IMPORTED_MODULE_1__/* .object */ .Ikc({
    items: zod__WEBPACK_IMPORTED_MODULE_1__/* .array */ .YOg(zod__WEBPACK_IMPORTED_MODULE_1__/* .object */ .Ikc({
        metadata: zod__WEBPACK_IMPORTED_MODULE_1__/* .object */ .Ikc({ name: zod__WEBPACK_IMPORTED_MODULE_1__/* .string */ .YjP(), annotations: zod__WEBPACK_IMPORTED_MODULE_1__/* .record */ .g1P(zod__WEBPACK_IMPORTED_MODULE_1__/* .string */ .YjP(), zod__WEBPACK_IMPORTED_MODULE_1__/* .string */ .YjP()).optional() }),
        spec: zod__WEBPACK_IMPORTED_MODULE_1__/* .object */ .Ikc({ unschedulable: zod__WEBPACK_IMPORTED_MODULE_1__/* .boolean */ .zMY().optional() }).optional(),
        status: zod__WEBPACK_IMPORTED_MODULE_1__/* .object */ .Ikc({
            conditions: zod__WEBPACK_IMPORTED_MODULE_1__/* .array */ .YOg(zod__WEBPACK_IMPORTED_MODULE_1__/* .object */ .Ikc({ type: zod__WEBPACK_IMPORTED_MODULE_1__/* .string */ .YjP(), status: zod__WEBPACK_IMPORTED_MODULE_1__/* .string */ .YjP(), lastTransitionTime: zod__WEBPACK_IMPORTED_MODULE_1__/* .string */ .YjP().optional() }))
                .optional(),
            addresses: zod__WEBPACK_IMPORTED_MODULE_1__/* .array */ .YOg(zod__WEBPACK_IMPORTED_MODULE_1__/* .object */ .Ikc({ type: zod__WEBPACK_IMPORTED_MODULE_1__/* .string */ .YjP(), address: zod__WEBPACK_IMPORTED_MODULE_1__/* .string */ .YjP() })).optional(),
            capacity: zod__WEBPACK_IMPORTED_MODULE_1__/* .record */ .g1P(zod__WEBPACK_IMPORTED_MODULE_1__/* .string */ .YjP(), zod__WEBPACK_IMPORTED_MODULE_1__/* .string */ .YjP()).optional(),
            nodeInfo: zod__WEBPACK_IMPORTED_MODULE_1__/* .object */ .Ikc({ kubeletVersion: zod__WEBPACK_IMPORTED_MODULE_1__/* .string */ .YjP().optional(), bootID: zod__WEBPACK_IMPORTED_MODULE_1__/* .string */ .YjP().optional() })
                .optional(),
        })
            .optional(),
    })),
});
const PdbListSchema = zod__WEBPACK_IMPORTED_MODULE_1__/* .object */ .Ikc({
    items: zod__WEBPACK_IMPORTED_MODULE_1__/* .array */ .YOg(zod__WEBPACK_IMPORTED_MODULE_1__/* .object */ .Ikc({
        metadata: zod__WEBPACK_IMPORTED_MODULE_1__/* .object */ .Ikc({ name: zod__WEBPACK_IMPORTED_MODULE_1__/* .string */ .YjP(), namespace: zod__WEBPACK_IMPORTED_MODULE_1__/* .string */ .YjP() }),
        status: zod__WEBPACK_IMPORTED_MODULE_1__/* .object */ .Ikc({ disruptionsAllowed: zod__WEBPACK_IMPORTED_MODULE_1__/* .number */ .aig().optional() }).optional(),
    })),
});
/** The part of `kubectl get pods -A -o json` podsNotReady reads. */
const PodListSchema = zod__WEBPACK_IMPORTED_MODULE_1__/* .object */ .Ikc({
    items: zod__WEBPACK_IMPORTED_MODULE_1__/* .array */ .YOg(zod__WEBPACK_IMPORTED_MODULE_1__/* .object */ .Ikc({
        metadata: zod__WEBPACK_IMPORTED_MODULE_1__/* .object */ .Ikc({ name: zod__WEBPACK_IMPORTED_MODULE_1__/* .string */ .YjP(), namespace: zod__WEBPACK_IMPORTED_MODULE_1__/* .string */ .YjP() }),
        status: zod__WEBPACK_IMPORTED_MODULE_1__/* .object */ .Ikc({
            phase: zod__WEBPACK_IMPORTED_MODULE_1__/* .string */ .YjP().optional(),
            conditions: zod__WEBPACK_IMPORTED_MODULE_1__/* .array */ .YOg(zod__WEBPACK_IMPORTED_MODULE_1__/* .object */ .Ikc({ type: zod__WEBPACK_IMPORTED_MODULE_1__/* .string */ .YjP(), status: zod__WEBPACK_IMPORTED_MODULE_1__/* .string */ .YjP() })).optional(),
        })
            .optional(),
    })),
});
/** kubectl against one cluster, one method per command the product uses. */
class Kubectl {
    runner;
    tool;
    kubeconfig;
    constructor(runner, opts) {
        this.runner = runner;
        this.tool = opts.path ?? 'kubectl';
        this.kubeconfig = opts.kubeconfig;
    }
    /** True when the API server reports itself ready (/readyz answers "ok"). */
    async apiReady() {
        const result = await this.kubectl(['get', '--raw=/readyz'], true);
        return result.exitCode === 0 && result.stdout.trim() === 'ok';
    }
    /** Every node: Ready, addresses, cordon, our marks, boot id, kubelet version and capacity (NodeState). */
    async nodes() {
        const { stdout } = await this.kubectl(['get', 'nodes', '-o', 'json']);
        const parsed = NodeListSchema.safeParse((0,_exec_output_js__WEBPACK_IMPORTED_MODULE_2__/* .parseJsonOutput */ .d)('kubectl get nodes -o json', stdout));
        if (!parsed.success) {
            throw new Error(`kubectl get nodes -o json gave an unexpected shape: ${parsed.error.issues[0]?.message}`);
        }
        return parsed.data.items.map((item) => {
            const ready = (item.status?.conditions ?? []).find((c) => c.type === 'Ready');
            const bootId = item.status?.nodeInfo?.bootID;
            const kubeletVersion = item.status?.nodeInfo?.kubeletVersion;
            return {
                name: item.metadata.name,
                ready: ready?.status === 'True',
                addresses: item.status?.addresses ?? [],
                unschedulable: item.spec?.unschedulable === true,
                annotations: item.metadata.annotations ?? {},
                ...(bootId ? { bootId } : {}),
                ...(kubeletVersion ? { kubeletVersion } : {}),
                ...(ready?.lastTransitionTime ? { readySince: ready.lastTransitionTime } : {}),
                capacity: item.status?.capacity ?? {},
            };
        });
    }
    /** Lets the scheduler use the node again (`node/<n> uncordoned` or `already uncordoned`). */
    async uncordon(node) {
        await this.kubectl(['uncordon', node]);
    }
    /** Sets annotations on a node (a null value removes one); nodes have no namespace. */
    async annotateNode(node, annotations) {
        const changes = Object.entries(annotations).map(([key, value]) => value === null ? `${key}-` : `${key}=${value}`);
        await this.kubectl(['annotate', 'node', node, ...changes, '--overwrite']);
    }
    /** Every PodDisruptionBudget of the cluster with the evictions it allows now. */
    async disruptionBudgets() {
        const { stdout } = await this.kubectl(['get', 'poddisruptionbudgets', '-A', '-o', 'json']);
        const parsed = PdbListSchema.safeParse((0,_exec_output_js__WEBPACK_IMPORTED_MODULE_2__/* .parseJsonOutput */ .d)('kubectl get poddisruptionbudgets', stdout));
        if (!parsed.success) {
            throw new Error(`kubectl get poddisruptionbudgets -A -o json gave an unexpected shape: ${parsed.error.issues[0]?.message}`);
        }
        return parsed.data.items.map((item) => ({
            namespace: item.metadata.namespace,
            name: item.metadata.name,
            disruptionsAllowed: item.status?.disruptionsAllowed ?? 0,
        }));
    }
    /**
     * Returns once the workload's rollout completes; a CommandError when it does not within the timeout.
     * A Deployment applied before any node could run it (an operator installed as soon as the API answers,
     * its workers created late) is marked ProgressDeadlineExceeded once progressDeadlineSeconds (600 s) pass,
     * and kubectl's rollout status fails at once on that, though the pods start as soon as a node is there.
     * The Deployment controller replaces the condition when its pods are available, so such a rollout is
     * waited for as condition Available (within the same timeout), then looked at once more.
     */
    async rolloutStatus(kind, name, namespace, timeoutSec) {
        const status = ['-n', namespace, 'rollout', 'status', `${kind}/${name}`, timeout(timeoutSec)];
        try {
            await this.kubectl(status);
        }
        catch (error) {
            if (kind !== 'deployment' || !isProgressDeadline(error))
                throw error;
            const available = ['-n', namespace, 'wait', `${kind}/${name}`, '--for=condition=Available'];
            if (!(await this.waitFor([...available, timeout(timeoutSec)])))
                throw error;
            await this.kubectl(status);
        }
    }
    /**
     * `kubectl wait --for=condition=Ready node/<name>...`: true once every named node is Ready, false when
     * `timeoutSec` passed first. kubectl watches the nodes, so this wakes when the last one turns Ready. Every
     * node must be registered (a missing one is kubectl's NotFound error).
     */
    async waitNodesReady(names, timeoutSec) {
        const nodes = names.map((name) => `node/${name}`);
        return this.waitFor(['wait', ...nodes, '--for=condition=Ready', timeout(timeoutSec)]);
    }
    /**
     * `kubectl wait --for=jsonpath=...`: true once the object's field (a simple JSONPath such as
     * `{.status.phase}`) equals `value`, false when `timeoutSec` passed first. kubectl watches the object, so
     * this wakes when the change lands, for one call however long it takes. The object must exist.
     */
    async waitForField(target, field, value, timeoutSec) {
        const { namespace, kind, name } = target;
        const condition = `--for=jsonpath=${field}=${value}`;
        return this.waitFor(['-n', namespace, 'wait', `${kind}/${name}`, condition, timeout(timeoutSec)]);
    }
    /** A `kubectl wait`: true when met, false on its timeout, any other failure thrown. */
    async waitFor(args) {
        try {
            await this.kubectl(args);
            return true;
        }
        catch (error) {
            if (error instanceof _exec_runner_js__WEBPACK_IMPORTED_MODULE_0__/* .CommandError */ .Qd && /timed out waiting for the condition/.test(error.stderrTail))
                return false;
            throw error;
        }
    }
    /** Evicts the node's pods before it goes away; a node that is already gone has nothing to drain. */
    async drain(node, timeoutSec) {
        const args = [
            'drain',
            node,
            '--ignore-daemonsets',
            '--delete-emptydir-data',
            '--force',
            timeout(timeoutSec),
        ];
        try {
            await this.kubectl(args);
            return 'drained';
        }
        catch (error) {
            if (error instanceof _exec_runner_js__WEBPACK_IMPORTED_MODULE_0__/* .CommandError */ .Qd && error.stderrTail.includes(`nodes "${node}" not found`))
                return 'absent';
            throw error;
        }
    }
    /** Removes the Node object; done already if it is not there. */
    async deleteNode(node) {
        await this.kubectl(['delete', 'node', node, '--ignore-not-found']);
    }
    /** Applies a manifest file (one or many documents); returns kubectl's lines, e.g. `service/x created`. */
    async apply(file) {
        const { stdout } = await this.kubectl(['apply', '-f', file]);
        return stdout.split('\n').filter((line) => line.trim() !== '');
    }
    /** One object as JSON, or undefined when it does not exist. */
    async getObject(kind, name, namespace) {
        let stdout;
        try {
            ({ stdout } = await this.kubectl(['-n', namespace, 'get', kind, name, '-o', 'json']));
        }
        catch (error) {
            if (error instanceof _exec_runner_js__WEBPACK_IMPORTED_MODULE_0__/* .CommandError */ .Qd && /\(NotFound\)/.test(error.stderrTail))
                return undefined;
            throw error;
        }
        const parsed = (0,_exec_output_js__WEBPACK_IMPORTED_MODULE_2__/* .parseJsonOutput */ .d)(`kubectl get ${kind} ${name} -o json`, stdout);
        if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
            throw new Error(`kubectl get ${kind} ${name} -o json did not return an object`);
        }
        return parsed;
    }
    async scale(deployment, namespace, replicas) {
        await this.kubectl(['-n', namespace, 'scale', `deployment/${deployment}`, `--replicas=${replicas}`]);
    }
    /** Sets annotations (a null value removes one), overwriting what is there. */
    async annotate(kind, name, namespace, annotations) {
        const changes = Object.entries(annotations).map(([key, value]) => value === null ? `${key}-` : `${key}=${value}`);
        await this.kubectl(['-n', namespace, 'annotate', kind, name, ...changes, '--overwrite']);
    }
    /**
     * Runs a command in a container of a workload (`deploy/x-wing`, `ds/cilium`); the exit code is the
     * command's, so callers judge the output themselves.
     */
    exec(namespace, target, container, command) {
        return this.kubectl(['-n', namespace, 'exec', target, '-c', container, '--', ...command], true);
    }
    /**
     * A token of the service account (a TokenRequest) for `seconds`, which the API server may shorten. Only on
     * stdout, never in argv or a log: the caller masks it before anything else happens.
     */
    async createToken(serviceAccount, namespace, seconds) {
        if (!Number.isInteger(seconds) || seconds <= 0)
            throw new RangeError(`a token duration must be a whole number of seconds above 0, got ${seconds}`);
        const args = ['create', 'token', serviceAccount, '-n', namespace, `--duration=${seconds}s`];
        return (await this.kubectl(args)).stdout.trim();
    }
    /** Pods of every namespace that are not Ready and have not finished (phase Succeeded). */
    async podsNotReady() {
        const { stdout } = await this.kubectl(['get', 'pods', '-A', '-o', 'json']);
        const parsed = PodListSchema.safeParse((0,_exec_output_js__WEBPACK_IMPORTED_MODULE_2__/* .parseJsonOutput */ .d)('kubectl get pods -A -o json', stdout));
        if (!parsed.success) {
            throw new Error(`kubectl get pods -A -o json gave an unexpected shape: ${parsed.error.issues[0]?.message}`);
        }
        return parsed.data.items
            .filter((pod) => pod.status?.phase !== 'Succeeded')
            .filter((pod) => !(pod.status?.conditions ?? []).some((c) => c.type === 'Ready' && c.status === 'True'))
            .map((pod) => ({ ...pod.metadata, phase: pod.status?.phase ?? 'Unknown' }));
    }
    /** Every Event of the cluster as `kubectl get events -A` prints it (or kubectl's "No resources found"). */
    async eventsTable() {
        const { stdout, stderr } = await this.kubectl(['get', 'events', '-A']);
        return stdout || stderr;
    }
    /** `kubectl describe pod`: the pod, its containers' states, its conditions and the Events about it. */
    async describePod(namespace, name) {
        return (await this.kubectl(['-n', namespace, 'describe', 'pod', name])).stdout;
    }
    /** The API server's version (`/version` gitVersion, e.g. `v1.34.1`), as the server answering reports it. */
    async apiServerVersion() {
        const { stdout } = await this.kubectl(['get', '--raw=/version']);
        const parsed = zod__WEBPACK_IMPORTED_MODULE_1__/* .object */ .Ikc({ gitVersion: zod__WEBPACK_IMPORTED_MODULE_1__/* .string */ .YjP() })
            .safeParse((0,_exec_output_js__WEBPACK_IMPORTED_MODULE_2__/* .parseJsonOutput */ .d)('kubectl get --raw=/version', stdout));
        if (!parsed.success)
            throw new Error('kubectl get --raw=/version gave no gitVersion');
        return parsed.data.gitVersion;
    }
    kubectl(args, allowFailure = false) {
        return this.runner.run(this.tool, ['--kubeconfig', this.kubeconfig, ...args], { allowFailure });
    }
}
function timeout(seconds) {
    if (!Number.isInteger(seconds) || seconds <= 0) {
        throw new RangeError(`a kubectl timeout must be a whole number of seconds above 0, got ${seconds}`);
    }
    return `--timeout=${seconds}s`;
}
function isProgressDeadline(error) {
    return error instanceof _exec_runner_js__WEBPACK_IMPORTED_MODULE_0__/* .CommandError */ .Qd && /exceeded its progress deadline/.test(error.stderrTail);
}


/***/ }),

/***/ 9509:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   G: () => (/* binding */ manifestsYaml)
/* harmony export */ });
/* harmony import */ var yaml__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(8815);

/** One multi-document YAML stream for `kubectl apply -f`, in the order given (namespaces first). */
function manifestsYaml(objects) {
    return objects.map((object) => (0,yaml__WEBPACK_IMPORTED_MODULE_0__/* .stringify */ .As)(object, { lineWidth: 0 })).join('---\n');
}


/***/ }),

/***/ 5153:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   D: () => (/* binding */ WaitTimeoutError),
/* harmony export */   a: () => (/* binding */ waitUntil)
/* harmony export */ });
/* harmony import */ var _errors_js__WEBPACK_IMPORTED_MODULE_1__ = __webpack_require__(3916);
/* harmony import */ var _util_sleep_js__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(2701);


/** The awaited condition did not come true in time. */
class WaitTimeoutError extends Error {
    name = 'WaitTimeoutError';
    awaited;
    lastObservation;
    elapsedMs;
    constructor(init) {
        const seconds = Math.round(init.elapsedMs / 1000);
        super(`timed out after ${seconds}s (${init.attempts} checks) waiting for ${init.awaited}; ` +
            `last observation: ${init.lastObservation}`);
        this.awaited = init.awaited;
        this.lastObservation = init.lastObservation;
        this.elapsedMs = init.elapsedMs;
    }
}
/**
 * Probes every `intervalMs` (none but the first before `notBeforeMs`) until the probe reports ready, or
 * throws WaitTimeoutError once `timeoutMs` has passed. The probe runs at least once, and once more at the
 * deadline, so a short timeout still gets a fair last look.
 */
async function waitUntil(probe, opts) {
    const now = opts.now ?? Date.now;
    const sleep = opts.sleep ?? _util_sleep_js__WEBPACK_IMPORTED_MODULE_0__/* .sleep */ .y;
    const started = now();
    const deadline = started + opts.timeoutMs;
    for (let attempts = 1;; attempts++) {
        const observation = await observe(probe);
        if (observation.ready)
            return;
        const remaining = deadline - now();
        if (remaining <= 0) {
            throw new WaitTimeoutError({
                awaited: opts.describe,
                lastObservation: observation.detail,
                elapsedMs: now() - started,
                attempts,
            });
        }
        const quiet = started + (opts.notBeforeMs ?? 0) - now();
        await sleep(Math.min(Math.max(opts.intervalMs, quiet), remaining));
    }
}
async function observe(probe) {
    try {
        const result = await probe();
        return typeof result === 'boolean'
            ? { ready: result, detail: result ? 'ready' : 'not ready yet' }
            : result;
    }
    catch (error) {
        if ((0,_errors_js__WEBPACK_IMPORTED_MODULE_1__/* .isConfigurationError */ .p0)(error))
            throw error;
        return { ready: false, detail: (0,_errors_js__WEBPACK_IMPORTED_MODULE_1__/* .errorMessage */ .gJ)(error) };
    }
}


/***/ }),

/***/ 2987:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {


// EXPORTS
__webpack_require__.d(__webpack_exports__, {
  C3: () => (/* binding */ runGraph),
  sV: () => (/* binding */ stageTimings)
});

// UNUSED EXPORTS: StepGraphError

;// CONCATENATED MODULE: ./src/plan/stages.ts
/**
 * The stages of a twin's pipeline in the order they run: the plan and the claim (before any step), then
 * provisioning (action-provision: image, VMs, Talos, Kubernetes, Cilium up to every node Ready, with converge's
 * rollout and release upgrades of a twin that runs already), the mesh (action-mesh), day 2 (action-day2), and
 * destroy. Steps name their stage (Step.stage); this order is what people read progress and timings in.
 */
const PIPELINE_STAGES = [
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
function inPipelineOrder(stages) {
    const rank = (stage) => {
        const index = PIPELINE_STAGES.indexOf(stage);
        return index === -1 ? PIPELINE_STAGES.length : index;
    };
    return [...stages].sort((a, b) => rank(a) - rank(b));
}

;// CONCATENATED MODULE: ./src/plan/executor.ts

class StepGraphError extends Error {
    name = 'StepGraphError';
}
function checkGraph(steps) {
    const byId = new Map();
    for (const step of steps) {
        if (byId.has(step.id))
            throw new StepGraphError(`step ${step.id} is defined twice`);
        byId.set(step.id, step);
    }
    for (const step of steps) {
        for (const need of step.needs) {
            if (!byId.has(need))
                throw new StepGraphError(`step ${step.id} needs ${need}, which does not exist`);
        }
    }
    const visiting = new Set();
    const visited = new Set();
    const visit = (id, path) => {
        if (visited.has(id))
            return;
        if (visiting.has(id))
            throw new StepGraphError(`steps form a cycle: ${[...path, id].join(' -> ')}`);
        visiting.add(id);
        for (const need of byId.get(id).needs)
            visit(need, [...path, id]);
        visiting.delete(id);
        visited.add(id);
    };
    for (const step of steps)
        visit(step.id, []);
    return byId;
}
async function runGraph(steps, events = {}, now = Date.now) {
    const byId = checkGraph(steps);
    const records = new Map(steps.map((step) => [
        step.id,
        { id: step.id, title: step.title, doing: step.doing, stage: step.stage, state: 'pending' },
    ]));
    events.onPlan?.(steps.map((step) => ({ ...records.get(step.id) })));
    const dependents = new Map();
    for (const step of steps)
        for (const need of step.needs)
            dependents.set(need, [...(dependents.get(need) ?? []), step.id]);
    const running = new Set();
    const skip = (id) => {
        for (const dependent of dependents.get(id) ?? []) {
            const record = records.get(dependent);
            if (record.state !== 'pending')
                continue;
            record.state = 'skipped';
            events.onEnd?.(record);
            skip(dependent);
        }
    };
    const ready = (step) => records.get(step.id).state === 'pending' &&
        step.needs.every((need) => records.get(need).state === 'done');
    const launch = (step) => {
        const record = records.get(step.id);
        record.state = 'running';
        record.startedAt = now();
        events.onStart?.(record);
        const task = step
            .run()
            .then(() => {
            record.state = 'done';
        }, (error) => {
            record.state = 'failed';
            record.error = error;
        })
            .then(() => {
            record.endedAt = now();
            events.onEnd?.(record);
            if (record.state === 'failed')
                skip(step.id);
            running.delete(task);
        });
        running.add(task);
    };
    for (;;) {
        for (const step of byId.values())
            if (ready(step))
                launch(step);
        if (running.size === 0)
            break;
        await Promise.race(running);
    }
    const all = steps.map((step) => records.get(step.id));
    return { records: all, failed: all.filter((record) => record.state === 'failed') };
}
/**
 * Wall time per stage: from the first step of the stage starting to the last one ending; in pipeline order
 * (a cluster's Talos configs are made before any VM exists, yet Talos follows the VMs), unknown stages after,
 * by their start.
 */
function stageTimings(records) {
    const stages = new Map();
    for (const record of records) {
        if (record.startedAt === undefined || record.endedAt === undefined)
            continue;
        const stage = stages.get(record.stage) ?? {
            stage: record.stage,
            startedAt: record.startedAt,
            endedAt: record.endedAt,
            steps: 0,
        };
        stage.startedAt = Math.min(stage.startedAt, record.startedAt);
        stage.endedAt = Math.max(stage.endedAt, record.endedAt);
        stage.steps++;
        stages.set(record.stage, stage);
    }
    const byStart = [...stages.values()].sort((a, b) => a.startedAt - b.startedAt);
    const order = inPipelineOrder(byStart.map((stage) => stage.stage));
    return order.map((name) => stages.get(name));
}


/***/ }),

/***/ 4018:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   n: () => (/* binding */ allocatable)
/* harmony export */ });
/* unused harmony export kernelReserveMiB */
/**
 * What the kubelet of a Talos VM offers the scheduler (LIFECYCLE F.7): Talos reserves 50m CPU and
 * 512Mi (control plane) or 384Mi (worker) memory, the kubelet's hard eviction threshold keeps 100Mi,
 * and the kernel keeps some RAM for itself before the kubelet ever sees it.
 */
const SYSTEM_RESERVED_CPU_MILLI = 50;
const SYSTEM_RESERVED_MEMORY_MIB = { controlplane: 512, worker: 384 };
const EVICTION_HARD_MEMORY_MIB = 100;
/**
 * The kernel's share of the VM's RAM (RAM − MemTotal). Not measured on a Talos VM of these sizes (F.7
 * UNCONFIRMED). The one Talos figure found: a 2 GiB Raspberry Pi 4 reports 1854 MiB total, 194 MiB
 * short, GPU carve-out included (siderolabs/talos#8592). Modelled conservatively as a fixed 200 MiB
 * (kernel image, the initramfs Talos runs from) plus 2% of RAM (the page tables of struct page, ~1.6%).
 */
const KERNEL_RESERVE_FIXED_MIB = 200;
const KERNEL_RESERVE_SHARE = 0.02;
function kernelReserveMiB(memoryMiB) {
    return KERNEL_RESERVE_FIXED_MIB + Math.ceil(memoryMiB * KERNEL_RESERVE_SHARE);
}
/** allocatable = capacity − systemReserved − evictionHard (F.7); never negative. */
function allocatable(role, vm) {
    const capacityMiB = vm.memoryMiB - kernelReserveMiB(vm.memoryMiB);
    return {
        cpuMilli: Math.max(0, vm.cores * 1000 - SYSTEM_RESERVED_CPU_MILLI),
        memoryMiB: Math.max(0, capacityMiB - SYSTEM_RESERVED_MEMORY_MIB[role] - EVICTION_HARD_MEMORY_MIB),
    };
}


/***/ }),

/***/ 5432:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   HI: () => (/* binding */ checkSpecFiles),
/* harmony export */   MB: () => (/* binding */ readSpecFile),
/* harmony export */   iV: () => (/* binding */ checkNamedFile),
/* harmony export */   os: () => (/* binding */ specFolder)
/* harmony export */ });
/* unused harmony exports MAX_SPEC_BYTES, MAX_NAMED_FILE_BYTES */
/* harmony import */ var node_fs__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(3024);
/* harmony import */ var node_fs__WEBPACK_IMPORTED_MODULE_0___default = /*#__PURE__*/__webpack_require__.n(node_fs__WEBPACK_IMPORTED_MODULE_0__);
/* harmony import */ var node_path__WEBPACK_IMPORTED_MODULE_1__ = __webpack_require__(6760);
/* harmony import */ var node_path__WEBPACK_IMPORTED_MODULE_1___default = /*#__PURE__*/__webpack_require__.n(node_path__WEBPACK_IMPORTED_MODULE_1__);
/* harmony import */ var _util_regular_file_js__WEBPACK_IMPORTED_MODULE_2__ = __webpack_require__(1215);



/**
 * The spec and the files it names (helm values, manifest files and folders) are read only when they are
 * regular files inside the folder they may come from, after every symlink is resolved, and not too large:
 * a pull request that turns twin.yaml or a values file into a link to the runner's secrets, /dev/zero or a
 * fifo is refused before anything is read or changed.
 */
/** twin.yaml: the example is about 12 KiB, so 1 MiB is ample, and keeps a YAML parse of it quick. */
const MAX_SPEC_BYTES = 1024 * 1024;
/** A values file or manifest: Kubernetes stores no object over about 1.5 MiB (etcd's request limit). */
const MAX_NAMED_FILE_BYTES = 1024 * 1024;
/** The files kubectl apply -f reads in a folder (not recursive), and at most how many. */
const MANIFEST_FILE = /\.(ya?ml|json)$/;
const MAX_FOLDER_FILES = 100;
/**
 * Actions pass the workspace: the spec and every file it names must be in the checked-out repository. The
 * CLI passes none: its operator names the spec on the command line (anywhere, e.g. a copy in /tmp), and the
 * files that spec names must then lie in the spec's own folder, as they would in a repository.
 */
function specFolder(file, workspace) {
    const specDir = (0,node_path__WEBPACK_IMPORTED_MODULE_1__.dirname)((0,node_path__WEBPACK_IMPORTED_MODULE_1__.resolve)(file));
    return { specDir, root: workspace ?? { dir: specDir, name: "the spec's folder" } };
}
const NAMED_FILE_MISSING = 'add it to the repository, or correct the path (relative to twin.yaml)';
/** Reads the twin spec: a regular file of at most MAX_SPEC_BYTES, inside `root` when given. */
function readSpecFile(path, field, root) {
    return (0,_util_regular_file_js__WEBPACK_IMPORTED_MODULE_2__/* .readRegularFile */ .XF)(path, field, {
        maxBytes: MAX_SPEC_BYTES,
        missingFix: 'pass the path of your twin.yaml, or start from examples/twin.yaml',
        root,
    });
}
/**
 * A file the spec names (a values file), or a file or folder (a manifest set), relative to `specDir`:
 * inside `root` after symlinks, regular, at most MAX_NAMED_FILE_BYTES; for a folder, every file kubectl
 * would read from it too. Returns the resolved path, which is what the tools are given.
 */
function checkNamedFile(folder, path, field, kind) {
    const { specDir, root } = folder;
    const real = (0,_util_regular_file_js__WEBPACK_IMPORTED_MODULE_2__/* .resolvedInside */ .vB)({ path: (0,node_path__WEBPACK_IMPORTED_MODULE_1__.resolve)(specDir, path), shown: path }, field, root, NAMED_FILE_MISSING);
    const stats = (0,node_fs__WEBPACK_IMPORTED_MODULE_0__.statSync)(real);
    (0,_util_regular_file_js__WEBPACK_IMPORTED_MODULE_2__/* .checkStats */ .Wn)(stats, field, path, kind, MAX_NAMED_FILE_BYTES);
    if (stats.isDirectory())
        checkFolder(real, path, field, root);
    return real;
}
function checkFolder(real, path, field, root) {
    const names = (0,node_fs__WEBPACK_IMPORTED_MODULE_0__.readdirSync)(real).filter((name) => MANIFEST_FILE.test(name));
    if (names.length > MAX_FOLDER_FILES) {
        (0,_util_regular_file_js__WEBPACK_IMPORTED_MODULE_2__/* .refuse */ .TR)(field, path, `holds ${names.length} manifest files, more than ${MAX_FOLDER_FILES}`, 'split the folder');
    }
    for (const name of names) {
        const entry = (0,node_path__WEBPACK_IMPORTED_MODULE_1__.join)(path, name);
        const entryReal = (0,_util_regular_file_js__WEBPACK_IMPORTED_MODULE_2__/* .resolvedInside */ .vB)({ path: (0,node_path__WEBPACK_IMPORTED_MODULE_1__.join)(real, name), shown: entry }, field, root, NAMED_FILE_MISSING);
        const stats = (0,node_fs__WEBPACK_IMPORTED_MODULE_0__.statSync)(entryReal);
        if (stats.isDirectory())
            continue; // kubectl apply -f DIR does not descend
        (0,_util_regular_file_js__WEBPACK_IMPORTED_MODULE_2__/* .checkStats */ .Wn)(stats, field, entry, 'file', MAX_NAMED_FILE_BYTES);
    }
}
/** Every file the spec names, checked before the first step (and again by day 2 right before its use). */
function checkSpecFiles(spec, folder) {
    const { releases, manifests } = spec.addons.extras;
    releases.forEach((release, index) => {
        if (release.values) {
            checkNamedFile(folder, release.values, `addons.extras.releases[${index}].values`, 'file');
        }
    });
    manifests.forEach((path, index) => {
        checkNamedFile(folder, path, `addons.extras.manifests[${index}]`, 'file or folder');
    });
}


/***/ }),

/***/ 487:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   T: () => (/* binding */ sampleService),
/* harmony export */   k: () => (/* binding */ runCheck)
/* harmony export */ });
/* harmony import */ var _addons_starwars_js__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(7564);
/* harmony import */ var _kube_readiness_js__WEBPACK_IMPORTED_MODULE_1__ = __webpack_require__(5153);


/**
 * `requests` separate connections (Connection: close, so Cilium picks a backend for each) in one exec;
 * each reply on its own line, counted by the cluster it names.
 */
async function sampleService(target) {
    const urls = Array.from({ length: target.requests }, () => `http://${target.host}/`);
    const command = ['curl', '-sS', '--max-time', '3', '-H', 'Connection: close', '-w', '\\n', ...urls];
    const result = await target.kubectl.exec(target.namespace, target.client, target.container, command);
    const replies = (0,_addons_starwars_js__WEBPACK_IMPORTED_MODULE_0__/* .countReplies */ .gb)(result.stdout, result.stderr);
    const counts = Object.entries(replies.byCluster)
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([cluster, count]) => `${cluster} ${count}`);
    return {
        requests: target.requests,
        answered: replies.answered,
        byCluster: replies.byCluster,
        evidence: [
            `kubectl -n ${target.namespace} exec ${target.client} -c ${target.container} -- curl -sS --max-time 3 -H 'Connection: close' http://${target.host}/ (x${target.requests})`,
            `exit ${result.exitCode}; ${replies.answered} of ${target.requests} answered${counts.length > 0 ? `: ${counts.join(', ')}` : ''}`,
            ...replies.failures.slice(0, 5),
        ],
    };
}
/**
 * Samples until the judge is satisfied or the check's time runs out (endpoints of another cluster reach
 * this one only after the mesh propagates them); the outcome keeps the last sample as evidence.
 */
async function runCheck(ctx, spec) {
    let last;
    let verdict = 'not sampled';
    try {
        await (0,_kube_readiness_js__WEBPACK_IMPORTED_MODULE_1__/* .waitUntil */ .a)(async () => {
            last = await spec.take();
            verdict = spec.judge(last);
            return { ready: verdict === undefined, detail: verdict ?? 'passed' };
        }, { timeoutMs: ctx.pace.checkTimeoutMs, intervalMs: ctx.pace.pollMs, describe: spec.title });
    }
    catch (error) {
        if (!(error instanceof _kube_readiness_js__WEBPACK_IMPORTED_MODULE_1__/* .WaitTimeoutError */ .D))
            throw error;
        // a timeout is the check failing: the outcome below carries the last sample and why
    }
    const sample = last;
    const outcome = {
        id: spec.id,
        title: spec.title,
        cluster: spec.cluster,
        passed: verdict === undefined,
        counts: sample ? { requests: sample.requests, answered: sample.answered, ...sample.byCluster } : {},
        evidence: [...(sample?.evidence ?? []), ...(verdict ? [`failed: ${verdict}`] : [])],
    };
    ctx.log(`check ${spec.id}: ${outcome.passed ? 'passed' : 'FAILED'}\n  ${outcome.evidence.join('\n  ')}`);
    return outcome;
}


/***/ }),

/***/ 5073:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {


// EXPORTS
__webpack_require__.d(__webpack_exports__, {
  ng: () => (/* binding */ describeFailures),
  oo: () => (/* binding */ loadTwinRecord),
  Ak: () => (/* binding */ readTwinRecord),
  TP: () => (/* binding */ stageTimingTable)
});

// UNUSED EXPORTS: clusterKeys, saveTwinRecord

// EXTERNAL MODULE: ./src/errors.ts
var errors = __webpack_require__(3916);
// EXTERNAL MODULE: ./src/plan/executor.ts + 1 modules
var executor = __webpack_require__(2987);
;// CONCATENATED MODULE: ./src/twin/lost-state.ts

/**
 * A twin that exists on Proxmox (its slot pool, or any of its VMs) while the store holds nothing of it was
 * built with another store, or its state was lost. Its nodes trust only the Talos secrets and CA they were
 * given: new ones would make an identity the running cluster refuses, after minutes of waiting. So it is
 * refused before anything is waited for, generated or changed.
 */
async function refuseLostState(store, plan) {
    const existing = plan.vms.filter((vm) => vm.action !== 'create');
    if (plan.slotState !== 'held' && existing.length === 0)
        return;
    if ((await store.list(plan.twin)).length > 0)
        return;
    throw new ConfigurationError(`twin ${plan.twin} exists on Proxmox (slot ${plan.slot}, pool ${plan.pool}, ${existing.length} VM(s)) but ` +
        `${store.describe()} holds none of its state (Talos secrets, talosconfig, kubeconfigs, mesh CA); nothing ` +
        `was changed and no secrets were generated. ${WAYS_OUT}`);
}
const WAYS_OUT = 'Ways out: point this run at the store that has it (the CLI options --state-store and --state-dir, the ' +
    "actions' inputs state-store and state-dir), bring the state into this store (twin state export from the " +
    'store that has it, then twin state import into this one; or restore a backup), or destroy the twin (twin ' +
    'down, or operation destroy) and create it again';
/**
 * action-mesh and action-day2 hold no Proxmox credentials, so they cannot tell a lost state from a twin that
 * was never provisioned: an empty store gets both readings and the ways out, at once.
 */
function missingStateError(store, twin) {
    return new errors/* ConfigurationError */.j1(`${store.describe()} holds no state of twin ${twin}: nothing was changed. Either action-provision has not ` +
        `applied this twin yet (run it first, with the same state-store and state-dir), or the twin runs and ` +
        `its state is elsewhere or lost. ${WAYS_OUT}`);
}

;// CONCATENATED MODULE: ./src/twin/outcome.ts



const RECORD_KEY = 'twin.json';
/** Written by a successful apply, so later steps (and jobs on the same runner) find the twin's clusters. */
async function saveTwinRecord(store, outcome, appliedAt) {
    const record = {
        twin: outcome.twin,
        environment: outcome.environment,
        slot: outcome.slot,
        clusters: outcome.clusters.map(({ kubeconfig: _k, talosconfig: _t, ...cluster }) => cluster),
        ...(appliedAt ? { appliedAt: appliedAt.toISOString() } : {}),
    };
    await store.write({ twin: outcome.twin, name: RECORD_KEY }, `${JSON.stringify(record, null, 2)}\n`);
}
/** The record of the twin's last successful apply, if there was one. */
async function readTwinRecord(store, twin) {
    const text = await store.read({ twin, name: RECORD_KEY });
    return text === undefined ? undefined : JSON.parse(text);
}
/** The twin as its last apply left it, with the paths of each cluster's credentials. */
async function loadTwinRecord(store, twin) {
    const record = await readTwinRecord(store, twin);
    if (record === undefined) {
        if ((await store.list(twin)).length === 0)
            throw missingStateError(store, twin);
        throw new errors/* ConfigurationError */.j1(`twin ${twin} has no record in the state store (${store.describe()}): ` +
            'run action-provision (operation apply) for this twin first, with the same state-store and state-dir');
    }
    return record.clusters.map((cluster) => ({ ...cluster, ...clusterKeys(store, twin, cluster.name) }));
}
function clusterKeys(store, twin, cluster) {
    return {
        kubeconfig: store.pathOf({ twin, cluster, name: 'kubeconfig' }),
        talosconfig: store.pathOf({ twin, cluster, name: 'talosconfig' }),
    };
}
function describeFailures(records) {
    const failed = records.filter((record) => record.state === 'failed');
    const skipped = records.filter((record) => record.state === 'skipped').length;
    return [
        ...failed.map((record) => `stage ${record.stage}, ${record.title}: ${(0,errors/* errorMessage */.gJ)(record.error)}`),
        ...(skipped > 0 ? [`${skipped} later step(s) were skipped; the next run resumes from here`] : []),
    ].join('\n');
}
/**
 * Per-stage rows for people: wall time, and on a simulated lab also the lab time it stands for (wall
 * time divided by the lab's scale), so a figure never passes for real-lab speed by mistake.
 */
function stageTimingTable(records, scale) {
    const seconds = (ms) => `${(ms / 1000).toFixed(1)}s`;
    const simulated = scale < 1;
    return {
        header: simulated ? ['STAGE', 'WALL', `LAB TIME (scale ${scale})`, 'STEPS'] : ['STAGE', 'WALL', 'STEPS'],
        rows: (0,executor/* stageTimings */.sV)(records).map((stage) => {
            const wall = stage.endedAt - stage.startedAt;
            return simulated
                ? [stage.stage, seconds(wall), seconds(wall / scale), String(stage.steps)]
                : [stage.stage, seconds(wall), String(stage.steps)];
        }),
    };
}


/***/ }),

/***/ 7817:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   EN: () => (/* binding */ runPlatformSteps),
/* harmony export */   IQ: () => (/* binding */ AFTER_BUILD)
/* harmony export */ });
/* unused harmony export platformOutcome */
/* harmony import */ var node_fs_promises__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(1455);
/* harmony import */ var node_fs_promises__WEBPACK_IMPORTED_MODULE_0___default = /*#__PURE__*/__webpack_require__.n(node_fs_promises__WEBPACK_IMPORTED_MODULE_0__);
/* harmony import */ var _util_work_dir_js__WEBPACK_IMPORTED_MODULE_1__ = __webpack_require__(97);
/* harmony import */ var _plan_executor_js__WEBPACK_IMPORTED_MODULE_2__ = __webpack_require__(2987);
/* harmony import */ var _outcome_js__WEBPACK_IMPORTED_MODULE_3__ = __webpack_require__(5073);




/** The platform run after the build (action-mesh, action-day2): every cluster is up already. */
const AFTER_BUILD = {
    meshRequirementsStep: false,
    api: () => [],
    ready: () => [],
    meshed: [],
};
/** Runs steps in a private scratch folder that is removed afterwards, as applyTwin does. */
async function runPlatformSteps(ctx, steps) {
    await (0,_util_work_dir_js__WEBPACK_IMPORTED_MODULE_1__/* .freshWorkDir */ .X)(ctx.workDir);
    try {
        const { records } = await (0,_plan_executor_js__WEBPACK_IMPORTED_MODULE_2__/* .runGraph */ .C3)(steps, ctx.events);
        return stepsOutcome(records);
    }
    finally {
        await (0,node_fs_promises__WEBPACK_IMPORTED_MODULE_0__.rm)(ctx.workDir, { recursive: true, force: true });
    }
}
function stepsOutcome(records) {
    const failed = records.some((record) => record.state === 'failed');
    return {
        records,
        ok: !failed && records.every((record) => record.state === 'done'),
        ...(failed ? { failure: (0,_outcome_js__WEBPACK_IMPORTED_MODULE_3__/* .describeFailures */ .ng)(records) } : {}),
    };
}
/** A platform part's outcome from the records of its steps (run in a graph with others or alone). */
function platformOutcome(records, part) {
    return { ...stepsOutcome(records), report: part.report() };
}


/***/ }),

/***/ 9215:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   C0: () => (/* binding */ platformRanIn),
/* harmony export */   Os: () => (/* binding */ loadPlatformReport),
/* harmony export */   PL: () => (/* binding */ savePlatformReport),
/* harmony export */   u0: () => (/* binding */ describeFailedChecks)
/* harmony export */ });
/* unused harmony exports markPlatformRun, emptyPlatformReport */
const REPORT_KEY = 'platform.json';
/** The report the earlier step left (action-mesh before action-day2), or an empty one. */
async function loadPlatformReport(store, twin) {
    const text = await store.read({ twin, name: REPORT_KEY });
    return text === undefined ? emptyPlatformReport() : JSON.parse(text);
}
/**
 * Lays a step's report over the stored one: sections the step measured replace the old ones per cluster,
 * checks replace those with the same id. Evidence holds pod output only, never credentials.
 */
async function savePlatformReport(store, twin, fresh, stored) {
    const byCluster = (old, added) => [
        ...old.filter((entry) => !added.some((other) => other.cluster === entry.cluster)),
        ...added,
    ];
    const merged = {
        mesh: byCluster(stored.mesh, fresh.mesh),
        ceph: byCluster(stored.ceph, fresh.ceph),
        checks: [
            ...stored.checks.filter((check) => !fresh.checks.some((other) => other.id === check.id)),
            ...fresh.checks,
        ],
    };
    await store.write({ twin, name: REPORT_KEY }, `${JSON.stringify(merged, null, 2)}\n`);
    return merged;
}
const PLATFORM_RUN_KEY = 'platform-run.json';
/**
 * Notes that `job` (a workflow job, see currentJob) brought the mesh and day 2 up in its provision step, so
 * its action-mesh and action-day2 steps have nothing left to do.
 */
async function markPlatformRun(store, twin, job) {
    await store.write({ twin, name: PLATFORM_RUN_KEY }, `${JSON.stringify({ job })}\n`);
}
/** Whether `job` brought the platform up already (markPlatformRun). */
async function platformRanIn(store, twin, job) {
    const text = await store.read({ twin, name: PLATFORM_RUN_KEY });
    if (text === undefined)
        return false;
    try {
        return JSON.parse(text).job === job;
    }
    catch {
        return false;
    }
}
function emptyPlatformReport() {
    return { mesh: [], ceph: [], checks: [] };
}
/** The failed checks as a step's failure message: each with its evidence. */
function describeFailedChecks(checks) {
    const failed = checks.filter((check) => !check.passed);
    if (failed.length === 0)
        return undefined;
    return failed
        .map((check) => [`check ${check.id} failed: ${check.title}`, ...check.evidence.map((line) => `  ${line}`)].join('\n'))
        .join('\n');
}


/***/ }),

/***/ 97:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   X: () => (/* binding */ freshWorkDir)
/* harmony export */ });
/* harmony import */ var node_fs_promises__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(1455);
/* harmony import */ var node_fs_promises__WEBPACK_IMPORTED_MODULE_0___default = /*#__PURE__*/__webpack_require__.n(node_fs_promises__WEBPACK_IMPORTED_MODULE_0__);

/**
 * An empty private (0700) scratch folder. What a killed earlier run left there (generated configs, Talos
 * secrets files that talosctl refuses to overwrite) is generated again from the state store.
 */
async function freshWorkDir(dir) {
    await (0,node_fs_promises__WEBPACK_IMPORTED_MODULE_0__.rm)(dir, { recursive: true, force: true });
    await (0,node_fs_promises__WEBPACK_IMPORTED_MODULE_0__.mkdir)(dir, { recursive: true, mode: 0o700 });
}


/***/ })

};

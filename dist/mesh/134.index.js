export const id = 134;
export const ids = [134];
export const modules = {

/***/ 7564:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   gb: () => (/* binding */ countReplies),
/* harmony export */   qc: () => (/* binding */ starwarsManifests),
/* harmony export */   wI: () => (/* binding */ STARWARS_NAMESPACE)
/* harmony export */ });
/* unused harmony exports REBEL_BASE, X_WING, X_WING_CONTAINER, rebelBaseMessage */
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

/***/ 7229:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   Jk: () => (/* binding */ MESH_PROBE_NAME),
/* harmony export */   lv: () => (/* binding */ MESH_CHECK_NAMESPACE),
/* harmony export */   s4: () => (/* binding */ meshCheckManifests),
/* harmony export */   uK: () => (/* binding */ echoServiceName)
/* harmony export */ });
/* unused harmony export echoMessage */
/* harmony import */ var _addons_workloads_js__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(4397);
/* harmony import */ var _errors_js__WEBPACK_IMPORTED_MODULE_1__ = __webpack_require__(3916);


/**
 * The built-in cross-cluster check, in the spirit of Cilium's multi-cluster connectivity test: every
 * cluster has a global Service echo-<C> for each cluster C, but only cluster C runs its backend. A reply
 * from echo-<C> in any other cluster can only have come through the mesh.
 */
const MESH_CHECK_NAMESPACE = 'twin-mesh-check';
/** The client Deployment (and its container) the check execs curl in. */
const MESH_PROBE_NAME = 'mesh-probe';
const ECHO_APP = 'mesh-echo';
function echoServiceName(cluster) {
    (0,_addons_workloads_js__WEBPACK_IMPORTED_MODULE_0__/* .requireClusterLabel */ .uu)(cluster);
    return `echo-${cluster}`;
}
/** The echo body; one JSON object per line, which countReplies (addons/starwars.ts) reads. */
function echoMessage(cluster) {
    return `${JSON.stringify({ cluster })}\n`;
}
/** What to apply in cluster `local` of a twin whose clusters are `all`: namespace, ConfigMaps, Deployments, Services. */
function meshCheckManifests(local, all) {
    requireMeshClusters(local, all);
    const ns = MESH_CHECK_NAMESPACE;
    const echo = echoServiceName(local);
    return [
        (0,_addons_workloads_js__WEBPACK_IMPORTED_MODULE_0__/* .workloadNamespace */ .b0)(ns),
        (0,_addons_workloads_js__WEBPACK_IMPORTED_MODULE_0__/* .messageConfigMap */ .ic)(echo, ns, echoMessage(local)),
        (0,_addons_workloads_js__WEBPACK_IMPORTED_MODULE_0__/* .nginxDeployment */ .qe)({ name: echo, namespace: ns, labels: echoLabels(local), replicas: 1, configMap: echo }),
        (0,_addons_workloads_js__WEBPACK_IMPORTED_MODULE_0__/* .curlClientDeployment */ .fo)({
            name: MESH_PROBE_NAME,
            namespace: ns,
            labels: { app: MESH_PROBE_NAME },
            replicas: 1,
            container: 'probe',
        }),
        ...all.map((cluster) => (0,_addons_workloads_js__WEBPACK_IMPORTED_MODULE_0__/* .globalService */ .vN)(echoServiceName(cluster), ns, echoLabels(cluster))),
    ];
}
function echoLabels(cluster) {
    return { app: ECHO_APP, cluster };
}
function requireMeshClusters(local, all) {
    all.forEach(_addons_workloads_js__WEBPACK_IMPORTED_MODULE_0__/* .requireClusterLabel */ .uu);
    const duplicate = all.find((cluster, index) => all.indexOf(cluster) !== index);
    if (duplicate !== undefined) {
        throw new _errors_js__WEBPACK_IMPORTED_MODULE_1__/* .ConfigurationError */ .j1(`cluster ${duplicate} is listed twice for the mesh check: give each cluster its own name in twin.yaml (clusters[].name)`);
    }
    if (!all.includes(local)) {
        throw new _errors_js__WEBPACK_IMPORTED_MODULE_1__/* .ConfigurationError */ .j1(`cluster ${local} is not one of the twin's clusters (${all.join(', ')}): pass a cluster declared in twin.yaml`);
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

/***/ 5134:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {


// EXPORTS
__webpack_require__.d(__webpack_exports__, {
  meshTwin: () => (/* binding */ meshTwin),
  O: () => (/* binding */ remoteClusters)
});

// UNUSED EXPORTS: meshSteps, unsyncedFlags

// EXTERNAL MODULE: external "node:path"
var external_node_path_ = __webpack_require__(6760);
// EXTERNAL MODULE: external "node:fs/promises"
var promises_ = __webpack_require__(1455);
// EXTERNAL MODULE: ./node_modules/yaml/dist/index.js
var dist = __webpack_require__(8815);
// EXTERNAL MODULE: ./src/errors.ts
var errors = __webpack_require__(3916);
// EXTERNAL MODULE: ./node_modules/zod/v4/classic/schemas.js + 17 modules
var schemas = __webpack_require__(8816);
// EXTERNAL MODULE: ./src/exec/output.ts
var output = __webpack_require__(2228);
// EXTERNAL MODULE: ./src/exec/runner.ts + 1 modules
var runner = __webpack_require__(9544);
;// CONCATENATED MODULE: ./src/kube/helm.ts



/**
 * The fields of `helm status -o json` we read. The output also carries the release's values (the mesh CA
 * key among them): they are never kept or printed.
 */
const ReleaseSchema = schemas/* object */.Ikc({
    name: schemas/* string */.YjP(),
    namespace: schemas/* string */.YjP(),
    version: schemas/* number */.aig(),
    info: schemas/* object */.Ikc({ status: schemas/* string */.YjP() }),
    chart: schemas/* object */.Ikc({ metadata: schemas/* object */.Ikc({ version: schemas/* string */.YjP().optional() }).optional() }).optional(),
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
            if (error instanceof runner/* CommandError */.Qd && RELEASE_NOT_FOUND.test(error.stderrTail))
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
            if (error instanceof runner/* CommandError */.Qd && RELEASE_NOT_FOUND.test(error.stderrTail))
                return undefined;
            throw error;
        }
        return (0,output/* parseJsonOutput */.d)(`helm ${command.join(' ')}`, stdout);
    }
}

// EXTERNAL MODULE: ./src/kube/kubectl.ts
var kubectl = __webpack_require__(9283);
// EXTERNAL MODULE: ./src/kube/objects.ts
var objects = __webpack_require__(9509);
// EXTERNAL MODULE: ./src/util/sleep.ts + 1 modules
var util_sleep = __webpack_require__(2701);
;// CONCATENATED MODULE: ./src/kube/readiness.ts


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
    const sleep = opts.sleep ?? util_sleep/* sleep */.y;
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
        if ((0,errors/* isConfigurationError */.p0)(error))
            throw error;
        return { ready: false, detail: (0,errors/* errorMessage */.gJ)(error) };
    }
}

// EXTERNAL MODULE: external "node:crypto"
var external_node_crypto_ = __webpack_require__(7598);
// EXTERNAL MODULE: ./src/util/ipv4.ts
var ipv4 = __webpack_require__(7881);
;// CONCATENATED MODULE: ./src/mesh/clustermesh.ts




/** The chart's default NodePort (CONTRACTS C.2): inside 30000-32767, and nothing else of ours uses it. */
const CLUSTERMESH_NODE_PORT = 32379;
/** The chart default; every cluster of a mesh must carry the same value, and it cannot change later. */
const MAX_CONNECTED_CLUSTERS = 255;
/** The chart's default domain: the auto-generated server certificates carry the SAN `*.mesh.cilium.io`. */
const MESH_DOMAIN = 'mesh.cilium.io';
const CLUSTER_ID_MAX = 255;
/** What validate.yaml accepts for clustermesh.maxConnectedClusters. */
const ALLOWED_MAX_CONNECTED = [255, 511];
const DEFAULT_ROUTING_MODE = 'tunnel';
const FINGERPRINT_SHOWN = 16;
/**
 * The values action-mesh adds to each cluster's Cilium release: the SAME clusters dict for every cluster,
 * since an agent ignores the entry with its own name (C.2). With `ips`, the chart maps `<name>.mesh.cilium.io`
 * to those addresses through hostAliases, so TLS checks the SAN the helm-generated certificates already have
 * (C.3); no certificate is copied between clusters, the shared CA is the whole trust.
 */
function clustermeshValues(peers) {
    requireMeshablePeers(peers);
    const sorted = [...peers].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    const clusters = {};
    for (const peer of sorted)
        clusters[peer.name] = { port: CLUSTERMESH_NODE_PORT, ips: [...peer.addresses] };
    return {
        clustermesh: {
            useAPIServer: true,
            maxConnectedClusters: MAX_CONNECTED_CLUSTERS,
            apiserver: {
                service: { type: 'NodePort', nodePort: CLUSTERMESH_NODE_PORT },
                tls: { auto: { enabled: true, method: 'helm' } },
            },
            config: { enabled: true, domain: MESH_DOMAIN, clusters },
        },
    };
}
function requireMeshablePeers(peers) {
    if (peers.length < 2) {
        throw new errors/* ConfigurationError */.j1(`a cluster mesh needs at least 2 clusters, the twin has ${peers.length}: declare another cluster in twin.yaml (clusters)`);
    }
    const byName = new Map();
    const byId = new Map();
    for (const peer of peers) {
        const sameName = byName.get(peer.name);
        if (sameName) {
            throw new errors/* ConfigurationError */.j1(`cluster name "${peer.name}" appears twice in the mesh: give each cluster its own name in twin.yaml (clusters[].name)`);
        }
        const sameId = byId.get(peer.id);
        if (sameId) {
            throw new errors/* ConfigurationError */.j1(`cluster ${peer.name}: cluster.id ${peer.id} is also used by ${sameId.name}: give each cluster its own id in twin.yaml (clusters[].id)`);
        }
        byName.set(peer.name, peer);
        byId.set(peer.id, peer);
        requirePeerId(peer);
        requirePeerAddresses(peer);
    }
}
function requirePeerId(peer) {
    if (!Number.isInteger(peer.id) || peer.id < 1 || peer.id > CLUSTER_ID_MAX) {
        throw new errors/* ConfigurationError */.j1(`cluster ${peer.name}: cluster.id ${peer.id} is out of range: give each cluster its own id from 1 to ${CLUSTER_ID_MAX} in twin.yaml (clusters[].id)`);
    }
}
function requirePeerAddresses(peer) {
    if (peer.addresses.length === 0) {
        throw new errors/* ConfigurationError */.j1(`cluster ${peer.name} has no node addresses for the mesh: provision the cluster first (action-provision) so its nodes have addresses`);
    }
    const bad = peer.addresses.find((address) => !(0,ipv4/* isIpv4 */.eH)(address));
    if (bad !== undefined) {
        throw new errors/* ConfigurationError */.j1(`cluster ${peer.name}: node address "${bad}" is not an IPv4 address: pass the nodes' IPv4 addresses, e.g. 192.168.15.21`);
    }
}
/**
 * Every unmet requirement of a cluster mesh (C.2, C.4), one line each naming the cluster, the field and
 * the fix; [] when the mesh can be built. Certificates are compared by fingerprint and never printed.
 */
function meshPrerequisiteProblems(members) {
    const deployed = [];
    const problems = [];
    if (members.length < 2) {
        problems.push(`a cluster mesh needs at least 2 clusters, the twin has ${members.length}: declare another cluster in twin.yaml (clusters)`);
    }
    for (const member of members) {
        if (member.ciliumDeployed && member.values !== undefined) {
            deployed.push({ cluster: member.cluster, values: member.values });
        }
        else {
            problems.push(`cluster ${member.cluster}: Cilium is not deployed: run action-provision first (it installs Cilium with the cluster's mesh identity)`);
        }
    }
    return [
        ...problems,
        ...podCidrProblems(members),
        ...clusterNameProblems(deployed),
        ...clusterIdProblems(deployed),
        ...caProblems(deployed),
        ...maxConnectedProblems(deployed),
        ...routingModeProblems(deployed),
    ];
}
function podCidrProblems(members) {
    const problems = [];
    const parsed = [];
    for (const member of members) {
        let cidr;
        try {
            cidr = (0,ipv4/* parseCidr */.GN)(member.podCidr);
        }
        catch {
            problems.push(`cluster ${member.cluster}: pod CIDR "${member.podCidr}" is not an IPv4 CIDR: write it as address/prefix in twin.yaml (clusters[].pods), e.g. 10.244.0.0/16`);
            continue;
        }
        const overlapped = parsed.find((earlier) => (0,ipv4/* rangesOverlap */.g6)(earlier.cidr, cidr));
        if (overlapped) {
            problems.push(`cluster ${member.cluster}: pod CIDR ${member.podCidr} overlaps ${overlapped.cluster}'s ${overlapped.text}: ` +
                'give each cluster its own pods range in twin.yaml (clusters[].pods), e.g. 10.244.0.0/16 and 10.245.0.0/16');
        }
        parsed.push({ cluster: member.cluster, text: member.podCidr, cidr });
    }
    return problems;
}
const REINSTALL = 'run action-provision to reinstall Cilium with the twin';
function clusterNameProblems(members) {
    const problems = [];
    const seen = new Map();
    for (const { cluster, values } of members) {
        const name = valueAt(values, 'cluster.name');
        if (typeof name !== 'string' || name === '' || name === 'default') {
            problems.push(`cluster ${cluster}: cluster.name is ${name === undefined ? 'not set' : JSON.stringify(name)} in its Cilium release: ` +
                `${REINSTALL}'s cluster names (twin.yaml clusters[].name)`);
            continue;
        }
        const holder = seen.get(name);
        if (holder !== undefined) {
            problems.push(`cluster ${cluster}: cluster.name "${name}" is also used by ${holder}: give each cluster its own name in twin.yaml (clusters[].name)`);
        }
        else if (name !== cluster) {
            problems.push(`cluster ${cluster}: cluster.name is "${name}" in its Cilium release, not "${cluster}": ${REINSTALL}'s cluster names (twin.yaml clusters[].name)`);
        }
        seen.set(name, holder ?? cluster);
    }
    return problems;
}
function clusterIdProblems(members) {
    const problems = [];
    const seen = new Map();
    for (const { cluster, values } of members) {
        const id = valueAt(values, 'cluster.id');
        if (typeof id !== 'number' || !Number.isInteger(id) || id < 1 || id > CLUSTER_ID_MAX) {
            problems.push(`cluster ${cluster}: cluster.id ${id === undefined ? 'is not set' : `${JSON.stringify(id)} is not 1-${CLUSTER_ID_MAX}`} ` +
                `in its Cilium release: give each cluster its own id in twin.yaml (clusters[].id), then ${REINSTALL}'s ids`);
            continue;
        }
        const holder = seen.get(id);
        if (holder !== undefined) {
            problems.push(`cluster ${cluster}: cluster.id ${id} is also used by ${holder}: give each cluster its own id in twin.yaml (clusters[].id)`);
        }
        else {
            seen.set(id, cluster);
        }
    }
    return problems;
}
function caProblems(members) {
    const problems = [];
    const fingerprints = [];
    for (const { cluster, values } of members) {
        const cert = valueAt(values, 'tls.ca.cert');
        const pem = typeof cert === 'string' ? Buffer.from(cert, 'base64').toString('utf8') : '';
        if (!pem.includes('-----BEGIN CERTIFICATE-----')) {
            problems.push(`cluster ${cluster}: tls.ca.cert is ${cert === undefined ? 'not set' : 'not a base64 PEM certificate'} in its Cilium release: ` +
                `${REINSTALL}'s shared CA`);
            continue;
        }
        fingerprints.push({ cluster, fingerprint: (0,external_node_crypto_.createHash)('sha256').update(pem).digest('hex') });
    }
    const [reference] = fingerprints;
    if (!reference)
        return problems;
    for (const other of fingerprints.slice(1)) {
        if (other.fingerprint === reference.fingerprint)
            continue;
        problems.push(`cluster ${other.cluster}: tls.ca.cert (sha256 ${shortFingerprint(other.fingerprint)}) differs from ` +
            `${reference.cluster}'s (sha256 ${shortFingerprint(reference.fingerprint)}): every cluster must share one CA, ${REINSTALL}'s CA`);
    }
    return problems;
}
function shortFingerprint(hex) {
    return hex.slice(0, FINGERPRINT_SHOWN);
}
function maxConnectedProblems(members) {
    const problems = [];
    const valid = [];
    for (const { cluster, values } of members) {
        const value = valueAt(values, 'clustermesh.maxConnectedClusters') ?? MAX_CONNECTED_CLUSTERS;
        if (typeof value !== 'number' || !ALLOWED_MAX_CONNECTED.includes(value)) {
            problems.push(`cluster ${cluster}: clustermesh.maxConnectedClusters ${JSON.stringify(value)} is not 255 or 511: ` +
                `${REINSTALL}'s default (${MAX_CONNECTED_CLUSTERS})`);
            continue;
        }
        valid.push({ cluster, value });
    }
    return problems.concat(sameValueProblems(valid, 'clustermesh.maxConnectedClusters', `it cannot change on a running cluster: ${REINSTALL}'s default (${MAX_CONNECTED_CLUSTERS})`));
}
function routingModeProblems(members) {
    const modes = members.map(({ cluster, values }) => ({
        cluster,
        value: valueAt(values, 'routingMode') ?? DEFAULT_ROUTING_MODE,
    }));
    return sameValueProblems(modes, 'routingMode', `all clusters need the same datapath mode: ${REINSTALL}'s values (default ${DEFAULT_ROUTING_MODE})`);
}
/** One line for each cluster whose value differs from the first cluster's. */
function sameValueProblems(entries, field, fix) {
    const [reference] = entries;
    if (!reference)
        return [];
    return entries
        .slice(1)
        .filter((entry) => entry.value !== reference.value)
        .map((entry) => `cluster ${entry.cluster}: ${field} is ${JSON.stringify(entry.value)} but ${reference.cluster} has ` +
        `${JSON.stringify(reference.value)}: ${fix}`);
}
/** The value at a dotted path of helm values, or undefined when any step is missing. */
function valueAt(values, path) {
    let node = values;
    for (const key of path.split('.')) {
        if (typeof node !== 'object' || node === null || Array.isArray(node))
            return undefined;
        node = node[key];
    }
    return node;
}
/**
 * A twin's Cilium values: the cluster's own (cilium-values.ts) and, when the twin has two or more clusters,
 * the mesh values from the first install on. Every peer and address is known from the plan before a VM
 * boots, so action-mesh finds the release as it wants it and nothing restarts to join the mesh.
 */
function twinCiliumValues(own, peers) {
    if (peers.length < 2)
        return own;
    return mergeValues(own, clustermeshValues(peers));
}

// EXTERNAL MODULE: ./src/mesh/mesh-check.ts
var mesh_check = __webpack_require__(7229);
;// CONCATENATED MODULE: ./src/util/values.ts
function isPlainObject(value) {
    return typeof value === 'object' && value !== null && !Array.isArray(value);
}
/** Helm's way of layering values: maps merge key by key, anything else (lists too) is replaced. */
function values_mergeValues(base, over) {
    const merged = { ...base };
    for (const [key, value] of Object.entries(over)) {
        const below = merged[key];
        merged[key] = isPlainObject(below) && isPlainObject(value) ? values_mergeValues(below, value) : value;
    }
    return merged;
}
/** JSON with object keys sorted, so two value trees compare equal whatever order they were built in. */
function canonicalJson(value) {
    if (Array.isArray(value))
        return `[${value.map(canonicalJson).join(',')}]`;
    if (isPlainObject(value)) {
        const keys = Object.keys(value)
            .filter((key) => value[key] !== undefined)
            .sort();
        return `{${keys.map((key) => `${JSON.stringify(key)}:${canonicalJson(value[key])}`).join(',')}}`;
    }
    return JSON.stringify(value);
}

// EXTERNAL MODULE: ./src/addons/starwars.ts
var starwars = __webpack_require__(7564);
;// CONCATENATED MODULE: ./src/twin/curl-check.ts


/**
 * `requests` separate connections (Connection: close, so Cilium picks a backend for each) in one exec;
 * each reply on its own line, counted by the cluster it names.
 */
async function sampleService(target) {
    const urls = Array.from({ length: target.requests }, () => `http://${target.host}/`);
    const command = ['curl', '-sS', '--max-time', '3', '-H', 'Connection: close', '-w', '\\n', ...urls];
    const result = await target.kubectl.exec(target.namespace, target.client, target.container, command);
    const replies = (0,starwars/* countReplies */.gb)(result.stdout, result.stderr);
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
        await waitUntil(async () => {
            last = await spec.take();
            verdict = spec.judge(last);
            return { ready: verdict === undefined, detail: verdict ?? 'passed' };
        }, { timeoutMs: ctx.pace.checkTimeoutMs, intervalMs: ctx.pace.pollMs, describe: spec.title });
    }
    catch (error) {
        if (!(error instanceof WaitTimeoutError))
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

// EXTERNAL MODULE: ./src/twin/platform.ts
var platform = __webpack_require__(9215);
// EXTERNAL MODULE: ./src/util/work-dir.ts
var work_dir = __webpack_require__(97);
// EXTERNAL MODULE: ./src/plan/executor.ts + 1 modules
var executor = __webpack_require__(2987);
// EXTERNAL MODULE: ./src/twin/outcome.ts + 1 modules
var outcome = __webpack_require__(5073);
;// CONCATENATED MODULE: ./src/twin/platform-steps.ts




/** The platform run after the build (action-mesh, action-day2): every cluster is up already. */
const AFTER_BUILD = {
    meshRequirementsStep: false,
    api: () => [],
    ready: () => [],
    meshed: [],
};
/** Runs steps in a private scratch folder that is removed afterwards, as applyTwin does. */
async function runPlatformSteps(ctx, steps) {
    await (0,work_dir/* freshWorkDir */.X)(ctx.workDir);
    try {
        const { records } = await (0,executor/* runGraph */.C3)(steps, ctx.events);
        return stepsOutcome(records);
    }
    finally {
        await (0,promises_.rm)(ctx.workDir, { recursive: true, force: true });
    }
}
function stepsOutcome(records) {
    const failed = records.some((record) => record.state === 'failed');
    return {
        records,
        ok: !failed && records.every((record) => record.state === 'done'),
        ...(failed ? { failure: (0,outcome/* describeFailures */.ng)(records) } : {}),
    };
}
/** A platform part's outcome from the records of its steps (run in a graph with others or alone). */
function platformOutcome(records, part) {
    return { ...stepsOutcome(records), report: part.report() };
}

;// CONCATENATED MODULE: ./src/twin/mesh.ts















const CILIUM = {
    release: 'cilium',
    chart: 'cilium',
    repo: 'https://helm.cilium.io',
    namespace: 'kube-system',
};
const CHECK_REQUESTS = 10;
/**
 * Joins the twin's clusters into one Cilium Cluster Mesh: checks every requirement before touching
 * anything, adds the clustermesh-apiserver and the same peer list to each cluster's Cilium release (only
 * when it differs, so a re-run changes nothing), waits until every cluster reports every other connected
 * and synced, then proves it: a global Service whose only backends live in another cluster answers.
 */
async function meshTwin(ctx, clusters) {
    await refuseUnmeshable(ctx, clusters);
    const part = meshSteps(ctx, clusters, AFTER_BUILD);
    return { ...(await runPlatformSteps(ctx, part.steps)), report: part.report() };
}
/**
 * The mesh's steps. Joined to the build steps (`gates`), they start once every node of every cluster is
 * Ready, after a step that makes meshTwin's requirement check; alone, meshTwin has made it before.
 */
function meshSteps(ctx, clusters, gates) {
    const tools = (cluster) => ({
        helm: new Helm(ctx.runner, { kubeconfig: cluster.kubeconfig, path: ctx.tools.helm }),
        kubectl: new kubectl/* Kubectl */.b(ctx.runner, { kubeconfig: cluster.kubeconfig, path: ctx.tools.kubectl }),
    });
    const mesh = clustermeshValues(clusters.map((cluster) => ({
        name: cluster.name,
        id: cluster.id,
        addresses: cluster.nodes.map((node) => node.address),
    })));
    const statuses = new Map();
    const checks = [];
    const names = clusters.map((cluster) => cluster.name);
    const preflight = gates.meshRequirementsStep
        ? [
            {
                id: 'mesh-requirements',
                title: 'every cluster meets the mesh requirements',
                doing: 'checking the clusters can form one mesh',
                stage: 'mesh',
                needs: names.flatMap((name) => gates.ready(name)),
                run: () => refuseUnmeshable(ctx, clusters),
            },
        ]
        : [];
    const steps = clusters.flatMap((cluster) => {
        const { helm, kubectl } = tools(cluster);
        return [
            {
                id: `clustermesh:${cluster.name}`,
                title: `${cluster.name}: clustermesh-apiserver and peers`,
                doing: `deploying the clustermesh-apiserver of ${cluster.name} and telling it its peers`,
                stage: 'mesh',
                needs: preflight.map((step) => step.id),
                run: async () => {
                    const current = (await releaseValues(helm)).values;
                    const wanted = values_mergeValues(current ?? {}, mesh);
                    if (canonicalJson(wanted) === canonicalJson(current)) {
                        ctx.log(`${cluster.name}: Cilium already meshed with the same peers; unchanged`);
                    }
                    else {
                        const valuesFile = await ctx.store.write({ twin: ctx.twin.twin, cluster: cluster.name, name: 'cilium-values.yaml' }, (0,dist/* stringify */.As)(wanted, { lineWidth: 0 }));
                        await helm.upgradeInstall({ ...CILIUM, version: ctx.twin.spec.cilium.version, valuesFile });
                    }
                    const timeoutSec = ctx.pace.rolloutTimeoutSec;
                    await kubectl.rolloutStatus('deployment', 'clustermesh-apiserver', 'kube-system', timeoutSec);
                    await kubectl.rolloutStatus('daemonset', 'cilium', 'kube-system', ctx.pace.rolloutTimeoutSec);
                },
            },
            {
                id: `mesh-connected:${cluster.name}`,
                title: `${cluster.name}: every remote cluster connected and synced`,
                doing: `waiting for ${cluster.name} to connect to and sync with its peers`,
                stage: 'mesh',
                needs: names.map((name) => `clustermesh:${name}`),
                run: async () => {
                    const expected = names.filter((name) => name !== cluster.name);
                    let last = [];
                    try {
                        await waitUntil(async () => {
                            last = await remoteClusters(kubectl);
                            const missing = expected.filter((name) => !last.some((remote) => remote.name === name && remote.ready && remote.synced));
                            return { ready: missing.length === 0, detail: describeRemotes(expected, last) };
                        }, {
                            timeoutMs: ctx.pace.meshTimeoutMs,
                            intervalMs: ctx.pace.pollMs,
                            describe: `${cluster.name} to see ${expected.join(', ')} connected`,
                        });
                    }
                    finally {
                        statuses.set(cluster.name, { cluster: cluster.name, remotes: last });
                    }
                },
            },
            {
                id: `mesh-check-deploy:${cluster.name}`,
                title: `${cluster.name}: cross-cluster check workloads`,
                doing: `deploying the cross-cluster check workloads on ${cluster.name}`,
                stage: 'mesh-check',
                needs: gates.ready(cluster.name),
                run: async () => {
                    const file = (0,external_node_path_.join)(ctx.workDir, `${cluster.name}-mesh-check.yaml`);
                    await (0,promises_.writeFile)(file, (0,objects/* manifestsYaml */.G)((0,mesh_check/* meshCheckManifests */.s4)(cluster.name, names)), { mode: 0o600 });
                    await kubectl.apply(file);
                    const timeoutSec = ctx.pace.rolloutTimeoutSec;
                    await kubectl.rolloutStatus('deployment', mesh_check/* MESH_PROBE_NAME */.Jk, mesh_check/* MESH_CHECK_NAMESPACE */.lv, timeoutSec);
                    await kubectl.rolloutStatus('deployment', (0,mesh_check/* echoServiceName */.uK)(cluster.name), mesh_check/* MESH_CHECK_NAMESPACE */.lv, timeoutSec);
                },
            },
            {
                id: `mesh-check:${cluster.name}`,
                title: `${cluster.name}: global services answered from the other clusters`,
                doing: `calling the other clusters' global services from ${cluster.name}`,
                stage: 'mesh-check',
                needs: names.flatMap((name) => [`mesh-connected:${name}`, `mesh-check-deploy:${name}`]),
                run: async () => {
                    for (const remote of names.filter((name) => name !== cluster.name)) {
                        const outcome = await runCheck(ctx, {
                            id: `mesh-reach:${cluster.name}->${remote}`,
                            title: `from ${cluster.name}, ${(0,mesh_check/* echoServiceName */.uK)(remote)} (backends only in ${remote}) answers through the mesh`,
                            cluster: cluster.name,
                            take: () => sampleService({
                                kubectl,
                                namespace: mesh_check/* MESH_CHECK_NAMESPACE */.lv,
                                client: `deploy/${mesh_check/* MESH_PROBE_NAME */.Jk}`,
                                container: 'probe',
                                host: (0,mesh_check/* echoServiceName */.uK)(remote),
                                requests: CHECK_REQUESTS,
                            }),
                            judge: (sample) => sample.byCluster[remote] === sample.requests
                                ? undefined
                                : `expected all ${sample.requests} answers from ${remote}`,
                        });
                        checks.push(outcome);
                        const failure = (0,platform/* describeFailedChecks */.u0)([outcome]);
                        if (failure)
                            throw new Error(failure);
                    }
                },
            },
        ];
    });
    return {
        steps: [...preflight, ...steps],
        report: () => ({
            mesh: names.map((name) => statuses.get(name) ?? { cluster: name, remotes: [] }),
            ceph: [],
            checks,
        }),
    };
}
async function releaseValues(helm) {
    const status = await helm.status(CILIUM.release, CILIUM.namespace);
    if (!status)
        return { deployed: false };
    const values = await helm.userValues(CILIUM.release, CILIUM.namespace);
    return { deployed: status.status === 'deployed', ...(values ? { values } : {}) };
}
/** Refuses, before anything changes, a mesh the clusters' Cilium releases cannot form (C.2). */
async function refuseUnmeshable(ctx, clusters) {
    if (clusters.length < 2) {
        throw new errors/* ConfigurationError */.j1(`twin ${ctx.twin.twin} has ${clusters.length} cluster(s): a mesh needs at least two (add a cluster to twin.yaml)`);
    }
    const current = await Promise.all(clusters.map((cluster) => releaseValues(new Helm(ctx.runner, { kubeconfig: cluster.kubeconfig, path: ctx.tools.helm }))));
    const members = clusters.map((cluster, index) => ({
        cluster: cluster.name,
        podCidr: cluster.pods,
        ciliumDeployed: current[index]?.deployed ?? false,
        ...(current[index]?.values ? { values: current[index].values } : {}),
    }));
    const problems = meshPrerequisiteProblems(members);
    if (problems.length > 0) {
        throw new errors/* ConfigurationError */.j1(`the mesh cannot be built; nothing was changed:\n  ${problems.join('\n  ')}`);
    }
}
/** What the cluster's Cilium agents say of the remote clusters (`cilium-dbg status -o json`). */
async function remoteClusters(kubectl) {
    const result = await kubectl.exec('kube-system', 'ds/cilium', 'cilium-agent', [
        'cilium-dbg',
        'status',
        '-o',
        'json',
    ]);
    if (result.exitCode !== 0)
        throw new Error(`cilium-dbg status failed: ${result.stderr.trim()}`);
    const status = JSON.parse(result.stdout);
    return (status['cluster-mesh']?.clusters ?? []).map((entry) => {
        const remote = entry;
        const unsynced = unsyncedFlags(remote.synced);
        const status = String(remote.status ?? '');
        return {
            name: String(remote.name ?? ''),
            connected: remote.connected === true,
            ready: remote.ready === true,
            synced: unsynced.length === 0,
            detail: unsynced.length === 0 ? status : `${status}; not synced: ${unsynced.join(', ')}`,
        };
    });
}
/**
 * The agent's JSON leaves false flags out (go-swagger omitempty, LIFECYCLE I.4), so every flag the mesh needs
 * must be present and true. `service-exports` is a pointer: absent means MCS-API is off, an explicit false
 * means its sync is still pending.
 */
const REQUIRED_SYNC_FLAGS = ['nodes', 'services', 'endpoints', 'identities'];
function unsyncedFlags(synced) {
    const flags = synced ?? {};
    return [
        ...REQUIRED_SYNC_FLAGS.filter((flag) => flags[flag] !== true),
        ...(flags['service-exports'] === false ? ['service-exports'] : []),
    ];
}
function describeRemotes(expected, remotes) {
    return expected
        .map((name) => {
        const remote = remotes.find((candidate) => candidate.name === name);
        if (!remote)
            return `${name}: not configured on this cluster`;
        if (remote.ready && remote.synced)
            return `${name}: ready`;
        const state = !remote.connected ? 'not connected' : remote.ready ? 'ready' : 'connected, not ready';
        return `${name}: ${state} (${remote.detail})`;
    })
        .join('; ');
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

/***/ 7881:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   GN: () => (/* binding */ parseCidr),
/* harmony export */   HM: () => (/* binding */ CIDR_REGEX),
/* harmony export */   JX: () => (/* binding */ rangeIncludes),
/* harmony export */   Lu: () => (/* binding */ formatRange),
/* harmony export */   Pm: () => (/* binding */ cidrHostBitsSet),
/* harmony export */   RC: () => (/* binding */ parseRange),
/* harmony export */   Re: () => (/* binding */ formatIpv4),
/* harmony export */   Zl: () => (/* binding */ canonicalCidr),
/* harmony export */   _t: () => (/* binding */ IPV4_REGEX),
/* harmony export */   dF: () => (/* binding */ rangeContains),
/* harmony export */   eH: () => (/* binding */ isIpv4),
/* harmony export */   g6: () => (/* binding */ rangesOverlap),
/* harmony export */   ni: () => (/* binding */ parseIpv4),
/* harmony export */   un: () => (/* binding */ RANGE_REGEX),
/* harmony export */   xh: () => (/* binding */ rangeSize)
/* harmony export */ });
/* harmony import */ var _errors_js__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(3916);
/* harmony import */ var _echo_js__WEBPACK_IMPORTED_MODULE_1__ = __webpack_require__(7355);


// One octet 0..255 without leading zeros (0177 would mean octal to some tools).
const OCTET = '(?:25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)';
const ADDRESS = `${OCTET}(?:\\.${OCTET}){3}`;
/** Anchored patterns; their sources also go into the JSON Schema so editors check the same shape. */
const IPV4_REGEX = new RegExp(`^${ADDRESS}$`);
const CIDR_REGEX = new RegExp(`^${ADDRESS}/(?:3[0-2]|[12]?\\d)$`);
const RANGE_REGEX = new RegExp(`^${ADDRESS}-${ADDRESS}$`);
const ADDRESS_COUNT = 2 ** 32;
function isIpv4(text) {
    return IPV4_REGEX.test(text);
}
function parseIpv4(text) {
    if (!isIpv4(text)) {
        throw new _errors_js__WEBPACK_IMPORTED_MODULE_0__/* .ConfigurationError */ .j1(`${(0,_echo_js__WEBPACK_IMPORTED_MODULE_1__/* .echoed */ .Dt)(text)} is not an IPv4 address: write four numbers 0-255, e.g. 192.168.15.10`);
    }
    return text.split('.').reduce((value, octet) => value * 256 + Number(octet), 0);
}
function formatIpv4(value) {
    if (!Number.isInteger(value) || value < 0 || value >= ADDRESS_COUNT) {
        throw new RangeError(`${value} is outside the IPv4 address space`);
    }
    return [24, 16, 8, 0].map((shift) => Math.floor(value / 2 ** shift) % 256).join('.');
}
/** `192.168.15.0/24` -> its whole span; host bits set in the address are ignored (see cidrHostBitsSet). */
function parseCidr(text) {
    if (!CIDR_REGEX.test(text)) {
        throw new _errors_js__WEBPACK_IMPORTED_MODULE_0__/* .ConfigurationError */ .j1(`${(0,_echo_js__WEBPACK_IMPORTED_MODULE_1__/* .echoed */ .Dt)(text)} is not an IPv4 CIDR: write address/prefix, e.g. 192.168.15.0/24`);
    }
    const [address = '', prefixText = ''] = text.split('/');
    const prefix = Number(prefixText);
    const size = 2 ** (32 - prefix);
    const first = Math.floor(parseIpv4(address) / size) * size;
    return { first, last: first + size - 1, prefix };
}
function cidrHostBitsSet(text) {
    const [address = ''] = text.split('/');
    return parseIpv4(address) !== parseCidr(text).first;
}
/** The network address a CIDR should have been written with, e.g. 192.168.15.0/24 for 192.168.15.7/24. */
function canonicalCidr(text) {
    const { first, prefix } = parseCidr(text);
    return `${formatIpv4(first)}/${prefix}`;
}
/** `192.168.15.64-192.168.15.191`; the caller checks first <= last (an inverted range is a user mistake to report). */
function parseRange(text) {
    if (!RANGE_REGEX.test(text)) {
        throw new _errors_js__WEBPACK_IMPORTED_MODULE_0__/* .ConfigurationError */ .j1(`${(0,_echo_js__WEBPACK_IMPORTED_MODULE_1__/* .echoed */ .Dt)(text)} is not an IPv4 range: write first-last, e.g. 192.168.15.64-192.168.15.191`);
    }
    const [first = '', last = ''] = text.split('-');
    return { first: parseIpv4(first), last: parseIpv4(last) };
}
function rangeSize(range) {
    return range.last - range.first + 1;
}
function rangesOverlap(a, b) {
    return a.first <= b.last && b.first <= a.last;
}
function rangeContains(outer, inner) {
    return outer.first <= inner.first && inner.last <= outer.last;
}
function rangeIncludes(range, address) {
    return range.first <= address && address <= range.last;
}
function formatRange(range) {
    return `${formatIpv4(range.first)}-${formatIpv4(range.last)}`;
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

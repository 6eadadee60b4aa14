export const id = 517;
export const ids = [517];
export const modules = {

/***/ 517:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

// ESM COMPAT FLAG
__webpack_require__.r(__webpack_exports__);

// EXPORTS
__webpack_require__.d(__webpack_exports__, {
  runPlatform: () => (/* binding */ runPlatform)
});

// EXTERNAL MODULE: ./node_modules/@actions/core/lib/core.js + 7 modules
var core = __webpack_require__(3838);
// EXTERNAL MODULE: ./src/errors.ts
var errors = __webpack_require__(3916);
// EXTERNAL MODULE: ./src/exec/runner.ts + 1 modules
var runner = __webpack_require__(9544);
// EXTERNAL MODULE: ./src/github/action-io.ts
var action_io = __webpack_require__(5590);
// EXTERNAL MODULE: external "node:fs"
var external_node_fs_ = __webpack_require__(3024);
;// CONCATENATED MODULE: ./src/github/context.ts

/**
 * The event that started the workflow, read from the runner's environment (GITHUB_EVENT_NAME, GITHUB_REF,
 * GITHUB_EVENT_PATH) without loading Octokit, so the action starts fast.
 */
function readGitHubContext(env = process.env) {
    const eventPath = env.GITHUB_EVENT_PATH;
    let payload = {};
    if (eventPath) {
        try {
            payload = JSON.parse((0,external_node_fs_.readFileSync)(eventPath, 'utf8'));
        }
        catch {
            payload = {};
        }
    }
    return {
        eventName: env.GITHUB_EVENT_NAME ?? '',
        ...(env.GITHUB_REF ? { ref: env.GITHUB_REF } : {}),
        payload,
    };
}
/**
 * This job of this workflow run (GITHUB_RUN_ID, GITHUB_RUN_ATTEMPT, GITHUB_JOB), e.g. `4711/1/preview`;
 * undefined outside GitHub Actions.
 */
function currentJob(env = process.env) {
    const { GITHUB_RUN_ID: run, GITHUB_RUN_ATTEMPT: attempt, GITHUB_JOB: job } = env;
    return run && job ? `${run}/${attempt ?? '1'}/${job}` : undefined;
}

// EXTERNAL MODULE: ./src/util/ipv4.ts
var ipv4 = __webpack_require__(7881);
;// CONCATENATED MODULE: ./src/github/platform-words.ts
/** Every pair that either side reports, once, in the order the report names them. */
function meshPairs(mesh) {
    const pairs = [];
    const seen = new Set();
    for (const status of mesh) {
        for (const remote of status.remotes) {
            if (remote.name === status.cluster)
                continue;
            const key = JSON.stringify([status.cluster, remote.name].sort());
            if (seen.has(key))
                continue;
            seen.add(key);
            pairs.push({
                first: status.cluster,
                second: remote.name,
                firstSeesSecond: meshView(mesh, status.cluster, remote.name),
                secondSeesFirst: meshView(mesh, remote.name, status.cluster),
            });
        }
    }
    return pairs;
}
/** Cilium lists every configured remote cluster, so a missing remote was never configured. */
function meshView(mesh, from, to) {
    const status = mesh.find((candidate) => candidate.cluster === from);
    if (!status)
        return 'unknown';
    const remote = status.remotes.find((candidate) => candidate.name === to);
    if (!remote)
        return 'not configured';
    if (!remote.connected)
        return 'not connected';
    if (!remote.ready)
        return 'not ready';
    return remote.synced ? 'connected' : 'not synced';
}
function pairConnected(pair) {
    return pair.firstSeesSecond === 'connected' && pair.secondSeesFirst === 'connected';
}
/** `connected` when both sides say so, else what each side sees (`east sees west: not ready`). */
function pairStates(pair) {
    if (pairConnected(pair))
        return ['connected'];
    return [
        `${pair.first} sees ${pair.second}: ${pair.firstSeesSecond}`,
        `${pair.second} sees ${pair.first}: ${pair.secondSeesFirst}`,
    ];
}
/**
 * A check's counts in words. By convention `requests` is the total and `answered` how many came back;
 * every other count (usually per cluster) is listed against the total: `east 9, west 11 of 20`.
 */
function countsInWords(counts) {
    const { requests, answered, ...parts } = counts;
    const listed = Object.entries(parts)
        .map(([name, value]) => `${name} ${value}`)
        .join(', ');
    if (requests === undefined) {
        return [listed, answered === undefined ? '' : `${answered} answered`].filter(Boolean).join(', ');
    }
    if (!listed)
        return answered === undefined ? `${requests} requests` : `${answered} of ${requests} answered`;
    const shortfall = answered !== undefined && answered !== requests ? ` (${answered} answered)` : '';
    return `${listed} of ${requests}${shortfall}`;
}
/** `HEALTH_WARN (MON_DOWN), phase Ready, 1 mon, 3 OSDs`: only Ceph's check codes, never its messages. */
function cephInWords(status) {
    const codes = status.details.flatMap((line) => /^([A-Z][A-Z0-9_]*):/.exec(line)?.[1] ?? []);
    return [
        `${status.health}${codes.length > 0 ? ` (${codes.join(', ')})` : ''}`,
        `phase ${status.phase}`,
        plural(status.mons, 'mon'),
        plural(status.osds, 'OSD'),
    ].join(', ');
}
function plural(count, word) {
    return `${count} ${word}${count === 1 ? '' : 's'}`;
}

;// CONCATENATED MODULE: ./src/util/redact.ts
const REDACTED = '[redacted]';
/**
 * Removes what looks like a credential from free text: PEM blocks, PVE API tokens, GitHub tokens,
 * bearer/basic credentials, JWTs (Kubernetes service-account tokens), `secret=...`-style pairs,
 * passwords in URLs and long base64 runs (kubeconfig key data).
 */
function redactSecrets(text) {
    return (text
        .replace(/-----BEGIN [A-Z0-9 ]+-----[\s\S]*?(-----END [A-Z0-9 ]+-----|$)/g, `${REDACTED} PEM block`)
        .replace(/PVEAPIToken=\S+/gi, `PVEAPIToken=${REDACTED}`)
        .replace(/\b[\w.-]+@[\w.-]+![\w.-]+[=:][0-9a-f]{8}-[0-9a-f-]{27}\b/gi, REDACTED)
        .replace(/\b(?:gh[pousr]_[A-Za-z0-9]{20,}|github_pat_\w{20,})/g, REDACTED)
        // Credentials carry digits; requiring one spares prose such as "token provided".
        .replace(/\b(Bearer|Basic|token)\s+(?=[\w.~+/=-]*\d)[\w.~+/=-]{8,}/gi, `$1 ${REDACTED}`)
        .replace(/\beyJ[\w-]+\.[\w-]+\.[\w-]*/g, REDACTED)
        .replace(/\b([\w-]*(?:secret|token|passw(?:or)?d|api[-_]?key|private[-_]?key|key-data)[\w-]*)("?\s*[:=]\s*)("?)[^\s"',;]+\3/gi, `$1$2$3${REDACTED}$3`)
        .replace(/\b([a-z][a-z0-9+.-]*:\/\/)[^\s/@]+@/gi, `$1${REDACTED}@`)
        .replace(/[A-Za-z0-9+/]{60,}={0,2}/g, REDACTED));
}

// EXTERNAL MODULE: ./src/plan/executor.ts + 1 modules
var executor = __webpack_require__(2987);
// EXTERNAL MODULE: ./src/spec/identity.ts
var identity = __webpack_require__(1853);
;// CONCATENATED MODULE: ./src/github/report-preview.ts
function releasesOf(spec) {
    return {
        talos: spec.talos.version,
        kubernetes: spec.talos.kubernetesVersion,
        cilium: spec.cilium.version,
        ...(spec.addons.rook.enabled ? { rook: spec.addons.rook.version } : {}),
    };
}
const PLAIN = /^[\w.+:@/-]+$/;
const SHA = /^[0-9a-f]{7,40}$/;
/** `Built from <commit> · Talos … · Kubernetes … · Cilium … · Rook …`, as far as known. */
function builtFromLines(facts) {
    const { commit, releases } = facts;
    const parts = [
        ...(commit && SHA.test(commit.sha) ? [`Built from ${commitLink(commit)}`] : []),
        ...(releases ? releaseWords(releases) : []),
    ];
    return parts.length > 0 ? [parts.join(' · ')] : [];
}
function commitLink(commit) {
    const short = `\`${commit.sha.slice(0, 7)}\``;
    return commit.url && /^https:\/\/[\w.:/-]+$/.test(commit.url) ? `[${short}](${commit.url})` : short;
}
function releaseWords(releases) {
    const named = [
        ['Talos', releases.talos],
        ['Kubernetes', releases.kubernetes],
        ['Cilium', releases.cilium],
        ['Rook', releases.rook],
    ];
    return named
        .filter((entry) => entry[1] !== undefined && PLAIN.test(entry[1]))
        .map(([name, version]) => `${name} ${version}`);
}
/** The "How to reach it" section: the endpoints above, and the reviewer kubeconfig when there is one. */
function reachLines(access) {
    const lines = [
        '',
        '**How to reach it**',
        '',
        "Each cluster's Kubernetes API is in the table above; its admin credentials stay with the lab runners.",
    ];
    if (!access || !isPlainAccess(access))
        return lines;
    const [context = ''] = access.contexts;
    const [namespace = ''] = access.namespaces;
    const quoted = (names) => names.map((name) => `\`${name}\``).join(', ');
    lines.push('', `A read-only kubeconfig for namespace(s) ${quoted(access.namespaces)} (contexts ${quoted(access.contexts)}; ` +
        `its tokens work until ${utcMinute(access.expiresAt)}) is artifact \`${access.artifact}\` of run ` +
        `${access.runId}, for anyone who may download this repository's artifacts:`, '', '```sh', `gh run download ${access.runId} -R ${access.repository} -n ${access.artifact}`, `kubectl --kubeconfig ${access.file} --context ${context} get pods -n ${namespace}`, '```');
    return lines;
}
/** Every field is a name the action validated; anything else keeps the commands out of the comment. */
function isPlainAccess(access) {
    const words = [access.repository, access.runId, access.artifact, access.file];
    return [...words, ...access.contexts, ...access.namespaces].every((word) => PLAIN.test(word));
}
function utcMinute(iso) {
    return `${iso.slice(0, 16).replace('T', ' ')} UTC`;
}

;// CONCATENATED MODULE: ./src/github/report.ts





/** The first line of a twin's comment: how the comment is found again, invisible when rendered. */
function twinCommentMarker(twin) {
    return `<!-- aggrik8s-twin:${(0,identity/* validateTwinName */.Y6)(twin)} -->`;
}
/**
 * The report of an apply. Nodes count as Ready when `readyNodes` says so, else all of them when the apply
 * succeeded (its last gate waits for every node Ready), else unknown.
 */
function twinReportFromOutcome(outcome, extra) {
    return {
        twin: outcome.twin,
        environment: outcome.environment,
        state: outcome.ok ? 'ready' : 'failed',
        slot: outcome.slot,
        clusters: outcome.clusters.map((cluster) => {
            const nodesReady = extra.readyNodes?.[cluster.name] ?? (outcome.ok ? cluster.nodes.length : undefined);
            return {
                name: cluster.name,
                apiUrl: cluster.endpoint,
                nodes: cluster.nodes.length,
                ...(nodesReady === undefined ? {} : { nodesReady }),
            };
        }),
        stages: stageReports(outcome.records),
        checks: extra.checks ?? [],
        ...(outcome.failure ? { failure: outcome.failure } : {}),
        ...(extra.runUrl ? { runUrl: extra.runUrl } : {}),
        ...(extra.share ? { share: extra.share } : {}),
        ...(extra.releases ? { releases: extra.releases } : {}),
        ...(extra.expiry ? { expiry: extra.expiry } : {}),
        updatedAt: extra.updatedAt,
    };
}
/** Each stage's wall time and step count, in the order the stages started. */
function stageReports(records) {
    return (0,executor/* stageTimings */.sV)(records).map((stage) => ({
        stage: stage.stage,
        seconds: (stage.endedAt - stage.startedAt) / 1000,
        steps: stage.steps,
    }));
}
/**
 * The report after action-mesh or action-day2: what the previous step reported (clusters, slot, share and
 * expiry, earlier stages), this step's stages in place of any earlier ones of the same name, every platform
 * check so far, the releases and, from action-day2, the reviewer kubeconfig it made.
 */
function platformTwinReport(previous, step) {
    const stages = stageReports(step.records);
    const replaced = new Set(stages.map((stage) => stage.stage));
    return {
        twin: step.twin,
        environment: step.environment,
        state: step.failure === undefined ? 'ready' : 'failed',
        ...(previous?.slot === undefined ? {} : { slot: previous.slot }),
        ...(previous?.share ? { share: previous.share } : {}),
        ...(previous?.expiry ? { expiry: previous.expiry } : {}),
        clusters: previous?.clusters ??
            step.clusters.map((cluster) => ({
                name: cluster.name,
                apiUrl: cluster.endpoint,
                nodes: cluster.nodes.length,
            })),
        stages: [...(previous?.stages ?? []).filter((stage) => !replaced.has(stage.stage)), ...stages],
        checks: checksFromPlatform(step.platform),
        ...(step.failure === undefined ? {} : { failure: step.failure }),
        ...(step.releases ? { releases: step.releases } : {}),
        ...(previous?.expiry ? { expiry: previous.expiry } : {}),
        ...(step.reviewerAccess ? { reviewerAccess: step.reviewerAccess } : {}),
    };
}
function destroyedTwinReport(twin, environment, extra) {
    return {
        twin,
        environment,
        state: 'destroyed',
        clusters: [],
        stages: [],
        checks: [],
        ...(extra.runUrl ? { runUrl: extra.runUrl } : {}),
        updatedAt: extra.updatedAt,
    };
}
/**
 * The comment's rows for mesh and day-2 results: one per mesh pair, one per cluster for Ceph health, one
 * per check. Details are counts in words, never evidence: evidence may carry pod output.
 */
function checksFromPlatform(report) {
    return [
        ...meshPairs(report.mesh).map((pair) => ({
            name: `mesh ${pair.first} <-> ${pair.second}`,
            passed: pairConnected(pair),
            detail: pairStates(pair).join('; '),
        })),
        ...report.ceph.map((status) => ({
            name: `Ceph health on ${status.cluster}`,
            passed: status.health === 'HEALTH_OK',
            detail: cephInWords(status),
        })),
        ...report.checks.map((check) => {
            const counts = countsInWords(check.counts);
            return {
                name: check.title,
                passed: check.passed,
                detail: `from ${check.cluster}${counts ? `: ${counts}` : ''}`,
            };
        }),
    ];
}
const HEADLINE = {
    ready: '✅ ready',
    failed: '❌ failed',
    destroyed: '🗑️ destroyed',
};
function twinCommentBody(report) {
    const lines = [
        twinCommentMarker(report.twin),
        `### Twin \`${report.twin}\`: ${HEADLINE[report.state]}`,
        '',
        [
            `Environment **${cell(report.environment)}**`,
            report.slot === undefined ? '' : `, slot ${report.slot}`,
            '.',
            report.runUrl ? runLink(report.runUrl) : '',
        ].join(''),
    ];
    if (report.state === 'destroyed') {
        lines.push('', 'Its VMs, slot pool and stored credentials are gone.');
    }
    else {
        for (const fact of builtFromLines(report))
            lines.push('', fact);
        const lab = [report.share && shareInWords(report.share), report.expiry && expiryInWords(report.expiry)];
        if (lab.some(Boolean))
            lines.push('', lab.filter(Boolean).join(' '));
    }
    if (report.clusters.length > 0) {
        lines.push('', '| Cluster | Kubernetes API | Nodes Ready |', '| --- | --- | --- |');
        for (const cluster of report.clusters) {
            const ready = cluster.nodesReady === undefined ? 'unknown' : String(cluster.nodesReady);
            lines.push(`| ${cell(cluster.name)} | ${apiUrlCell(cluster.apiUrl)} | ${ready}/${cluster.nodes} |`);
        }
        if (report.state !== 'destroyed')
            lines.push(...reachLines(report.reviewerAccess));
    }
    if (report.stages.length > 0) {
        lines.push('', '**Stage timings**', '', '| Stage | Took | Steps |', '| --- | --- | --- |');
        for (const stage of report.stages) {
            lines.push(`| ${cell(stage.stage)} | ${stage.seconds.toFixed(1)} s | ${stage.steps} |`);
        }
    }
    if (report.checks.length > 0) {
        lines.push('', '**Checks**', '', '| Check | Result | Detail |', '| --- | --- | --- |');
        for (const check of report.checks) {
            const result = check.passed ? '✅ passed' : '❌ failed';
            lines.push(`| ${cell(check.name)} | ${result} | ${cell(check.detail ?? '')} |`);
        }
    }
    if (report.failure) {
        const failure = redactedBlock(report.failure, MAX_FAILURE_LENGTH);
        lines.push('', '<details><summary>What failed</summary>', '', failure, '</details>');
    }
    lines.push('', `<sub>Updated ${report.updatedAt.toISOString()}</sub>`);
    return lines.join('\n');
}
/** The twin's share of the lab in one sentence: the PR comment's and the job summary's. */
function shareInWords(share) {
    const disk = share.diskGiB === undefined ? 'disk the token cannot see' : `${share.diskGiB} GiB of disk`;
    return (`Its share of the lab: ${share.vms} VM(s) (${share.running} running), ${share.cores} cores, ` +
        `${(share.memoryMiB / 1024).toFixed(1)} GiB of memory, ${disk}.`);
}
/**
 * When the reaper destroys the twin, in one sentence; undefined for production and for a claim with no time
 * (the reaper keeps such a twin). The keep label comes from the spec, so it is escaped like any cell.
 */
function expiryInWords(expiry) {
    if (expiry.kind === 'long-lived')
        return 'A long-lived preview (environments.preview.longLived): never destroyed for its age.';
    if (expiry.kind === 'never' || expiry.at === undefined)
        return undefined;
    const unless = expiry.keepLabel === undefined
        ? 'unless applied again'
        : `unless pushed again or labelled "${cell(expiry.keepLabel)}"`;
    const at = expiry.at.replace(/^(\d{4}-\d\d-\d\d)T(\d\d:\d\d).*$/, '$1 $2 UTC');
    return `Destroyed after ${at} ${unless} (environments.preview.ttlHours: ${expiry.ttlHours} h from the last apply).`;
}
/** GitHub refuses comments over 65536 characters; these keep a report well below that. */
const MAX_FAILURE_LENGTH = 10_000;
const MAX_CELL_LENGTH = 300;
/** One table cell of free text: no secrets, no HTML, no line breaks, no @mentions that would ping. */
function cell(text) {
    return clip(redactSecrets(text), MAX_CELL_LENGTH)
        .replace(/&/g, '&amp;')
        .replace(/</g, '&lt;')
        .replace(/>/g, '&gt;')
        .replace(/\|/g, '\\|')
        .replace(/@/g, '&#64;')
        .replace(/\r?\n/g, '<br>');
}
function clip(text, max) {
    return text.length <= max ? text : `${text.slice(0, max)}… (cut short; the job log has all of it)`;
}
/**
 * Free text that may quote tools, pods or the spec (a failure, a check's evidence) as a summary or comment
 * shows it: credentials redacted, cut at `max`, in a fence it cannot close.
 */
function redactedBlock(text, max) {
    return codeBlock(clip(redactSecrets(text), max));
}
/** A fence longer than any run of backticks inside, so the text cannot close it. */
function codeBlock(text, language = '') {
    const longestRun = Math.max(2, ...[...text.matchAll(/`+/g)].map((match) => match[0].length));
    const fence = '`'.repeat(longestRun + 1);
    return `${fence}${language}\n${text}\n${fence}`;
}
/** The API address without user, password, query or fragment: never a credential. */
function apiUrlCell(url) {
    try {
        const parsed = new URL(url);
        return `\`${parsed.protocol}//${parsed.host}${parsed.pathname === '/' ? '' : parsed.pathname}\``;
    }
    catch {
        return cell(url);
    }
}
/** A link to the run, only for a plain http(s) URL; parentheses encoded so the link cannot end early. */
function runLink(url) {
    let parsed;
    try {
        parsed = new URL(url);
    }
    catch {
        return '';
    }
    if (!/^https?:$/.test(parsed.protocol) || parsed.username || parsed.password)
        return '';
    return ` [Workflow run](${parsed.href.replace(/\(/g, '%28').replace(/\)/g, '%29')})`;
}

;// CONCATENATED MODULE: ./src/github/platform-report.ts






const platform_report_MAX_CELL_LENGTH = 300;
const MAX_LABEL_LENGTH = 80;
/** A step summary may hold 1 MiB; this keeps room for every failed check. */
const MAX_EVIDENCE_LENGTH = 20_000;
/** Address spans and failed check ids shown in one box before the rest is counted. */
const MAX_LISTED = 3;
const CLASS_DEFS = [
    '  classDef ok fill:#dafbe1,stroke:#1a7f37,color:#1f2328',
    '  classDef warn fill:#fff8c5,stroke:#9a6700,color:#1f2328',
    '  classDef fail fill:#ffebe9,stroke:#cf222e,color:#1f2328',
];
const CEPH_CLASS = {
    HEALTH_OK: 'ok',
    HEALTH_WARN: 'warn',
    HEALTH_ERR: 'fail',
    UNKNOWN: 'warn',
};
/**
 * A `flowchart LR` of the twin: a subgraph per cluster with one box per node role (never per node, so
 * five clusters stay readable), Ceph's health, the cluster's checks, and one edge per mesh pair.
 */
function twinMermaid(clusters, report) {
    const ids = new Map(clusters.map((cluster, index) => [cluster.name, `c${index}`]));
    const lines = ['flowchart LR'];
    clusters.forEach((cluster, index) => lines.push(...clusterSubgraph(cluster, `c${index}`, report)));
    const pairs = meshPairs(report.mesh).filter((pair) => ids.has(pair.first) && ids.has(pair.second));
    for (const pair of pairs) {
        lines.push(`  ${ids.get(pair.first)} <-->|${label(pairStates(pair))}| ${ids.get(pair.second)}`);
    }
    // Edges are numbered in the order they are drawn; only mesh edges are drawn.
    const broken = pairs.flatMap((pair, index) => (pairConnected(pair) ? [] : [index]));
    if (broken.length > 0)
        lines.push(`  linkStyle ${broken.join(',')} stroke:#cf222e,stroke-dasharray:4`);
    lines.push(...CLASS_DEFS);
    return lines.join('\n');
}
function clusterSubgraph(cluster, id, report) {
    const boxes = nodeGroups(cluster.nodes).map((group, index) => `${id}n${index}[${label([plural(group.addresses.length, roleWord(group.role)), addressSpans(group.addresses)])}]`);
    if (boxes.length === 0)
        boxes.push(`${id}n0[${label(['no nodes'])}]`);
    const ceph = report.ceph.find((status) => status.cluster === cluster.name);
    if (ceph) {
        const facts = `${ceph.phase}, ${plural(ceph.mons, 'mon')}, ${plural(ceph.osds, 'OSD')}`;
        boxes.push(`${id}ceph[${label([`Ceph ${ceph.health}`, facts])}]:::${CEPH_CLASS[ceph.health]}`);
    }
    const checks = report.checks.filter((check) => check.cluster === cluster.name);
    if (checks.length > 0)
        boxes.push(checksBox(`${id}checks`, checks));
    return [
        `  subgraph ${id}[${label([`${cluster.name} (id ${cluster.id})`])}]`,
        ...boxes.map((box) => `    ${box}`),
        '  end',
    ];
}
function checksBox(id, checks) {
    const failed = checks.filter((check) => !check.passed);
    if (failed.length === 0)
        return `${id}[${label([`${plural(checks.length, 'check')} passed`])}]:::ok`;
    const heading = `${failed.length} of ${plural(checks.length, 'check')} failed`;
    return `${id}[${label([heading, ...limited(failed.map((check) => check.id))])}]:::fail`;
}
function nodeGroups(nodes) {
    const groups = new Map();
    for (const node of nodes)
        groups.set(node.role, [...(groups.get(node.role) ?? []), node.address]);
    return [...groups].map(([role, addresses]) => ({ role, addresses }));
}
function roleWord(role) {
    return role === 'controlplane' ? 'control plane' : role;
}
/** Consecutive addresses as one span: `192.168.15.81-83`; anything that is not IPv4 as it is. */
function addressSpans(addresses) {
    const numbers = [...new Set(addresses.filter(ipv4/* isIpv4 */.eH).map(ipv4/* parseIpv4 */.ni))].sort((a, b) => a - b);
    const spans = [];
    for (const value of numbers) {
        const previous = spans.at(-1);
        if (previous && value === previous.last + 1)
            previous.last = value;
        else
            spans.push({ first: value, last: value });
    }
    const others = [...new Set(addresses.filter((address) => address !== '' && !(0,ipv4/* isIpv4 */.eH)(address)))];
    return limited([...spans.map(formatSpan), ...others]).join(', ');
}
function formatSpan({ first, last }) {
    if (first === last)
        return (0,ipv4/* formatIpv4 */.Re)(first);
    const sameBlock = Math.floor(first / 256) === Math.floor(last / 256);
    return `${(0,ipv4/* formatIpv4 */.Re)(first)}-${sameBlock ? last % 256 : (0,ipv4/* formatIpv4 */.Re)(last)}`;
}
function limited(items) {
    if (items.length <= MAX_LISTED)
        return items;
    return [...items.slice(0, MAX_LISTED), `+${items.length - MAX_LISTED} more`];
}
/**
 * A quoted mermaid label, lines joined by `<br/>`. Every character outside a plain set becomes a mermaid
 * entity (`#34;`), so no quote, bracket, pipe, `<`, `>`, `#` or backtick can end the label or the fence.
 */
function label(lines) {
    return `"${lines.map(mermaidText).join('<br/>')}"`;
}
function mermaidText(text) {
    const plain = redactSecrets(text).replace(/\s+/g, ' ').trim();
    const short = plain.length <= MAX_LABEL_LENGTH ? plain : `${plain.slice(0, MAX_LABEL_LENGTH - 1)}…`;
    return short.replace(/[^\w .,:/+=!?'()-]/gu, (char) => `#${char.codePointAt(0)};`);
}
/** Plain-text tables, header row first, no empty cells; redacted, not yet escaped for any markup. */
function platformTables(report) {
    const yesNo = (value) => (value ? 'yes' : 'no');
    return {
        mesh: [
            ['Cluster', 'Remote', 'Connected', 'Ready', 'Synced', 'Detail'],
            ...report.mesh.flatMap((status) => status.remotes.length === 0
                ? [[platform_report_text(status.cluster), '-', '-', '-', '-', 'no remote clusters reported']]
                : status.remotes.map((remote) => [
                    platform_report_text(status.cluster),
                    platform_report_text(remote.name),
                    yesNo(remote.connected),
                    yesNo(remote.ready),
                    yesNo(remote.synced),
                    platform_report_text(remote.detail),
                ])),
        ],
        ceph: [
            ['Cluster', 'Health', 'Phase', 'Mons', 'OSDs', 'Detail'],
            ...report.ceph.map((status) => [
                platform_report_text(status.cluster),
                status.health,
                platform_report_text(status.phase),
                String(status.mons),
                String(status.osds),
                platform_report_text(status.details.join('; ')) || '-',
            ]),
        ],
        checks: [
            ['Check', 'From', 'Result', 'Counts'],
            ...report.checks.map((check) => [
                platform_report_text(check.title),
                platform_report_text(check.cluster),
                check.passed ? '✅ passed' : '❌ failed',
                countsInWords(check.counts) || '-',
            ]),
        ],
    };
}
function platform_report_text(value) {
    return clip(redactSecrets(value), platform_report_MAX_CELL_LENGTH);
}
/** Compact JSON for action outputs; no evidence or messages (long, and may carry pod output). */
/** Sets the step outputs mesh, ceph and checks (action-mesh, action-day2, action-provision with platform). */
function setPlatformOutputs(report) {
    const outputs = platformOutputs(report);
    core/* setOutput */.uH(action_io/* Outputs */.tY.Mesh, outputs.mesh);
    core/* setOutput */.uH(action_io/* Outputs */.tY.Ceph, outputs.ceph);
    core/* setOutput */.uH(action_io/* Outputs */.tY.Checks, outputs.checks);
}
function platformOutputs(report) {
    const mesh = Object.fromEntries(report.mesh.map((status) => [
        status.cluster,
        Object.fromEntries(status.remotes.map(({ name, connected, ready, synced }) => [name, { connected, ready, synced }])),
    ]));
    const ceph = Object.fromEntries(report.ceph.map(({ cluster, health, phase, mons, osds }) => [cluster, { health, phase, mons, osds }]));
    const checks = report.checks.map(({ id, cluster, passed, counts }) => ({ id, cluster, passed, counts }));
    return { mesh: JSON.stringify(mesh), ceph: JSON.stringify(ceph), checks: JSON.stringify(checks) };
}
/** The job summary of a mesh or day-2 step: the picture, the tables with rows, failed checks' evidence. */
async function writePlatformSummary(title, clusters, report, failure) {
    const summary = core/* summary */.z.addHeading(html(title), 2);
    // Markdown after an HTML block needs a blank line before it, or it is read as part of the block.
    summary.addRaw(`\n${codeBlock(twinMermaid(clusters, report), 'mermaid')}\n`, true);
    const tables = platformTables(report);
    const sections = [
        ['Cluster Mesh', tables.mesh],
        ['Ceph', tables.ceph],
        ['Checks', tables.checks],
    ];
    for (const [heading, [columns = [], ...rows]] of sections) {
        if (rows.length === 0)
            continue;
        summary.addHeading(heading, 3);
        summary.addTable([
            columns.map((data) => ({ data: html(data), header: true })),
            ...rows.map((row) => row.map(html)),
        ]);
    }
    const failed = report.checks.filter((check) => !check.passed);
    if (failed.length > 0)
        summary.addHeading('Evidence of failed checks', 3);
    for (const check of failed) {
        const evidence = check.evidence.length > 0 ? check.evidence.join('\n') : '(no evidence recorded)';
        summary.addRaw(`<p><b>${html(check.id)}</b> from ${html(check.cluster)}: ${html(check.title)}</p>\n\n` +
            `${redactedBlock(evidence, MAX_EVIDENCE_LENGTH)}\n`, true);
    }
    if (failure) {
        summary.addHeading('What failed', 3);
        summary.addRaw(`\n${redactedBlock(failure, MAX_EVIDENCE_LENGTH)}\n`, true);
    }
    await summary.write();
}
/** Summary tables and headings are raw HTML: text must not open tags or end the HTML block. */
function html(value) {
    return value
        .replace(/&/g, '&amp;')
        .replace(/</g, '&lt;')
        .replace(/>/g, '&gt;')
        .replace(/"/g, '&quot;')
        .replace(/'/g, '&#39;')
        .replace(/\r?\n/g, '<br>');
}

;// CONCATENATED MODULE: ./src/github/errors.ts
/**
 * What GitHub's errors mean, apart from the Octokit that throws them: the action entry points load Octokit only
 * when they talk to GitHub, and these are read everywhere.
 */
/** What GitHub answers when the token lacks a permission, e.g. the read-only token of a fork's pull request. */
const READ_ONLY_MESSAGE = 'Resource not accessible by integration';
/** The HTTP status of an Octokit RequestError, `undefined` for any other error. */
function httpStatusOf(error) {
    if (typeof error !== 'object' || error === null || !('status' in error))
        return undefined;
    return typeof error.status === 'number' ? error.status : undefined;
}
/**
 * A request GitHub refuses an installation token (the job's GITHUB_TOKEN, a GitHub App's): one its permissions
 * lack, or one only a person's token may make (GET /user).
 */
function isRefusedToInstallationToken(error) {
    return httpStatusOf(error) === 403 && error instanceof Error && error.message.includes(READ_ONLY_MESSAGE);
}
/** A write refused because the token may only read (fork pull requests, missing `permissions:`). */
function isReadOnlyTokenError(error) {
    return isRefusedToInstallationToken(error);
}

;// CONCATENATED MODULE: ./src/github/pr-comment.ts


/** Who writes for the job's GITHUB_TOKEN (the actions' default github-token): the GitHub Actions app. */
const COMMENT_AUTHOR = 'github-actions[bot]';
/** A GitHub login: a person's or organisation's name, or an app's `<slug>[bot]`. */
function isGitHubLogin(text) {
    return /^[A-Za-z0-9][A-Za-z0-9-]{0,98}(?:\[bot\])?$/.test(text);
}
/**
 * The login the twin's comment is written by, so it is found again by its marker and that author: the one the
 * workflow names (input comment-author), else the token's own. GET /user names the account of a personal
 * access token. An installation token gets 403 "Resource not accessible by integration" there, and GET /app
 * answers only the app's JWT, so no installation token can learn its login: it is taken for the job's
 * GITHUB_TOKEN (github-actions[bot]), and a workflow that passes a GitHub App's token names the app's
 * `<slug>[bot]` in comment-author.
 */
async function commentAuthorOf(octokit, configured) {
    if (configured !== undefined)
        return configured;
    try {
        return (await octokit.rest.users.getAuthenticated()).data.login;
    }
    catch (error) {
        if (isRefusedToInstallationToken(error))
            return COMMENT_AUTHOR;
        throw error;
    }
}
const PAGE = 100;
/**
 * Keeps exactly one comment per twin on a pull request: the one whose first line is the twin's hidden
 * marker and whose author is `author` is edited in place, else one is created; a marker in anyone else's
 * comment is ignored (it may be forged: the token could edit or delete that comment, so it never does).
 * Copies left by two jobs that raced are deleted. A token
 * that may only read (a fork's pull request) gives 'read-only' instead of an error, so the caller can
 * put the report in the job summary.
 */
async function upsertTwinComment(octokit, repo, issueNumber, twin, body, author = COMMENT_AUTHOR) {
    const marker = twinCommentMarker(twin);
    if (firstLine(body) !== marker) {
        throw new Error(`the comment of twin ${twin} must start with its marker line ${marker}`);
    }
    const comments = await octokit.paginate(octokit.rest.issues.listComments, {
        ...repo,
        issue_number: issueNumber,
        per_page: PAGE,
    });
    const [kept, ...copies] = comments
        .filter((comment) => comment.user?.login === author && firstLine(comment.body ?? '') === marker)
        .sort((a, b) => a.id - b.id);
    try {
        if (!kept) {
            await octokit.rest.issues.createComment({ ...repo, issue_number: issueNumber, body });
            return 'created';
        }
        await octokit.rest.issues.updateComment({ ...repo, comment_id: kept.id, body });
        for (const copy of copies)
            await octokit.rest.issues.deleteComment({ ...repo, comment_id: copy.id });
        return 'updated';
    }
    catch (error) {
        if (isReadOnlyTokenError(error))
            return 'read-only';
        throw error;
    }
}
function firstLine(text) {
    return text.split(/\r?\n/, 1)[0].trim();
}

;// CONCATENATED MODULE: ./src/spec/environment.ts

function environment_environmentOf(twinName) {
    return twinName === 'production' ? 'production' : 'preview';
}
function resolveTwin(spec, twinName) {
    const twin = (0,identity/* validateTwinName */.Y6)(twinName);
    const environment = environment_environmentOf(twin);
    const settings = spec.environments[environment];
    return {
        twin,
        environment,
        ...(settings.slot === undefined ? {} : { pinnedSlot: settings.slot }),
        ...(environment === 'preview' ? { ttlHours: spec.environments.preview.ttlHours } : {}),
        spec,
        clusters: spec.clusters.map((cluster) => applyOverlay(cluster, settings.clusters?.[cluster.name])),
    };
}
/** Overlay fields win one level deep; an overlay's extraDisks replaces the list rather than appending. */
function applyOverlay(cluster, overlay) {
    if (!overlay)
        return { ...cluster };
    return {
        ...cluster,
        controlPlanes: { ...cluster.controlPlanes, ...definedFields(overlay.controlPlanes) },
        workers: { ...cluster.workers, ...definedFields(overlay.workers) },
        ...(overlay.vip === undefined ? {} : { vip: overlay.vip }),
    };
}
function definedFields(partial) {
    if (!partial)
        return {};
    return Object.fromEntries(Object.entries(partial).filter(([, value]) => value !== undefined));
}

;// CONCATENATED MODULE: ./src/twin/expiry.ts

/** The policy as the spec sets it. */
function reapPolicyOf(spec) {
    const { ttlHours, keepLabel, longLived } = spec.environments.preview;
    return { ttlHours, keepLabel, longLived };
}
const HOUR_MS = 3_600_000;
const PULL_REQUEST_TWIN = /^pr-(\d+)$/;
/** The pull request a `pr-<n>` twin belongs to; undefined for production and dispatched twins. */
function pullRequestOf(twin) {
    const number = PULL_REQUEST_TWIN.exec(twin)?.[1];
    return number === undefined ? undefined : Number(number);
}
/** What the TTL counts from: the last apply (each push applies the twin again), else the claim of its slot. */
function lastActivity(claim) {
    if (claim.activeAt)
        return { at: claim.activeAt, what: 'last applied' };
    return { ...(claim.claimedAt ? { at: claim.claimedAt } : {}), what: 'created' };
}
/** Hours from `since` (ISO) to `now`; NaN when `since` is missing or unreadable. */
function hoursSince(since, now) {
    return (now.getTime() - Date.parse(since ?? '')) / HOUR_MS;
}
function expiryOf(twin, claim, policy) {
    if (environmentOf(twin) === 'production')
        return { kind: 'never' };
    if (policy.longLived.includes(twin))
        return { kind: 'long-lived' };
    const since = Date.parse(lastActivity(claim ?? {}).at ?? '');
    return {
        kind: 'ttl',
        ttlHours: policy.ttlHours,
        ...(Number.isNaN(since) ? {} : { at: new Date(since + policy.ttlHours * HOUR_MS).toISOString() }),
        ...(pullRequestOf(twin) === undefined ? {} : { keepLabel: policy.keepLabel }),
    };
}

;// CONCATENATED MODULE: ./src/github/deployments.ts



/** Statuses of a deployment whose job is still running. */
const RUNNING_STATES = new Set(['queued', 'pending', 'in_progress']);
/** GitHub refuses longer status descriptions. */
const DESCRIPTION_LIMIT = 140;
const deployments_PAGE = 100;
/**
 * What to deploy for this run. A pull request's run has the test-merge commit in GITHUB_SHA, but GitHub
 * files the deployment of a job's `environment:` under the PR head's sha, so that is the one to match; a
 * fork's branch does not exist in this repository, so a fork's deployment is made of the sha.
 */
function deploymentTarget(event) {
    if (event.eventName === 'pull_request' || event.eventName === 'pull_request_target') {
        const pullRequest = event.payload?.pull_request;
        const head = pullRequest?.head;
        if (typeof head?.sha !== 'string' || head.sha === '') {
            throw new errors/* ConfigurationError */.j1(`${event.eventName} event without pull_request.head.sha: run this step from a pull_request workflow`);
        }
        const sameRepository = typeof head.ref === 'string' && head.repo?.full_name === pullRequest?.base?.repo?.full_name;
        return { ref: sameRepository ? head.ref : head.sha, sha: head.sha };
    }
    if (event.sha === '') {
        throw new errors/* ConfigurationError */.j1('GITHUB_SHA is empty: run inside GitHub Actions or set it to the commit');
    }
    const ref = event.ref?.replace(/^refs\/(heads|tags)\//, '');
    return { ref: ref && !ref.startsWith('refs/') ? ref : event.sha, sha: event.sha };
}
/**
 * One GitHub deployment per twin, environment `<twin>`, with statuses that follow the twin: in_progress
 * while it is built, success or failure, inactive once destroyed.
 */
class TwinDeployments {
    octokit;
    repo;
    constructor(octokit, repo) {
        this.octokit = octokit;
        this.repo = repo;
    }
    /**
     * Marks the twin's deployment in progress and returns its id. A job with `environment: <twin>` already
     * has one (GitHub made it when the job started), so that one is used rather than a second one; else
     * `reuse`, the one an earlier step of the job began; else a new one.
     */
    async begin(twin, opts) {
        (0,identity/* validateTwinName */.Y6)(twin);
        const id = (await this.runningDeployment(twin, opts.sha)) ?? opts.reuse ?? (await this.create(twin, opts));
        await this.addStatus(id, 'in_progress', {
            description: opts.description ?? `twin ${twin} is being provisioned`,
            environmentUrl: opts.environmentUrl,
            logUrl: opts.logUrl,
        });
        return id;
    }
    async finish(id, result, opts = {}) {
        await this.addStatus(id, result, {
            ...opts,
            description: opts.description ?? (result === 'success' ? 'twin ready' : 'twin failed; the job log says where'),
        });
    }
    /** Marks every deployment of the destroyed twin inactive; returns how many were not inactive yet. */
    async deactivate(twin) {
        (0,identity/* validateTwinName */.Y6)(twin);
        let count = 0;
        for (const deployment of await this.deploymentsOf(twin)) {
            if ((await this.latestState(deployment.id)) === 'inactive')
                continue;
            await this.addStatus(deployment.id, 'inactive', { description: `twin ${twin} destroyed` });
            count++;
        }
        return count;
    }
    /** The deployment GitHub made for this job's `environment:`: same commit, still running. */
    async runningDeployment(twin, sha) {
        const candidates = await this.deploymentsOf(twin, { sha, task: 'deploy' });
        for (const deployment of candidates.sort((a, b) => b.id - a.id)) {
            if (RUNNING_STATES.has((await this.latestState(deployment.id)) ?? ''))
                return deployment.id;
        }
        return undefined;
    }
    async create(twin, opts) {
        const { data } = await this.octokit.rest.repos.createDeployment({
            ...this.repo,
            ref: opts.ref,
            environment: twin,
            task: 'deploy',
            // The twin is built from exactly this commit: no merge of the default branch, no wait for checks.
            auto_merge: false,
            required_contexts: [],
            transient_environment: opts.transient,
            production_environment: environment_environmentOf(twin) === 'production',
            description: `aggrik8s-twin ${twin}`,
        });
        if (!('id' in data)) {
            throw new Error(`GitHub made no deployment of ${opts.ref} for ${twin}: ${data.message ?? 'no reason given'}`);
        }
        return data.id;
    }
    async deploymentsOf(twin, filter = {}) {
        return this.octokit.paginate(this.octokit.rest.repos.listDeployments, {
            ...this.repo,
            environment: twin,
            ...filter,
            per_page: deployments_PAGE,
        });
    }
    async latestState(id) {
        const { data } = await this.octokit.rest.repos.listDeploymentStatuses({
            ...this.repo,
            deployment_id: id,
            per_page: deployments_PAGE,
        });
        return data.reduce((latest, status) => (latest && latest.id > status.id ? latest : status), undefined)?.state;
    }
    async addStatus(id, state, opts) {
        await this.octokit.rest.repos.createDeploymentStatus({
            ...this.repo,
            deployment_id: id,
            state,
            description: opts.description.slice(0, DESCRIPTION_LIMIT),
            ...(opts.environmentUrl ? { environment_url: opts.environmentUrl } : {}),
            ...(opts.logUrl ? { log_url: opts.logUrl } : {}),
        });
    }
}

;// CONCATENATED MODULE: ./src/github/twin-status.ts







/** Where the twin's GitHub deployment id and its last report are kept between the steps of a job. */
const STATUS_KEY = 'github.json';
/**
 * The twin as GitHub shows it: a deployment with statuses (in_progress while a step works, then success or
 * failure; inactive once destroyed) and one pull-request comment kept current across steps and runs. GitHub
 * failing never fails the twin's step: a token that may only read (a fork's pull request) puts the report in
 * the job summary with a notice, any other error is a warning.
 */
class TwinStatus {
    run;
    store;
    sink;
    now;
    deployments;
    /** Asked of GitHub at most once per run: the reaper comments on many pull requests with one token. */
    author;
    constructor(run, store, sink, now = () => new Date()) {
        this.run = run;
        this.store = store;
        this.sink = sink;
        this.now = now;
        this.deployments = new TwinDeployments(run.octokit, run.repo);
    }
    /**
     * Marks the twin's deployment in progress for a step; the deployment is kept for the job's later steps.
     * Call it before the step changes anything: an event without a commit is a ConfigurationError here.
     */
    async begin(twin, step) {
        const target = deploymentTarget(this.run.event);
        const stored = await this.load(twin);
        const reuse = stored.deployment?.sha === target.sha ? stored.deployment.id : undefined;
        const id = await this.guard('deployment status', () => this.deployments.begin(twin, {
            ...target,
            transient: environment_environmentOf(twin) !== 'production',
            description: `${step}: twin ${twin} is being built`,
            ...(reuse === undefined ? {} : { reuse }),
            ...(this.run.runUrl ? { logUrl: this.run.runUrl } : {}),
        }));
        if (typeof id === 'number')
            await this.save(twin, { ...stored, deployment: { id, sha: target.sha } });
    }
    /** The report the previous step of this twin left, to build on. */
    async lastReport(twin) {
        const report = (await this.load(twin)).report;
        return report && { ...report, updatedAt: new Date(report.updatedAt) };
    }
    /** A step's result: the deployment's status, the kept report and the pull request's comment. */
    async finish(report, description) {
        const full = this.stamp(report);
        const stored = await this.load(report.twin);
        await this.save(report.twin, { ...stored, report: { ...full, updatedAt: full.updatedAt.toISOString() } });
        const deployment = stored.deployment;
        if (deployment) {
            const result = report.state === 'ready' ? 'success' : 'failure';
            await this.guard('deployment status', () => this.deployments.finish(deployment.id, result, {
                description,
                ...(this.run.runUrl ? { logUrl: this.run.runUrl } : {}),
            }));
        }
        await this.comment(full);
    }
    /** A step that threw before it had an outcome: the last report, marked failed with the cause. */
    async fail(twin, environment, failure, description) {
        const last = (await this.lastReport(twin)) ?? { clusters: [], stages: [], checks: [] };
        await this.finish({ ...last, twin, environment, state: 'failed', failure }, description);
    }
    /** After destroy: every deployment of the twin inactive, and the comment says the twin is gone. */
    async destroyed(twin) {
        await this.guard('deployment status', () => this.deployments.deactivate(twin));
        await this.comment(this.stamp(destroyedTwinReport(twin, environment_environmentOf(twin), { updatedAt: this.now() })));
    }
    stamp(report) {
        return {
            ...report,
            updatedAt: this.now(),
            ...(this.run.runUrl ? { runUrl: this.run.runUrl } : {}),
            ...(this.run.commit ? { commit: this.run.commit } : {}),
        };
    }
    async comment(report) {
        const pullNumber = this.pullNumberOf(report.twin);
        if (pullNumber === undefined)
            return;
        const body = twinCommentBody(report);
        const result = await this.guard('pull request comment', () => this.commentAuthor().then((author) => upsertTwinComment(this.run.octokit, this.run.repo, pullNumber, report.twin, body, author)));
        if (result !== 'read-only')
            return;
        this.sink.notice(`the token may not comment on pull request #${pullNumber} (a fork's pull request, or a job without ` +
            '`pull-requests: write`): the report of the twin is in the job summary instead');
        await this.sink.summary(body);
    }
    commentAuthor() {
        this.author ??= commentAuthorOf(this.run.octokit, this.run.commentAuthor).catch((error) => {
            this.author = undefined; // a failure is told once; the next comment asks again
            throw error;
        });
        return this.author;
    }
    /** The pull request the event is about; else the one a `pr-<n>` twin is named after (dispatch, reaper). */
    pullNumberOf(twin) {
        const payload = this.run.event.payload;
        const fromEvent = payload?.pull_request?.number;
        if (this.run.event.eventName.startsWith('pull_request') && typeof fromEvent === 'number')
            return fromEvent;
        return pullRequestOf(twin);
    }
    /** GitHub's answer, or undefined when it refused or failed; never an exception that fails the twin. */
    async guard(what, call) {
        try {
            return await call();
        }
        catch (error) {
            if (isReadOnlyTokenError(error)) {
                if (what === 'deployment status') {
                    this.sink.notice('the token may not write deployments (`deployments: write`): no deployment status');
                }
                return 'read-only';
            }
            this.sink.warning(`GitHub ${what} not updated: ${(0,errors/* errorMessage */.gJ)(error)}`);
            return undefined;
        }
    }
    async load(twin) {
        const text = await this.store.read({ twin, name: STATUS_KEY });
        return text ? JSON.parse(text) : {};
    }
    async save(twin, status) {
        await this.store.write({ twin, name: STATUS_KEY }, `${JSON.stringify(status, null, 2)}\n`);
    }
}

// EXTERNAL MODULE: ./src/util/echo.ts
var echo = __webpack_require__(7355);
;// CONCATENATED MODULE: ./src/actions/github-status.ts







/**
 * The twin's deployment and PR comment for this run, or undefined without a github-token (e.g. a step run
 * outside GitHub). Built before any change, so a run without GITHUB_REPOSITORY stops early.
 */
async function twinStatusFor(token, store) {
    if (!token) {
        core/* info */.pq('no github-token: no deployment status and no pull request comment');
        return undefined;
    }
    core/* setSecret */.Pq(token);
    const commentAuthor = commentAuthorInput();
    // Octokit loads only for a run that talks to GitHub: loading it is a good part of a cold start.
    const { githubClient, repoFromEnv } = await Promise.all(/* import() */[__webpack_require__.e(413), __webpack_require__.e(702)]).then(__webpack_require__.bind(__webpack_require__, 6702));
    const context = readGitHubContext();
    const { GITHUB_SERVER_URL: server, GITHUB_REPOSITORY: repository, GITHUB_RUN_ID: runId } = process.env;
    return new TwinStatus({
        octokit: githubClient(token),
        repo: repoFromEnv(),
        event: {
            eventName: context.eventName,
            ...(context.ref ? { ref: context.ref } : {}),
            sha: process.env.GITHUB_SHA ?? '',
            payload: context.payload,
        },
        ...(server && repository && runId ? { runUrl: `${server}/${repository}/actions/runs/${runId}` } : {}),
        ...(commentAuthor ? { commentAuthor } : {}),
        ...builtCommit(context.payload, process.env.GITHUB_SHA, server && repository ? `${server}/${repository}` : undefined),
    }, store, {
        notice: (message) => core/* notice */.lm(message),
        warning: (message) => core/* warning */.$e(message),
        summary: async (markdown) => {
            await core/* summary */.z.addRaw(markdown, true).write();
        },
    });
}
/** The login github-token writes as, when the workflow names it: checked before anything changes. */
function commentAuthorInput() {
    const login = (0,action_io/* getOptionalInput */.lI)(action_io/* Inputs */.G0.CommentAuthor);
    if (login === undefined || isGitHubLogin(login))
        return login;
    throw new errors/* ConfigurationError */.j1(`input ${action_io/* Inputs */.G0.CommentAuthor} is ${(0,echo/* echoed */.Dt)(login)}: write the GitHub login github-token writes as, ` +
        "e.g. my-app[bot] for a GitHub App's token, or leave it empty to ask GitHub");
}
/**
 * The commit the twin is built from, as a reviewer knows it: a pull request's head (GITHUB_SHA is its
 * test-merge commit, which no one pushed), else the pushed or dispatched commit; linked on the repository.
 */
function builtCommit(payload, githubSha, repositoryUrl) {
    const head = payload?.pull_request?.head
        ?.sha;
    const sha = typeof head === 'string' ? head : githubSha;
    if (!sha || !/^[0-9a-f]{40}$/.test(sha))
        return {};
    return { commit: { sha, ...(repositoryUrl ? { url: `${repositoryUrl}/commit/${sha}` } : {}) } };
}

// EXTERNAL MODULE: external "node:path"
var external_node_path_ = __webpack_require__(6760);
// EXTERNAL MODULE: ./src/addons/starwars.ts
var starwars = __webpack_require__(7564);
// EXTERNAL MODULE: ./src/kube/kubectl.ts
var kube_kubectl = __webpack_require__(9283);
// EXTERNAL MODULE: ./src/twin/outcome.ts + 1 modules
var outcome = __webpack_require__(5073);
// EXTERNAL MODULE: external "node:fs/promises"
var promises_ = __webpack_require__(1455);
// EXTERNAL MODULE: ./src/kube/objects.ts
var objects = __webpack_require__(9509);
// EXTERNAL MODULE: ./src/util/work-dir.ts
var work_dir = __webpack_require__(97);
// EXTERNAL MODULE: ./node_modules/yaml/dist/index.js
var dist = __webpack_require__(8815);
;// CONCATENATED MODULE: ./src/kube/reviewer-rbac.ts

/**
 * What a reviewer of a preview may do in it: read (get, list, watch) the common objects of some namespaces,
 * never Secrets, never write. Kubernetes RBAC (rbac.authorization.k8s.io/v1): a ServiceAccount, and in each
 * namespace a Role with those rules and a RoleBinding to the account; the account's tokens (TokenRequest,
 * `kubectl create token`) then authenticate as system:serviceaccount:<namespace>:<name>.
 */
const REVIEWER_ACCOUNT = 'twin-reviewer';
const RBAC_GROUP = 'rbac.authorization.k8s.io';
const LABELS = { 'app.kubernetes.io/managed-by': 'aggrik8s-twin' };
/** Read-only verbs on what the upstream `view` ClusterRole shows, Secrets left out as there. */
const READ_ONLY_RULES = [
    {
        apiGroups: [''],
        resources: [
            'pods',
            'pods/log',
            'services',
            'endpoints',
            'configmaps',
            'persistentvolumeclaims',
            'events',
            'serviceaccounts',
        ],
    },
    { apiGroups: ['apps'], resources: ['deployments', 'replicasets', 'statefulsets', 'daemonsets'] },
    { apiGroups: ['batch'], resources: ['jobs', 'cronjobs'] },
    { apiGroups: ['discovery.k8s.io'], resources: ['endpointslices'] },
    { apiGroups: ['networking.k8s.io'], resources: ['ingresses', 'networkpolicies'] },
    { apiGroups: ['policy'], resources: ['poddisruptionbudgets'] },
    { apiGroups: ['cilium.io'], resources: ['ciliumnetworkpolicies', 'ciliumendpoints'] },
].map((rule) => ({ ...rule, verbs: ['get', 'list', 'watch'] }));
/** The account lives in the first namespace; every namespace gets the Role and a binding to it. */
function reviewerManifests(namespaces) {
    const [home] = namespaces;
    if (home === undefined)
        throw new RangeError('reviewer access needs at least one namespace');
    const account = {
        apiVersion: 'v1',
        kind: 'ServiceAccount',
        metadata: { name: REVIEWER_ACCOUNT, namespace: home, labels: LABELS },
    };
    return [
        account,
        ...namespaces.flatMap((namespace) => [
            {
                apiVersion: `${RBAC_GROUP}/v1`,
                kind: 'Role',
                metadata: { name: REVIEWER_ACCOUNT, namespace, labels: LABELS },
                rules: READ_ONLY_RULES,
            },
            {
                apiVersion: `${RBAC_GROUP}/v1`,
                kind: 'RoleBinding',
                metadata: { name: REVIEWER_ACCOUNT, namespace, labels: LABELS },
                roleRef: { apiGroup: RBAC_GROUP, kind: 'Role', name: REVIEWER_ACCOUNT },
                subjects: [{ kind: 'ServiceAccount', name: REVIEWER_ACCOUNT, namespace: home }],
            },
        ]),
    ];
}
/** The current context's cluster of a kubeconfig (client-go's v1 Config). */
function apiServerOf(kubeconfigText) {
    const doc = (0,dist/* parse */.qg)(kubeconfigText);
    const clusterName = doc.contexts?.find((entry) => entry.name === doc['current-context'])?.context?.cluster;
    const cluster = doc.clusters?.find((entry) => entry.name === clusterName)?.cluster;
    if (!cluster?.server || !cluster['certificate-authority-data'])
        throw new Error('the admin kubeconfig names no server and CA for its current context');
    return { server: cluster.server, caData: cluster['certificate-authority-data'] };
}
/** One kubeconfig, a context per cluster with its token, the namespace preset; the first is current. */
function reviewerKubeconfig(contexts, namespace) {
    const user = (name) => `${REVIEWER_ACCOUNT}@${name}`;
    return (0,dist/* stringify */.As)({
        apiVersion: 'v1',
        kind: 'Config',
        clusters: contexts.map(({ name, api }) => ({
            name,
            cluster: { server: api.server, 'certificate-authority-data': api.caData },
        })),
        users: contexts.map(({ name, token }) => ({ name: user(name), user: { token } })),
        contexts: contexts.map(({ name }) => ({
            name,
            context: { cluster: name, user: user(name), namespace },
        })),
        'current-context': contexts[0]?.name ?? '',
    }, { lineWidth: 0 });
}
/** When a service account token stops working: its `exp` claim (the API server may have shortened it). */
function tokenExpiry(token) {
    try {
        const payload = JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString('utf8'));
        const exp = payload.exp;
        return typeof exp === 'number' ? new Date(exp * 1000) : undefined;
    }
    catch {
        return undefined;
    }
}

;// CONCATENATED MODULE: ./src/twin/reviewer-access.ts





/**
 * Read-only access to a twin for people who review it: in every cluster the reviewer account, its Role and
 * RoleBinding in the given namespaces (applied, so a later run changes nothing), then a token of the account
 * for a bounded time, all in one kubeconfig (a context per cluster), readable by its owner only.
 */
/** The most a reviewer token is asked for, however long the preview lives: a week. */
const MAX_REVIEWER_TOKEN_SECONDS = 7 * 24 * 3600;
/** The least the API server grants a TokenRequest (ValidateTokenRequest: 10 minutes). */
const MIN_REVIEWER_TOKEN_SECONDS = 600;
/**
 * Seconds from now to the end of the twin's TTL (counted from its last apply), at most a week; undefined
 * when less than the 10 minutes a token needs is left.
 */
function reviewerTokenSeconds(appliedAt, ttlHours, now) {
    const left = Math.floor((appliedAt.getTime() + ttlHours * 3_600_000 - now.getTime()) / 1000);
    if (left < MIN_REVIEWER_TOKEN_SECONDS)
        return undefined;
    return Math.min(left, MAX_REVIEWER_TOKEN_SECONDS);
}
/** `mask` gets each token the moment it exists, before it is written anywhere. */
async function grantReviewerAccess(clusters, request, mask) {
    const [home = ''] = request.namespaces;
    const manifests = (0,external_node_path_.join)(request.dir, 'manifests');
    await (0,work_dir/* freshWorkDir */.X)(request.dir);
    await (0,promises_.mkdir)(manifests, { mode: 0o700 });
    const contexts = [];
    const expiries = [];
    for (const cluster of clusters) {
        const manifest = (0,external_node_path_.join)(manifests, `${cluster.name}-reviewer-access.yaml`);
        await (0,promises_.writeFile)(manifest, (0,objects/* manifestsYaml */.G)(reviewerManifests(request.namespaces)), { mode: 0o600 });
        await cluster.kubectl.apply(manifest);
        const token = await cluster.kubectl.createToken(REVIEWER_ACCOUNT, home, request.seconds);
        mask(token);
        expiries.push(tokenExpiry(token) ?? new Date(Date.now() + request.seconds * 1000));
        contexts.push({
            name: cluster.name,
            api: apiServerOf(await (0,promises_.readFile)(cluster.kubeconfig, 'utf8')),
            token,
        });
    }
    const file = (0,external_node_path_.join)(request.dir, `${request.twin}-reviewer.kubeconfig`);
    await (0,promises_.writeFile)(file, reviewerKubeconfig(contexts, home), { mode: 0o600 });
    return {
        file,
        contexts: contexts.map((context) => context.name),
        namespaces: request.namespaces,
        expiresAt: new Date(Math.min(...expiries.map((date) => date.getTime()))),
    };
}

// EXTERNAL MODULE: external "node:os"
var external_node_os_ = __webpack_require__(8161);
;// CONCATENATED MODULE: ./src/actions/work-dirs.ts




/**
 * The scratch folders the actions make, and the only paths their post step may remove: one folder per
 * step, directly inside RUNNER_TEMP, named `aggrik8s-twin-<twin>-<label>`. The post step reads the list
 * from the saved state, which a step's code could have written anything into, so it removes nothing that
 * is not a folder of exactly that shape.
 */
const WORK_DIR_LABELS = ['work', 'mesh', 'day2', 'reviewer'];
const TWIN_PART = identity/* TWIN_NAME_REGEX */.xP.source.slice(1, -1); // the pattern without its ^ and $ anchors
const WORK_DIR_NAME = new RegExp(`^aggrik8s-twin-${TWIN_PART}-(?:${WORK_DIR_LABELS.join('|')})$`);
/** RUNNER_TEMP on a runner (always set there); the OS temporary folder when run elsewhere. */
function tempRoot() {
    return (0,external_node_path_.resolve)(process.env.RUNNER_TEMP || (0,external_node_os_.tmpdir)());
}
/** The step's scratch folder; `twin` must already be a validated twin name. */
function stepWorkDir(twin, label) {
    const dir = (0,external_node_path_.join)(tempRoot(), `aggrik8s-twin-${twin}-${label}`);
    const refusal = refuseRemoval(dir);
    if (refusal)
        throw new RangeError(`scratch folder ${dir}: ${refusal}`); // a bug, never user input
    return dir;
}
/**
 * Why `path` must not be removed by the post step, or undefined when it is one of the step's own scratch
 * folders (or nothing at all): directly inside the temporary root once `..` is resolved, named as
 * stepWorkDir names them, and a real folder, never a symbolic link that could lead elsewhere.
 */
function refuseRemoval(path) {
    if (typeof path !== 'string' || path === '')
        return 'not a path';
    const root = tempRoot();
    const target = (0,external_node_path_.resolve)(path);
    if ((0,external_node_path_.dirname)(target) !== root)
        return `not directly inside the temporary folder ${root}`;
    if (!WORK_DIR_NAME.test((0,external_node_path_.basename)(target)))
        return 'not named like a scratch folder this action makes';
    const stat = (0,external_node_fs_.lstatSync)(target, { throwIfNoEntry: false });
    if (stat && !stat.isDirectory())
        return 'not a folder (a symbolic link or a file)';
    return undefined;
}

;// CONCATENATED MODULE: ./src/actions/reviewer-access.ts









/**
 * action-day2's input reviewer-access: on request, a read-only kubeconfig of the preview for the people who
 * review it, its tokens bound to the preview's TTL. Its path is an output (never its content), its tokens
 * are masked the moment they exist, and the workflow uploads it as an artifact. Failing to make it is a
 * warning: the twin itself is fine.
 */
/** actions/upload-artifact's retention-days: 1 to 90. */
const MAX_RETENTION_DAYS = 90;
/** The namespaces to open, checked against the twin before anything changes. */
function reviewerNamespaces(input, twin) {
    if (twin.ttlHours === undefined)
        throw new errors/* ConfigurationError */.j1(`input ${action_io/* Inputs */.G0.ReviewerAccess} is for preview twins, whose TTL bounds the tokens; twin ${twin.twin} has no TTL`);
    if (input !== 'demo')
        return input;
    if (!twin.spec.addons.starwars.enabled)
        throw new errors/* ConfigurationError */.j1(`input ${action_io/* Inputs */.G0.ReviewerAccess} is true, but the demo (addons.starwars) is off: name the namespaces instead`);
    return [starwars/* STARWARS_NAMESPACE */.wI];
}
/**
 * Makes the kubeconfig after a successful day 2 and sets the outputs reviewer-kubeconfig (its path),
 * reviewer-artifact (the artifact name the comment quotes) and reviewer-retention-days. Returns what the PR
 * comment shows, or undefined when nothing was made.
 */
async function provideReviewerAccess(ctx, clusters, namespaces) {
    const twin = ctx.twin.twin;
    const record = await (0,outcome/* readTwinRecord */.Ak)(ctx.store, twin);
    const appliedAt = record?.appliedAt ? new Date(record.appliedAt) : new Date();
    const seconds = reviewerTokenSeconds(appliedAt, ctx.twin.ttlHours ?? 0, new Date());
    if (seconds === undefined) {
        core/* warning */.$e(`no reviewer kubeconfig: the TTL of twin ${twin} ends in less than the 10 minutes a token needs`);
        return undefined;
    }
    const dir = stepWorkDir(twin, 'reviewer');
    core/* saveState */.LZ(action_io/* State */.Uw.TemporaryFiles, JSON.stringify([ctx.workDir, dir])); // the post step removes it
    try {
        const grant = await (0,action_io/* withGroup */.I1)(`Reviewer access to ${namespaces.join(', ')}`, () => grantReviewerAccess(clusters.map((cluster) => ({
            name: cluster.name,
            kubeconfig: cluster.kubeconfig,
            kubectl: new kube_kubectl/* Kubectl */.b(ctx.runner, { kubeconfig: cluster.kubeconfig, path: ctx.tools.kubectl }),
        })), { twin, namespaces, seconds, dir }, (token) => core/* setSecret */.Pq(token)));
        const artifact = `${twin}-reviewer-kubeconfig`;
        core/* setOutput */.uH(action_io/* Outputs */.tY.ReviewerKubeconfig, grant.file);
        core/* setOutput */.uH(action_io/* Outputs */.tY.ReviewerArtifact, artifact);
        core/* setOutput */.uH(action_io/* Outputs */.tY.ReviewerRetentionDays, String(retentionDays(grant.expiresAt)));
        core/* info */.pq(`reviewer kubeconfig ${grant.file}: read-only in ${namespaces.join(', ')} until ${grant.expiresAt.toISOString()}`);
        const { GITHUB_REPOSITORY: repository, GITHUB_RUN_ID: runId } = process.env;
        if (!repository || !runId)
            return undefined;
        const expiresAt = grant.expiresAt.toISOString();
        return {
            repository,
            runId,
            artifact,
            file: (0,external_node_path_.basename)(grant.file),
            contexts: grant.contexts,
            namespaces,
            expiresAt,
        };
    }
    catch (error) {
        core/* warning */.$e(`no reviewer kubeconfig: ${(0,errors/* errorMessage */.gJ)(error)}`);
        return undefined;
    }
}
/** Whole days the tokens still work, so the artifact is kept no longer than them (at least the 1 day GitHub allows). */
function retentionDays(expiresAt, now = new Date()) {
    const days = Math.floor((expiresAt.getTime() - now.getTime()) / 86_400_000);
    return Math.min(MAX_RETENTION_DAYS, Math.max(1, days));
}

// EXTERNAL MODULE: ./src/util/regular-file.ts
var regular_file = __webpack_require__(1215);
;// CONCATENATED MODULE: ./src/spec/files.ts



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
    const specDir = (0,external_node_path_.dirname)((0,external_node_path_.resolve)(file));
    return { specDir, root: workspace ?? { dir: specDir, name: "the spec's folder" } };
}
const NAMED_FILE_MISSING = 'add it to the repository, or correct the path (relative to twin.yaml)';
/** Reads the twin spec: a regular file of at most MAX_SPEC_BYTES, inside `root` when given. */
function readSpecFile(path, field, root) {
    return (0,regular_file/* readRegularFile */.XF)(path, field, {
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
    const real = (0,regular_file/* resolvedInside */.vB)({ path: (0,external_node_path_.resolve)(specDir, path), shown: path }, field, root, NAMED_FILE_MISSING);
    const stats = (0,external_node_fs_.statSync)(real);
    (0,regular_file/* checkStats */.Wn)(stats, field, path, kind, MAX_NAMED_FILE_BYTES);
    if (stats.isDirectory())
        checkFolder(real, path, field, root);
    return real;
}
function checkFolder(real, path, field, root) {
    const names = (0,external_node_fs_.readdirSync)(real).filter((name) => MANIFEST_FILE.test(name));
    if (names.length > MAX_FOLDER_FILES) {
        (0,regular_file/* refuse */.TR)(field, path, `holds ${names.length} manifest files, more than ${MAX_FOLDER_FILES}`, 'split the folder');
    }
    for (const name of names) {
        const entry = (0,external_node_path_.join)(path, name);
        const entryReal = (0,regular_file/* resolvedInside */.vB)({ path: (0,external_node_path_.join)(real, name), shown: entry }, field, root, NAMED_FILE_MISSING);
        const stats = (0,external_node_fs_.statSync)(entryReal);
        if (stats.isDirectory())
            continue; // kubectl apply -f DIR does not descend
        (0,regular_file/* checkStats */.Wn)(stats, field, entry, 'file', MAX_NAMED_FILE_BYTES);
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

// EXTERNAL MODULE: ./node_modules/zod/v4/classic/schemas.js + 17 modules
var schemas = __webpack_require__(8816);
;// CONCATENATED MODULE: ./src/util/edit-distance.ts
/**
 * Levenshtein distance: the fewest single-character insertions, deletions and substitutions that turn
 * `a` into `b`. Used to suggest the name a user most likely meant (a spec key, a command, an option).
 */
function editDistance(a, b) {
    let previous = Array.from({ length: b.length + 1 }, (_, index) => index);
    for (let i = 1; i <= a.length; i++) {
        const current = [i];
        for (let j = 1; j <= b.length; j++) {
            const substitution = (previous[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1);
            current.push(Math.min((previous[j] ?? 0) + 1, (current[j - 1] ?? 0) + 1, substitution));
        }
        previous = current;
    }
    return previous[b.length] ?? 0;
}
/**
 * The candidate closest to `word` (case ignored), when it is at most `maxDistance` edits away and closer
 * than the word is long: a two-letter typo of a two-letter word is a different word, not a typo.
 */
function closestMatch(word, candidates, maxDistance = 2) {
    let best;
    for (const candidate of candidates) {
        const distance = editDistance(word.toLowerCase(), candidate.toLowerCase());
        if (best === undefined || distance < best.distance)
            best = { candidate, distance };
    }
    return best && best.distance <= maxDistance && best.distance < word.length ? best.candidate : undefined;
}

// EXTERNAL MODULE: external "node:util"
var external_node_util_ = __webpack_require__(7975);
;// CONCATENATED MODULE: ./src/spec/production-layout.ts

/**
 * The layout of the lab: the spec fields that say where twins live and what they may take (the project tag,
 * Proxmox nodes, storage, bridge and slots, each cluster's node network and address pool, production's slot,
 * pool and VIPs, the previews' TTL, quota, keep label and long-lived twins). A pull request runs with its own twin.yaml, so a preview takes
 * these fields from the production branch's spec instead: an edited slot setting or address pool cannot put it
 * on VMIDs, pools or addresses another twin holds, nor lift its own quota or TTL. Everything else (releases,
 * sizes, add-ons) stays the pull request's, which is what it previews.
 */
function adoptProductionLayout(spec, production, productionFile) {
    const issues = [];
    const differs = (path, mine, theirs) => {
        if (!(0,external_node_util_.isDeepStrictEqual)(mine, theirs))
            issues.push(ignoredChange(path, productionFile));
    };
    differs(['project'], spec.project, production.project);
    for (const key of Object.keys({
        ...spec.proxmox,
        ...production.proxmox,
    })) {
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
    differs(['environments', 'preview', 'ttlHours'], preview.ttlHours, production.environments.preview.ttlHours);
    differs(['environments', 'preview', 'quota'], preview.quota, production.environments.preview.quota);
    differs(['environments', 'preview', 'keepLabel'], preview.keepLabel, production.environments.preview.keepLabel);
    differs(['environments', 'preview', 'longLived'], preview.longLived, production.environments.preview.longLived);
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
function ignoredChange(path, productionFile) {
    return {
        severity: 'warning',
        path,
        message: `differs from the production branch's spec (${productionFile}); this twin takes the production ` +
            "branch's value: the lab's layout changes only once the change is merged",
        fix: 'leave the field as the production branch has it, or merge the change to the production branch first',
    };
}
function newCluster(index, name, productionFile) {
    return {
        severity: 'error',
        path: ['clusters', index, 'name'],
        message: `cluster ${name} is not in the production branch's spec (${productionFile}), so it has no node ` +
            'network and address pool the lab agreed to',
        fix: "add the cluster's network to the production branch first, or preview without the cluster",
    };
}

;// CONCATENATED MODULE: ./src/spec/releases.ts
/**
 * The releases this product drives, as data, and the upgrade paths the real systems allow between them.
 * Sources: LIFECYCLE F.1 (installer pre-flight bounds, "only tested between adjacent minor releases"), F.2
 * (upgrade-k8s path and the Talos ↔ Kubernetes matrix), F.9, G.3, and /work/facts-13.md §1 for v1.13.
 */
const TALOS_RELEASES = [
    // F.1 table, F.2 matrix: compatibility/talos111 at v1.11.6.
    {
        series: 'v1.11',
        latest: 'v1.11.6',
        kubernetesMin: '1.29',
        kubernetesMax: '1.34',
        defaultKubernetes: '1.34.1',
        minimumHost: '1.9.0',
        hostBelow: '1.13.0',
    },
    // F.1, F.2, F.9: compatibility/talos112 at v1.12.11, constants.go line 404.
    {
        series: 'v1.12',
        latest: 'v1.12.11',
        kubernetesMin: '1.30',
        kubernetesMax: '1.35',
        defaultKubernetes: '1.35.4',
        minimumHost: '1.10.0',
        hostBelow: '1.14.0',
    },
    // facts-13 §1: talos113.go lines 16-28 and constants.go line 366 at v1.13.9.
    {
        series: 'v1.13',
        latest: 'v1.13.9',
        kubernetesMin: '1.31',
        kubernetesMax: '1.36',
        defaultKubernetes: '1.36.3',
        minimumHost: '1.11.0',
        hostBelow: '1.15.0',
    },
];
const CILIUM_RELEASES = [
    // e2e-tested Kubernetes 1.32-1.35 (compatibility.rst at 1.19.3, facts-13 §4): not tested on 1.36.
    { series: '1.19', latest: '1.19.6', kubernetesMin: '1.32', kubernetesMax: '1.35' },
    // Its tested Kubernetes list was not found (facts-13 §4, UNCONFIRMED); facts-13 also saw a 1.20.1 chart.
    { series: '1.20', latest: '1.20.0' },
];
/** Whether Cilium `cilium` is tested with Kubernetes `kubernetes`; undefined where no source says. */
function ciliumSupportsKubernetes(cilium, kubernetes) {
    const version = parse(cilium, 'Cilium');
    const series = CILIUM_RELEASES.find((release) => release.series === minorOf(version));
    if (!series)
        return false;
    if (!series.kubernetesMin || !series.kubernetesMax)
        return undefined;
    const minor = parseMinor(minorOf(parse(kubernetes, 'Kubernetes')));
    return (compare(minor, parseMinor(series.kubernetesMin)) >= 0 &&
        compare(minor, parseMinor(series.kubernetesMax)) <= 0);
}
const VERSION = /^v?(\d+)\.(\d+)\.(\d+)$/;
function parse(text, what) {
    const match = VERSION.exec(text.trim());
    if (!match)
        throw new RangeError(`"${text}" is not a ${what} version like ${what === 'Talos' ? 'v1.11.6' : '1.34.1'}`);
    return { major: Number(match[1]), minor: Number(match[2]), patch: Number(match[3]) };
}
function compare(a, b) {
    return a.major - b.major || a.minor - b.minor || a.patch - b.patch;
}
function minorOf(version) {
    return `${version.major}.${version.minor}`;
}
/** `1.34` -> {1, 34, 0}, so minors compare like versions. */
function parseMinor(minor) {
    return parse(`${minor}.0`, 'Kubernetes');
}
/** The Talos series `version` belongs to (`v1.12.3` -> v1.12), if this product knows it. */
function talosSeriesOf(version) {
    const parsed = parse(version, 'Talos');
    return TALOS_RELEASES.find((release) => release.series === `v${minorOf(parsed)}`);
}
const KNOWN_SERIES = TALOS_RELEASES.map((release) => release.series).join(', ');
/**
 * What the installer of `target` says of a host running `host` (F.1 pre-flight, compared on major.minor.patch):
 * undefined when it accepts, else the installer's own words.
 */
function installerRefusal(target, host) {
    const series = talosSeriesOf(target);
    const hostVersion = parse(host, 'Talos');
    const shown = `${hostVersion.major}.${hostVersion.minor}.${hostVersion.patch}`;
    const targetShown = target.replace(/^v/, '');
    if (!series)
        return `upgrades to version ${targetShown} are not supported`;
    if (compare(hostVersion, parse(series.minimumHost, 'Talos')) < 0) {
        return `host version ${shown} is too old to upgrade to Talos ${targetShown}`;
    }
    if (compare(hostVersion, parse(series.hostBelow, 'Talos')) >= 0) {
        return `host version ${shown} is too new to downgrade to Talos ${targetShown}`;
    }
    return undefined;
}
/** A target this product can install: a known series, and no patch newer than the newest one known. */
function unknownTarget(to) {
    const series = talosSeriesOf(to);
    if (!series)
        return `Talos ${to} is not a supported release (supported: ${KNOWN_SERIES})`;
    if (compare(parse(to, 'Talos'), parse(series.latest, 'Talos')) > 0) {
        return `Talos ${to} is not a known release: the newest ${series.series} is ${series.latest}`;
    }
    return undefined;
}
/**
 * The Talos versions a node goes through from `from` to `to`. Upgrades cross one minor per hop, through the
 * newest patch of each intermediate minor (F.1: "only tested between adjacent minor releases"; "always
 * upgrade to the latest patch release of all intermediate minor releases"). The node is not first moved to
 * the newest patch of its own minor: the next minor's installer accepts every patch of the current one
 * (minimum host 1.10.0 for v1.12, 1.11.0 for v1.13), so that hop would cost a reboot and buy nothing (a test
 * keeps this true of the data). A downgrade is one direct hop
 * (Talos has no path for it), refused where the target's pre-flight refuses the host.
 */
function talosUpgradePath(from, to) {
    const fromVersion = parse(from, 'Talos');
    const toVersion = parse(to, 'Talos');
    const fromSeries = talosSeriesOf(from);
    if (!fromSeries) {
        return {
            refused: `Talos ${from} is not a release this product drives (supported: ${KNOWN_SERIES}): upgrade the node to ${TALOS_RELEASES[0]?.latest} by hand first`,
        };
    }
    const unknown = unknownTarget(to);
    if (unknown)
        return { refused: unknown };
    const order = compare(fromVersion, toVersion);
    if (order === 0)
        return { hops: [] };
    if (order > 0 || fromVersion.minor === toVersion.minor)
        return directHop(from, to);
    return stepUp(from, to);
}
function directHop(from, to) {
    const refusal = installerRefusal(to, from);
    if (!refusal)
        return { hops: [to] };
    const between = TALOS_RELEASES.filter((release) => !installerRefusal(to, release.latest) && !installerRefusal(release.latest, from));
    const first = between.at(-1)?.latest;
    const next = first ? `: go to ${first} first` : '';
    return {
        refused: `the ${talosSeriesOf(to)?.series} installer refuses it (pre-flight checks failed: ${refusal})${next}`,
    };
}
function stepUp(from, to) {
    const fromMinor = parse(from, 'Talos').minor;
    const toMinor = parse(to, 'Talos').minor;
    const intermediate = TALOS_RELEASES.filter((release) => {
        const minor = parse(`${release.series}.0`, 'Talos').minor;
        return minor > fromMinor && minor < toMinor;
    }).map((release) => release.latest);
    const hops = [...intermediate, to];
    let host = from;
    for (const target of hops) {
        const refusal = installerRefusal(target, host);
        if (refusal)
            return { refused: `pre-flight checks failed: ${refusal}` };
        host = target;
    }
    return { hops };
}
/** The newest Kubernetes minor any known `upgrade-k8s` has a path to (go-kubernetes path.go, facts-13 §1). */
const NEWEST_KUBERNETES = TALOS_RELEASES.map((release) => release.kubernetesMax).reduce((a, b) => compare(parseMinor(a), parseMinor(b)) >= 0 ? a : b);
/**
 * The version an intermediate Kubernetes minor is crossed at: the default of the Talos release that ships
 * it (a patch Talos tested), else the minor's first release, which exists for every minor.
 */
function kubernetesHopVersion(minor) {
    const shipped = TALOS_RELEASES.find((release) => release.defaultKubernetes.startsWith(`${minor}.`));
    return shipped?.defaultKubernetes ?? `${minor}.0`;
}
/**
 * The Kubernetes versions `upgrade-k8s` goes through: one minor per run (go-kubernetes `IsSupported`: only
 * N->N and N->N+1, F.2; G.3 "skipping minors is not supported"); patch changes within a minor either way.
 */
function kubernetesUpgradePath(from, to) {
    const fromVersion = parse(from, 'Kubernetes');
    const toVersion = parse(to, 'Kubernetes');
    const target = to.replace(/^v/, '');
    if (compare(fromVersion, toVersion) === 0)
        return { hops: [] };
    if (fromVersion.major !== toVersion.major)
        return { refused: `Kubernetes ${from} -> ${to} changes the major version` };
    if (toVersion.minor < fromVersion.minor) {
        return {
            refused: `Kubernetes cannot go back from ${minorOf(fromVersion)} to ${minorOf(toVersion)}: talosctl upgrade-k8s supports only N->N and N->N+1`,
        };
    }
    if (compare(toVersion, parseMinor(NEWEST_KUBERNETES)) > 0 && minorOf(toVersion) !== NEWEST_KUBERNETES) {
        return {
            refused: `Kubernetes ${minorOf(toVersion)} is newer than any supported Talos knows (up to ${NEWEST_KUBERNETES})`,
        };
    }
    const hops = [];
    for (let minor = fromVersion.minor + 1; minor < toVersion.minor; minor += 1) {
        hops.push(kubernetesHopVersion(`${toVersion.major}.${minor}`));
    }
    hops.push(target);
    return { hops };
}
/** Whether Talos `talos` runs Kubernetes `kubernetes` (F.2 matrix; facts-13 §1 for v1.13). */
function talosSupportsKubernetes(talos, kubernetes) {
    const series = talosSeriesOf(talos);
    if (!series)
        return false;
    const minor = parseMinor(minorOf(parse(kubernetes, 'Kubernetes')));
    return (compare(minor, parseMinor(series.kubernetesMin)) >= 0 &&
        compare(minor, parseMinor(series.kubernetesMax)) <= 0);
}
/** The oldest Talos series that runs `kubernetes`, for "upgrade Talos to vX first" messages. */
function oldestTalosFor(kubernetes) {
    return TALOS_RELEASES.find((release) => talosSupportsKubernetes(release.latest, kubernetes));
}
/** The Kubernetes minor of a version: `v1.34.1` -> `1.34`. */
function kubernetesMinor(version) {
    return minorOf(parse(version, 'Kubernetes'));
}
/** The Talos series of a version: `v1.12.3` -> `v1.12`. */
function talosMinor(version) {
    return `v${minorOf(parse(version, 'Talos'))}`;
}

;// CONCATENATED MODULE: ./src/spec/schema-fields.ts



/**
 * The ground of the spec's schema (schema.ts): how a refused field explains itself and its fix, the field
 * builders, and the patterns fields must match (each from the rule of the system that reads the value).
 */
/** A zod issue carries only a message, so a fix rides along after this marker; load.ts splits it off. */
const FIX_MARKER = '\u0000fix:';
function explain(message, fix) {
    return `${message}${FIX_MARKER}${fix}`;
}
function splitExplanation(text) {
    const at = text.indexOf(FIX_MARKER);
    return at < 0 ? { message: text } : { message: text.slice(0, at), fix: text.slice(at + FIX_MARKER.length) };
}
/** A string that must match `regex`; the message reads `"<value>" is not <what>`. */
function patterned(regex, what, fix) {
    return schemas/* string */.YjP().regex(regex, { error: (issue) => explain(`${(0,echo/* echoed */.Dt)(issue.input)} is not ${what}`, fix) });
}
function integer(min, max, what) {
    const message = explain(`${what} must be a whole number from ${min} to ${max}`, `write a number between ${min} and ${max}`);
    return schemas/* int */.Whr().min(min, message).max(max, message);
}
const schema_fields_ipv4 = () => patterned(ipv4/* IPV4_REGEX */._t, 'an IPv4 address', 'write four numbers 0-255 separated by dots, e.g. 192.168.15.1');
const cidr = () => patterned(ipv4/* CIDR_REGEX */.HM, 'an IPv4 CIDR', 'write network/prefix, e.g. 10.244.0.0/16').refine((text) => !ipv4/* CIDR_REGEX */.HM.test(text) || !(0,ipv4/* cidrHostBitsSet */.Pm)(text), {
    error: (issue) => {
        const text = String(issue.input);
        return explain(`${text} has host bits set`, `write the network address: ${(0,ipv4/* canonicalCidr */.Zl)(text)}`);
    },
});
const addressRange = () => patterned(ipv4/* RANGE_REGEX */.un, 'an IPv4 address range', 'write first-last, e.g. 192.168.15.64-192.168.15.191').refine((text) => {
    if (!ipv4/* RANGE_REGEX */.un.test(text))
        return true;
    const range = (0,ipv4/* parseRange */.RC)(text);
    return range.first <= range.last;
}, explain('the range starts after it ends', 'write the lower address first'));
// PVE-COMMON pve_verify_node_name, parse_storage_id, pve_verify_bridge_id; pve-access-control verify_poolname.
const PVE_NODE = /^[a-zA-Z0-9]([a-zA-Z0-9-]*[a-zA-Z0-9])?$/;
const PVE_STORAGE_ID = /^[a-zA-Z][a-zA-Z0-9\-_.]*[a-zA-Z0-9]$/;
const PVE_BRIDGE_ID = /^[-_.\w]+$/;
// Up to two parent pools (PVE nests pools 3 levels deep); PVE 9 wants the slot pool's own name to start
// with a letter (pve-manager Pool.pm), and the slot pool is `<prefix>-<k>`.
const POOL_PREFIX = /^(?=.{1,40}$)(?:[A-Za-z0-9][A-Za-z0-9.\-_]*\/){0,2}[A-Za-z][A-Za-z0-9.\-_]*$/;
const poolPrefix = (fix) => patterned(POOL_PREFIX, 'a Proxmox pool id prefix (letters, digits, ".", "-", "_", at most two parent pools before "/"; ' +
    'the last part starts with a letter; at most 40)', fix);
const PROJECT_REGEX = /^[a-z0-9][a-z0-9-]{0,23}$/;
/** Cilium's cluster.name rule (chart templates/validate.yaml); 32 characters at most. */
const CLUSTER_NAME_REGEX = /^([a-z0-9][-a-z0-9]*)?[a-z0-9]$/;
// The series src/spec/releases.ts describes; which Kubernetes each Talos series takes is a rule (rules.ts).
const TALOS_VERSION_REGEX = /^v1\.1[1-3]\.\d+$/;
const CILIUM_VERSION_REGEX = /^1\.(19|20)\.\d+$/;
// Talos v1.11 takes Kubernetes from 1.29, v1.13 up to 1.36 (LIFECYCLE F.2).
const KUBERNETES_VERSION_REGEX = /^1\.(29|3[0-6])\.\d+$/;
const SCHEMATIC_REGEX = /^[0-9a-f]{64}$/;
const SHA256_REGEX = /^[0-9a-f]{64}$/;
const EXTENSION_REGEX = /^[a-z0-9][a-z0-9-]*\/[a-z0-9][a-z0-9.-]*$/;
const CHART_VERSION_REGEX = /^v?\d+\.\d+\.\d+$/;
/** Relative, no `..` segment, no leading `/` or `-` (it reaches a command line as an argument). */
const RELATIVE_PATH_REGEX = /^(?!.*(^|\/)\.\.(\/|$))[A-Za-z0-9_.][A-Za-z0-9_./-]*$/;
const RELEASE_NAME_REGEX = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
/** A helm release the twin installs after storage (the repository's applications). */

;// CONCATENATED MODULE: ./src/spec/schema.ts



/**
 * The shape of twin.yaml (version 1) and every rule that needs only one field. Rules that compare
 * fields live in rules.ts. The JSON Schema for editors is generated from this file (scripts/write-schema.ts).
 */
const ExtraReleaseSchema = schemas/* strictObject */.rej({
    name: patterned(RELEASE_NAME_REGEX, 'a helm release name', 'use lower-case letters, digits and "-"').max(53),
    chart: patterned(/^[a-z0-9][a-z0-9-]*$/, 'a chart name', 'write the chart name as the repository lists it'),
    repo: patterned(/^https:\/\/[^\s]+$/, 'an https chart repository URL', 'write e.g. https://helm.cilium.io'),
    version: patterned(CHART_VERSION_REGEX, 'a chart version', 'pin a version, e.g. 1.5.0'),
    namespace: patterned(RELEASE_NAME_REGEX, 'a namespace name', 'use lower-case letters, digits and "-"').max(63),
    values: patterned(RELATIVE_PATH_REGEX, 'a values file path inside the repository', 'write a relative path without "..", e.g. deploy/values/app.yaml').optional(),
});
const BRANCH_REGEX = /^[A-Za-z0-9._/-]+$/;
const HOST_NAME = '[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*';
/** An NTP server (host name or IPv4 address) or a PTP clock device such as /dev/ptp0 (Talos machine.time.servers). */
const TIME_SERVER_REGEX = new RegExp(`^(?:${HOST_NAME}|/dev/ptp[A-Za-z0-9_]*)$`);
/** A registry as the first segment of an image reference, with an optional port; `*` is every registry. */
const REGISTRY_HOST_REGEX = new RegExp(`^(?:\\*|${HOST_NAME}(?::\\d{1,5})?)$`);
/** A mirror endpoint: an http(s) URL, without spaces, user info or a query. */
const MIRROR_ENDPOINT_REGEX = /^https?:\/\/[A-Za-z0-9.-]+(?::\d{1,5})?(?:\/[^\s?#@]*)?$/;
const TimeServersSchema = schemas/* array */.YOg(patterned(TIME_SERVER_REGEX, 'a time server: an NTP host name or IPv4 address, or a PTP device such as /dev/ptp0', 'write e.g. time.cloudflare.com, 192.168.15.1, or /dev/ptp0 (the Proxmox VM clock, which needs no network)'))
    .min(1, explain('timeServers is empty', 'list at least one server, or leave timeServers out for time.cloudflare.com'))
    .optional()
    .describe("Time sources of every node (Talos machine.time.servers). Default: Talos' own, time.cloudflare.com. " +
    'Talos starts neither etcd nor the kubelet before time is in sync, so nodes that reach no server never get Ready. ' +
    'On Proxmox, /dev/ptp0 syncs to the host clock (KVM PTP) without any network.');
const RegistryMirrorSchema = schemas/* strictObject */.rej({
    endpoints: schemas/* array */.YOg(patterned(MIRROR_ENDPOINT_REGEX, 'a mirror endpoint: an http(s) URL', 'write e.g. https://registry-cache.lab.internal:5000 (path /v2 is added unless overridePath is true)'))
        .min(1, explain('a mirror needs at least one endpoint', 'list the mirror URLs, e.g. [https://cache.lab:5000]')),
    overridePath: schemas/* boolean */.zMY().optional(),
    skipFallback: schemas/* boolean */.zMY().optional(),
});
const RegistryMirrorsSchema = schemas/* record */.g1P(schemas/* string */.YjP(), RegistryMirrorSchema)
    .superRefine((mirrors, ctx) => {
    // A refused key is reported at the key itself (zod's own record-key issue names no rule).
    for (const host of Object.keys(mirrors).filter((key) => !REGISTRY_HOST_REGEX.test(key))) {
        ctx.addIssue({
            code: 'custom',
            path: [host],
            message: explain(`${(0,echo/* echoed */.Dt)(host)} is not a registry host (host[:port], the first segment of an image name, or * for every registry)`, 'write e.g. docker.io, ghcr.io, registry.k8s.io or *'),
        });
    }
})
    .optional()
    .describe('Pull-through mirrors per registry (Talos machine.registries.mirrors): endpoints tried in order, then the ' +
    'registry itself unless skipFallback is true.');
const ExtraDiskSchema = schemas/* strictObject */.rej({
    sizeGiB: integer(1, 65536, 'an extra disk size (GiB)'),
});
/** A node group's fields without defaults, so an overlay's partial group never resets a base field. */
function nodeGroupFields(role, minCount, maxCount) {
    const tooFew = minCount > 0
        ? explain(`a cluster needs at least ${minCount} ${role}`, `set count to ${minCount} or more (3 for high availability)`)
        : explain(`${role} count cannot be negative`, 'set count to 0 or more');
    const tooMany = explain(`at most ${maxCount} ${role}s per cluster are supported`, `set count to ${maxCount} or less`);
    return {
        count: schemas/* int */.Whr().min(minCount, tooFew).max(maxCount, tooMany),
        cores: integer(1, 128, 'cores'),
        memoryMiB: integer(1024, 1048576, 'memoryMiB'),
        diskGiB: integer(10, 65536, 'diskGiB (Talos needs at least 10 GiB)'),
        extraDisks: schemas/* array */.YOg(ExtraDiskSchema)
            .max(8, explain('at most 8 extra disks per VM', 'remove some extraDisks')),
    };
}
const controlPlaneFields = nodeGroupFields('control plane', 1, 9);
const workerFields = nodeGroupFields('worker', 0, 99);
const ControlPlanesSchema = schemas/* strictObject */.rej({
    ...controlPlaneFields,
    extraDisks: controlPlaneFields.extraDisks.default([]),
});
const WorkersSchema = schemas/* strictObject */.rej({ ...workerFields, extraDisks: workerFields.extraDisks.default([]) });
const ClusterSchema = schemas/* strictObject */.rej({
    name: schemas/* string */.YjP()
        .max(32, explain('a cluster name is at most 32 characters (Cilium cluster.name)', 'shorten the name'))
        .regex(CLUSTER_NAME_REGEX, explain('a cluster name must be lower-case letters, digits and "-", starting and ending with a letter or digit (Cilium cluster.name)', 'use a name like east or west-2'))
        .refine((name) => name !== 'default', explain('"default" is reserved by Cilium', 'pick another name, e.g. east')),
    id: integer(1, 255, 'a Cilium cluster id'),
    network: schemas/* strictObject */.rej({
        vlan: integer(1, 4094, 'vlan'),
        cidr: cidr(),
        gateway: schema_fields_ipv4(),
        dns: schemas/* array */.YOg(schema_fields_ipv4())
            .min(1, explain('dns needs at least one server', 'list a resolver, e.g. [192.168.15.1]')),
        addressPool: addressRange(),
    }),
    pods: cidr(),
    services: cidr(),
    controlPlanes: ControlPlanesSchema,
    workers: WorkersSchema,
});
const ClusterOverlaySchema = schemas/* strictObject */.rej({
    vip: schema_fields_ipv4().optional(),
    controlPlanes: schemas/* strictObject */.rej(controlPlaneFields).partial().optional(),
    workers: schemas/* strictObject */.rej(workerFields).partial().optional(),
});
const slotIndex = () => schemas/* int */.Whr().min(0, explain('a slot is a number from 0', 'write 0 or a higher slot number below slots.count'));
const EnvironmentFields = {
    /** Pins the slot: stable VMIDs and addresses. Only production may pin (rules.ts explains why). */
    slot: slotIndex().optional(),
    clusters: schemas/* record */.g1P(schemas/* string */.YjP(), ClusterOverlaySchema).optional(),
};
const ProductionSchema = schemas/* strictObject */.rej({
    branch: patterned(BRANCH_REGEX, 'a branch name', 'write the branch whose pushes converge production, e.g. main'),
    /**
     * Production's slot and lock pools in a parent pool of their own, where the preview tier's token has no
     * ACL: the boundary between the tiers (runner-setup/README.md "Two trust tiers"). Unset: proxmox.slots.poolPrefix.
     */
    poolPrefix: poolPrefix("write e.g. aggrik8s-production/slot (production's slot in its own parent pool aggrik8s-production, which the operator creates)")
        .optional()
        .describe("Pool id prefix of production's slot and lock pools, in a parent pool of its own that the preview token " +
        'cannot reach, e.g. aggrik8s-production/slot. Unset: production shares proxmox.slots.poolPrefix with the previews.'),
    ...EnvironmentFields,
});
/** The most one preview twin may take, summed over its VMs; each limit is optional (quota.ts enforces it). */
const QuotaSchema = schemas/* strictObject */.rej({
    vms: integer(1, 10000, 'quota.vms').optional(),
    cores: integer(1, 1000000, 'quota.cores').optional(),
    memoryMiB: integer(1024, 1073741824, 'quota.memoryMiB').optional(),
    diskGiB: integer(10, 1073741824, 'quota.diskGiB').optional(),
})
    .optional()
    .describe('The most one preview twin may take, summed over all its VMs: vms, cores, memoryMiB, diskGiB (system and ' +
    'extra disks). A preview that asks more is refused at admission, before any change.');
const PreviewSchema = schemas/* strictObject */.rej({
    ttlHours: integer(1, 8760, 'ttlHours'),
    quota: QuotaSchema,
    keepLabel: patterned(/^[^\s,](?:[^,\n]{0,48}[^\s,])?$/, 'a GitHub label name (1-50 characters, no comma, no blank at either end)', 'write the label, e.g. keep')
        .default('keep')
        .describe('A pull request carrying this label keeps its preview past ttlHours (it still goes when the PR closes).'),
    longLived: schemas/* array */.YOg(patterned(/^(?!production$)[a-z][a-z0-9-]{0,22}[a-z0-9]$/, 'a preview twin name (lower-case letters, digits and "-", 2-24 characters, not production)', 'write the name the twin is dispatched with, e.g. demo'))
        .default([])
        .describe('Preview twins the reaper never destroys for their age, e.g. a demo: named, long-lived twins.'),
    ...EnvironmentFields,
});
const TwinSpecSchema = schemas/* strictObject */.rej({
    version: schemas/* literal */.euz(1, explain('version must be 1', 'write version: 1')),
    project: patterned(PROJECT_REGEX, 'a project name: lower-case letters, digits and "-", at most 24 characters, starting with a letter or digit', 'use a short tag-safe name, e.g. aggrik8s'),
    proxmox: schemas/* strictObject */.rej({
        nodes: schemas/* array */.YOg(patterned(PVE_NODE, 'a Proxmox node name', 'write the node name as Proxmox shows it, e.g. pve1'))
            .min(1, explain('nodes needs at least one Proxmox node', 'list the nodes twins may use, e.g. [pve1]')),
        storage: schemas/* strictObject */.rej({
            images: patterned(PVE_STORAGE_ID, 'a Proxmox storage id', 'write a storage id, e.g. local'),
            disks: patterned(PVE_STORAGE_ID, 'a Proxmox storage id', 'write a storage id, e.g. local-lvm'),
        }),
        network: schemas/* strictObject */.rej({
            bridge: patterned(PVE_BRIDGE_ID, 'a Proxmox bridge name', 'write a bridge, e.g. vmbr0'),
        }),
        slots: schemas/* strictObject */.rej({
            count: integer(1, 64, 'slots.count'),
            poolPrefix: poolPrefix('write e.g. aggrik8s/slot (slots nested in the parent pool aggrik8s, which the operator creates)'),
            vmidBase: integer(100, 999999999, 'vmidBase (a Proxmox VMID)'),
            vmidsPerSlot: integer(1, 1000000, 'vmidsPerSlot'),
        }),
    }),
    talos: schemas/* strictObject */.rej({
        version: patterned(TALOS_VERSION_REGEX, 'a supported Talos version: the v1.11, v1.12 and v1.13 series', 'write e.g. v1.13.9 (the latest v1.13 release this toolkit knows)'),
        kubernetesVersion: patterned(KUBERNETES_VERSION_REGEX, 'a Kubernetes version some supported Talos release takes (1.29 to 1.36)', 'write e.g. 1.36.3 (the Talos v1.13.9 default)'),
        schematic: patterned(SCHEMATIC_REGEX, 'an Image Factory schematic id (64 lower-case hex characters)', 'copy the id that factory.talos.dev shows for your extensions'),
        extensions: schemas/* array */.YOg(patterned(EXTENSION_REGEX, 'an extension name', 'write it as Image Factory lists it, e.g. siderolabs/qemu-guest-agent')),
        arch: schemas/* enum */.k5n(['amd64', 'arm64'], explain('arch must be amd64 or arm64', 'write amd64 or arm64')),
        /** sha256 of the nocloud image of this version, schematic and arch: PVE's download-url checks it. */
        imageSha256: patterned(SHA256_REGEX, 'the sha256 of the Talos nocloud image of this version, schematic and arch (64 lower-case hex characters)', 'compute it from the image you checked, e.g. curl -fsSL <image URL> | sha256sum').optional(),
        timeServers: TimeServersSchema,
        registryMirrors: RegistryMirrorsSchema,
    }),
    cilium: schemas/* strictObject */.rej({
        version: patterned(CILIUM_VERSION_REGEX, 'a supported Cilium version: the 1.19 and 1.20 series', 'write e.g. 1.20.0'),
    }),
    clusters: schemas/* array */.YOg(ClusterSchema)
        .min(1, explain('clusters needs at least one cluster', 'declare a cluster (two for a mesh)')),
    addons: schemas/* strictObject */.rej({
        rook: schemas/* strictObject */.rej({
            enabled: schemas/* boolean */.zMY(),
            version: patterned(CHART_VERSION_REGEX, 'a chart version', 'write e.g. v1.18.8'),
        }),
        starwars: schemas/* strictObject */.rej({
            enabled: schemas/* boolean */.zMY(),
            /** Optional Cilium global-service checks beyond reach and failover (CONTRACTS C.5). */
            extraChecks: schemas/* array */.YOg(schemas/* enum */.k5n(['shared', 'affinity'], {
                error: explain('an extra check is shared or affinity', 'write shared and/or affinity'),
            }))
                .default([]),
        }),
        tetragon: schemas/* strictObject */.rej({
            enabled: schemas/* boolean */.zMY(),
            version: patterned(CHART_VERSION_REGEX, 'a chart version', 'write e.g. 1.5.0'),
        })
            .optional(),
        extras: schemas/* strictObject */.rej({
            releases: schemas/* array */.YOg(ExtraReleaseSchema).default([]),
            manifests: schemas/* array */.YOg(patterned(RELATIVE_PATH_REGEX, 'a path inside the repository', 'write a relative path without "..", e.g. deploy/apps'))
                .default([]),
        })
            .default({ releases: [], manifests: [] }),
    }),
    environments: schemas/* strictObject */.rej({
        production: ProductionSchema,
        preview: PreviewSchema,
    }),
});
const ENVIRONMENT_NAMES = ['production', 'preview'];

;// CONCATENATED MODULE: ./src/spec/derived.ts



/** Values computed from the spec that several modules (rules, planner, allocation) must agree on. */
const PROXMOX_MAX_VMID = 999_999_999;
/** Every shape a cluster takes: the base spec and each environment's overlay of it. */
function clusterVariants(spec, cluster) {
    return ENVIRONMENT_NAMES.map((environment) => applyOverlay(cluster, spec.environments[environment].clusters?.[cluster.name]));
}
function findCluster(spec, clusterName) {
    const cluster = spec.clusters.find((candidate) => candidate.name === clusterName);
    if (!cluster)
        throw new RangeError(`the spec has no cluster named ${clusterName}`);
    return cluster;
}
function largest(groups) {
    return Math.max(0, ...groups.map((group) => group.count));
}
/** The most control planes and the most workers any environment asks of this cluster. */
function derived_maxGroupCounts(spec, clusterName) {
    const variants = clusterVariants(spec, findCluster(spec, clusterName));
    return {
        controlPlanes: largest(variants.map((variant) => variant.controlPlanes)),
        workers: largest(variants.map((variant) => variant.workers)),
    };
}
/** One VIP plus the most control planes and the most workers any environment asks of this cluster. */
function addressesNeeded(spec, clusterName) {
    const most = derived_maxGroupCounts(spec, clusterName);
    return 1 + most.controlPlanes + most.workers;
}
/** Addresses each slot gets: the pool split evenly, the remainder left unused. */
function slotBlockSize(cluster, slots) {
    return Math.floor((0,ipv4/* rangeSize */.xh)((0,ipv4/* parseRange */.RC)(cluster.network.addressPool)) / slots.count);
}
/** The slot's address block in this cluster's node network; the VIP comes first, then control planes, then workers. */
function derived_slotBlock(cluster, slots, slot) {
    requireSlot(slots, slot);
    const size = slotBlockSize(cluster, slots);
    return { first: formatIpv4(parseRange(cluster.network.addressPool).first + slot * size), size };
}
/**
 * The VMIDs one slot must hold: each cluster's most control planes and workers of any environment, since
 * a slot reserves that many per cluster whichever environment uses it.
 */
function maxVmsPerTwin(spec) {
    return spec.clusters.reduce((total, cluster) => {
        const most = derived_maxGroupCounts(spec, cluster.name);
        return total + most.controlPlanes + most.workers;
    }, 0);
}
/** The VMIDs slot `slot` owns, inclusive. */
function derived_slotVmidRange(slots, slot) {
    requireSlot(slots, slot);
    const first = slots.vmidBase + slot * slots.vmidsPerSlot;
    return { first, last: first + slots.vmidsPerSlot - 1 };
}
/** The highest VMID any slot may use; the spec is invalid when it passes Proxmox's limit. */
function highestVmid(slots) {
    return slots.vmidBase + slots.count * slots.vmidsPerSlot - 1;
}
function requireSlot(slots, slot) {
    if (!Number.isInteger(slot) || slot < 0 || slot >= slots.count) {
        throw new RangeError(`slot ${slot} is outside 0..${slots.count - 1}`);
    }
}

;// CONCATENATED MODULE: ./src/sizing/allocatable.ts
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
    const offered = allocatable('worker', worker);
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

// EXTERNAL MODULE: ./src/mesh/mesh-check.ts
var mesh_check = __webpack_require__(7229);
;// CONCATENATED MODULE: ./src/util/quantity.ts
/**
 * Kubernetes resource quantities as the twin writes them: CPU in millicores (`250m`, `1`, `0.5`),
 * memory in binary units (`512Mi`, `2Gi`, `1536Ki`) or decimal ones (`50M`, `1G`).
 */
const CPU = /^(\d+(?:\.\d+)?)(m?)$/;
const MEMORY = /^(\d+(?:\.\d+)?)(Ki|Mi|Gi|Ti|k|M|G|T)?$/;
const MIB = 1024 * 1024;
const BYTES = {
    '': 1,
    Ki: 1024,
    Mi: MIB,
    Gi: 1024 * MIB,
    Ti: 1024 * 1024 * MIB,
    k: 1e3,
    M: 1e6,
    G: 1e9,
    T: 1e12,
};
function cpuMilli(quantity) {
    const match = CPU.exec(String(quantity));
    if (!match)
        throw new Error(`"${quantity}" is not a CPU quantity (e.g. 250m or 1)`);
    const value = Number(match[1]);
    return Math.ceil(match[2] === 'm' ? value : value * 1000);
}
/** Rounded up to whole MiB: a request is never understated. */
function memoryMiB(quantity) {
    const match = MEMORY.exec(String(quantity));
    if (!match)
        throw new Error(`"${quantity}" is not a memory quantity (e.g. 512Mi or 2Gi)`);
    return Math.ceil((Number(match[1]) * BYTES[match[2] ?? '']) / MIB);
}
function formatCpu(milli) {
    return `${milli}m`;
}
function formatMemory(mib) {
    return `${mib}Mi`;
}

;// CONCATENATED MODULE: ./src/sizing/pod-requests.ts

/** What a pod counts against a node's allocatable, read from the objects and values the twin renders. */
const NO_REQUESTS = { cpuMilli: 0, memoryMiB: 0 };
function addResources(a, b) {
    return { cpuMilli: a.cpuMilli + b.cpuMilli, memoryMiB: a.memoryMiB + b.memoryMiB };
}
function scaleResources(each, count) {
    return { cpuMilli: each.cpuMilli * count, memoryMiB: each.memoryMiB * count };
}
/** A container's `resources.requests`; a missing request counts as 0 for the fit check (LIFECYCLE G.1). */
function containerRequests(resources) {
    const requests = resources?.requests;
    return {
        cpuMilli: requests?.cpu === undefined ? 0 : cpuMilli(requests.cpu),
        memoryMiB: requests?.memory === undefined ? 0 : memoryMiB(requests.memory),
    };
}
/** Effective request = max(sum of the app containers, the largest init container), per resource (G.1). */
function podRequests(spec) {
    const app = (spec.containers ?? [])
        .map((c) => containerRequests(c.resources))
        .reduce(addResources, NO_REQUESTS);
    const init = (spec.initContainers ?? []).map((c) => containerRequests(c.resources));
    return {
        cpuMilli: Math.max(app.cpuMilli, ...init.map((r) => r.cpuMilli)),
        memoryMiB: Math.max(app.memoryMiB, ...init.map((r) => r.memoryMiB)),
    };
}
/** The Deployments among `objects`, each with its replicas and its pods' effective request. */
function deploymentPods(objects) {
    return objects
        .filter((object) => object.kind === 'Deployment')
        .map((object) => {
        const spec = object.spec;
        return {
            name: object.metadata.name,
            replicas: spec.replicas ?? 1,
            each: podRequests(spec.template?.spec ?? {}),
        };
    });
}

;// CONCATENATED MODULE: ./src/sizing/rook-load.ts


/** ceph-csi-operator's controller-manager (subchart v0.4.1 values lines 7-32); the twin keeps its default. */
const CSI_OPERATOR_REQUESTS = { cpuMilli: 10, memoryMiB: 64 };
function rookPodsOnFullestWorker(clusterValues, operatorValues) {
    const spec = clusterValues.cephClusterSpec;
    const operator = operatorValues;
    if (operator.csi.enableCephfsDriver !== false) {
        throw new Error('the capacity check counts the RBD driver only, but the rendered values enable CephFS');
    }
    const daemon = (key) => {
        if (!(key in spec.resources)) {
            throw new Error(`the rendered Rook values lack cephClusterSpec.resources.${key}: the chart default would apply`);
        }
        return containerRequests(spec.resources[key]);
    };
    const log = spec.logCollector?.enabled === false ? NO_REQUESTS : daemon('logcollector');
    const osds = Math.max(0, ...spec.storage.nodes.map((node) => node.devices.length));
    const mgrSidecar = spec.mgr.count > 1 ? daemon('mgr-sidecar') : NO_REQUESTS;
    const replicas = operator.csi.provisionerReplicas;
    const pods = [
        { what: 'Rook osd', count: osds, each: addResources(daemon('osd'), log) },
        { what: 'Rook osd-prepare job', count: osds > 0 ? 1 : 0, each: daemon('prepareosd') },
        { what: 'Rook mon', count: perNode(spec.mon), each: addResources(daemon('mon'), log) },
        {
            what: 'Rook mgr',
            count: perNode(spec.mgr),
            each: [daemon('mgr'), mgrSidecar, log].reduce(addResources),
        },
        {
            what: 'Rook crash collector',
            count: spec.crashCollector?.disable === true ? 0 : 1,
            each: daemon('crashcollector'),
        },
        { what: 'Rook exporter', count: 1, each: daemon('exporter') },
        { what: 'Rook operator', count: 1, each: containerRequests(operator.resources) },
        { what: 'ceph-csi operator', count: 1, each: CSI_OPERATOR_REQUESTS },
        { what: 'RBD nodeplugin', count: 1, each: csiPodRequests(operator.csi.csiRBDPluginResource) },
        {
            what: 'RBD provisioner',
            count: replicas,
            each: csiPodRequests(operator.csi.csiRBDProvisionerResource),
        },
    ];
    return pods.filter((pods) => pods.count > 0);
}
/** Rook spreads mons and mgrs one per node unless told otherwise; then all of them may share one. */
function perNode(daemon) {
    return daemon.allowMultiplePerNode ? daemon.count : Math.min(1, daemon.count);
}
/** A csi.*Resource string: every listed container runs in the pod (the twin lists only those it deploys). */
function csiPodRequests(list) {
    const containers = (0,dist/* parse */.qg)(list);
    return containers
        .map((container) => containerRequests(container.resource))
        .reduce(addResources, NO_REQUESTS);
}

;// CONCATENATED MODULE: ./src/sizing/node-load.ts






/** kube-apiserver 200m/512Mi, kube-controller-manager 50m/256Mi, kube-scheduler 10m/64Mi (F.7). */
const TALOS_CONTROL_PLANE = {
    what: 'Talos control plane pods',
    count: 1,
    each: { cpuMilli: 260, memoryMiB: 832 },
};
/** The install-cni-binaries init container is the agent pod's effective request (I.3). */
const CILIUM_AGENT = { what: 'Cilium agent', count: 1, each: { cpuMilli: 100, memoryMiB: 10 } };
/**
 * Talos' CoreDNS: 2 replicas (F.7). Counted on both roles, both on one node: whether Talos' template
 * tolerates the control-plane taint was not read, and nothing forces the two apart.
 */
const COREDNS = { what: 'CoreDNS', count: 2, each: { cpuMilli: 100, memoryMiB: 70 } };
function clusterNodeLoads(input) {
    const anywhere = [COREDNS, ...demoPods(input)];
    const hasWorkers = input.workers.count > 0;
    // Without workers Talos lets pods onto the control planes (allowSchedulingOnControlPlanes).
    const controlPlane = [TALOS_CONTROL_PLANE, CILIUM_AGENT, ...(hasWorkers ? [COREDNS] : anywhere)];
    const loads = [nodeLoad(input.cluster, 'controlplane', input.controlPlanes, controlPlane)];
    if (hasWorkers) {
        loads.push(nodeLoad(input.cluster, 'worker', input.workers, [CILIUM_AGENT, ...anywhere, ...rookPods(input)]));
    }
    return loads;
}
function nodeLoad(cluster, role, vm, pods) {
    const size = { cores: vm.cores, memoryMiB: vm.memoryMiB };
    return {
        cluster,
        role,
        vm: size,
        allocatable: allocatable(role, size),
        pods,
        requested: pods.map((p) => scaleResources(p.each, p.count)).reduce(addResources, NO_REQUESTS),
    };
}
/** The Star Wars demo and the mesh check, read from their manifests (each pod asks 10m/16Mi). */
function demoPods(input) {
    const objects = [
        ...(input.starwars ? (0,starwars/* starwarsManifests */.qc)(input.cluster) : []),
        ...(input.meshClusters.length > 1 ? (0,mesh_check/* meshCheckManifests */.s4)(input.cluster, input.meshClusters) : []),
    ];
    return deploymentPods(objects).map((pods) => ({ what: pods.name, count: pods.replicas, each: pods.each }));
}
/** Rook needs a worker with a disk for an OSD; without one it is not installed (and render refuses it). */
function rookPods(input) {
    const { workers } = input;
    if (!input.rook || workers.extraDisks === 0)
        return [];
    const workerVm = { cores: workers.cores, memoryMiB: workers.memoryMiB };
    const names = Array.from({ length: workers.count }, (_, i) => ({
        name: `w${i + 1}`,
        extraDisks: workers.extraDisks,
    }));
    return rookPodsOnFullestWorker(rookClusterValues({ cluster: input.cluster, workers: names, workerVm }), rookOperatorValues(workerVm));
}

;// CONCATENATED MODULE: ./src/spec/node-sizing-rules.ts



/**
 * Refuses a twin whose nodes cannot hold what the twin places on them, before any VM exists: for each
 * environment, cluster and role, the fullest node's requests (sizing/node-load.ts) against its
 * allocatable. Above HEADROOM_SHARE it still fits, with a warning: extras and Tetragon are not counted.
 */
const HEADROOM_SHARE = 0.8;
const GROUP = {
    controlplane: 'controlPlanes',
    worker: 'workers',
};
const FIELD = { cpu: 'cores', memory: 'memoryMiB' };
const MAX_CORES = 128;
const MEMORY_STEP_MIB = 512;
const MAX_SUGGESTED_MIB = 262144;
/** What one cluster of one environment asks for, from the spec with that environment's overlay. */
function clusterSizing(spec, cluster) {
    const { controlPlanes, workers } = cluster;
    return {
        cluster: cluster.name,
        // Unique: a repeated name is its own error (rules.ts) and must not stop this check.
        meshClusters: [...new Set(spec.clusters.map((candidate) => candidate.name))],
        controlPlanes: {
            count: controlPlanes.count,
            cores: controlPlanes.cores,
            memoryMiB: controlPlanes.memoryMiB,
        },
        workers: {
            count: workers.count,
            cores: workers.cores,
            memoryMiB: workers.memoryMiB,
            extraDisks: workers.extraDisks.length,
        },
        rook: spec.addons.rook.enabled,
        starwars: spec.addons.starwars.enabled,
    };
}
function nodeSizingIssues(spec) {
    const byText = new Map();
    spec.clusters.forEach((base, index) => {
        for (const environment of ENVIRONMENT_NAMES) {
            const overlay = spec.environments[environment].clusters?.[base.name];
            const sizing = clusterSizing(spec, applyOverlay(base, overlay));
            for (const load of clusterNodeLoads(sizing)) {
                for (const resource of ['cpu', 'memory']) {
                    const group = GROUP[load.role];
                    const field = FIELD[resource];
                    const path = overlay?.[group]?.[field] !== undefined
                        ? ['environments', environment, 'clusters', base.name, group, field]
                        : ['clusters', index, group, field];
                    const issue = checkResource(sizing, load, resource, path);
                    if (!issue)
                        continue;
                    // Environments that resolve to the same node and figures share one issue.
                    const key = JSON.stringify(issue);
                    const seen = byText.get(key);
                    if (seen)
                        seen.environments.push(environment);
                    else
                        byText.set(key, { issue, environments: [environment] });
                }
            }
        }
    });
    return [...byText.values()].map(({ issue, environments }) => ({
        ...issue,
        message: issue.message.replace(ENVIRONMENTS, environmentLabel(environments)),
    }));
}
const ENVIRONMENTS = '\u0000environments';
function environmentLabel(environments) {
    return environments.map((name) => (name === 'preview' ? 'previews' : name)).join(' and ');
}
function checkResource(sizing, load, resource, path) {
    const offered = amount(load.allocatable, resource);
    const placed = amount(load.requested, resource);
    const node = `cluster ${sizing.cluster} (${ENVIRONMENTS}): ${article(load.role)} (${load.vm.cores} vCPU, ${load.vm.memoryMiB} MiB)`;
    const what = `${format(offered, resource)} ${resource === 'cpu' ? 'CPU' : 'memory'} allocatable`;
    const field = pathText(path);
    const rook = load.pods.some((pods) => pods.what.startsWith('Rook'))
        ? ', or turn addons.rook.enabled off'
        : '';
    if (placed > offered) {
        return {
            severity: 'error',
            path,
            message: `${node} has ${what} but the twin may place ${format(placed, resource)} there ` +
                `(${breakdown(load, resource)}): ${format(placed - offered, resource)} short`,
            fix: `${growth(sizing, load.role, resource, field)}${rook}`,
        };
    }
    if (placed > offered * HEADROOM_SHARE) {
        return {
            severity: 'warning',
            path,
            message: `${node} has ${what} and the twin places ${format(placed, resource)} there ` +
                `(${Math.round((100 * placed) / offered)}%): less than ${Math.round(100 * (1 - HEADROOM_SHARE))}% is left ` +
                'for the extras and Tetragon, whose requests are not counted',
            fix: roomyGrowth(sizing, load.role, resource, field),
        };
    }
    return undefined;
}
function roomyGrowth(sizing, role, resource, field) {
    const roomy = smallestFit(sizing, role, resource, HEADROOM_SHARE);
    return roomy === undefined ? `raise ${field}` : `set ${field} to ${roomy} or more`;
}
function growth(sizing, role, resource, field) {
    const fits = smallestFit(sizing, role, resource, 1);
    const roomy = smallestFit(sizing, role, resource, HEADROOM_SHARE);
    if (fits === undefined)
        return `raise ${field}`;
    const headroom = roomy !== undefined && roomy !== fits
        ? ` (${roomy} leaves ${Math.round(100 * (1 - HEADROOM_SHARE))}% headroom)`
        : '';
    return `set ${field} to ${fits} or more${headroom}`;
}
/**
 * The least cores or memory (in 512 MiB steps) at which the node's requests stay within `share` of its
 * allocatable. Rook's tier may grow with the node, so every candidate is placed again.
 */
function smallestFit(sizing, role, resource, share) {
    const group = GROUP[role];
    const current = sizing[group][FIELD[resource]];
    const candidates = resource === 'cpu'
        ? range(current + 1, MAX_CORES, 1)
        : range(Math.ceil((current + 1) / MEMORY_STEP_MIB) * MEMORY_STEP_MIB, MAX_SUGGESTED_MIB, MEMORY_STEP_MIB);
    return candidates.find((value) => {
        const grown = { ...sizing, [group]: { ...sizing[group], [FIELD[resource]]: value } };
        const load = clusterNodeLoads(grown).find((candidate) => candidate.role === role);
        return amount(load.requested, resource) <= amount(load.allocatable, resource) * share;
    });
}
function range(from, to, step) {
    return Array.from({ length: Math.max(0, Math.floor((to - from) / step) + 1) }, (_, i) => from + i * step);
}
function amount(resources, resource) {
    return resource === 'cpu' ? resources.cpuMilli : resources.memoryMiB;
}
function format(value, resource) {
    return resource === 'cpu' ? `${value}m` : `${value}Mi`;
}
function article(role) {
    return role === 'worker' ? 'a worker' : 'a control plane';
}
/** `clusters[0].workers.cores`, as twin.yaml issues name fields. */
function pathText(path) {
    return path
        .map((part, i) => (typeof part === 'number' ? `[${part}]` : i === 0 ? part : `.${part}`))
        .join('');
}
const BREAKDOWN_ENTRIES = 6;
/** The pods that make up the sum, largest first: `Rook osd 500m, CoreDNS 2×100m, ..., 7 more 90m`. */
function breakdown(load, resource) {
    const total = (pods) => amount(pods.each, resource) * pods.count;
    const sorted = load.pods.filter((pods) => total(pods) > 0).sort((a, b) => total(b) - total(a));
    const rest = sorted.slice(BREAKDOWN_ENTRIES);
    const more = rest.length > 0
        ? [
            `${rest.length} more ${format(rest.map(total).reduce((a, b) => a + b, 0), resource)}`,
        ]
        : [];
    return [...sorted.slice(0, BREAKDOWN_ENTRIES).map((pods) => describePods(pods, resource)), ...more].join(', ');
}
function describePods(pods, resource) {
    return `${pods.what} ${pods.count > 1 ? `${pods.count}×` : ''}${format(amount(pods.each, resource), resource)}`;
}

;// CONCATENATED MODULE: ./src/spec/pools.ts
/** The prefix of the pools a twin of `environment` creates and names: its slot `<prefix>-<k>` and its lock. */
function pools_poolPrefixOf(spec, environment) {
    const own = environment === 'production' ? spec.environments.production.poolPrefix : undefined;
    return own ?? spec.proxmox.slots.poolPrefix;
}
/** Every prefix a twin of this spec may hold a slot under, the previews' first; where claims are listed. */
function pools_slotPoolPrefixes(spec) {
    return [...new Set([pools_poolPrefixOf(spec, 'preview'), pools_poolPrefixOf(spec, 'production')])];
}
/**
 * The pool whose ACL reaches every pool of a prefix: its parent (`aggrik8s/slot` -> `aggrik8s`), or
 * undefined for a flat prefix, whose pools only `/pool` itself reaches (PVE-PERMISSIONS P.6.4).
 */
function parentPoolOf(poolPrefix) {
    const slash = poolPrefix.lastIndexOf('/');
    return slash < 0 ? undefined : poolPrefix.slice(0, slash);
}
/** Whether an ACL on `/pool/<outer>` (propagated) reaches the pool `inner`: the same pool or one below it. */
function poolReaches(outer, inner) {
    return inner === outer || inner.startsWith(`${outer}/`);
}

;// CONCATENATED MODULE: ./src/spec/pool-rules.ts

const pool_rules_FIELD = ['environments', 'production', 'poolPrefix'];
const EXAMPLE = 'aggrik8s-production/slot';
function productionPoolRules(spec) {
    const production = spec.environments.production;
    if (production.poolPrefix === undefined)
        return [sharedParentWarning(spec)];
    return [
        ...parentRules(production.poolPrefix, spec.proxmox.slots.poolPrefix),
        ...(production.slot === undefined ? [unpinnedSlotError()] : []),
    ];
}
function sharedParentWarning(spec) {
    const parent = parentPoolOf(spec.proxmox.slots.poolPrefix);
    const acl = parent === undefined ? '/pool' : `/pool/${parent}`;
    return {
        severity: 'warning',
        path: ['environments', 'production'],
        message: `production's slot and lock pools share ${acl} with the previews, so the preview token's ACL there ` +
            'reaches production: its VMs, its slot pool and its lock',
        fix: `set environments.production.poolPrefix to a prefix in a parent pool of its own, e.g. ${EXAMPLE}, and ` +
            'grant the preview token nothing there (runner-setup/README.md "Two trust tiers")',
    };
}
function parentRules(productionPrefix, previewPrefix) {
    const productionParent = parentPoolOf(productionPrefix);
    if (productionParent === undefined) {
        return [
            error(`${productionPrefix} has no parent pool, so the ACL that reaches production's pools would be the one on /pool, which reaches every pool`, `nest it in a parent pool of its own, e.g. ${EXAMPLE}`),
        ];
    }
    const previewParent = parentPoolOf(previewPrefix);
    if (previewParent === undefined) {
        return [
            error(`proxmox.slots.poolPrefix ${previewPrefix} has no parent pool, so the preview token needs its rights on /pool, which reaches production's parent pool ${productionParent} too`, "nest the previews' slots in a parent pool, e.g. proxmox.slots.poolPrefix: aggrik8s/slot"),
        ];
    }
    if (!poolReaches(previewParent, productionParent))
        return [];
    return [
        error(`production's parent pool ${productionParent} is ${productionParent === previewParent ? 'the' : 'inside the'} previews' parent pool ${previewParent} (proxmox.slots.poolPrefix ${previewPrefix}), whose ACL reaches it`, `use a parent pool outside ${previewParent}, e.g. ${EXAMPLE}`),
    ];
}
/** A preview cannot see production's pool, so only a pinned slot tells it which slot to leave free. */
function unpinnedSlotError() {
    return {
        severity: 'error',
        path: pool_rules_FIELD,
        message: "it keeps production's slot pool where the preview token cannot see it, " +
            "so previews know production's slot only from the spec, and it has none",
        fix: 'pin production to a slot: add slot: 0 to environments.production',
    };
}
function error(message, fix) {
    return { severity: 'error', path: pool_rules_FIELD, message, fix };
}

;// CONCATENATED MODULE: ./src/spec/rules.ts







const rules_error = (path, message, fix, at) => ({
    severity: 'error',
    path,
    message,
    fix,
    ...(at ? { at } : {}),
});
const warning = (path, message, fix) => ({
    severity: 'warning',
    path,
    message,
    fix,
});
function checkSpecRules(spec) {
    return [
        ...uniqueNodes(spec),
        ...uniqueClusters(spec),
        ...spec.clusters.flatMap((cluster, index) => nodeNetworkRules(cluster, index)),
        ...cidrOverlapRules(spec),
        ...ENVIRONMENT_NAMES.flatMap((environment) => environmentRules(spec, environment)),
        ...capacityRules(spec),
        ...releaseRules(spec),
        ...nodeSizingIssues(spec),
        ...productionPoolRules(spec),
        ...warnings(spec),
    ];
}
/** The Kubernetes release must be one the Talos release runs (LIFECYCLE F.2 support matrix). */
function releaseRules(spec) {
    const { version, kubernetesVersion } = spec.talos;
    const series = talosSeriesOf(version);
    if (!series || talosSupportsKubernetes(version, kubernetesVersion))
        return [];
    return [
        rules_error(['talos', 'kubernetesVersion'], `Kubernetes ${kubernetesVersion} is not a release Talos ${series.series} runs (${series.kubernetesMin} to ${series.kubernetesMax})`, `write a ${series.kubernetesMin}-${series.kubernetesMax} release, e.g. ${series.defaultKubernetes} (the ${series.latest} default), or a talos.version that runs ${kubernetesVersion}`),
    ];
}
function duplicates(values) {
    return values.flatMap((value, index) => (values.indexOf(value) < index ? [index] : []));
}
function uniqueNodes(spec) {
    return duplicates(spec.proxmox.nodes).map((index) => rules_error(['proxmox', 'nodes', index], `node ${spec.proxmox.nodes[index]} is listed twice`, 'remove the repeat'));
}
function uniqueClusters(spec) {
    const names = duplicates(spec.clusters.map((cluster) => cluster.name)).map((index) => rules_error(['clusters', index, 'name'], `cluster name ${spec.clusters[index]?.name} is used twice; Cluster Mesh needs a unique name per cluster`, 'rename one of the clusters'));
    const ids = duplicates(spec.clusters.map((cluster) => cluster.id)).map((index) => rules_error(['clusters', index, 'id'], `cluster id ${spec.clusters[index]?.id} is used twice; Cluster Mesh needs a unique id (1-255) per cluster`, `give this cluster an unused id, e.g. ${Math.max(...spec.clusters.map((cluster) => cluster.id)) + 1}`));
    return [...names, ...ids];
}
/** Addresses a host may take: a /31 or /32 has no network and broadcast address to exclude. */
function hostAddresses(network) {
    return network.prefix <= 30 ? { first: network.first + 1, last: network.last - 1 } : network;
}
/** What is wrong with using `address` as a single host address in `cluster`'s node network, if anything. */
function hostAddressProblem(cluster, address) {
    const network = (0,ipv4/* parseCidr */.GN)(cluster.network.cidr);
    if (!(0,ipv4/* rangeIncludes */.JX)(network, address))
        return `is outside the node network ${cluster.network.cidr}`;
    if (!(0,ipv4/* rangeIncludes */.JX)(hostAddresses(network), address)) {
        return `is the network or broadcast address of ${cluster.network.cidr}`;
    }
    return undefined;
}
function nodeNetworkRules(cluster, index) {
    const at = (field) => ['clusters', index, 'network', field];
    const { gateway, addressPool, cidr } = cluster.network;
    const hosts = (0,ipv4/* formatRange */.Lu)(hostAddresses((0,ipv4/* parseCidr */.GN)(cidr)));
    const issues = [];
    const gatewayProblem = hostAddressProblem(cluster, (0,ipv4/* parseIpv4 */.ni)(gateway));
    if (gatewayProblem) {
        issues.push(rules_error(at('gateway'), `gateway ${gateway} ${gatewayProblem}`, `use the router's address in ${hosts}`));
    }
    const pool = (0,ipv4/* parseRange */.RC)(addressPool);
    if (!(0,ipv4/* rangeContains */.dF)(hostAddresses((0,ipv4/* parseCidr */.GN)(cidr)), pool)) {
        issues.push(rules_error(at('addressPool'), `addressPool ${addressPool} is not inside the host addresses of ${cidr} (${hosts})`, `choose a range within ${hosts}`));
    }
    else if ((0,ipv4/* rangeIncludes */.JX)(pool, (0,ipv4/* parseIpv4 */.ni)(gateway))) {
        issues.push(rules_error(at('gateway'), `gateway ${gateway} lies inside addressPool ${addressPool}; a slot would hand it to a VM`, 'start or end the addressPool so that it leaves the gateway out'));
    }
    return issues;
}
function clusterCidrs(spec, field) {
    return spec.clusters.map((cluster, index) => {
        const text = field === 'network' ? cluster.network.cidr : cluster[field];
        const path = field === 'network' ? ['clusters', index, 'network', 'cidr'] : ['clusters', index, field];
        const label = `${field === 'network' ? 'network.cidr' : field} ${text} of cluster ${cluster.name}`;
        return { path, label, range: (0,ipv4/* parseCidr */.GN)(text) };
    });
}
function cidrOverlapRules(spec) {
    const pods = clusterCidrs(spec, 'pods');
    const services = clusterCidrs(spec, 'services');
    const networks = clusterCidrs(spec, 'network');
    const overlap = (subject, other, why, fix) => (0,ipv4/* rangesOverlap */.g6)(subject.range, other.range)
        ? [rules_error(subject.path, `${subject.label} overlaps ${other.label}${why}`, fix)]
        : [];
    const pickAnother = 'choose a range that overlaps no node network, pod or service CIDR';
    return [
        ...services.flatMap((service, index) => {
            const ownPods = pods[index];
            return ownPods ? overlap(service, ownPods, '', `${pickAnother}, e.g. 10.96.0.0/12`) : [];
        }),
        ...[...pods, ...services].flatMap((cidr) => networks.flatMap((network) => overlap(cidr, network, '; nodes and pods would route to each other', pickAnother))),
        ...pods.flatMap((cidr, index) => pods
            .slice(0, index)
            .flatMap((other) => overlap(cidr, other, '; Cluster Mesh requires distinct pod CIDRs', `${pickAnother}, e.g. the next /16`))),
        ...networks.flatMap((cidr, index) => networks
            .slice(0, index)
            .flatMap((other) => overlap(cidr, other, '; each cluster needs its own node network', 'give each cluster its own subnet'))),
    ];
}
function environmentRules(spec, environment) {
    const settings = spec.environments[environment];
    const base = ['environments', environment];
    const issues = [];
    if (settings.slot !== undefined) {
        if (environment === 'preview') {
            issues.push(rules_error([...base, 'slot'], 'a preview cannot pin a slot: previews take any free slot, and two previews pinned to one slot would collide', 'remove slot from environments.preview'));
        }
        else if (settings.slot >= spec.proxmox.slots.count) {
            issues.push(rules_error([...base, 'slot'], `slot ${settings.slot} does not exist: proxmox.slots.count is ${spec.proxmox.slots.count} (slots 0-${spec.proxmox.slots.count - 1})`, `pin a slot below ${spec.proxmox.slots.count}, e.g. 0`));
        }
    }
    const pinnedVips = Object.entries(settings.clusters ?? {}).filter(([, overlay]) => overlay.vip !== undefined);
    if (settings.slot === undefined && pinnedVips.length > 0) {
        issues.push(rules_error(base, `pins the vip of ${pinnedVips.map(([name]) => name).join(', ')} but not a slot; ` +
            "without a pinned slot the twin's addresses move with whichever slot it gets", environment === 'preview'
            ? 'remove vip from the preview overlays; a preview takes its VIP from its slot'
            : `add slot: 0 to environments.${environment}, or remove the vips`, 'key'));
    }
    for (const [name, overlay] of Object.entries(settings.clusters ?? {})) {
        const path = [...base, 'clusters', name];
        const cluster = spec.clusters.find((candidate) => candidate.name === name);
        if (!cluster) {
            const known = spec.clusters.map((candidate) => candidate.name).join(', ');
            issues.push(rules_error(path, `the overlay names cluster ${name}, which clusters does not declare`, `use one of: ${known}`, 'key'));
            continue;
        }
        if (overlay.vip !== undefined)
            issues.push(...vipRules(cluster, overlay.vip, environment, [...path, 'vip']));
    }
    return issues;
}
function vipRules(cluster, vip, environment, path) {
    const fix = `pick a free address in ${cluster.network.cidr} outside addressPool ${cluster.network.addressPool}`;
    const address = (0,ipv4/* parseIpv4 */.ni)(vip);
    const problem = hostAddressProblem(cluster, address);
    if (problem)
        return [rules_error(path, `${environment} vip ${vip} ${problem}`, fix)];
    if (vip === cluster.network.gateway)
        return [rules_error(path, `${environment} vip ${vip} is the gateway`, fix)];
    if ((0,ipv4/* rangeIncludes */.JX)((0,ipv4/* parseRange */.RC)(cluster.network.addressPool), address)) {
        return [
            rules_error(path, `${environment} vip ${vip} lies inside addressPool ${cluster.network.addressPool}, where it would collide with a slot's addresses`, fix),
        ];
    }
    return [];
}
function capacityRules(spec) {
    const slots = spec.proxmox.slots;
    const issues = spec.clusters.flatMap((cluster, index) => {
        const needed = addressesNeeded(spec, cluster.name);
        const perSlot = slotBlockSize(cluster, slots);
        if (perSlot >= needed)
            return [];
        const poolSize = (0,ipv4/* rangeSize */.xh)((0,ipv4/* parseRange */.RC)(cluster.network.addressPool));
        const slotsThatFit = Math.floor(poolSize / needed);
        return [
            rules_error(['clusters', index, 'network', 'addressPool'], `addressPool ${cluster.network.addressPool} is too small: ${poolSize} addresses over ${slots.count} slots ` +
                `is ${perSlot} per slot, but cluster ${cluster.name} needs ${needed} (1 VIP + the most control planes and workers of any environment)`, `widen addressPool to at least ${needed * slots.count} addresses` +
                (slotsThatFit >= 1 ? ` or lower proxmox.slots.count to ${slotsThatFit}` : '')),
        ];
    });
    const vms = maxVmsPerTwin(spec);
    if (slots.vmidsPerSlot < vms) {
        issues.push(rules_error(['proxmox', 'slots', 'vmidsPerSlot'], `vmidsPerSlot ${slots.vmidsPerSlot} is fewer than the ${vms} VMs a twin has`, `set vmidsPerSlot to at least ${vms} (e.g. 100)`));
    }
    const highest = highestVmid(slots);
    if (highest > PROXMOX_MAX_VMID) {
        issues.push(rules_error(['proxmox', 'slots', 'vmidBase'], `the last slot would use VMID ${highest}, above Proxmox's limit ${PROXMOX_MAX_VMID}`, `lower vmidBase to at most ${PROXMOX_MAX_VMID + 1 - slots.count * slots.vmidsPerSlot}, or lower slots.count or vmidsPerSlot`));
    }
    return issues;
}
function warnings(spec) {
    const evenCount = (path, count) => count % 2 === 0
        ? [
            warning(path, `${count} control planes tolerate no more failures than ${count - 1} (etcd needs a majority)`, `use an odd count, e.g. ${count - 1} or ${count + 1}`),
        ]
        : [];
    const base = spec.clusters.flatMap((cluster, index) => evenCount(['clusters', index, 'controlPlanes', 'count'], cluster.controlPlanes.count));
    const overlays = ENVIRONMENT_NAMES.flatMap((environment) => Object.entries(spec.environments[environment].clusters ?? {}).flatMap(([name, overlay]) => overlay.controlPlanes?.count === undefined
        ? []
        : evenCount(['environments', environment, 'clusters', name, 'controlPlanes', 'count'], overlay.controlPlanes.count)));
    const guestAgent = spec.talos.extensions.includes('siderolabs/qemu-guest-agent')
        ? []
        : [
            warning(['talos', 'extensions'], 'the schematic does not list siderolabs/qemu-guest-agent: Proxmox cannot shut the VMs down cleanly or read their addresses', 'build a schematic with siderolabs/qemu-guest-agent at factory.talos.dev and list it here'),
        ];
    const rookDisks = spec.addons.rook.enabled
        ? spec.clusters.flatMap((cluster, index) => ENVIRONMENT_NAMES.some((environment) => {
            const workers = applyOverlay(cluster, spec.environments[environment].clusters?.[cluster.name]).workers;
            return workers.count > 0 && workers.extraDisks.length === 0;
        })
            ? [
                warning(['clusters', index, 'workers'], `rook is enabled but cluster ${cluster.name} has workers without extraDisks: Ceph has no raw disk for an OSD`, 'add extraDisks: [{ sizeGiB: 100 }] to the workers'),
            ]
            : [])
        : [];
    return [...base, ...overlays, ...guestAgent, ...rookDisks];
}

;// CONCATENATED MODULE: ./src/spec/load.ts










class SpecError extends errors/* ConfigurationError */.j1 {
    issues;
    name = 'SpecError';
    constructor(issues) {
        super(issues.map(formatIssue).join('\n'));
        this.issues = issues;
    }
}
function formatIssue(issue) {
    const where = issue.path ? `${issue.path}: ` : '';
    return `${issue.file}:${issue.line}:${issue.column}: ${issue.severity}: ${where}${issue.message} (fix: ${issue.fix})`;
}
/**
 * Reads and checks twin.yaml, then the files it names (files.ts): actions pass the workspace every one of
 * them must be in; the CLI passes none (see specFolder).
 */
function loadSpec(file, workspace, layoutFile) {
    const layout = layoutFile === undefined
        ? undefined
        : {
            spec: parseSpec(readSpecFile(layoutFile, "the production branch's twin spec", workspace), layoutFile).spec,
            file: layoutFile,
        };
    const loaded = parseSpec(readSpecFile(file, 'the twin spec', workspace), file, layout);
    checkSpecFiles(loaded.spec, specFolder(file, workspace));
    return loaded;
}
/**
 * Parses and checks one spec. With `layout` (the production branch's spec), the layout fields are taken
 * from it (production-layout.ts) before the cross-field rules run, so the rules judge the twin that runs.
 */
function parseSpec(text, file, layout) {
    const lineCounter = new dist/* LineCounter */.HN();
    const document = (0,dist/* parseDocument */.Tp)(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
    const at = (offset) => {
        const { line, col } = lineCounter.linePos(offset);
        return { file, line, column: col };
    };
    const firstSyntaxError = document.errors[0];
    if (firstSyntaxError) {
        // Later YAML errors are usually echoes of the first, so one precise report beats a cascade.
        throw new SpecError([
            { severity: 'error', ...at(firstSyntaxError.pos[0]), ...describeYamlError(firstSyntaxError, text) },
        ]);
    }
    const result = TwinSpecSchema.safeParse(document.toJS(), { reportInput: true });
    if (!result.success) {
        throw new SpecError(sortByPosition(result.error.issues.flatMap((issue) => fromZodIssue(issue, document, text, at))));
    }
    const adopted = layout
        ? adoptProductionLayout(result.data, layout.spec, layout.file)
        : { spec: result.data, issues: [] };
    const issues = [...adopted.issues, ...checkSpecRules(adopted.spec)].map((issue) => fromRuleIssue(issue, document, at));
    const errors = issues.filter((issue) => issue.severity === 'error');
    if (errors.length > 0)
        throw new SpecError(sortByPosition(errors));
    return {
        spec: adopted.spec,
        warnings: sortByPosition(issues.filter((issue) => issue.severity === 'warning')),
    };
}
function sortByPosition(issues) {
    return [...issues].sort((a, b) => a.line - b.line || a.column - b.column);
}
function describeYamlError(error, text) {
    if (error.code === 'DUPLICATE_KEY') {
        const key = /^[^:\n,{}]*/.exec(text.slice(error.pos[0]))?.[0].trim() ?? '';
        return {
            path: '',
            message: `duplicate key ${formatPath([key])}: YAML keeps only one of them`,
            fix: 'remove one of the two entries or merge them',
        };
    }
    return {
        path: '',
        message: `YAML syntax: ${error.message.split('\n')[0]}`,
        fix: 'correct the YAML here (check indentation, colons and quotes)',
    };
}
function fromRuleIssue(issue, document, at) {
    return {
        severity: issue.severity,
        ...at(findOffset(document, issue.path, issue.at ?? 'value')),
        path: formatPath(issue.path),
        message: issue.message,
        fix: issue.fix,
    };
}
function fromZodIssue(issue, document, text, at) {
    const path = issue.path.filter((segment) => typeof segment !== 'symbol');
    if (issue.code === 'unrecognized_keys') {
        const allowed = allowedKeys(path);
        return issue.keys.map((key) => ({
            severity: 'error',
            ...at(findOffset(document, [...path, key], 'key')),
            path: formatPath([...path, key]),
            message: `unknown key ${formatPath([key])}`,
            fix: unknownKeyFix(key, allowed),
        }));
    }
    const own = splitExplanation(issue.message);
    const generic = own.fix === undefined ? genericExplanation(issue, path, sourceText(document, path, text)) : undefined;
    return [
        {
            severity: 'error',
            ...at(findOffset(document, path, 'value')),
            path: formatPath(path),
            message: generic?.message ?? own.message,
            fix: generic?.fix ?? own.fix ?? 'see examples/twin.yaml for a valid value',
        },
    ];
}
function genericExplanation(issue, path, source) {
    const field = path.length > 0 ? String(path[path.length - 1]) : 'the spec';
    if (issue.code === 'invalid_type') {
        const expected = describeExpected(issue.expected);
        if (path.length === 0) {
            return { message: 'the spec is empty or not a mapping', fix: 'start from examples/twin.yaml' };
        }
        if (issue.input === undefined) {
            const parent = path.length > 1 ? ` under ${formatPath(path.slice(0, -1))}` : '';
            return { message: `missing required field ${field}`, fix: `add ${field} (${expected})${parent}` };
        }
        const found = describeFound(issue.input, source);
        const quote = issue.expected === 'string' && typeof issue.input !== 'object'
            ? ` (quote it: ${(0,echo/* echoed */.Dt)(source ?? '')})`
            : '';
        return { message: `${field} must be ${expected}, found ${found}`, fix: `write ${expected}${quote}` };
    }
    return { message: `${field}: ${issue.message}`, fix: 'see examples/twin.yaml for a valid value' };
}
function describeExpected(expected) {
    const names = {
        object: 'a mapping (key: value lines)',
        array: 'a list',
        string: 'text',
        number: 'a number',
        int: 'a whole number',
        boolean: 'true or false',
        record: 'a mapping',
    };
    return names[expected] ?? expected;
}
function describeFound(input, source) {
    if (input === null)
        return 'nothing';
    if (Array.isArray(input))
        return 'a list';
    if (typeof input === 'object')
        return 'a mapping';
    return `${typeof input === 'string' ? 'text' : typeof input} ${(0,echo/* echoed */.Dt)(source ?? input)}`;
}
/** The keys the schema allows at `path`, for "did you mean" hints. */
function allowedKeys(path) {
    let schema = TwinSpecSchema;
    for (const segment of path) {
        schema = unwrap(schema);
        if (schema instanceof schemas/* ZodObject */.bvH)
            schema = schema.shape[segment] ?? schema;
        else if (schema instanceof schemas/* ZodArray */.naA)
            schema = schema.element;
        else if (schema instanceof schemas/* ZodRecord */.b8S)
            schema = schema.valueType;
    }
    schema = unwrap(schema);
    return schema instanceof schemas/* ZodObject */.bvH ? Object.keys(schema.shape) : [];
}
function unwrap(schema) {
    if (schema instanceof schemas/* ZodOptional */.IiU || schema instanceof schemas/* ZodDefault */.XiL)
        return unwrap(schema.unwrap());
    return schema;
}
function unknownKeyFix(key, allowed) {
    const closest = closestMatch(key, allowed);
    if (closest)
        return `did you mean ${closest}?`;
    return allowed.length > 0 ? `remove it; allowed here: ${allowed.join(', ')}` : 'remove it';
}
function formatPath(path) {
    return path
        .map((segment, index) => {
        if (typeof segment === 'number')
            return `[${segment}]`;
        if (!/^[A-Za-z_][\w-]{0,59}$/.test(segment))
            return `[${(0,echo/* echoed */.Dt)(segment)}]`;
        return index === 0 ? segment : `.${segment}`;
    })
        .join('');
}
/**
 * The node at `path`, or where to point when it is missing: at the key that opens the nearest
 * existing parent (a missing field is reported at its parent map), or the document's first node.
 */
function walk(document, path, point) {
    let node = document.contents;
    let parentOffset = node?.range?.[0] ?? 0;
    for (const [index, segment] of path.entries()) {
        if ((0,dist/* isMap */.jh)(node)) {
            const pair = node.items.find((item) => (0,dist/* isScalar */.jn)(item.key) && String(item.key.value) === String(segment));
            if (!pair)
                return { offset: parentOffset };
            const key = pair.key;
            const keyOffset = key.range?.[0] ?? parentOffset;
            if (index === path.length - 1 && point === 'key')
                return { node: key, offset: keyOffset };
            node = pair.value;
            if (!node)
                return { offset: keyOffset };
            parentOffset = keyOffset;
        }
        else if ((0,dist/* isSeq */.oP)(node) && typeof segment === 'number' && node.items[segment]) {
            node = node.items[segment];
            parentOffset = node.range?.[0] ?? parentOffset;
        }
        else {
            return { offset: parentOffset };
        }
    }
    return node ? { node, offset: node.range?.[0] ?? parentOffset } : { offset: parentOffset };
}
function findOffset(document, path, point) {
    return walk(document, path, point).offset;
}
function sourceText(document, path, text) {
    const { node } = walk(document, path, 'value');
    const range = node?.range;
    return range && (0,dist/* isScalar */.jn)(node) ? text.slice(range[0], range[1]) : undefined;
}

;// CONCATENATED MODULE: ./src/twin/context.ts
const REAL_PACE = {
    scale: 1,
    pollMs: 2_000,
    bootTimeoutMs: 10 * 60_000,
    apiTimeoutMs: 10 * 60_000,
    rolloutTimeoutSec: 600,
    nodesReadyTimeoutMs: 10 * 60_000,
    meshTimeoutMs: 10 * 60_000,
    cephTimeoutMs: 30 * 60_000,
    checkTimeoutMs: 3 * 60_000,
};
function scaledPace(scale) {
    if (scale >= 1)
        return REAL_PACE;
    return {
        scale,
        pollMs: Math.max(10, Math.round(REAL_PACE.pollMs * scale)),
        bootTimeoutMs: Math.max(5_000, Math.round(REAL_PACE.bootTimeoutMs * scale)),
        apiTimeoutMs: Math.max(5_000, Math.round(REAL_PACE.apiTimeoutMs * scale)),
        rolloutTimeoutSec: Math.max(5, Math.round(REAL_PACE.rolloutTimeoutSec * scale)),
        nodesReadyTimeoutMs: Math.max(5_000, Math.round(REAL_PACE.nodesReadyTimeoutMs * scale)),
        meshTimeoutMs: Math.max(5_000, Math.round(REAL_PACE.meshTimeoutMs * scale)),
        cephTimeoutMs: Math.max(5_000, Math.round(REAL_PACE.cephTimeoutMs * scale)),
        checkTimeoutMs: Math.max(5_000, Math.round(REAL_PACE.checkTimeoutMs * scale)),
    };
}
/**
 * The pace for this run: the lab's own time scale when the CLI started the lab, else TWIN_PACE_SCALE (set
 * when a runner or a test drives a simulated lab it did not start), else real time.
 */
function paceFor(labTimeScale, env = process.env) {
    const scale = labTimeScale ?? Number(env.TWIN_PACE_SCALE ?? '1');
    return Number.isFinite(scale) && scale > 0 ? scaledPace(scale) : REAL_PACE;
}

// EXTERNAL MODULE: ./src/twin/platform.ts
var platform = __webpack_require__(9215);
// EXTERNAL MODULE: ./src/actions/step-context.ts + 6 modules
var step_context = __webpack_require__(8824);
// EXTERNAL MODULE: ./src/twin/mesh.ts + 6 modules
var mesh = __webpack_require__(5134);
;// CONCATENATED MODULE: ./src/diagnostics/ceph-detail.ts
/**
 * `ceph health detail` as Ceph prints it, from what Rook copies of it into the CephCluster's status
 * (`status.ceph.health` and `status.ceph.details`: each check's code, severity and summary; CONTRACTS D):
 * the health and the summaries joined by "; ", then one `[WRN] CODE: summary` line per check. Rook keeps no
 * per-check detail lines, so none follow them.
 */
function cephHealthDetail(cephCluster) {
    const status = (cephCluster.status ?? {});
    const ceph = status.ceph;
    if (!ceph?.health)
        return "Rook has not written Ceph's health yet (status.ceph is empty)\n";
    const checks = Object.entries(ceph.details ?? {});
    const summaries = checks.map(([, detail]) => detail.message ?? '').filter((message) => message !== '');
    const lines = [
        summaries.length > 0 ? `${ceph.health} ${summaries.join('; ')}` : ceph.health,
        ...checks.map(([code, detail]) => `[${severityTag(detail.severity)}] ${code}: ${detail.message ?? ''}`),
    ];
    return `${lines.join('\n')}\n`;
}
function severityTag(severity) {
    return severity === 'HEALTH_ERR' ? 'ERR' : 'WRN';
}

;// CONCATENATED MODULE: ./src/diagnostics/items.ts

/** Runs `work` for one item; an error, or no answer within `timeoutMs`, becomes the item's failure. */
async function collect(item, timeoutMs, work) {
    const started = Date.now();
    const seconds = () => Math.round((Date.now() - started) / 100) / 10;
    let timer;
    const late = new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs / 1000}s`)), timeoutMs);
    });
    try {
        const content = await Promise.race([work(), late]);
        return { ...item, status: 'ok', seconds: seconds(), content: content === '' ? '(no output)\n' : content };
    }
    catch (error) {
        const { file: _file, ...rest } = item;
        return { ...rest, status: 'failed', note: (0,errors/* errorMessage */.gJ)(error), seconds: seconds(), content: '' };
    }
    finally {
        clearTimeout(timer);
    }
}
/** An item not collected, and why (a node that did not answer its first question, Rook not enabled). */
function skipped(item, why) {
    const { file: _file, ...rest } = item;
    return { ...rest, status: 'skipped', note: why, seconds: 0, content: '' };
}
/** An item whose content is known already (the run's failure, its steps and timings). */
function given(item, content) {
    return { ...item, status: 'ok', seconds: 0, content };
}
/** Rows as text, each column padded to its widest cell, two spaces apart. */
function alignColumns(rows) {
    const widths = [];
    for (const row of rows)
        row.forEach((cell, i) => (widths[i] = Math.max(widths[i] ?? 0, cell.length)));
    const line = (row) => row
        .map((cell, i) => cell.padEnd(widths[i] ?? 0))
        .join('  ')
        .trimEnd();
    return rows.map((row) => `${line(row)}\n`).join('');
}

;// CONCATENATED MODULE: ./src/talos/config.ts




/**
 * The Talos machine-config patches of a twin's cluster, as data (CONTRACTS B.2). `talosctl gen config` lays
 * the common, control-plane and worker patches over its output; `talosctl machineconfig patch` then adds
 * each node's own patch. Patches are strategic merges: maps merge, lists append (except pod and service
 * subnets, which replace), and `machine.network.interfaces` merge by `interface`.
 */
/** KubePrism's port: Talos's default, and where Cilium reaches the API server without kube-proxy (C.1). */
const KUBEPRISM_PORT = 7445;
/** The VMs' boot disk is scsi0 on virtio-scsi, which Talos sees as /dev/sda (B.2). */
const INSTALL_DISK = '/dev/sda';
/**
 * Labels every node with its role. `node-role.kubernetes.io/*` cannot be used: NodeRestriction refuses it to
 * a worker's kubelet, and Talos then applies none of the node's labels (siderolabs/talos#6750).
 */
const ROLE_LABEL = 'aggrik8s.io/role';
/** Talos' own time server (`constants.DefaultNTPServer`, LIFECYCLE F.6), used when the spec names none. */
const DEFAULT_TIME_SERVER = 'time.cloudflare.com';
/** The time servers a cluster's nodes use: the spec's, else Talos' default. */
function timeServersOf(talos) {
    return talos.timeServers ?? [DEFAULT_TIME_SERVER];
}
/** The Kubernetes API endpoint `gen config` writes into every node's config. */
function clusterEndpoint(cluster) {
    return `https://${cluster.vip}:6443`;
}
/**
 * For every node. Cilium replaces both the CNI and kube-proxy, so Talos installs neither. hostDNS is left
 * at its default (forwardKubeDNSToHost on): the Talos guide's known issue with it needs Cilium's
 * bpf.masquerade, which our Cilium values leave off.
 */
function commonPatch(cluster) {
    requireCidr(cluster.pods, `cluster ${cluster.name}: pods`);
    requireCidr(cluster.services, `cluster ${cluster.name}: services`);
    requireText(cluster.installImage, `cluster ${cluster.name}: installImage`);
    return toYaml({
        machine: {
            install: { disk: INSTALL_DISK, image: cluster.installImage },
            features: { kubePrism: { enabled: true, port: KUBEPRISM_PORT } },
            ...timeAndRegistries(cluster),
        },
        cluster: {
            network: { cni: { name: 'none' }, podSubnets: [cluster.pods], serviceSubnets: [cluster.services] },
            proxy: { disabled: true },
        },
    });
}
/**
 * Time servers and registry mirrors, when the spec sets them (LIFECYCLE F.6). Both apply without a reboot,
 * except registry auth, which we never set (F.3).
 */
function timeAndRegistries(cluster) {
    const field = (name) => `cluster ${cluster.name}: ${name}`;
    const patch = {};
    if (cluster.timeServers !== undefined) {
        if (cluster.timeServers.length === 0) {
            throw new ConfigurationError(`${field('timeServers')} is empty: list a server, or leave it out for ${DEFAULT_TIME_SERVER}`);
        }
        patch.time = { servers: [...cluster.timeServers] };
    }
    const mirrors = Object.entries(cluster.registryMirrors ?? {});
    if (mirrors.length > 0) {
        for (const [host, mirror] of mirrors) {
            mirror.endpoints.forEach((endpoint, i) => requireHttpUrl(endpoint, field(`registryMirrors.${host}.endpoints[${i}]`)));
        }
        patch.registries = {
            mirrors: Object.fromEntries(mirrors.map(([host, mirror]) => [host, { ...mirror }])),
        };
    }
    return patch;
}
/**
 * For control planes. Holds nothing that waits on pods (no inline manifests, no kubelet serving-certificate
 * rotation): until Cilium runs, no pod network exists, and such settings would stall the bootstrap.
 */
function controlPlanePatch(cluster) {
    requireCount(cluster.workers, `cluster ${cluster.name}: workers`);
    return toYaml({
        machine: { nodeLabels: { [ROLE_LABEL]: 'control-plane' } },
        cluster: { allowSchedulingOnControlPlanes: cluster.workers === 0 },
    });
}
/** For workers. */
function workerPatch(cluster) {
    requireCount(cluster.workers, `cluster ${cluster.name}: workers`);
    return toYaml({ machine: { nodeLabels: { [ROLE_LABEL]: 'worker' } } });
}
/**
 * One node's identity: hostname and a static eth0 (the nocloud image names the first NIC eth0), the same
 * address the cloud-init drive gave it, so the node keeps its address once configured. Control planes also
 * carry the VIP, which Talos elects through etcd after bootstrap.
 */
function nodePatch(node) {
    const field = (name) => `node ${node.name}: ${name}`;
    requireText(node.name, 'node name');
    requireIpv4(node.address, field('address'));
    requireIpv4(node.gateway, field('gateway'));
    if (!Number.isInteger(node.prefixLength) || node.prefixLength < 1 || node.prefixLength > 32) {
        throw new ConfigurationError(`${field('prefixLength')} ${node.prefixLength} is not a prefix length: use 1-32`);
    }
    if (node.dns.length === 0) {
        throw new ConfigurationError(`${field('dns')} is empty: list at least one resolver`);
    }
    node.dns.forEach((server, i) => requireIpv4(server, field(`dns[${i}]`)));
    const eth0 = {
        interface: 'eth0',
        dhcp: false,
        addresses: [`${node.address}/${node.prefixLength}`],
        routes: [{ network: '0.0.0.0/0', gateway: node.gateway }],
    };
    if (node.role === 'controlplane') {
        if (node.vip === undefined) {
            throw new ConfigurationError(`${field('vip')} is missing: a control plane carries the cluster VIP`);
        }
        requireIpv4(node.vip, field('vip'));
        eth0.vip = { ip: node.vip };
    }
    else if (node.vip !== undefined) {
        throw new ConfigurationError(`${field('vip')} is set on a worker: Talos accepts a VIP on control planes only`);
    }
    return toYaml({ machine: { network: { hostname: node.name, nameservers: node.dns, interfaces: [eth0] } } });
}
function toYaml(patch) {
    return stringify(patch, { lineWidth: 0 });
}
function requireText(value, field) {
    if (value.trim() === '')
        throw new ConfigurationError(`${field} is empty: give a value`);
}
function requireIpv4(value, field) {
    if (!isIpv4(value)) {
        throw new ConfigurationError(`${field} ${echoed(value)} is not an IPv4 address: write e.g. 192.168.15.10`);
    }
}
function requireHttpUrl(value, field) {
    const url = URL.canParse(value) ? new URL(value) : undefined;
    if (!url || (url.protocol !== 'https:' && url.protocol !== 'http:')) {
        throw new ConfigurationError(`${field} ${echoed(value)} is not an http(s) URL: write e.g. https://cache.lab:5000`);
    }
}
function requireCidr(value, field) {
    if (!CIDR_REGEX.test(value)) {
        throw new ConfigurationError(`${field} ${echoed(value)} is not an IPv4 CIDR: write e.g. 10.244.0.0/16`);
    }
}
function requireCount(value, field) {
    if (!Number.isInteger(value) || value < 0) {
        throw new ConfigurationError(`${field} ${value} is not a count: use 0 or more`);
    }
}

;// CONCATENATED MODULE: ./src/talos/lifecycle-output.ts
/**
 * What talosctl prints for the lifecycle commands (LIFECYCLE F.1-F.3, F.9; facts-13 §2 for v1.13), read into
 * data. Kept apart from the wrapper so the parsing is tested on the texts alone.
 */
/**
 * The `Server:` blocks of `talosctl version` (one per node that answered, each with `NODE:` when talosctl went
 * through a proxy, and `Tag:`). A block without NODE belongs to the only node asked.
 */
function parseServerVersions(stdout, asked) {
    const blocks = stdout.split(/^Server:\s*$/m).slice(1);
    const releases = [];
    for (const block of blocks) {
        const tag = field(block, 'Tag');
        const node = field(block, 'NODE') ?? (asked.length === 1 ? asked[0] : undefined);
        if (tag && node)
            releases.push({ node, release: tag });
    }
    return releases;
}
function field(block, name) {
    return new RegExp(`^\\s*${name}:\\s*(\\S+)\\s*$`, 'm').exec(block)?.[1];
}
/**
 * talosctl's per-node failures (`N error(s) occurred:` then `\t* <node>: <why>` lines), by node; a failure
 * that names no node is reported for every node asked.
 */
function parseNodeErrors(stderr, asked) {
    const errors = new Map();
    for (const line of stderr.split('\n')) {
        const match = /^\s*\*\s*([^\s:]+):\s*(.*)$/.exec(line);
        if (match?.[1] && asked.includes(match[1]))
            errors.set(match[1], match[2] ?? '');
    }
    if (errors.size === 0) {
        const reason = stderr.trim().split('\n').pop() ?? 'no answer';
        for (const node of asked)
            errors.set(node, reason);
    }
    return errors;
}
/**
 * The dry-run summary: `Dry run summary:`, the mode's words with `(skipped in dry-run).`, `Config diff:`,
 * then the diff or `No changes.`. talosctl prints it on stderr (helpers.PrintApplyResults), so callers pass
 * both streams.
 */
function parseDryRun(output) {
    if (!/Dry run summary:/.test(output)) {
        throw new Error(`talosctl apply-config --dry-run printed no dry-run summary: ${output.trim().slice(0, 200)}`);
    }
    const reboot = /Applied configuration with a reboot/.test(output);
    const diffStart = output.search(/^--- a\s*$/m);
    const diff = diffStart < 0 ? '' : output.slice(diffStart).trimEnd();
    const changed = !/^No changes\.\s*$/m.test(output) && /^[+-](?![+-]{2} [ab]\s*$)/m.test(diff);
    return { reboot, changed, diff: changed ? diff : '' };
}
/**
 * The keys a unified diff of two YAML configs changes, as dotted paths as far as the hunk shows the parents
 * (a hunk carries only a few lines of context, so the outer keys can be missing): `time.servers`.
 */
function changedKeys(diff, ignore = () => false) {
    const keys = new Set();
    for (const hunk of diff.split(/^@@.*@@.*$/m).slice(1)) {
        const lines = hunk.split('\n').filter((line) => line !== '');
        lines.forEach((line, index) => {
            if (!/^[+-]/.test(line) || ignore(line.slice(1)))
                return;
            keys.add(pathAt(lines, index));
        });
    }
    return [...keys].filter(Boolean);
}
/** The path of the key on `lines[index]`: its own key, then each less indented key above it in the hunk. */
function pathAt(lines, index) {
    const side = lines[index]?.[0];
    const path = [];
    let indent = Infinity;
    for (let i = index; i >= 0; i -= 1) {
        const line = lines[i] ?? '';
        if (i !== index && line[0] !== ' ' && line[0] !== side)
            continue; // the other side's lines
        const text = line.slice(1);
        const depth = text.length - text.trimStart().length;
        if (depth >= indent)
            continue;
        const key = /^\s*(?:- )?([\w.\-/]+):(?:\s|$)/.exec(text)?.[1];
        if (key)
            path.unshift(key);
        indent = depth;
        if (depth === 0)
            break;
    }
    return path.join('.');
}
const REFUSALS = [
    // Another control plane holds the pre-upgrade etcd mutex for its checks (F.1 step 3).
    { pattern: /failed to acquire upgrade mutex: .*/, retryable: true },
    // etcd quorum checks: members not started or not healthy get better; two members never do (F.1 step 3).
    { pattern: /etcd member \S+ is not started, all members must be running.*/, retryable: true },
    { pattern: /etcd member \S+ is not healthy; all members must be healthy.*/, retryable: true },
    { pattern: /etcd member count\(\d+\) is insufficient to maintain quorum.*/, retryable: false },
    // The v1.13 LifecycleService lock (facts-13 §2).
    { pattern: /another installation\/upgrade is already in progress/, retryable: true },
    { pattern: /machine is not installed/, retryable: false },
    // The installer could not be pulled or run (F.1 step 2): a wrong image, or a registry the node cannot reach.
    { pattern: /error validating installer image .*/, retryable: false },
];
/** The synchronous refusal in `talosctl upgrade`'s stderr, if it is one the node gives. */
function parseUpgradeRefusal(stderr) {
    for (const { pattern, retryable } of REFUSALS) {
        const match = pattern.exec(stderr);
        if (match)
            return { reason: match[0].trim(), retryable };
    }
    return undefined;
}
/** `etcd members` table rows after the header; columns are separated by 3+ spaces (tabwriter padding). */
function parseEtcdMembers(stdout) {
    const [header, ...rows] = stdout.split('\n').filter((line) => line.trim() !== '');
    if (!header)
        return [];
    const columns = header.split(/\s{2,}/);
    const at = (name) => columns.indexOf(name);
    return rows.map((line) => {
        const cells = line.split(/\s{2,}/);
        return {
            id: cells[at('ID')] ?? '',
            hostname: cells[at('HOSTNAME')] ?? '',
            peerUrls: (cells[at('PEER URLS')] ?? '').split(',').filter(Boolean),
        };
    });
}

;// CONCATENATED MODULE: ./src/talos/talosctl.ts




/** A repeated bootstrap is refused with gRPC AlreadyExists "etcd data directory is not empty" (CONTRACTS B.5). */
const ALREADY_BOOTSTRAPPED = /AlreadyExists/;
const NOT_READY = [
    [/FailedPrecondition desc = bootstrap is not available yet/, 'not-available-yet'],
    [/FailedPrecondition desc = time is not in sync yet/, 'time-not-in-sync'],
];
class BootstrapNotReadyError extends Error {
    reason;
    cause;
    name = 'BootstrapNotReadyError';
    constructor(reason, cause) {
        super(cause.message);
        this.reason = reason;
        this.cause = cause;
    }
}
/** The node refused `talosctl upgrade` before starting it (etcd checks, a lock, the installer image). */
class UpgradeRefusedError extends Error {
    node;
    reason;
    retryable;
    cause;
    name = 'UpgradeRefusedError';
    constructor(node, 
    /** The node's own words. */
    reason, 
    /** Asking again later can succeed (a lock, etcd getting healthy); else something must change first. */
    retryable, cause) {
        super(`${node} refused the upgrade (${retryable ? 'retryable' : 'not retryable'}): ${reason}`);
        this.node = node;
        this.reason = reason;
        this.retryable = retryable;
        this.cause = cause;
    }
}
/** A configured node's apid asks for a client certificate, which an --insecure call does not have (B.6). */
const CERTIFICATE_REQUIRED = /tls: certificate required/;
/** gRPC Unavailable while reading the reply: the request went out, the connection died after it. */
const ANSWER_LOST = /code = Unavailable desc = error reading from server: (?:EOF|.*connection reset by peer)/;
/** The version contract `gen config` targets: v1.11.6 -> v1.11. */
function talosContract(version) {
    const match = /^(v\d+\.\d+)(?:\.\d+)?$/.exec(version);
    if (!match?.[1])
        throw new RangeError(`"${version}" is not a Talos version like v1.11.6`);
    return match[1];
}
/** talosctl, one method per command the product uses (CONTRACTS B.5), with the argv exactly as documented. */
class Talosctl {
    runner;
    tool;
    constructor(runner, opts = {}) {
        this.runner = runner;
        this.tool = opts.path ?? 'talosctl';
    }
    /** The cluster's CAs, keys and tokens: the one secret everything else is derived from. */
    async genSecrets(opts) {
        await this.talosctl(['gen', 'secrets', '-o', opts.outputFile, '--talos-version', opts.talosVersion]);
    }
    /** The control-plane and worker configs and the talosconfig, written into `outputDir` (overwritten). */
    async genConfig(opts) {
        const { cluster, patches, outputDir } = opts;
        await this.talosctl([
            'gen',
            'config',
            cluster.name,
            clusterEndpoint(cluster),
            '--with-secrets',
            opts.secretsFile,
            '--config-patch',
            `@${patches.common}`,
            '--config-patch-control-plane',
            `@${patches.controlPlane}`,
            '--config-patch-worker',
            `@${patches.worker}`,
            '--kubernetes-version',
            cluster.kubernetesVersion,
            '--talos-version',
            cluster.versionContract ?? talosContract(cluster.talosVersion),
            '--install-image',
            cluster.installImage,
            '--with-docs=false',
            '--with-examples=false',
            '--output-types',
            'controlplane,worker,talosconfig',
            '-o',
            outputDir,
            '--force',
        ]);
        return {
            controlPlane: (0,external_node_path_.join)(outputDir, 'controlplane.yaml'),
            worker: (0,external_node_path_.join)(outputDir, 'worker.yaml'),
            talosconfig: (0,external_node_path_.join)(outputDir, 'talosconfig'),
        };
    }
    /** A node's own config: the role's config with the node patch (hostname, address, VIP) laid over it. */
    async patchMachineConfig(opts) {
        await this.talosctl([
            'machineconfig',
            'patch',
            opts.baseFile,
            '-p',
            `@${opts.patchFile}`,
            '-o',
            opts.outputFile,
        ]);
    }
    /** The talosconfig's endpoints: the control planes' own addresses, never the VIP (B.2). */
    async setEndpoints(talosconfig, endpoints) {
        requireSome(endpoints, 'endpoints');
        await this.talosctl(['--talosconfig', talosconfig, 'config', 'endpoint', ...endpoints]);
    }
    /** The talosconfig's default nodes, used when a command names none. */
    async setNodes(talosconfig, nodes) {
        requireSome(nodes, 'nodes');
        await this.talosctl(['--talosconfig', talosconfig, 'config', 'node', ...nodes]);
    }
    /**
     * What answers on the node's :50000 without credentials: the maintenance service (before a config is
     * applied), an apid that wants a client certificate (the node runs a config), or nothing yet.
     */
    async maintenanceProbe(ip) {
        const result = await this.talosctl(['get', 'disks', '--insecure', '--nodes', ip], true);
        if (result.exitCode === 0)
            return 'maintenance';
        return CERTIFICATE_REQUIRED.test(result.stderr) ? 'runs-config' : 'no-answer';
    }
    /**
     * Sends a node its config over the maintenance service; the node installs and reboots into it. The reboot
     * can cut the connection before the answer arrives: then the config was sent and may well be applied.
     */
    async applyInsecure(ip, configFile) {
        try {
            await this.talosctl(['apply-config', '--insecure', '--nodes', ip, '--file', configFile]);
            return 'applied';
        }
        catch (error) {
            if (error instanceof runner/* CommandError */.Qd && ANSWER_LOST.test(error.stderrTail))
                return 'answer-lost';
            throw error;
        }
    }
    /**
     * Starts etcd on one control plane. The node's own data directory decides AlreadyExists, which means done
     * on this node; a node not ready yet throws BootstrapNotReadyError (retry it, never another node).
     */
    async bootstrap(opts) {
        try {
            await this.talosctl([...this.onNode(opts.talosconfig, opts.node), 'bootstrap']);
            return 'bootstrapped';
        }
        catch (error) {
            if (!(error instanceof runner/* CommandError */.Qd))
                throw error;
            if (ALREADY_BOOTSTRAPPED.test(error.stderrTail))
                return 'already-bootstrapped';
            const notReady = NOT_READY.find(([pattern]) => pattern.test(error.stderrTail));
            if (notReady)
                throw new BootstrapNotReadyError(notReady[1], error);
            throw error;
        }
    }
    /**
     * The etcd members as `node` itself sees them (its local etcd). A node whose etcd does not run, or that
     * does not answer, cannot tell: `unknown` with talosctl's reason.
     */
    async etcdMembers(opts) {
        const result = await this.talosctl([...this.onNode(opts.talosconfig, opts.node), 'etcd', 'members'], true);
        if (result.exitCode !== 0)
            return { unknown: lastLine(result.stderr) };
        return { members: parseEtcdMembers(result.stdout) };
    }
    /** Writes the cluster's admin kubeconfig to `outputFile` (replacing it, never merging into another). */
    async kubeconfig(opts) {
        await this.talosctl([
            ...this.onNode(opts.talosconfig, opts.node),
            'kubeconfig',
            opts.outputFile,
            '--merge=false',
            '--force',
        ]);
    }
    /**
     * True once the node answers over mTLS with the cluster's credentials, i.e. it runs its config. Asked of the
     * node itself (every node's apid answers for itself), so a worker's answer does not wait on a control plane.
     */
    async configuredReady(opts) {
        const result = await this.talosctl([...this.onNode(opts.talosconfig, opts.node), 'version'], true);
        return result.exitCode === 0;
    }
    /**
     * The release each node runs, asked of all of them at once through the talosconfig's endpoints. A node
     * that does not answer (rebooting, down) gets `unknown` with talosctl's reason; the others still count.
     */
    async versions(talosconfig, nodes) {
        requireSome(nodes, 'nodes');
        const result = await this.talosctl(['--talosconfig', talosconfig, '--nodes', nodes.join(','), 'version'], true);
        const releases = parseServerVersions(result.stdout, nodes);
        const errors = result.exitCode === 0 ? new Map() : parseNodeErrors(result.stderr, nodes);
        return nodes.map((node) => {
            const answer = releases.find((release) => release.node === node);
            if (answer)
                return answer;
            return { node, unknown: errors.get(node) ?? 'no Server block in talosctl version' };
        });
    }
    /**
     * Starts an upgrade to `image` and returns once the node accepted it (`--wait=false`): the caller gates on
     * the node coming back itself. A node that refuses before starting (etcd checks, the upgrade lock, the
     * installer image; F.1, F.9) throws UpgradeRefusedError saying whether to ask again.
     *
     * `clientDrain: false` adds `--drain=false`, for nodes on Talos 1.13+: talosctl 1.13 upgrades them through
     * the LifecycleService, where talosctl itself drains (default true) and that forces `--wait` (facts-13 §2,
     * upgrade.go l.70-76, l.368); the caller drains instead. Older nodes take the legacy API and drain
     * themselves (F.1), and talosctl before 1.13 has no `--drain` flag, so it is left out for them.
     */
    async upgrade(talosconfig, node, image, opts = {}) {
        try {
            await this.talosctl([
                ...this.onNode(talosconfig, node),
                'upgrade',
                '--image',
                image,
                '--wait=false',
                ...(opts.clientDrain === false ? ['--drain=false'] : []),
            ]);
        }
        catch (error) {
            if (!(error instanceof runner/* CommandError */.Qd))
                throw error;
            const refusal = parseUpgradeRefusal(error.stderrTail);
            if (refusal)
                throw new UpgradeRefusedError(node, refusal.reason, refusal.retryable, error);
            throw error;
        }
    }
    /**
     * Applies `file` as the node's config in `mode` (F.3) and returns talosctl's mode details (stderr). In
     * mode reboot the node can go down before its answer arrives: the config was taken (as applyInsecure).
     */
    async applyConfig(talosconfig, node, file, mode) {
        const args = [...this.onNode(talosconfig, node), 'apply-config', '--file', file, '--mode', mode];
        try {
            const result = await this.talosctl(args);
            return `${result.stderr}${result.stdout}`.trim();
        }
        catch (error) {
            if (mode === 'reboot' && error instanceof runner/* CommandError */.Qd && ANSWER_LOST.test(error.stderrTail)) {
                return 'answer lost: the node went down to reboot';
            }
            throw error;
        }
    }
    /** What applying `file` in mode auto would do: reboot or not, and the diff against the node's config (F.3). */
    async applyConfigDryRun(talosconfig, node, file) {
        const result = await this.talosctl([
            ...this.onNode(talosconfig, node),
            'apply-config',
            '--file',
            file,
            '--mode',
            'auto',
            '--dry-run',
        ]);
        return parseDryRun(`${result.stderr}\n${result.stdout}`);
    }
    /**
     * Moves the cluster's Kubernetes to `to` (one minor at most, F.2) through one control plane: control-plane
     * components one node at a time, then each kubelet in place (no drain, no reboot). Long-running.
     */
    async upgradeK8s(talosconfig, controlPlane, to) {
        await this.talosctl([...this.onNode(talosconfig, controlPlane), 'upgrade-k8s', '--to', to]);
    }
    /** One node's system services as `talosctl services` prints them (state, health, last event). */
    async services(talosconfig, node) {
        return (await this.talosctl([...this.onNode(talosconfig, node), 'services'])).stdout;
    }
    /** The last `tail` lines of a system service's log on one node (`talosctl logs`), each `<node>: <line>`. */
    async logs(talosconfig, node, service, tail) {
        const args = [...this.onNode(talosconfig, node), 'logs', service, '--tail', String(tail)];
        return (await this.talosctl(args)).stdout;
    }
    /** Reboots the node and returns once it accepted (`--wait=false`); the Reboot sequence does not drain (F.5). */
    async reboot(talosconfig, node) {
        await this.talosctl([...this.onNode(talosconfig, node), 'reboot', '--wait=false']);
    }
    /**
     * The node's boot id (`/proc/sys/kernel/random/boot_id`, what talosctl's own upgrade tracker compares,
     * LIFECYCLE F.1 `BootIDChangedPostCheckFn`); undefined while the node does not answer.
     */
    async bootId(talosconfig, node) {
        const result = await this.talosctl([...this.onNode(talosconfig, node), 'read', '/proc/sys/kernel/random/boot_id'], true);
        const id = result.stdout.trim();
        return result.exitCode === 0 && id !== '' ? id : undefined;
    }
    /** The client config and the one node it talks to, as endpoint too (each command goes to that node). */
    onNode(talosconfig, node) {
        return ['--talosconfig', talosconfig, '--nodes', node, '--endpoints', node];
    }
    talosctl(args, allowFailure = false) {
        return this.runner.run(this.tool, args, { allowFailure });
    }
}
function lastLine(text) {
    return text.trim().split('\n').pop() ?? '';
}
function requireSome(values, what) {
    if (values.length === 0)
        throw new RangeError(`talosctl needs at least one of ${what}`);
}

;// CONCATENATED MODULE: ./src/diagnostics/talos.ts


/**
 * The Talos side of a cluster in a diagnostics bundle: `talosctl services` and the kubelet's log (and etcd's
 * on a control plane) of each node worth looking at: every node of a small cluster, else those Kubernetes
 * does not list as Ready (all of them when its API does not answer).
 */
/** Up to this many nodes, every node is inspected. */
const ALL_NODES_UP_TO = 6;
/** Log lines kept per service. */
const LOG_LINES = 200;
async function talosItems(cluster, kubeNodes, probe) {
    const talosctl = new Talosctl(probe.runner, { path: probe.tools.talosctl });
    const picked = nodesToInspect(cluster.nodes, kubeNodes);
    const perNode = await Promise.all(picked.map((node) => nodeItems(cluster, node, talosctl, probe.timeoutMs)));
    return perNode.flat();
}
function nodesToInspect(nodes, kubeNodes) {
    if (nodes.length <= ALL_NODES_UP_TO || kubeNodes === undefined)
        return nodes;
    const ready = new Set(kubeNodes.filter((node) => node.ready).map((node) => node.name));
    return nodes.filter((node) => !ready.has(node.name));
}
/** Services first: a node that does not answer them is not asked for its logs (each would wait as long). */
async function nodeItems(cluster, node, talosctl, timeoutMs) {
    const folder = `${cluster.name}/talos/${node.name}`;
    const services = await collect({
        file: `${folder}/services.txt`,
        title: `${cluster.name}: Talos services of ${node.name}`,
        source: `talosctl --nodes ${node.address} services`,
    }, timeoutMs, () => talosctl.services(cluster.talosconfig, node.address));
    const logged = node.role === 'controlplane' ? ['kubelet', 'etcd'] : ['kubelet'];
    const logs = logged.map((service) => {
        const item = {
            file: `${folder}/${service}.log`,
            title: `${cluster.name}: ${service} log of ${node.name} (last ${LOG_LINES} lines)`,
            source: `talosctl --nodes ${node.address} logs ${service} --tail ${LOG_LINES}`,
        };
        if (services.status !== 'ok')
            return Promise.resolve(skipped(item, 'the node did not answer talosctl services'));
        return collect(item, timeoutMs, () => talosctl.logs(cluster.talosconfig, node.address, service, LOG_LINES));
    });
    return [services, ...(await Promise.all(logs))];
}

;// CONCATENATED MODULE: ./src/diagnostics/cluster.ts






/**
 * What a diagnostics bundle holds of one cluster: its nodes, Events, the pods that are not Ready with
 * their descriptions, Cilium's status and the mesh as its agents see it, Ceph's status and health detail,
 * and (talos.ts) the Talos services and logs of the nodes that need looking at.
 */
/** Pods described at most per cluster: a cluster where everything is down would otherwise take long. */
const MAX_DESCRIBED = 15;
async function clusterItems(cluster, probe) {
    const kubectl = new kube_kubectl/* Kubectl */.b(probe.runner, { kubeconfig: cluster.kubeconfig, path: probe.tools.kubectl });
    const at = (name) => `${cluster.name}/${name}`;
    let nodes;
    const nodesItem = await collect({
        file: at('nodes.txt'),
        title: `${cluster.name}: Kubernetes nodes`,
        source: 'kubectl get nodes -o json',
    }, probe.timeoutMs, async () => nodesText((nodes = await kubectl.nodes())));
    const [events, pods, cilium, mesh, ceph, talos] = await Promise.all([
        collect({
            file: at('events.txt'),
            title: `${cluster.name}: Kubernetes events`,
            source: 'kubectl get events -A',
        }, probe.timeoutMs, () => kubectl.eventsTable()),
        podItems(cluster.name, kubectl, probe.timeoutMs),
        ciliumStatus(cluster.name, kubectl, probe.timeoutMs),
        meshStatus(cluster.name, kubectl, probe.timeoutMs),
        cephItems(cluster.name, kubectl, probe),
        talosItems(cluster, nodes, probe),
    ]);
    return [nodesItem, events, ...pods, cilium, mesh, ...ceph, ...talos];
}
function nodesText(nodes) {
    const rows = nodes.map((node) => [
        node.name,
        `${node.ready ? 'Ready' : 'NotReady'}${node.unschedulable ? ',SchedulingDisabled' : ''}`,
        node.kubeletVersion ?? '-',
        node.addresses.find((entry) => entry.type === 'InternalIP')?.address ?? '-',
    ]);
    return alignColumns([['NAME', 'STATUS', 'KUBELET', 'INTERNAL-IP'], ...rows]);
}
/** The pods that are not Ready, listed, then each described (up to MAX_DESCRIBED). */
async function podItems(cluster, kubectl, timeoutMs) {
    let pods = [];
    const list = await collect({
        file: `${cluster}/pods-not-ready.txt`,
        title: `${cluster}: pods that are not Ready`,
        source: 'kubectl get pods -A -o json (not Ready, not Succeeded)',
    }, timeoutMs, async () => {
        pods = await kubectl.podsNotReady();
        if (pods.length === 0)
            return 'every pod is Ready (or finished)\n';
        return pods.map((pod) => `${pod.namespace}/${pod.name}  ${pod.phase}\n`).join('');
    });
    const described = pods.slice(0, MAX_DESCRIBED).map((pod) => collect({
        file: `${cluster}/describe/${pod.namespace}.${pod.name}.txt`,
        title: `${cluster}: pod ${pod.namespace}/${pod.name} described`,
        source: `kubectl -n ${pod.namespace} describe pod ${pod.name}`,
    }, timeoutMs, () => kubectl.describePod(pod.namespace, pod.name)));
    const left = pods.length - MAX_DESCRIBED;
    const more = left > 0
        ? [
            skipped({ title: `${cluster}: ${left} more pods`, source: 'kubectl describe pod' }, 'described at most 15'),
        ]
        : [];
    return [list, ...(await Promise.all(described)), ...more];
}
/** `cilium-dbg status` in an agent, as the mesh step asks it (kubectl exec ds/cilium). */
function ciliumStatus(cluster, kubectl, timeoutMs) {
    return collect({
        file: `${cluster}/cilium-status.txt`,
        title: `${cluster}: Cilium agent status`,
        source: 'kubectl -n kube-system exec ds/cilium -c cilium-agent -- cilium-dbg status',
    }, timeoutMs, async () => {
        const result = await kubectl.exec('kube-system', 'ds/cilium', 'cilium-agent', ['cilium-dbg', 'status']);
        if (result.exitCode !== 0)
            throw new Error(`cilium-dbg status failed: ${result.stderr.trim()}`);
        return result.stdout;
    });
}
/** The remote clusters as this cluster's agents see them, read as the mesh step reads them. */
function meshStatus(cluster, kubectl, timeoutMs) {
    return collect({
        file: `${cluster}/clustermesh-status.txt`,
        title: `${cluster}: Cluster Mesh as its Cilium agents see it`,
        source: 'kubectl -n kube-system exec ds/cilium -c cilium-agent -- cilium-dbg status -o json',
    }, timeoutMs, async () => {
        const remotes = await (0,mesh/* remoteClusters */.O)(kubectl);
        if (remotes.length === 0)
            return 'no remote cluster is configured on this cluster\n';
        return remotes
            .map((remote) => `${remote.name}: connected=${remote.connected} ready=${remote.ready} synced=${remote.synced} (${remote.detail})\n`)
            .join('');
    });
}
/** The CephCluster's status as Rook keeps it (the product's own Ceph gate reads it; the toolbox is off). */
async function cephItems(cluster, kubectl, probe) {
    const status = {
        file: `${cluster}/ceph-status.json`,
        title: `${cluster}: Ceph status (CephCluster rook-ceph .status)`,
        source: `kubectl -n ${ROOK_NAMESPACE} get cephclusters.ceph.rook.io rook-ceph -o json`,
    };
    const detail = {
        file: `${cluster}/ceph-health-detail.txt`,
        title: `${cluster}: Ceph health detail`,
        source: `${status.source} (.status.ceph.health and .details, as ceph health detail prints them)`,
    };
    if (!probe.ceph)
        return [skipped(status, 'Rook is not enabled in the spec'), skipped(detail, 'Rook is not enabled')];
    let object;
    const statusItem = await collect(status, probe.timeoutMs, async () => {
        object = await kubectl.getObject('cephclusters.ceph.rook.io', 'rook-ceph', ROOK_NAMESPACE);
        if (!object)
            return `no CephCluster rook-ceph in namespace ${ROOK_NAMESPACE}\n`;
        return `${JSON.stringify(object.status ?? {}, null, 2)}\n`;
    });
    if (!object)
        return [statusItem, skipped(detail, 'no CephCluster status to read (see ceph-status.json)')];
    const found = object;
    return [statusItem, await collect(detail, probe.timeoutMs, async () => cephHealthDetail(found))];
}

;// CONCATENATED MODULE: ./src/plan/layout.ts




/**
 * Offsets inside the slot's blocks stay fixed whatever the environment's counts are: control planes
 * take the first `max control planes` places, workers the ones after, so adding a worker moves no one.
 */
function layout_layoutTwin(resolved, slot) {
    const { spec } = resolved;
    let vmidOffset = 0;
    const clusters = resolved.clusters.map((cluster) => {
        const layout = layoutCluster(resolved, cluster, slot, vmidOffset);
        const most = maxGroupCounts(spec, cluster.name);
        vmidOffset += most.controlPlanes + most.workers;
        return layout;
    });
    return {
        twin: resolved.twin,
        environment: resolved.environment,
        project: spec.project,
        slot,
        pool: slotPoolId(poolPrefixOf(spec, resolved.environment), slot),
        clusters,
    };
}
function layoutCluster(resolved, cluster, slot, vmidOffset) {
    const { spec, twin } = resolved;
    const block = parseIpv4(slotBlock(cluster, spec.proxmox.slots, slot).first);
    const firstVmid = slotVmidRange(spec.proxmox.slots, slot).first + vmidOffset;
    const workerOffset = maxGroupCounts(spec, cluster.name).controlPlanes;
    const node = (role, index, place) => {
        const group = role === 'controlplane' ? cluster.controlPlanes : cluster.workers;
        return {
            name: vmName(twin, cluster.name, role, index),
            cluster: cluster.name,
            role,
            index,
            vmid: firstVmid + place,
            address: formatIpv4(block + 1 + place), // block + 0 is the slot's VIP
            tags: ownershipTags(spec.project, twin, cluster.name, role),
            cores: group.cores,
            memoryMiB: group.memoryMiB,
            diskGiB: group.diskGiB,
            extraDisksGiB: group.extraDisks.map((disk) => disk.sizeGiB),
        };
    };
    const controlPlanes = layout_range(cluster.controlPlanes.count).map((i) => node('controlplane', i + 1, i));
    const workers = layout_range(cluster.workers.count).map((i) => node('worker', i + 1, workerOffset + i));
    return {
        name: cluster.name,
        id: cluster.id,
        vip: cluster.vip ?? formatIpv4(block),
        vlan: cluster.network.vlan,
        prefixLength: parseCidr(cluster.network.cidr).prefix,
        gateway: cluster.network.gateway,
        dns: cluster.network.dns,
        pods: cluster.pods,
        services: cluster.services,
        nodes: [...controlPlanes, ...workers],
    };
}
function layout_range(count) {
    return Array.from({ length: count }, (_, i) => i);
}
function layout_allNodes(layout) {
    return layout.clusters.flatMap((cluster) => cluster.nodes);
}
/** What a twin in `slot` holds (the claim records it): project, VMID range, each cluster's block and VIP. */
function layout_slotIdentity(resolved, layout) {
    const { slots } = resolved.spec.proxmox;
    return {
        project: layout.project,
        vmids: slotVmidRange(slots, layout.slot),
        networks: resolved.clusters.map((cluster) => {
            const block = slotBlock(cluster, slots, layout.slot);
            return {
                cluster: cluster.name,
                first: block.first,
                last: formatIpv4(parseIpv4(block.first) + block.size - 1),
                vip: layout.clusters.find((c) => c.name === cluster.name).vip,
            };
        }),
    };
}

;// CONCATENATED MODULE: ./src/plan/plan.ts








/** Claims are read under every environment's prefix: slot numbers are one space across them. */
async function plan_observeProxmox(client, spec) {
    const [vms, nodes, claims] = await Promise.all([
        listVms(client),
        listNodeCapacity(client, spec.proxmox.storage.disks),
        listSlotClaims(client, slotPoolPrefixes(spec)),
    ]);
    return { vms, nodes, claims };
}
/**
 * Desired state against observed state: every VM the twin wants (create, keep, change), every VM it
 * owns but no longer wants (destroy), and any foreign VM sitting on one of its VMIDs (conflict).
 */
function plan_planTwin(resolved, view, opts = {}) {
    const { spec } = resolved;
    const slot = resolveSlot(resolved, view, opts.slot);
    const layout = layoutTwin(resolved, slot.slot);
    const identity = slotIdentity(resolved, layout);
    // Only VMs provably the twin's are kept, changed or removed (an untagged one in its pool, range and
    // name too: a run killed before the tags); a VM that only carries its tags is never touched.
    const recorded = view?.claims.find((c) => c.slot === slot.slot && c.twin === resolved.twin)?.identity;
    const holding = { twin: resolved.twin, pool: layout.pool, identity: recorded ?? identity };
    const owned = sortByOwnership(view?.vms ?? [], resolved.twin, [holding]).owned;
    const ownedIds = new Set(owned.map((vm) => vm.vmid));
    const byVmid = new Map((view?.vms ?? []).map((vm) => [vm.vmid, vm]));
    const placement = placeVms(allNodes(layout).map((node) => ({
        vmid: node.vmid,
        cluster: node.cluster,
        role: node.role,
        memoryMiB: node.memoryMiB,
    })), usableNodes(resolved, view), new Map(owned.map((vm) => [vm.vmid, vm.node])));
    const wanted = allNodes(layout).map((node) => plannedVm(node, layout, placement.get(node.vmid) ?? '', byVmid.get(node.vmid), ownedIds));
    const wantedIds = new Set(wanted.map((vm) => vm.vmid));
    const unwanted = owned.filter((vm) => !wantedIds.has(vm.vmid)).map(destroyedVm);
    return {
        twin: resolved.twin,
        environment: resolved.environment,
        slot: slot.slot,
        slotState: slot.held ? 'held' : 'claim',
        pool: layout.pool,
        identity,
        image: talosNocloudImage(spec.talos),
        clusters: layout.clusters.map(({ name, id, vip, pods, services }) => ({ name, id, vip, pods, services })),
        vms: [...wanted, ...unwanted],
        observed: view !== undefined,
    };
}
function resolveSlot(resolved, view, requested) {
    const { slots } = resolved.spec.proxmox;
    if (requested !== undefined) {
        if (!Number.isInteger(requested) || requested < 0 || requested >= slots.count) {
            throw new ConfigurationError(`--slot ${requested} is outside 0..${slots.count - 1}: pick a slot below proxmox.slots.count`);
        }
        return { slot: requested, held: false };
    }
    if (!view && resolved.pinnedSlot === undefined) {
        throw new ConfigurationError(`twin ${resolved.twin} has no pinned slot, so its addresses depend on which slots are free: ` +
            'connect to Proxmox (--lab DIR or --endpoint URL) or pass --slot N');
    }
    const productionSlot = resolved.spec.environments.production.slot;
    const reserved = resolved.environment === 'production' || productionSlot === undefined ? [] : [productionSlot];
    const chosen = chooseSlot(view?.claims ?? [], resolved.twin, {
        count: slots.count,
        reserved,
        ...(resolved.pinnedSlot === undefined ? {} : { pinnedSlot: resolved.pinnedSlot }),
    });
    if (!chosen) {
        const holders = (view?.claims ?? []).map((claim) => `${claim.slot}:${claim.twin ?? '?'}`).join(', ');
        throw new ConfigurationError(`all ${slots.count} twin slots are taken (${holders}): destroy a twin or raise proxmox.slots.count`);
    }
    const holder = view?.claims.find((claim) => claim.slot === chosen.slot && claim.twin !== resolved.twin);
    if (holder) {
        throw new ConfigurationError(`slot ${chosen.slot} pinned for ${resolved.twin} is held by twin ${holder.twin ?? '(unknown)'} (pool ${holder.poolId}): ` +
            'destroy that twin or pin another slot');
    }
    return chosen;
}
function usableNodes(resolved, view) {
    const allowed = resolved.spec.proxmox.nodes;
    if (!view)
        return allowed.map((name) => ({ name }));
    const known = new Map(view.nodes.map((node) => [node.name, node]));
    const missing = allowed.filter((name) => !known.has(name));
    if (missing.length > 0) {
        throw new ConfigurationError(`proxmox.nodes lists ${missing.join(', ')}, which the Proxmox cluster does not have ` +
            `(it has ${[...known.keys()].join(', ')}): fix proxmox.nodes`);
    }
    const online = allowed.filter((name) => known.get(name)?.online);
    if (online.length === 0)
        throw new ConfigurationError(`none of proxmox.nodes (${allowed.join(', ')}) is online`);
    return online.map((name) => ({ name, freeMemoryMiB: known.get(name).freeMemoryMiB }));
}
function definitionOf(node, layout) {
    const cluster = layout.clusters.find((candidate) => candidate.name === node.cluster);
    return {
        vmid: node.vmid,
        name: node.name,
        description: `aggrik8s-twin: twin ${layout.twin}, cluster ${node.cluster}, ${node.role} ${node.index}`,
        cores: node.cores,
        memoryMiB: node.memoryMiB,
        diskGiB: node.diskGiB,
        extraDisksGiB: node.extraDisksGiB,
        address: node.address,
        prefixLength: cluster.prefixLength,
        gateway: cluster.gateway,
        dns: cluster.dns,
        vlan: cluster.vlan,
        tags: node.tags,
    };
}
function plannedVm(node, layout, pveNode, existing, ownedIds) {
    const base = {
        name: node.name,
        cluster: node.cluster,
        role: node.role,
        vmid: node.vmid,
        address: node.address,
        tags: node.tags,
        cores: node.cores,
        memoryMiB: node.memoryMiB,
        definition: definitionOf(node, layout),
    };
    if (!existing)
        return { ...base, action: 'create', pveNode, reasons: [] };
    if (!ownedIds.has(existing.vmid) || existing.name !== node.name) {
        return {
            ...base,
            action: 'conflict',
            pveNode: existing.node,
            ...(existing.lock ? { lock: existing.lock } : {}),
            reasons: [
                `VMID ${node.vmid} is held by VM "${existing.name}" (tags ${existing.tags.join(';') || 'none'}), not by this twin`,
            ],
        };
    }
    const reasons = [
        ...(node.tags.every((tag) => existing.tags.includes(tag)) ? [] : ['ownership tags to set']),
        ...(existing.memoryMiB !== node.memoryMiB
            ? [`memory ${existing.memoryMiB} -> ${node.memoryMiB} MiB`]
            : []),
        ...(existing.cores !== node.cores ? [`cores ${existing.cores} -> ${node.cores}`] : []),
    ];
    return { ...base, action: reasons.length > 0 ? 'change' : 'keep', pveNode: existing.node, reasons };
}
function destroyedVm(vm) {
    const tag = (prefix) => vm.tags.find((t) => t.startsWith(prefix))?.slice(prefix.length) ?? '?';
    return {
        action: 'destroy',
        name: vm.name,
        cluster: tag('cluster-'),
        role: tag('role-'),
        vmid: vm.vmid,
        pveNode: vm.node,
        tags: vm.tags,
        cores: vm.cores,
        memoryMiB: vm.memoryMiB,
        reasons: ['no longer in the spec'],
    };
}
/** What the VMs the plan creates take from their PVE nodes: memory, and disk on the VM storage. */
function creationDemands(plan) {
    return plan.vms
        .filter((vm) => vm.action === 'create')
        .map((vm) => ({
        pveNode: vm.pveNode,
        name: vm.name,
        memoryMiB: vm.memoryMiB,
        diskGiB: vm.definition.diskGiB + vm.definition.extraDisksGiB.reduce((a, b) => a + b, 0),
    }));
}

;// CONCATENATED MODULE: ./src/diagnostics/run.ts




async function runItems(run, timeoutMs) {
    const records = run.records ?? [];
    return [
        ...(run.failure === undefined
            ? []
            : [given({ file: 'run/failure.txt', title: 'What failed', source: 'the run' }, `${run.failure}\n`)]),
        ...(records.length === 0
            ? []
            : [
                given({ file: 'run/steps.json', title: "The run's steps and their states", source: 'the run' }, `${JSON.stringify(records.map(stepOf), null, 2)}\n`),
                given({ file: 'run/timings.txt', title: 'Stage timings', source: 'the run' }, timingsText(records, run.scale ?? 1)),
            ]),
        ...(run.plan === undefined ? [] : [await planItem(run.plan, timeoutMs)]),
    ];
}
/** `twin plan` of the twin as Proxmox has it now: its slot and each VM's action and why (no VM definitions). */
function proxmoxPlan(client, twin) {
    return async () => {
        const plan = planTwin(twin, await observeProxmox(client, twin.spec));
        return {
            slot: plan.slot,
            pool: plan.pool,
            vms: plan.vms.map(({ definition: _definition, ...vm }) => vm),
        };
    };
}
function stepOf(record) {
    const at = (ms) => (ms === undefined ? undefined : new Date(ms).toISOString());
    return {
        id: record.id,
        title: record.title,
        stage: record.stage,
        state: record.state,
        startedAt: at(record.startedAt),
        endedAt: at(record.endedAt),
        ...(record.error === undefined ? {} : { error: (0,errors/* errorMessage */.gJ)(record.error) }),
    };
}
function timingsText(records, scale) {
    const { header, rows } = (0,outcome/* stageTimingTable */.TP)(records, scale);
    return alignColumns([header, ...rows]);
}
function planItem(plan, timeoutMs) {
    return collect({ file: 'twin/plan.json', title: 'What applying the twin would change now', source: 'twin plan' }, timeoutMs, async () => `${JSON.stringify(await plan(), null, 2)}\n`);
}

;// CONCATENATED MODULE: ./src/diagnostics/secret-scan.ts

/**
 * A twin's secret material as strings to look for in what a run writes: private keys (each line of a PEM
 * body), Talos secrets (tokens, encryption secrets), kubeconfig and talosconfig credentials; each also as
 * it would appear base64-encoded at any byte offset. Used to prove a diagnostics bundle (and, in the
 * benches and tests, logs and summaries) holds none of it.
 */
const MIN_LENGTH = 16;
const SECRET_FIELD = /key|secret|token|password/i;
const PUBLIC_FIELD = /crt|cert|ca$|certificate/i;
/** The secrets in the texts of a twin's stored state (YAML or JSON files, PEM blocks such as Talos' ED25519 keys). */
function secretMaterial(texts) {
    const found = new Set();
    for (const text of texts) {
        for (const line of privateKeyLines(text))
            found.add(line);
        for (const value of secretFieldValues(text)) {
            found.add(value);
            for (const line of privateKeyLines(decodedText(value)))
                found.add(line);
        }
    }
    return found;
}
/** Each secret, and its base64 forms (three byte alignments, edges cut so neighbours do not matter). */
function withEncodings(secrets) {
    const needles = new Set();
    for (const secret of secrets) {
        if (secret.length < MIN_LENGTH)
            continue;
        needles.add(secret);
        for (let offset = 0; offset < 3; offset++) {
            const encoded = Buffer.concat([Buffer.alloc(offset), Buffer.from(secret)]).toString('base64');
            const inner = encoded.slice(4, -4);
            if (inner.length >= MIN_LENGTH)
                needles.add(inner);
        }
    }
    return [...needles];
}
/** Where each needle was found: `source: first characters of the needle`. */
function scanForSecrets(haystacks, needles) {
    const hits = [];
    for (const [source, text] of Object.entries(haystacks)) {
        for (const needle of needles)
            if (text.includes(needle))
                hits.push(`${source}: ${needle.slice(0, 8)}…`);
    }
    return hits;
}
function privateKeyLines(text) {
    const blocks = text.match(/-----BEGIN [A-Z0-9 ]*PRIVATE KEY-----[\s\S]*?-----END [A-Z0-9 ]*PRIVATE KEY-----/g) ?? [];
    return blocks.flatMap((block) => block
        .split('\n')
        .map((line) => line.trim())
        .filter((line) => line.length >= MIN_LENGTH && !line.startsWith('-----')));
}
/** Strings under fields named like secrets (not certificates) in YAML or JSON files. */
function secretFieldValues(text) {
    let documents;
    try {
        documents = (0,dist/* parseAllDocuments */.hR)(text).map((document) => document.toJS());
    }
    catch {
        return [];
    }
    const values = [];
    const visit = (value, field) => {
        if (typeof value === 'string') {
            if (SECRET_FIELD.test(field) && !PUBLIC_FIELD.test(field) && value.length >= MIN_LENGTH)
                values.push(value);
        }
        else if (Array.isArray(value)) {
            for (const item of value)
                visit(item, field);
        }
        else if (value && typeof value === 'object') {
            for (const [key, item] of Object.entries(value))
                visit(item, key);
        }
    };
    for (const document of documents)
        visit(document, '');
    return values;
}
function decodedText(value) {
    return /^[A-Za-z0-9+/=\s]+$/.test(value) ? Buffer.from(value, 'base64').toString('utf8') : '';
}

// EXTERNAL MODULE: external "node:zlib"
var external_node_zlib_ = __webpack_require__(8522);
;// CONCATENATED MODULE: ./src/diagnostics/tar.ts

const BLOCK = 512;
const FILE_MODE = 0o600;
function tarGzip(entries, mtime) {
    const blocks = [];
    for (const entry of entries) {
        const content = typeof entry.content === 'string' ? Buffer.from(entry.content, 'utf8') : entry.content;
        blocks.push(header(entry.name, content.length, mtime), content, Buffer.alloc(padding(content.length)));
    }
    blocks.push(Buffer.alloc(2 * BLOCK));
    return (0,external_node_zlib_.gzipSync)(Buffer.concat(blocks));
}
function padding(size) {
    return (BLOCK - (size % BLOCK)) % BLOCK;
}
function header(path, size, mtime) {
    const { prefix, name } = splitPath(path);
    const block = Buffer.alloc(BLOCK);
    block.write(name, 0, 100, 'utf8');
    writeOctal(block, FILE_MODE, 100, 8);
    writeOctal(block, 0, 108, 8); // uid
    writeOctal(block, 0, 116, 8); // gid
    writeOctal(block, size, 124, 12);
    writeOctal(block, Math.floor(mtime.getTime() / 1000), 136, 12);
    block.fill(' ', 148, 156); // the checksum counts its own field as spaces
    block.write('0', 156, 1, 'ascii'); // a regular file
    block.write('ustar\0', 257, 6, 'ascii');
    block.write('00', 263, 2, 'ascii');
    block.write(prefix, 345, 155, 'utf8');
    const checksum = block.reduce((sum, byte) => sum + byte, 0);
    block.write(`${checksum.toString(8).padStart(6, '0')}\0 `, 148, 8, 'ascii');
    return block;
}
/** Octal digits, zero-padded, NUL-terminated, filling the field. */
function writeOctal(block, value, offset, length) {
    const digits = value.toString(8);
    if (digits.length > length - 1)
        throw new RangeError(`${value} does not fit a ${length}-byte tar field`);
    block.write(`${digits.padStart(length - 1, '0')}\0`, offset, length, 'ascii');
}
/** ustar keeps long paths as prefix + name, split at a `/`; a path that fits neither is refused. */
function splitPath(path) {
    if (path === '' || path.startsWith('/') || path.split('/').includes('..'))
        throw new RangeError(`"${path}" is not a relative path inside the archive`);
    if (Buffer.byteLength(path) <= 100)
        return { prefix: '', name: path };
    for (let at = path.indexOf('/'); at > 0; at = path.indexOf('/', at + 1)) {
        const prefix = path.slice(0, at);
        const name = path.slice(at + 1);
        if (Buffer.byteLength(prefix) <= 155 && Buffer.byteLength(name) <= 100)
            return { prefix, name };
    }
    throw new RangeError(`"${path}" is too long for a ustar archive`);
}

;// CONCATENATED MODULE: ./src/diagnostics/bundle.ts










/** The bundle would have held secret material even after leaving out the items that did: nothing was written. */
class DiagnosticsRefusedError extends Error {
    name = 'DiagnosticsRefusedError';
}
/** How long one item may take on a real lab; scaled down (to at least 5 s) on a simulated one. */
const REAL_ITEM_TIMEOUT_MS = 20_000;
function itemTimeoutMs(pace) {
    return Math.max(5_000, Math.round(REAL_ITEM_TIMEOUT_MS * pace.scale));
}
async function writeDiagnostics(request, path, now = new Date()) {
    const timeoutMs = itemTimeoutMs(request.pace);
    const probe = {
        runner: (0,runner/* withDeadline */.NE)(request.runner, timeoutMs),
        tools: request.tools,
        timeoutMs,
        ceph: request.ceph,
    };
    const collected = [
        ...(await runItems(request.run ?? {}, timeoutMs)),
        ...(await Promise.all(request.clusters.map((cluster) => clusterItems(cluster, probe)))).flat(),
    ].map(redacted);
    const { needles, note } = await secretNeedles(request);
    const items = collected.map((item) => withheldIfSecret(item, needles));
    const folder = `diagnostics-${request.twin}-${stamp(now)}`;
    const manifest = {
        twin: request.twin,
        createdAt: now.toISOString(),
        secretScan: scanSummary(items, needles.length, note),
        items: items.map(({ content: _content, ...item }) => item),
    };
    const entries = [
        { name: `${folder}/manifest.json`, content: `${JSON.stringify(manifest, null, 2)}\n` },
        ...items.flatMap((item) => item.file ? [{ name: `${folder}/${item.file}`, content: item.content }] : []),
    ];
    const leaks = scanForSecrets(Object.fromEntries(entries.map((entry) => [entry.name, entry.content])), needles);
    if (leaks.length > 0)
        throw new DiagnosticsRefusedError(`the bundle would hold the twin's secret material (${leaks.join(', ')})`);
    await writePrivately(path, tarGzip(entries, now));
    return { path, items: manifest.items };
}
/** The request for a twin's bundle from the context an operation on it runs with. */
function diagnosticsRequest(ctx, clusters, run = {}) {
    return {
        twin: ctx.twin.twin,
        clusters,
        runner: ctx.runner,
        tools: ctx.tools,
        store: ctx.store,
        pace: ctx.pace,
        ceph: ctx.twin.spec.addons.rook.enabled,
        run: { scale: ctx.pace.scale, ...run },
    };
}
/** The clusters of the twin's last successful apply, with the paths of their credentials; none without one. */
async function recordedClusters(store, twin) {
    const record = await readTwinRecord(store, twin);
    return (record?.clusters ?? []).map((cluster) => ({
        ...cluster,
        ...clusterKeys(store, twin, cluster.name),
    }));
}
/** For a run that failed: the bundle, or undefined with the reason warned; never throws over the failure itself. */
async function bundleAfterFailure(request, path, warn) {
    try {
        return await writeDiagnostics(request, path);
    }
    catch (error) {
        warn(`no diagnostics bundle was written: ${(0,errors/* errorMessage */.gJ)(error)}`);
        return undefined;
    }
}
/** `PATH (12 items: 10 got, 1 failed, 1 skipped)`, for logs, outputs and summaries. */
function describeBundle(bundle) {
    const words = [
        ['ok', 'got'],
        ['failed', 'failed'],
        ['skipped', 'skipped'],
        ['withheld', 'withheld'],
    ];
    const parts = words
        .map(([status, word]) => [bundle.items.filter((item) => item.status === status).length, word])
        .filter(([count]) => count > 0)
        .map(([count, word]) => `${count} ${word}`);
    return `${bundle.path} (${bundle.items.length} items: ${parts.join(', ')})`;
}
async function secretNeedles(request) {
    try {
        const keys = await request.store.list(request.twin);
        const texts = await Promise.all(keys.map((key) => request.store.read(key)));
        const material = secretMaterial(texts.filter((text) => text !== undefined));
        return { needles: withEncodings([...material, ...(request.secrets ?? [])]) };
    }
    catch (error) {
        return {
            needles: withEncodings(request.secrets ?? []),
            note: `the twin's state could not be read (${(0,errors/* errorMessage */.gJ)(error)}): redacted only`,
        };
    }
}
/** Content and note (an error may quote a tool's output) through the project's redaction. */
function redacted(item) {
    return {
        ...item,
        content: redactSecrets(item.content),
        ...(item.note === undefined ? {} : { note: redactSecrets(item.note) }),
    };
}
function withheldIfSecret(item, needles) {
    const hits = scanForSecrets({ content: item.content, note: item.note ?? '' }, needles);
    if (hits.length === 0)
        return item;
    const { file: _file, note: _note, ...rest } = item;
    return {
        ...rest,
        status: 'withheld',
        note: "held the twin's secret material after redaction: left out",
        content: '',
    };
}
function scanSummary(items, needles, note) {
    const withheld = items.filter((item) => item.status === 'withheld').length;
    const found = withheld === 0 ? 'nothing found' : `${withheld} item(s) held some and were left out`;
    return `${needles} strings of the twin's secret material looked for, raw and base64-encoded: ${found}${note ? `; ${note}` : ''}`;
}
/** 20260102T030405Z */
function stamp(now) {
    return now
        .toISOString()
        .replace(/[-:]/g, '')
        .replace(/\.\d+Z$/, 'Z');
}
async function writePrivately(path, data) {
    await (0,promises_.mkdir)((0,external_node_path_.dirname)(path), { recursive: true, mode: 0o700 });
    await (0,promises_.writeFile)(path, data, { mode: 0o600 });
    await (0,promises_.chmod)(path, 0o600); // the mode of writeFile applies only when the file is created
}

;// CONCATENATED MODULE: ./src/actions/diagnostics.ts





/**
 * A failed step's diagnostics bundle (src/diagnostics): a file directly in RUNNER_TEMP (the post step removes
 * only scratch folders, and the runner empties RUNNER_TEMP after the job), its path set as output
 * `diagnostics` and named in the job summary, for the workflow's upload step to keep as an artifact.
 * Writing it never replaces the step's own failure: a bundle that cannot be written is a warning.
 */
async function diagnoseFailedStep(step, ctx, clusters, run, secrets = []) {
    const path = (0,external_node_path_.join)(tempRoot(), `aggrik8s-twin-${ctx.twin.twin}-${step}-diagnostics.tar.gz`);
    const request = { ...diagnosticsRequest(ctx, clusters, run), secrets };
    const bundle = await (0,action_io/* withGroup */.I1)('Diagnostics bundle', () => bundleAfterFailure(request, path, core/* warning */.$e));
    if (!bundle)
        return;
    core/* setOutput */.uH(action_io/* Outputs */.tY.Diagnostics, bundle.path);
    (0,action_io/* logLine */.BP)(`diagnostics: ${describeBundle(bundle)}`);
    await core/* summary */.z
        .addHeading('Diagnostics', 3)
        .addRaw(`The state of the twin's clusters when this step failed (Talos services and logs, Kubernetes events, ` +
        `pods that are not Ready, Cilium, Cluster Mesh and Ceph status), redacted and scanned for the twin's ` +
        `secrets: \`${bundle.path}\`, ${bundle.items.length} items. The workflow keeps it as an artifact.`, true)
        .write();
}

;// CONCATENATED MODULE: ./src/actions/platform-run.ts




















/** The twin and its clusters as action-provision left them (a missing step is named first), then the tools. */
async function platformContext(settings, label) {
    const { spec, warnings } = loadSpec(settings.specFile, (0,step_context/* workspaceRoot */.oS)(), settings.layoutSpecFile);
    for (const warning of warnings)
        core/* warning */.$e(formatIssue(warning));
    const name = settings.twinInput ?? (0,identity/* twinNameFromContext */.n2)(readGitHubContext(), spec.environments.production.branch);
    const twin = resolveTwin(spec, name);
    const store = (0,step_context/* stateStoreFromInputs */.Iu)(settings.stateDir);
    const clusters = await (0,outcome/* loadTwinRecord */.oo)(store, twin.twin);
    const workDir = stepWorkDir(twin.twin, label);
    core/* saveState */.LZ(action_io/* State */.Uw.TemporaryFiles, JSON.stringify([workDir]));
    const ctx = {
        twin,
        store,
        runner: runner/* execRunner */.M6,
        tools: await (0,step_context/* toolPaths */.D1)(settings.tools),
        workDir,
        pace: paceFor(undefined),
        log: action_io/* logLine */.BP,
        events: step_context/* stepLogEvents */.AE,
    };
    return { ctx, clusters };
}
/** This job's provision step ran the mesh and day 2 in its graph (input platform): its report stands. */
async function doneInProvision(ctx, title) {
    core/* info */.pq(`${title}: done by this job's provision step (input platform: true); nothing left to do`);
    return { report: await (0,platform/* loadPlatformReport */.Os)(ctx.store, ctx.twin.twin), records: [], ok: true };
}
/** The deployment status line: at most 140 characters, so counts rather than names. */
function describeChecks(label, ok, checks) {
    const failed = checks.filter((check) => !check.passed).length;
    if (ok)
        return `${label} done: ${checks.length} check(s) passed`;
    return failed === 0
        ? `${label} failed; the job log says where`
        : `${label} failed: ${failed} of ${checks.length} check(s) failed`;
}
/**
 * The body of action-mesh and action-day2 once their inputs are read: the twin's clusters from the state
 * action-provision left, the work, then outputs, the report kept for the next step, a job summary with the
 * twin's picture, and a failure that quotes the failing check's evidence.
 */
async function runPlatform(settings, label, title, work) {
    const { ctx, clusters } = await platformContext(settings, label);
    const twin = ctx.twin.twin;
    const reviewerSpaces = settings.reviewerAccess && label === 'day2'
        ? reviewerNamespaces(settings.reviewerAccess, ctx.twin)
        : undefined;
    const status = await twinStatusFor(settings.githubToken, ctx.store);
    await status?.begin(twin, label);
    const job = currentJob();
    const done = job !== undefined && (await (0,platform/* platformRanIn */.C0)(ctx.store, twin, job));
    const outcome = await (0,action_io/* withGroup */.I1)(`${title} of twin ${twin}`, () => done ? doneInProvision(ctx, title) : work(ctx, clusters, specFolder(settings.specFile, (0,step_context/* workspaceRoot */.oS)()))).catch(async (error) => {
        await status?.fail(twin, ctx.twin.environment, (0,errors/* errorMessage */.gJ)(error), `${label} failed`);
        // A refusal changed nothing and names its cause; any other error leaves a bundle to look at.
        if (!(0,errors/* isConfigurationError */.p0)(error))
            await diagnoseFailedStep(label, ctx, clusters, { failure: (0,errors/* errorMessage */.gJ)(error) });
        throw error;
    });
    const report = await (0,platform/* savePlatformReport */.PL)(ctx.store, ctx.twin.twin, outcome.report, await (0,platform/* loadPlatformReport */.Os)(ctx.store, ctx.twin.twin));
    const reviewerAccess = reviewerSpaces && outcome.ok ? await provideReviewerAccess(ctx, clusters, reviewerSpaces) : undefined;
    await status?.finish(platformTwinReport(await status.lastReport(twin), {
        twin,
        environment: ctx.twin.environment,
        clusters,
        records: outcome.records,
        platform: report,
        releases: releasesOf(ctx.twin.spec),
        ...(outcome.failure === undefined ? {} : { failure: outcome.failure }),
        ...(reviewerAccess ? { reviewerAccess } : {}),
    }), describeChecks(label, outcome.ok, report.checks));
    core/* setOutput */.uH(action_io/* Outputs */.tY.Twin, ctx.twin.twin);
    setPlatformOutputs(report);
    await writePlatformSummary(`Twin ${ctx.twin.twin}: ${title.toLowerCase()} ${outcome.ok ? 'done' : 'failed'}`, clusters.map((cluster) => ({ name: cluster.name, id: cluster.id, nodes: cluster.nodes })), report, outcome.failure);
    if (outcome.ok)
        return;
    const failure = outcome.failure ?? `${title} failed`;
    await diagnoseFailedStep(label, ctx, clusters, { failure, records: outcome.records });
    throw new Error(`${title} of twin ${ctx.twin.twin} failed:\n${outcome.failure}`);
}


/***/ })

};

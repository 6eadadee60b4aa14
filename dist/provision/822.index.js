export const id = 822;
export const ids = [822];
export const modules = {

/***/ 16822:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {


// EXPORTS
__webpack_require__.d(__webpack_exports__, {
  provision: () => (/* binding */ provision)
});

// EXTERNAL MODULE: ./node_modules/@actions/core/lib/core.js + 7 modules
var core = __webpack_require__(33838);
// EXTERNAL MODULE: ./src/errors.ts
var errors = __webpack_require__(83916);
// EXTERNAL MODULE: ./src/plan/executor.ts + 1 modules
var executor = __webpack_require__(32987);
// EXTERNAL MODULE: ./src/spec/identity.ts
var identity = __webpack_require__(11853);
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

// EXTERNAL MODULE: ./src/github/action-io.ts
var action_io = __webpack_require__(65590);
// EXTERNAL MODULE: external "node:fs"
var external_node_fs_ = __webpack_require__(73024);
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

function environmentOf(twinName) {
    return twinName === 'production' ? 'production' : 'preview';
}
function resolveTwin(spec, twinName) {
    const twin = (0,identity/* validateTwinName */.Y6)(twinName);
    const environment = environmentOf(twin);
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
function expiry_reapPolicyOf(spec) {
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
function expiry_expiryOf(twin, claim, policy) {
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
            production_environment: environmentOf(twin) === 'production',
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
            transient: environmentOf(twin) !== 'production',
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
        await this.comment(this.stamp(destroyedTwinReport(twin, environmentOf(twin), { updatedAt: this.now() })));
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
var echo = __webpack_require__(57355);
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

;// CONCATENATED MODULE: ./src/proxmox/slots.ts
const COMMENT = /^aggrik8s-twin slot of (\S+)(?: since (\S+))?(?: active (\S+))?(?: project (\S+) vmids (\d+)-(\d+) net (\S+))?(?: reserves (\S+))?$/;
const RESERVATION = /^([A-Za-z0-9.-]+)=(\d+)M\/(\d+)G$/;
const NETWORK = /^([a-z0-9][a-z0-9-]*)=([\d.]+)-([\d.]+)@([\d.]+)$/;
/**
 * `aggrik8s-twin slot of pr-7 since <ISO time> [active <ISO time>] project p vmids 7100-7119
 * net east=a-b@vip,... [reserves ...]`
 */
function slotComment(twin, claimedAt, reserves = [], identity, activeAt) {
    const reserved = reserves.map((r) => `${r.pveNode}=${r.memoryMiB}M/${r.diskGiB}G`).join(',');
    const record = identity
        ? ` project ${identity.project} vmids ${identity.vmids.first}-${identity.vmids.last} net ` +
            identity.networks.map((n) => `${n.cluster}=${n.first}-${n.last}@${n.vip}`).join(',')
        : '';
    const active = activeAt ? ` active ${activeAt.toISOString()}` : '';
    return `aggrik8s-twin slot of ${twin} since ${claimedAt.toISOString()}${active}${record}${reserved ? ` reserves ${reserved}` : ''}`;
}
/** Whether `claim` was made before `mine`: the earlier claim is admitted first, ties go to the lower slot. */
function claimedBefore(claim, mine) {
    const [theirs, ours] = [Date.parse(claim.claimedAt ?? ''), Date.parse(mine.claimedAt ?? '')];
    if (Number.isNaN(theirs) || Number.isNaN(ours))
        return true; // unknown age: count it, the safe side
    return theirs < ours || (theirs === ours && claim.slot < mine.slot);
}
function parseComment(comment) {
    const match = COMMENT.exec(comment ?? '');
    if (!match)
        return {};
    const reserves = (match[8] ?? '').split(',').flatMap((item) => {
        const parts = RESERVATION.exec(item);
        return parts ? [{ pveNode: parts[1], memoryMiB: Number(parts[2]), diskGiB: Number(parts[3]) }] : [];
    });
    const identity = parseIdentity(match[4], match[5], match[6], match[7]);
    return {
        twin: match[1],
        ...(match[2] ? { claimedAt: match[2] } : {}),
        ...(match[3] ? { activeAt: match[3] } : {}),
        ...(identity ? { identity } : {}),
        ...(reserves.length > 0 ? { reserves } : {}),
    };
}
function parseIdentity(project, first, last, networks) {
    if (project === undefined || networks === undefined)
        return undefined;
    const parsed = networks.split(',').map((item) => NETWORK.exec(item));
    if (parsed.some((parts) => parts === null))
        return undefined; // unreadable: treated as no record
    return {
        project,
        vmids: { first: Number(first), last: Number(last) },
        networks: parsed.map((parts) => ({
            cluster: parts[1],
            first: parts[2],
            last: parts[3],
            vip: parts[4],
        })),
    };
}
/**
 * The slot pools under any of `poolPrefixes` that exist now and the token may see, whoever holds them.
 * Slot k is one slot under every prefix (it fixes the VMIDs and addresses), so callers compare slot numbers
 * across prefixes. PVE lists only pools with Pool.Audit (P.7): a preview token sees none of production's.
 */
async function listSlotClaims(client, poolPrefixes) {
    const pools = await client.get('/pools');
    const pattern = new RegExp(`^(?:${poolPrefixes.map(escapeRegExp).join('|')})-(\\d+)$`);
    return pools.flatMap((pool) => {
        const match = pattern.exec(pool.poolid);
        if (!match)
            return [];
        return [{ slot: Number(match[1]), poolId: pool.poolid, ...parseComment(pool.comment) }];
    });
}
function escapeRegExp(text) {
    return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
/**
 * The slot a twin would use: the one it holds, else its pinned slot, else the lowest free one that is
 * not pinned by another environment. `undefined` when every slot is taken.
 */
function chooseSlot(claims, twin, opts) {
    const held = claims.find((claim) => claim.twin === twin);
    if (held)
        return { slot: held.slot, held: true };
    if (opts.pinnedSlot !== undefined)
        return { slot: opts.pinnedSlot, held: false };
    const taken = new Set([...claims.map((claim) => claim.slot), ...opts.reserved]);
    for (let slot = 0; slot < opts.count; slot++) {
        if (!taken.has(slot))
            return { slot, held: false };
    }
    return undefined;
}

;// CONCATENATED MODULE: ./src/spec/pools.ts
/** The prefix of the pools a twin of `environment` creates and names: its slot `<prefix>-<k>` and its lock. */
function poolPrefixOf(spec, environment) {
    const own = environment === 'production' ? spec.environments.production.poolPrefix : undefined;
    return own ?? spec.proxmox.slots.poolPrefix;
}
/** Every prefix a twin of this spec may hold a slot under, the previews' first; where claims are listed. */
function slotPoolPrefixes(spec) {
    return [...new Set([poolPrefixOf(spec, 'preview'), poolPrefixOf(spec, 'production')])];
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

;// CONCATENATED MODULE: ./src/proxmox/inventory.ts
const MIB = 1024 * 1024;
/** PVE may normalise tags (lower case, sorted, `;`); compare sets, never strings (CONTRACTS A.4). */
function parseTags(tags) {
    return (tags ?? '')
        .split(/[;,\s]+/)
        .filter((tag) => tag !== '')
        .map((tag) => tag.toLowerCase());
}
function toItem(resource) {
    return {
        vmid: Number(resource.vmid),
        name: resource.name ?? '',
        node: resource.node ?? '',
        status: resource.status ?? 'unknown',
        tags: parseTags(resource.tags),
        ...(resource.pool ? { pool: resource.pool } : {}),
        ...(resource.lock ? { lock: resource.lock } : {}),
        template: Number(resource.template ?? 0) === 1, // Perl booleans arrive as 0/1 or strings
        memoryMiB: Math.round((resource.maxmem ?? 0) / MIB),
        cores: resource.maxcpu ?? 0,
    };
}
/** Every VM of the Proxmox cluster, on every node. */
async function listVms(client) {
    const resources = await client.get('/cluster/resources', { type: 'vm' });
    return resources.filter((resource) => resource.type === 'qemu').map(toItem);
}
/** The names of every node of the Proxmox cluster (GET /nodes lists them all, whatever the caller's rights). */
async function listNodeNames(client) {
    return (await client.get('/nodes')).map((node) => node.node);
}
const GIB = 1024 ** 3;
/**
 * Memory per node (GET /nodes, bytes) and free space of the disk storage per node (/cluster/resources),
 * read once per plan for placement and admission.
 */
async function inventory_listNodeCapacity(client, diskStorage) {
    const [nodes, storages] = await Promise.all([
        client.get('/nodes'),
        client.get('/cluster/resources', { type: 'storage' }),
    ]);
    return nodes.map((node) => {
        const storage = storages.find((s) => s.type === 'storage' && s.node === node.node && s.storage === diskStorage);
        return {
            name: node.node,
            online: node.status === 'online',
            totalMemoryMiB: Math.floor((node.maxmem ?? 0) / MIB),
            freeMemoryMiB: Math.floor(((node.maxmem ?? 0) - (node.mem ?? 0)) / MIB),
            freeDiskGiB: storage ? Math.floor(((storage.maxdisk ?? 0) - (storage.disk ?? 0)) / GIB) : 0,
        };
    });
}

// EXTERNAL MODULE: external "node:crypto"
var external_node_crypto_ = __webpack_require__(77598);
// EXTERNAL MODULE: external "node:os"
var external_node_os_ = __webpack_require__(48161);
;// CONCATENATED MODULE: ./src/proxmox/twin-lock.ts




const twin_lock_COMMENT = /^aggrik8s-twin lock of (\S+) by (\S+) run (\S+) host (\S+) pid (\d+) since (\S+) renewed (\S+) id (\S+)$/;
const ATTEMPTS = 3;
function lockPoolId(poolPrefix, twin) {
    const id = `${poolPrefix}-lock-${twin}`;
    if (!identity/* POOL_ID_REGEX */.B6.test(id))
        throw new RangeError(`lock pool id ${id} does not match ${identity/* POOL_ID_REGEX */.B6.source}`);
    return id;
}
/** This process as a lock holder: host, pid and, inside a workflow, the GitHub run and its attempt. */
function thisProcess(operation, env = process.env) {
    const run = env.GITHUB_RUN_ID ? `${env.GITHUB_RUN_ID}/${env.GITHUB_RUN_ATTEMPT ?? '1'}` : undefined;
    return { operation, host: (0,external_node_os_.hostname)(), pid: process.pid, ...(run ? { run } : {}) };
}
function lockComment(record) {
    const { twin, operation, run, host, pid, since, renewed, id } = record;
    return `aggrik8s-twin lock of ${twin} by ${operation} run ${run ?? '-'} host ${host} pid ${pid} since ${since} renewed ${renewed} id ${id}`;
}
function parseLockComment(comment) {
    const m = twin_lock_COMMENT.exec(comment ?? '');
    if (!m)
        return undefined;
    return {
        twin: m[1],
        operation: m[2],
        ...(m[3] === '-' ? {} : { run: m[3] }),
        host: m[4],
        pid: Number(m[5]),
        since: m[6],
        renewed: m[7],
        id: m[8],
    };
}
/** The lock as Proxmox holds it now, or undefined when nobody holds it. */
async function readLock(client, poolId) {
    const pools = await client.get('/pools');
    const pool = pools.find((one) => one.poolid === poolId);
    if (!pool)
        return undefined;
    const record = parseLockComment(pool.comment);
    return { ...(pool.comment !== undefined ? { comment: pool.comment } : {}), ...(record ? { record } : {}) };
}
function describeHolder(record) {
    const run = record.run ? `run ${record.run}, ` : '';
    return `${record.operation} (${run}host ${record.host}, pid ${record.pid}) since ${record.since}, last renewed ${record.renewed}`;
}
/**
 * Why a lock may be broken, or undefined when its holder may still be running: a holder on this host whose
 * process is gone (a killed run), or one that stopped renewing more than `staleAfterMs` ago.
 */
function whyStale(record, now, staleAfterMs) {
    if (record.host === (0,external_node_os_.hostname)() && !processAlive(record.pid))
        return `its holder, pid ${record.pid} on this host, is gone`;
    const renewed = Date.parse(record.renewed);
    if (Number.isNaN(renewed))
        return undefined;
    const silentMs = now.getTime() - renewed;
    if (silentMs > staleAfterMs)
        return `it was not renewed for ${seconds(silentMs)} (more than ${seconds(staleAfterMs)})`;
    return undefined;
}
function seconds(ms) {
    return `${Math.round(ms / 1000)} s`;
}
function processAlive(pid) {
    try {
        process.kill(pid, 0);
        return true;
    }
    catch (error) {
        return error.code === 'EPERM'; // alive, someone else's
    }
}
/** Another operation holds the twin's lock: nothing was changed. */
class TwinLockedError extends errors/* ConfigurationError */.j1 {
    twin;
    poolId;
    holder;
    name = 'TwinLockedError';
    constructor(twin, poolId, holder, timing) {
        super(`twin ${twin} is locked, nothing was changed: ${holder ? describeHolder(holder) : `pool ${poolId} exists without a lock record`}. ` +
            'Another operation on this twin is under way; run again once it has ended. If you know that holder ' +
            `is gone, remove the lock: pvesh delete /pools --poolid ${poolId}` +
            (holder ? ` (it is broken by itself once not renewed for ${seconds(timing.staleAfterMs)})` : ''));
        this.twin = twin;
        this.poolId = poolId;
        this.holder = holder;
    }
}
/**
 * Takes the twin's lock for `holder`: refused at once (TwinLockedError) while another holder may still run,
 * since GitHub's concurrency group already queues apply and destroy of one twin and the reaper takes the
 * twin on its next run; a stale lock is broken, saying why. Renewed every `renewEveryMs` until released.
 */
async function acquireTwinLock(client, opts) {
    const poolId = lockPoolId(opts.poolPrefix, opts.twin);
    for (let attempt = 1; attempt <= ATTEMPTS; attempt++) {
        const since = new Date().toISOString();
        const record = {
            ...opts.holder,
            twin: opts.twin,
            since,
            renewed: since,
            id: (0,external_node_crypto_.randomBytes)(6).toString('hex'),
        };
        try {
            await client.post('/pools', { poolid: poolId, comment: lockComment(record) });
            return heldLock(client, poolId, record, opts);
        }
        catch (error) {
            const held = await readLock(client, poolId);
            // The create went through but its answer was lost (a retried request): the lock is this run's.
            if (held?.record?.id === record.id)
                return heldLock(client, poolId, record, opts);
            if (!held) {
                if (attempt === ATTEMPTS)
                    throw error; // not taken by anyone, so the create failed for its own reason
                continue; // released a moment ago: take it again
            }
            const stale = held.record && whyStale(held.record, new Date(), opts.timing.staleAfterMs);
            if (!stale)
                throw new TwinLockedError(opts.twin, poolId, held.record, opts.timing);
            // Only the holding judged stale goes: one another breaker took meanwhile is judged anew.
            if ((await readLock(client, poolId))?.record?.id !== held.record.id)
                continue;
            opts.log(`breaking the lock of twin ${opts.twin} (${describeHolder(held.record)}): ${stale}`);
            await client.delete('/pools', { poolid: poolId });
        }
    }
    throw new errors/* ConfigurationError */.j1(`could not take the lock of twin ${opts.twin} (pool ${poolId}): every attempt lost a race; run again`);
}
function heldLock(client, poolId, record, opts) {
    let renewing = Promise.resolve();
    const timer = setInterval(() => {
        renewing = renewing.then(async () => {
            const renewed = { ...record, renewed: new Date().toISOString() };
            try {
                const held = await readLock(client, poolId);
                if (held?.record?.id !== record.id)
                    return; // broken by another: never overwrite its holding
                await client.put('/pools', { poolid: poolId, comment: lockComment(renewed) });
            }
            catch (error) {
                opts.log(`lock of twin ${opts.twin} not renewed this time: ${(0,errors/* errorMessage */.gJ)(error)}`);
            }
        });
    }, opts.timing.renewEveryMs);
    timer.unref();
    return {
        poolId,
        record,
        release: async () => {
            clearInterval(timer);
            await renewing;
            const held = await readLock(client, poolId);
            if (held?.record?.id !== record.id) {
                opts.log(`lock of twin ${opts.twin} is no longer this run's (${held?.record ? describeHolder(held.record) : 'gone'}): left as it is`);
                return;
            }
            await client.delete('/pools', { poolid: poolId });
        },
    };
}

;// CONCATENATED MODULE: ./src/twin/lock.ts



/**
 * How long a silent lock is honoured: as long as the longest single wait of a run (a node's boot). Its holder
 * renews it every quarter of that, so three renewals in a row can fail (an API hiccup) before another run
 * may break it; more often would only spend Proxmox requests (each renewal is a GET and a PUT of /pools).
 */
function lockTiming(pace) {
    return { staleAfterMs: pace.bootTimeoutMs, renewEveryMs: Math.max(pace.pollMs, pace.bootTimeoutMs / 4) };
}
/**
 * Runs `work` holding the twin's lock (src/proxmox/twin-lock.ts), the one apply, destroy and the reaper
 * take, and releases it however `work` ends. A second holder is refused at once, naming who holds it.
 */
async function withTwinLock(ctx, operation, work) {
    const lock = await acquireTwinLock(ctx.client, {
        poolPrefix: poolPrefixOf(ctx.twin.spec, ctx.twin.environment),
        twin: ctx.twin.twin,
        holder: thisProcess(operation),
        timing: lockTiming(ctx.pace),
        log: ctx.log,
    });
    let result;
    try {
        result = await work();
    }
    catch (error) {
        // The work's own error is the one to report; a lock left behind is broken once it goes stale.
        await lock.release().catch((releaseError) => {
            ctx.log(`the lock of twin ${ctx.twin.twin} (pool ${lock.poolId}) stays: ${(0,errors/* errorMessage */.gJ)(releaseError)}`);
        });
        throw error;
    }
    await lock.release();
    return result;
}

;// CONCATENATED MODULE: ./src/twin/known-twins.ts






/**
 * The store is asked first. A twin claims its slot before its first state item is written, so a twin whose
 * state was listed and that still exists is in the claims listed afterwards: a create running meanwhile is
 * never taken for an orphan.
 */
async function known_twins_observeTwins(client, spec, store) {
    const stored = await store.twins();
    const claims = await listSlotClaims(client, slotPoolPrefixes(spec));
    const vms = (await listVms(client)).filter((vm) => vm.tags.includes(spec.project));
    return { stored, claims, vms };
}
/** The VMs of `vms` that carry the twin's tag. */
function known_twins_vmsOfTwin(vms, twin) {
    return vms.filter((vm) => vm.tags.includes(`twin-${twin}`));
}
/** Every twin of the project: the slot pools, the tagged VMs and the twins the state store holds state of. */
async function knownTwins(client, spec, store) {
    return known_twins_knownTwinsIn(await known_twins_observeTwins(client, spec, store), store);
}
/** The twins an observation names, sorted by name, with what the store holds of each. */
async function known_twins_knownTwinsIn(observation, store) {
    const { stored, claims, vms } = observation;
    const names = new Set([
        ...stored,
        ...claims.flatMap((claim) => (claim.twin ? [claim.twin] : [])),
        ...vms.flatMap((vm) => vm.tags.filter((tag) => tag.startsWith('twin-')).map((tag) => tag.slice(5))),
    ]);
    const twins = [];
    for (const twin of [...names].sort()) {
        const claim = claims.find((one) => one.twin === twin);
        const vmCount = known_twins_vmsOfTwin(vms, twin).length;
        const stateItems = stored.includes(twin) ? (await store.list(twin)).length : 0;
        twins.push({
            twin,
            environment: environmentOf(twin),
            ...(claim ? { slot: claim.slot, pool: claim.poolId } : {}),
            ...(claim?.claimedAt ? { claimedAt: claim.claimedAt } : {}),
            ...(claim?.activeAt ? { activeAt: claim.activeAt } : {}),
            vms: vmCount,
            stateItems,
            orphanedState: stateItems > 0 && !claim && vmCount === 0,
        });
    }
    return twins;
}
/** Whether a slot pool or a tagged VM of the twin exists now: one look at Proxmox, not a whole listing. */
async function existsOnProxmox(client, spec, twin) {
    const claims = await listSlotClaims(client, slotPoolPrefixes(spec));
    if (claims.some((claim) => claim.twin === twin))
        return true;
    return (await listVms(client)).some((vm) => vm.tags.includes(spec.project) && vm.tags.includes(`twin-${twin}`));
}
/**
 * Removes the state of preview twins that no longer exist anywhere (the reaper's last task). Each one's
 * state goes only while the sweep holds the twin's lock (the one apply takes before it writes anything), and
 * only if, asked again under that lock, Proxmox has neither a slot nor a VM of it and the store still holds
 * its state: an apply that has just begun (lock taken, state written, slot not yet claimed) keeps its state,
 * and the orphan is skipped with the holder named. A dry run changes nothing, so it takes no lock either.
 */
async function removeOrphanedState(client, spec, store, opts) {
    const sweep = { removed: [], kept: [], skipped: [] };
    for (const known of await knownTwins(client, spec, store)) {
        if (!known.orphanedState)
            continue;
        if (known.environment === 'production') {
            sweep.kept.push(known.twin);
            opts.log(`state of ${known.twin} is kept although no slot or VM of it is visible: production's state is ` +
                'removed only by destroying it (twin down)');
            continue;
        }
        const verdict = await sweepOne(client, spec, store, known.twin, opts);
        if (verdict === 'removed')
            sweep.removed.push(known.twin);
        else if (verdict !== 'not-orphaned')
            sweep.skipped.push(`${known.twin}: ${verdict.skipped}`);
    }
    return sweep;
}
/** One orphan: its state removed under its lock, found no orphan any more, or skipped while another holds the lock. */
async function sweepOne(client, spec, store, twin, opts) {
    if (opts.dryRun)
        return removeIfOrphaned(client, spec, store, twin, opts);
    const ctx = { twin: resolveTwin(spec, twin), client, pace: opts.pace, log: opts.log };
    try {
        return await withTwinLock(ctx, 'reap', () => removeIfOrphaned(client, spec, store, twin, opts));
    }
    catch (error) {
        if (!(error instanceof TwinLockedError))
            throw error;
        opts.log(`state of ${twin} kept this time: ${error.message}`);
        return { skipped: error.message };
    }
}
/** Asks Proxmox and the store once more: a twin that reappeared, or whose state went meanwhile, is left. */
async function removeIfOrphaned(client, spec, store, twin, opts) {
    if (await existsOnProxmox(client, spec, twin))
        return 'not-orphaned';
    const items = (await store.list(twin)).length;
    if (items === 0)
        return 'not-orphaned'; // removed by a destroy that ran meanwhile: nothing left to do
    opts.log(`${opts.dryRun ? 'would remove' : 'removing'} the state of ${twin} (${items} item(s)) ` +
        `from ${store.describe()}: no slot and no VM of it is left`);
    if (!opts.dryRun)
        await store.removeTwin(twin);
    return 'removed';
}

;// CONCATENATED MODULE: ./src/proxmox/errors.ts
/**
 * What can go wrong talking to Proxmox VE, and the questions callers ask about it. No message here ever
 * carries the API token, request parameters (they can hold `cipassword`) or response bodies beyond PVE's
 * own error text.
 */
/** PVE answered with an error status (CONTRACTS A.1: the reason phrase is the message, the body may add more). */
class PveApiError extends Error {
    name = 'PveApiError';
    status;
    /** The status line's reason phrase, which PVE sets to the error text. */
    reason;
    /** The error text: the body's `message` if present, else the reason phrase. */
    serverMessage;
    /** Per-parameter errors of a 400 "Parameter verification failed." */
    errors;
    method;
    path;
    constructor(init) {
        const serverMessage = (init.serverMessage ?? '').trim() || init.reason.trim() || `HTTP ${init.status}`;
        super(describeApiError(init.method, init.path, init.status, serverMessage, init.errors));
        this.status = init.status;
        this.reason = init.reason;
        this.serverMessage = serverMessage;
        if (init.errors)
            this.errors = init.errors;
        this.method = init.method;
        this.path = init.path;
    }
}
function describeApiError(method, path, status, serverMessage, errors) {
    let text = `PVE ${method} ${path} failed with ${status}: ${serverMessage}`;
    const perParameter = Object.entries(errors ?? {}).map(([name, msg]) => `${name}: ${msg.trim()}`);
    if (perParameter.length > 0)
        text += ` (${perParameter.join('; ')})`;
    if (status === 401)
        text += ' - check the API token (USER@REALM!TOKENID=SECRET) and that it has not expired';
    if (PERMISSION_FAILURE.test(serverMessage))
        text += ` - ${RIGHTS_HINT}`;
    return text;
}
/** The connection failed or broke before a complete response arrived. */
class PveNetworkError extends Error {
    name = 'PveNetworkError';
    /** Node's error code, e.g. ECONNREFUSED, ECONNRESET, ETIMEDOUT. */
    code;
    /**
     * False when PVE provably never received the whole request (refused, name lookup failed, the request was
     * not fully written, or an idle keep-alive socket had already been closed by the server). Only then may a
     * write be repeated safely.
     */
    requestMayHaveArrived;
    method;
    path;
    constructor(init) {
        super(`PVE ${init.method} ${init.path}: ${init.detail} (${init.code})${init.hint ? `: ${init.hint}` : ''}`);
        this.code = init.code;
        this.requestMayHaveArrived = init.requestMayHaveArrived;
        this.method = init.method;
        this.path = init.path;
    }
}
/** PVE answered something the API contract rules out (not JSON, a malformed UPID). */
class PveProtocolError extends Error {
    name = 'PveProtocolError';
}
/** A PVE task ended with an error exit status (anything but `OK` or `WARNINGS: n`). */
class PveTaskError extends Error {
    upid;
    exitstatus;
    log;
    name = 'PveTaskError';
    constructor(upid, exitstatus, 
    /** The last lines of the task log, oldest first. */
    log) {
        const tail = log.slice(-LOG_LINES_IN_MESSAGE).map((line) => `\n  | ${line}`);
        // A right the token lacks that PVE checks inside the task (tags at create on qemu-server 9.2, the
        // storage in a resize): say it is about rights, not a transient failure.
        const hint = PERMISSION_FAILURE.test(exitstatus) ? ` - ${RIGHTS_HINT}` : '';
        super(`PVE task ${upid} failed: ${exitstatus}${hint}${tail.join('')}`);
        this.upid = upid;
        this.exitstatus = exitstatus;
        this.log = log;
    }
}
/** raise_perm_exc's text, as a 403 answer or stringified as `403 Permission check failed ...` in a task. */
const PERMISSION_FAILURE = /Permission check failed/;
const RIGHTS_HINT = 'the API token lacks a right: run `twin doctor` for the missing privileges and the pveum commands that grant them (runner-setup/README.md)';
/** PVE refused for lack of rights (an HTTP 403, or a task that failed its own permission check). */
function isPermissionFailure(err) {
    return PERMISSION_FAILURE.test(pveErrorText(err) ?? '');
}
const LOG_LINES_IN_MESSAGE = 10;
/** A PVE task did not stop within the time the caller allowed; it may still be running. */
class PveTaskTimeoutError extends Error {
    upid;
    timeoutMs;
    name = 'PveTaskTimeoutError';
    constructor(upid, timeoutMs) {
        super(`PVE task ${upid} did not finish within ${Math.round(timeoutMs / 1000)} s; it may still be running`);
        this.upid = upid;
        this.timeoutMs = timeoutMs;
    }
}
// `can't lock file '/var/lock/qemu-server/lock-101.conf' - got timeout` (A.5) and its cluster-filesystem
// sibling `cfs-lock 'storage-local' error: got lock request timeout`, which parallel creates hit on a shared storage.
const LOCK_TIMEOUT = /can't lock file '[^']*' - got timeout|cfs-lock '[^']*' error: got lock request timeout/;
const VM_LOCKED = /VM is locked \([^)]*\)/;
const CONFIG_DOES_NOT_EXIST = /Configuration file '[^']*' does not exist/;
/** PVE's error text, whether it came back from the HTTP call or as a task's exit status. */
function pveErrorText(err) {
    if (err instanceof PveApiError)
        return err.serverMessage;
    if (err instanceof PveTaskError)
        return err.exitstatus;
    return undefined;
}
/** Another operation held the lock for too long; nothing was changed, so trying again later is safe. */
function isLockTimeout(err) {
    return isLockTimeoutText(pveErrorText(err) ?? '');
}
/** A task's exit status or an API error's message that says a lock timed out. */
function isLockTimeoutText(text) {
    return LOCK_TIMEOUT.test(text);
}
/** The VM carries a `lock:` (clone, create, ...) until its owning task ends; nothing was changed. */
function isVmLocked(err) {
    return VM_LOCKED.test(pveErrorText(err) ?? '');
}
/** The VM is gone (HTTP 500 from load_config); deleting it again counts as done. */
function isDoesNotExist(err) {
    return err instanceof PveApiError && err.status === 500 && CONFIG_DOES_NOT_EXIST.test(err.serverMessage);
}
/**
 * Statuses that come from the way to the handler rather than the handler: bad gateway, unavailable,
 * gateway timeout, and the 59x codes pveproxy passes on when proxying to another node fails
 * (AnyEvent::HTTP: 595 connecting, 596 sending/headers, 597 body, 599 other). A plain 500 is the
 * handler's own `die`, a definite answer, so it is not in this list.
 */
const TRANSIENT_STATUSES = new Set([502, 503, 504, 595, 596, 597, 599]);
/**
 * Statuses after which a write was not applied: 502/503 (a proxy in front could not reach or was refused
 * by pveproxy) and 595 (pveproxy could not connect to the VM's node). 504 and 596/597 are left out on
 * purpose: they mean the upstream took too long or broke mid-way, so the write may have happened.
 */
const NOT_DELIVERED_STATUSES = new Set([502, 503, 595]);
/** Worth asking again for a read: a transient status or a broken connection. */
function isTransient(err) {
    if (err instanceof PveNetworkError)
        return true;
    return err instanceof PveApiError && TRANSIENT_STATUSES.has(err.status);
}
/**
 * True when a write provably did not take effect: PVE refused it for a lock before changing anything, the
 * request did not reach the handler, or it never left this machine.
 */
function isWriteNotApplied(err) {
    if (isLockTimeout(err) || isVmLocked(err))
        return true;
    if (err instanceof PveNetworkError)
        return !err.requestMayHaveArrived;
    return err instanceof PveApiError && NOT_DELIVERED_STATUSES.has(err.status);
}

;// CONCATENATED MODULE: ./src/proxmox/disk-usage.ts

/**
 * The bytes each VM's volumes take on the disk storage, by VMID: one listing of the storage per PVE node
 * that hosts VMs (GET .../content?content=images), rather than one config read per VM. A VM's
 * `maxdisk` in /cluster/resources is its boot disk only, so extra disks (Ceph's OSDs) are counted here.
 * PVE lists a VM's volumes only with Datastore.Audit on the storage and VM.Config.Disk on the VM (P.6.5);
 * a node whose listing the token may not read, or that does not answer, is left out, so its VMs have no
 * entry: unknown, never counted as 0. A storage shared by nodes lists its volumes on each: counted once.
 */
async function disk_usage_diskBytesByVm(client, storage, pveNodes) {
    const listings = await Promise.all(pveNodes.map((node) => volumesOn(client, node, storage)));
    const seen = new Set();
    const bytes = new Map();
    for (const volume of listings.flat()) {
        if (volume.vmid === undefined || seen.has(volume.volid))
            continue;
        seen.add(volume.volid);
        bytes.set(volume.vmid, (bytes.get(volume.vmid) ?? 0) + (volume.size ?? 0));
    }
    return bytes;
}
async function volumesOn(client, node, storage) {
    try {
        return await client.get(`/nodes/${node}/storage/${storage}/content`, {
            content: 'images',
        });
    }
    catch (error) {
        if (isPermissionFailure(error) || isTransient(error))
            return [];
        throw error;
    }
}

;// CONCATENATED MODULE: ./src/twin/twin-list.ts







const twin_list_GIB = 1024 ** 3;
/**
 * Every twin of the project with its share of the lab and its expiry, and each PVE node's free capacity.
 * Requests: the slot pools, the VM list, the node list and the storage list once each, and one listing of
 * the disk storage per PVE node that hosts the project's VMs; no request per VM.
 */
async function listTwins(client, spec, store) {
    const observation = await observeTwins(client, spec, store);
    const diskStorage = spec.proxmox.storage.disks;
    const [known, disks, nodes] = await Promise.all([
        knownTwinsIn(observation, store),
        diskBytesByVm(client, diskStorage, hostsOf(observation.vms)),
        listNodeCapacity(client, diskStorage),
    ]);
    const policy = reapPolicyOf(spec);
    const twins = known.map((twin) => ({
        ...twin,
        expiry: expiryOf(twin.twin, claimOf(observation.claims, twin.twin), policy),
        share: shareOf(vmsOfTwin(observation.vms, twin.twin), disks),
    }));
    return { store: store.describe(), diskStorage, twins, nodes: roomOf(nodes, observation.claims) };
}
/**
 * One twin's share and expiry, for its job summary and comment: the slot pools, the VM list and the disk
 * storage of the nodes that host its VMs, read as `listTwins` reads them.
 */
async function twinShareAndExpiry(client, spec, twin) {
    const [claims, all] = await Promise.all([listSlotClaims(client, slotPoolPrefixes(spec)), listVms(client)]);
    const vms = known_twins_vmsOfTwin(all.filter((vm) => vm.tags.includes(spec.project)), twin);
    return {
        share: shareOf(vms, await disk_usage_diskBytesByVm(client, spec.proxmox.storage.disks, hostsOf(vms))),
        expiry: expiry_expiryOf(twin, claimOf(claims, twin), expiry_reapPolicyOf(spec)),
    };
}
function claimOf(claims, twin) {
    return claims.find((claim) => claim.twin === twin);
}
function hostsOf(vms) {
    return [...new Set(vms.map((vm) => vm.node))].sort();
}
function shareOf(vms, diskBytes) {
    const sum = (of) => vms.reduce((total, vm) => total + of(vm), 0);
    const known = vms.every((vm) => diskBytes.has(vm.vmid));
    return {
        vms: vms.length,
        running: vms.filter((vm) => vm.status === 'running').length,
        cores: sum((vm) => vm.cores),
        memoryMiB: sum((vm) => vm.memoryMiB),
        ...(known ? { diskGiB: Math.round(sum((vm) => diskBytes.get(vm.vmid)) / twin_list_GIB) } : {}),
    };
}
function roomOf(nodes, claims) {
    const reserves = claims.flatMap((claim) => claim.reserves ?? []);
    return afterReservations(nodes, reserves).map((node) => {
        const held = reserves.filter((r) => r.pveNode === node.name);
        return {
            ...node,
            reservedMemoryMiB: held.reduce((total, r) => total + r.memoryMiB, 0),
            reservedDiskGiB: held.reduce((total, r) => total + r.diskGiB, 0),
        };
    });
}

;// CONCATENATED MODULE: ./src/proxmox/ownership.ts
/** `<twin>-<cluster>-<cp|w>-<n>`, as vmName builds it (twin and cluster names are `[a-z0-9-]`). */
function namePattern(twin) {
    return new RegExp(`^${twin}-[a-z0-9](?:[a-z0-9-]*[a-z0-9])?-(?:cp|w)-[1-9][0-9]?$`);
}
/**
 * The tags allow the VM to be the twin's when they carry the project's and the twin's tags, or when they
 * carry no twin tag at all. The second is the one legitimate partial case: the product creates a VM with its
 * pool but without tags (qemu-server 9.2 checks tag rights before the VM joins its pool, P.6.1) and tags it
 * right after, so a run killed in between leaves an untagged VM that only pool, VMID range and name prove
 * to be the twin's. A VM tagged for another twin never is, wherever it sits.
 */
function tagProblem(vm, twin, project) {
    const twinTags = vm.tags.filter((tag) => tag.startsWith('twin-'));
    if (twinTags.length === 0)
        return undefined;
    if (twinTags.some((tag) => tag !== `twin-${twin}`))
        return `tagged for ${twinTags.join(', ')}`;
    if (!vm.tags.includes(project))
        return `tags lack the project tag ${project}`;
    return undefined;
}
function inRange(vm, holding) {
    return vm.vmid >= holding.identity.vmids.first && vm.vmid <= holding.identity.vmids.last;
}
/** Why `vm` is not the twin's by `holding`, or undefined when it is: pool, VMID range, name and tags all hold. */
function whyNotOwned(vm, twin, holding) {
    if (!holding)
        return [`in no slot pool of twin ${twin} (${vm.pool ? `pool ${vm.pool}` : 'no pool visible'})`];
    const { first, last } = holding.identity.vmids;
    const tags = tagProblem(vm, twin, holding.identity.project);
    return [
        ...(vm.pool === holding.pool ? [] : [`not in pool ${holding.pool} (${vm.pool ?? 'no pool visible'})`]),
        ...(inRange(vm, holding) ? [] : [`VMID outside ${first}-${last}`]),
        ...(namePattern(twin).test(vm.name) ? [] : [`name "${vm.name}" is not ${twin}-<cluster>-<cp|w>-<n>`]),
        ...(tags ? [tags] : []),
    ];
}
/**
 * Splits the VMs the token can see by the strict rule: a VM is the twin's only when it is a member of one
 * of the twin's slot pools, its VMID lies in that slot's recorded range, its name has the twin's pattern
 * and its tags are the twin's (or none, see tagProblem). VMs that match only part of it (the twin's tag,
 * its pool, its VMID range or its name pattern) are returned as foreign with the reasons; the rest are
 * simply someone else's and not mentioned.
 */
function sortByOwnership(vms, twin, holdings) {
    const owned = [];
    const foreign = [];
    for (const vm of vms) {
        const holding = holdings.find((h) => h.pool === vm.pool);
        const reasons = whyNotOwned(vm, twin, holding);
        if (reasons.length === 0) {
            owned.push(vm);
            continue;
        }
        const related = holding !== undefined ||
            vm.tags.includes(`twin-${twin}`) ||
            namePattern(twin).test(vm.name) ||
            holdings.some((h) => inRange(vm, h));
        if (!related)
            continue;
        const why = holding
            ? reasons
            : whyNotOwned(vm, twin, holdings.find((h) => inRange(vm, h)) ?? holdings[0]);
        foreign.push({
            vmid: vm.vmid,
            name: vm.name,
            pveNode: vm.node,
            ...(vm.pool ? { pool: vm.pool } : {}),
            why: why.join('; '),
        });
    }
    return { owned, foreign };
}
/** One line per foreign VM, for logs and errors. */
function describeForeign(vm) {
    return `VM ${vm.vmid} "${vm.name}" on ${vm.pveNode}${vm.pool ? ` in pool ${vm.pool}` : ''}: ${vm.why}`;
}

;// CONCATENATED MODULE: ./src/twin/reaper.ts






/**
 * The preview twins the scheduled reaper destroys, read from the slot claims (the pool comment names the
 * twin, when it was created and when it was last applied): a `pr-<n>` twin whose pull request is closed,
 * and any preview whose last apply (each push applies it again; else its creation) is older than the TTL,
 * unless it is long-lived or its pull request carries the keep label. Production is never reaped. A twin
 * whose age or PR state cannot be known is kept: destroying the wrong twin costs more than keeping one.
 */
async function reapCandidates(opts) {
    const { ttlHours } = opts.policy;
    if (!Number.isFinite(ttlHours) || ttlHours <= 0) {
        throw new errors/* ConfigurationError */.j1(`ttlHours ${ttlHours} is not a positive number of hours: set environments.preview.ttlHours, e.g. 72`);
    }
    const decisions = [];
    for (const claim of opts.claims) {
        const decision = await decide(claim, opts);
        if (decision)
            decisions.push(decision);
    }
    return decisions;
}
async function decide(claim, opts) {
    const twin = claim.twin;
    if (!twin || !identity/* TWIN_NAME_REGEX */.xP.test(twin) || environmentOf(twin) === 'production')
        return undefined;
    const base = { twin, slot: claim.slot, poolId: claim.poolId };
    const pullNumber = pullRequestOf(twin);
    const pull = pullNumber === undefined ? undefined : await opts.pullRequest(pullNumber);
    if (pull?.state === 'closed') {
        return { ...base, reason: 'pr-closed', detail: `pull request #${pullNumber} is closed` };
    }
    const { ttlHours, keepLabel, longLived } = opts.policy;
    if (longLived.includes(twin) || pull?.labels.includes(keepLabel))
        return undefined;
    const { at: since, what } = lastActivity(claim);
    const ageHours = hoursSince(since, opts.now);
    if (!(ageHours > ttlHours))
        return undefined; // young, or its age unknown (NaN)
    return {
        ...base,
        reason: 'ttl-expired',
        detail: `${what} ${since}, ${Math.floor(ageHours)} h ago, past the TTL of ${ttlHours} h`,
    };
}
/**
 * Reaps each twin in its own try, so one that fails does not keep the others. A twin whose lock another
 * operation holds is skipped with the holder named, not failed: it is in use (an apply of its pull request
 * is running), and the next scheduled run takes it if it is still due. VMs the destroy left alone because
 * they only look like the twin's (its tags on a VM in another pool, say) are warned about: someone should
 * know that a VM carries a reaped twin's tags.
 */
async function reapEach(decisions, reapOne, log) {
    const run = { reaped: [], skipped: [], failures: [], leftAlone: [] };
    for (const decision of decisions) {
        try {
            const { foreign } = await reapOne(decision);
            run.reaped.push(decision.twin);
            for (const vm of foreign) {
                log.warning(`left alone while reaping ${decision.twin}, not its own: ${describeForeign(vm)}`);
                run.leftAlone.push(`${decision.twin}: ${describeForeign(vm)}`);
            }
        }
        catch (error) {
            if (error instanceof TwinLockedError) {
                log.warning(`skipped ${decision.twin}: ${error.message}`);
                run.skipped.push(`${decision.twin}: skipped, ${error.message}`);
                continue;
            }
            log.error(`reaping ${decision.twin} failed: ${(0,errors/* errorMessage */.gJ)(error)}`);
            run.failures.push(`${decision.twin}: ${(0,errors/* errorMessage */.gJ)(error)}`);
        }
    }
    return run;
}

;// CONCATENATED MODULE: ./src/github/pull-requests.ts

/**
 * A pull request's state and labels, asked once per number. A number GitHub does not know (404: deleted, or
 * an issue transferred away) is 'unknown'; any other failure (bad token, outage) is thrown, so a broken
 * reaper fails loudly rather than keeping every twin forever in silence.
 */
function pullRequestLookup(octokit, repo) {
    const known = new Map();
    const ask = async (pullNumber) => {
        try {
            const { data } = await octokit.rest.pulls.get({ ...repo, pull_number: pullNumber });
            return { state: data.state, labels: data.labels.map((label) => label.name) };
        }
        catch (error) {
            if (httpStatusOf(error) === 404)
                return { state: 'unknown', labels: [] };
            throw error;
        }
    };
    return (pullNumber) => {
        const info = known.get(pullNumber) ?? ask(pullNumber);
        known.set(pullNumber, info);
        return info;
    };
}

// EXTERNAL MODULE: ./src/exec/runner.ts + 1 modules
var runner = __webpack_require__(9544);
// EXTERNAL MODULE: ./src/actions/step-context.ts + 6 modules
var step_context = __webpack_require__(16443);
// EXTERNAL MODULE: ./src/addons/rook.ts + 1 modules
var addons_rook = __webpack_require__(74513);
// EXTERNAL MODULE: ./src/addons/starwars.ts
var starwars = __webpack_require__(47564);
// EXTERNAL MODULE: ./src/mesh/mesh-check.ts
var mesh_check = __webpack_require__(57229);
// EXTERNAL MODULE: ./src/sizing/allocatable.ts
var allocatable = __webpack_require__(24018);
;// CONCATENATED MODULE: ./src/util/quantity.ts
/**
 * Kubernetes resource quantities as the twin writes them: CPU in millicores (`250m`, `1`, `0.5`),
 * memory in binary units (`512Mi`, `2Gi`, `1536Ki`) or decimal ones (`50M`, `1G`).
 */
const CPU = /^(\d+(?:\.\d+)?)(m?)$/;
const MEMORY = /^(\d+(?:\.\d+)?)(Ki|Mi|Gi|Ti|k|M|G|T)?$/;
const quantity_MIB = 1024 * 1024;
const BYTES = {
    '': 1,
    Ki: 1024,
    Mi: quantity_MIB,
    Gi: 1024 * quantity_MIB,
    Ti: 1024 * 1024 * quantity_MIB,
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
    return Math.ceil((Number(match[1]) * BYTES[match[2] ?? '']) / quantity_MIB);
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

// EXTERNAL MODULE: ./node_modules/yaml/dist/index.js
var dist = __webpack_require__(38815);
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
        allocatable: (0,allocatable/* allocatable */.n)(role, size),
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
    return rookPodsOnFullestWorker((0,addons_rook/* rookClusterValues */.AX)({ cluster: input.cluster, workers: names, workerVm }), (0,addons_rook/* rookOperatorValues */.YC)(workerVm));
}

// EXTERNAL MODULE: ./node_modules/zod/v4/classic/schemas.js + 17 modules
var schemas = __webpack_require__(38816);
// EXTERNAL MODULE: ./src/util/ipv4.ts
var ipv4 = __webpack_require__(27881);
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

;// CONCATENATED MODULE: ./src/plan/node-requests.ts


/**
 * What the twin asks of the fullest node of each role, per cluster: the figures the spec check
 * (spec/node-sizing-rules.ts) compared with each node's allocatable, for plan and render to show.
 */
function twinNodeLoads(twin) {
    return twin.clusters.flatMap((cluster) => clusterNodeLoads(clusterSizing(twin.spec, cluster)));
}
/** `east worker (2 vCPU, 6144 MiB): 1350m of 1950m CPU (69%), 3784Mi of 5337Mi memory (71%)` */
function nodeLoadLine(load) {
    const share = (part, whole) => whole > 0 ? `${Math.round((100 * part) / whole)}%` : 'none free';
    const { requested, allocatable } = load;
    return (`${load.cluster} ${load.role === 'worker' ? 'worker' : 'control plane'} (${load.vm.cores} vCPU, ${load.vm.memoryMiB} MiB): ` +
        `${requested.cpuMilli}m of ${allocatable.cpuMilli}m CPU (${share(requested.cpuMilli, allocatable.cpuMilli)}), ` +
        `${requested.memoryMiB}Mi of ${allocatable.memoryMiB}Mi memory (${share(requested.memoryMiB, allocatable.memoryMiB)})`);
}
/** The section plan and render print: one line per cluster and role. */
function nodeRequestsSection(twin) {
    return [
        'requests on the fullest node of each role, against its allocatable (extras and Tetragon not counted):',
        ...twinNodeLoads(twin).map((load) => `  ${nodeLoadLine(load)}`),
    ];
}

;// CONCATENATED MODULE: ./src/proxmox/placement.ts
function placeVms(requests, nodes, existing) {
    if (nodes.length === 0)
        throw new RangeError('placement needs at least one Proxmox node');
    const free = new Map(nodes.map((node) => [node.name, node.freeMemoryMiB ?? Number.POSITIVE_INFINITY]));
    const groupCount = new Map();
    const groupKey = (request, node) => `${request.cluster}/${request.role}/${node}`;
    const placed = new Map();
    const take = (request, node) => {
        placed.set(request.vmid, node);
        const key = groupKey(request, node);
        groupCount.set(key, (groupCount.get(key) ?? 0) + 1);
    };
    for (const request of requests) {
        const node = existing.get(request.vmid);
        if (node !== undefined)
            take(request, node);
    }
    for (const request of requests) {
        if (placed.has(request.vmid))
            continue;
        const fits = (node) => ((free.get(node.name) ?? 0) >= request.memoryMiB ? 0 : 1);
        const best = [...nodes].sort((a, b) => fits(a) - fits(b) ||
            (groupCount.get(groupKey(request, a.name)) ?? 0) - (groupCount.get(groupKey(request, b.name)) ?? 0) ||
            (free.get(b.name) ?? 0) - (free.get(a.name) ?? 0) ||
            a.name.localeCompare(b.name))[0];
        take(request, best.name);
        free.set(best.name, (free.get(best.name) ?? 0) - request.memoryMiB);
    }
    return placed;
}

;// CONCATENATED MODULE: ./src/talos/image.ts
function talosNocloudImage(talos) {
    const { version, schematic, arch, imageSha256 } = talos;
    return {
        url: `https://factory.talos.dev/image/${schematic}/${version}/nocloud-${arch}.qcow2`,
        fileName: `talos-${version}-${schematic.slice(0, 12)}-nocloud-${arch}.qcow2`,
        ...(imageSha256 === undefined ? {} : { sha256: imageSha256 }),
    };
}
/** download-url's parameters for the image: with a pinned digest, PVE checks it (PVE::Tools download_file_from_url). */
function imageDownloadParams(image) {
    return {
        content: 'import',
        filename: image.fileName,
        url: image.url,
        ...(image.sha256 === undefined ? {} : { checksum: image.sha256, 'checksum-algorithm': 'sha256' }),
    };
}
/** The volume id `import-from` takes once download-url has stored the file with content `import`. */
function importVolumeId(storage, image) {
    return `${storage}:import/${image.fileName}`;
}
/**
 * The installer image Talos installs and upgrades with; its schematic must match the boot image's (CONTRACTS
 * B.2). The nocloud one: plain `installer` is the metal platform's, and since Talos 1.10 the installer bakes
 * the platform into the kernel command line (LIFECYCLE F.1 "Image Factory installer image for nocloud").
 */
function installerImage(talos) {
    return `factory.talos.dev/nocloud-installer/${talos.schematic}:${talos.version}`;
}

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
function maxGroupCounts(spec, clusterName) {
    const variants = clusterVariants(spec, findCluster(spec, clusterName));
    return {
        controlPlanes: largest(variants.map((variant) => variant.controlPlanes)),
        workers: largest(variants.map((variant) => variant.workers)),
    };
}
/** One VIP plus the most control planes and the most workers any environment asks of this cluster. */
function addressesNeeded(spec, clusterName) {
    const most = maxGroupCounts(spec, clusterName);
    return 1 + most.controlPlanes + most.workers;
}
/** Addresses each slot gets: the pool split evenly, the remainder left unused. */
function slotBlockSize(cluster, slots) {
    return Math.floor((0,ipv4/* rangeSize */.xh)((0,ipv4/* parseRange */.RC)(cluster.network.addressPool)) / slots.count);
}
/** The slot's address block in this cluster's node network; the VIP comes first, then control planes, then workers. */
function slotBlock(cluster, slots, slot) {
    requireSlot(slots, slot);
    const size = slotBlockSize(cluster, slots);
    return { first: (0,ipv4/* formatIpv4 */.Re)((0,ipv4/* parseRange */.RC)(cluster.network.addressPool).first + slot * size), size };
}
/**
 * The VMIDs one slot must hold: each cluster's most control planes and workers of any environment, since
 * a slot reserves that many per cluster whichever environment uses it.
 */
function maxVmsPerTwin(spec) {
    return spec.clusters.reduce((total, cluster) => {
        const most = maxGroupCounts(spec, cluster.name);
        return total + most.controlPlanes + most.workers;
    }, 0);
}
/** The VMIDs slot `slot` owns, inclusive. */
function slotVmidRange(slots, slot) {
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

;// CONCATENATED MODULE: ./src/plan/layout.ts




/**
 * Offsets inside the slot's blocks stay fixed whatever the environment's counts are: control planes
 * take the first `max control planes` places, workers the ones after, so adding a worker moves no one.
 */
function layoutTwin(resolved, slot) {
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
        pool: (0,identity/* slotPoolId */.OH)(poolPrefixOf(spec, resolved.environment), slot),
        clusters,
    };
}
function layoutCluster(resolved, cluster, slot, vmidOffset) {
    const { spec, twin } = resolved;
    const block = (0,ipv4/* parseIpv4 */.ni)(slotBlock(cluster, spec.proxmox.slots, slot).first);
    const firstVmid = slotVmidRange(spec.proxmox.slots, slot).first + vmidOffset;
    const workerOffset = maxGroupCounts(spec, cluster.name).controlPlanes;
    const node = (role, index, place) => {
        const group = role === 'controlplane' ? cluster.controlPlanes : cluster.workers;
        return {
            name: (0,identity/* vmName */.l$)(twin, cluster.name, role, index),
            cluster: cluster.name,
            role,
            index,
            vmid: firstVmid + place,
            address: (0,ipv4/* formatIpv4 */.Re)(block + 1 + place), // block + 0 is the slot's VIP
            tags: (0,identity/* ownershipTags */.dt)(spec.project, twin, cluster.name, role),
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
        vip: cluster.vip ?? (0,ipv4/* formatIpv4 */.Re)(block),
        vlan: cluster.network.vlan,
        prefixLength: (0,ipv4/* parseCidr */.GN)(cluster.network.cidr).prefix,
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
function allNodes(layout) {
    return layout.clusters.flatMap((cluster) => cluster.nodes);
}
/** What a twin in `slot` holds (the claim records it): project, VMID range, each cluster's block and VIP. */
function slotIdentity(resolved, layout) {
    const { slots } = resolved.spec.proxmox;
    return {
        project: layout.project,
        vmids: slotVmidRange(slots, layout.slot),
        networks: resolved.clusters.map((cluster) => {
            const block = slotBlock(cluster, slots, layout.slot);
            return {
                cluster: cluster.name,
                first: block.first,
                last: (0,ipv4/* formatIpv4 */.Re)((0,ipv4/* parseIpv4 */.ni)(block.first) + block.size - 1),
                vip: layout.clusters.find((c) => c.name === cluster.name).vip,
            };
        }),
    };
}

;// CONCATENATED MODULE: ./src/plan/plan.ts








/** Claims are read under every environment's prefix: slot numbers are one space across them. */
async function observeProxmox(client, spec) {
    const [vms, nodes, claims] = await Promise.all([
        listVms(client),
        inventory_listNodeCapacity(client, spec.proxmox.storage.disks),
        listSlotClaims(client, slotPoolPrefixes(spec)),
    ]);
    return { vms, nodes, claims };
}
/**
 * Desired state against observed state: every VM the twin wants (create, keep, change), every VM it
 * owns but no longer wants (destroy), and any foreign VM sitting on one of its VMIDs (conflict).
 */
function planTwin(resolved, view, opts = {}) {
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
            throw new errors/* ConfigurationError */.j1(`--slot ${requested} is outside 0..${slots.count - 1}: pick a slot below proxmox.slots.count`);
        }
        return { slot: requested, held: false };
    }
    if (!view && resolved.pinnedSlot === undefined) {
        throw new errors/* ConfigurationError */.j1(`twin ${resolved.twin} has no pinned slot, so its addresses depend on which slots are free: ` +
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
        throw new errors/* ConfigurationError */.j1(`all ${slots.count} twin slots are taken (${holders}): destroy a twin or raise proxmox.slots.count`);
    }
    const holder = view?.claims.find((claim) => claim.slot === chosen.slot && claim.twin !== resolved.twin);
    if (holder) {
        throw new errors/* ConfigurationError */.j1(`slot ${chosen.slot} pinned for ${resolved.twin} is held by twin ${holder.twin ?? '(unknown)'} (pool ${holder.poolId}): ` +
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
        throw new errors/* ConfigurationError */.j1(`proxmox.nodes lists ${missing.join(', ')}, which the Proxmox cluster does not have ` +
            `(it has ${[...known.keys()].join(', ')}): fix proxmox.nodes`);
    }
    const online = allowed.filter((name) => known.get(name)?.online);
    if (online.length === 0)
        throw new errors/* ConfigurationError */.j1(`none of proxmox.nodes (${allowed.join(', ')}) is online`);
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

;// CONCATENATED MODULE: ./src/proxmox/capacity.ts

/** Each node's need for the VMs placed on it, against what it has free now; only the ones that do not fit. */
function shortfalls(demands, nodes) {
    const result = [];
    for (const pveNode of [...new Set(demands.map((d) => d.pveNode))].sort()) {
        const placed = demands.filter((d) => d.pveNode === pveNode);
        const node = nodes.find((n) => n.name === pveNode);
        const has = { memoryMiB: node?.freeMemoryMiB ?? 0, diskGiB: node?.freeDiskGiB ?? 0 };
        const memory = placed.reduce((total, d) => total + d.memoryMiB, 0);
        const disk = placed.reduce((total, d) => total + d.diskGiB, 0);
        if (memory > has.memoryMiB)
            result.push({
                pveNode,
                resource: 'memory',
                needed: memory,
                free: has.memoryMiB,
                unit: 'MiB',
                vms: placed.length,
            });
        if (disk > has.diskGiB)
            result.push({
                pveNode,
                resource: 'disk',
                needed: disk,
                free: has.diskGiB,
                unit: 'GiB',
                vms: placed.length,
            });
    }
    return result;
}
/**
 * Admission before anything is created: a twin that does not fit is refused whole, naming each node
 * and its shortfall, rather than failing at the first VM that cannot be created or started.
 */
function admit(twin, demands, nodes, diskStorage, reservedFor = []) {
    const missing = shortfalls(demands, nodes);
    if (missing.length === 0)
        return;
    const reserved = reservedFor.length > 0 ? ` (free after what twins being built reserved: ${reservedFor.join(', ')})` : '';
    const lines = missing.map((s) => `${s.pveNode} needs ${s.needed} ${s.unit} of ${s.resource === 'disk' ? `disk on ${diskStorage}` : 'memory'} ` +
        `for ${s.vms} VM(s) but has ${s.free} ${s.unit} free (short by ${s.needed - s.free} ${s.unit})`);
    throw new errors/* ConfigurationError */.j1(`twin ${twin} does not fit the Proxmox nodes' free capacity${reserved}, so nothing was created:\n  ${lines.join('\n  ')}\n` +
        'free capacity on those nodes, add nodes to proxmox.nodes, or make the environment smaller (memoryMiB, diskGiB, counts)');
}
/** Free capacity once other twins' reservations are set aside. */
function capacity_afterReservations(nodes, reserves) {
    return nodes.map((node) => {
        const held = reserves.filter((r) => r.pveNode === node.name);
        return {
            ...node,
            freeMemoryMiB: node.freeMemoryMiB - held.reduce((total, r) => total + r.memoryMiB, 0),
            freeDiskGiB: node.freeDiskGiB - held.reduce((total, r) => total + r.diskGiB, 0),
        };
    });
}
/** What the demands take on each node, as the slot claim records it. */
function reservationsOf(demands) {
    const byNode = new Map();
    for (const demand of demands) {
        const reservation = byNode.get(demand.pveNode) ?? { pveNode: demand.pveNode, memoryMiB: 0, diskGiB: 0 };
        reservation.memoryMiB += demand.memoryMiB;
        reservation.diskGiB += demand.diskGiB;
        byNode.set(demand.pveNode, reservation);
    }
    return [...byNode.values()].sort((a, b) => a.pveNode.localeCompare(b.pveNode));
}

;// CONCATENATED MODULE: ./src/spec/quota.ts

const UNITS = {
    vms: 'VMs',
    cores: 'cores',
    memoryMiB: 'MiB',
    diskGiB: 'GiB',
};
function groupFootprint(group) {
    const disk = group.diskGiB + group.extraDisks.reduce((sum, extra) => sum + extra.sizeGiB, 0);
    return {
        vms: group.count,
        cores: group.count * group.cores,
        memoryMiB: group.count * group.memoryMiB,
        diskGiB: group.count * disk,
    };
}
/** Every VM of the twin: control planes and workers of every cluster, system and extra disks. */
function twinFootprint(twin) {
    const total = { vms: 0, cores: 0, memoryMiB: 0, diskGiB: 0 };
    for (const group of twin.clusters.flatMap((cluster) => [cluster.controlPlanes, cluster.workers])) {
        const part = groupFootprint(group);
        for (const key of Object.keys(total))
            total[key] += part[key];
    }
    return total;
}
/** One line per limit the twin exceeds: the quota field, what the twin asks and the limit. */
function quotaExcesses(twin) {
    const quota = twin.environment === 'preview' ? twin.spec.environments.preview.quota : undefined;
    if (!quota)
        return [];
    const asked = twinFootprint(twin);
    return Object.keys(UNITS).flatMap((key) => {
        const limit = quota[key];
        return limit !== undefined && asked[key] > limit
            ? [
                `environments.preview.quota.${key}: the twin asks ${asked[key]} ${UNITS[key]}, the quota is ${limit}`,
            ]
            : [];
    });
}
/** Admission: a preview over its quota is refused whole, before any request that changes anything. */
function refuseOverQuota(twin) {
    const excesses = quotaExcesses(twin);
    if (excesses.length === 0)
        return;
    throw new errors/* ConfigurationError */.j1(`twin ${twin.twin} asks more than a preview may take, so nothing was changed:\n  ${excesses.join('\n  ')}\n` +
        'make the preview smaller (environments.preview.clusters.<name>: count, cores, memoryMiB, diskGiB, ' +
        'extraDisks) or raise environments.preview.quota in the production branch');
}

;// CONCATENATED MODULE: ./src/twin/address-guard.ts




/**
 * Before any VM is created, its address and the twin's VIPs must be nobody else's: not inside the address
 * block or equal to the VIP another twin's claim recorded, and not a static address (ipconfigN) of any VM
 * the token can see that is not this twin's own. The slot layout follows from the spec, so a spec edited in
 * a pull request could otherwise put a preview on production's addresses. An overlap is refused naming both.
 */
async function refuseAddressOverlap(client, resolved, plan, view) {
    if (!plan.vms.some((vm) => vm.action === 'create'))
        return;
    const wanted = [
        ...plan.vms
            .filter((vm) => vm.action === 'create' && vm.address)
            .map((vm) => ({ address: vm.address, what: `${vm.name} (VM ${vm.vmid})` })),
        ...plan.clusters.map((cluster) => ({ address: cluster.vip, what: `the VIP of cluster ${cluster.name}` })),
    ];
    const held = [
        ...recordedTwins(resolved, view.claims, plan.twin),
        ...(await vmAddresses(client, plan, view)),
    ];
    const overlaps = wanted.flatMap((mine) => held
        .filter((other) => (0,ipv4/* rangeIncludes */.JX)(rangeOf(other), (0,ipv4/* parseIpv4 */.ni)(mine.address)))
        .map((other) => `${mine.address} for ${mine.what} is ${other.what}`));
    if (overlaps.length === 0)
        return;
    throw new errors/* ConfigurationError */.j1(`twin ${plan.twin} would take addresses that are already held, nothing was changed:\n  ${overlaps.join('\n  ')}\n` +
        "fix the spec's proxmox.slots and clusters[].network.addressPool / vip so this twin's slot block is " +
        "free (a pull request's spec must keep the production branch's layout), or free those addresses");
}
function rangeOf(held) {
    return { first: (0,ipv4/* parseIpv4 */.ni)(held.first), last: (0,ipv4/* parseIpv4 */.ni)(held.last) };
}
/** Every other twin's block and VIP per cluster, as its claim recorded them (or by the spec, said so). */
function recordedTwins(resolved, claims, twin) {
    const { slots } = resolved.spec.proxmox;
    return claims
        .filter((claim) => claim.twin !== twin)
        .flatMap((claim) => {
        const owner = `twin ${claim.twin ?? '(unknown)'} (pool ${claim.poolId})`;
        const networks = claim.identity?.networks ??
            resolved.spec.clusters.flatMap((cluster) => {
                if (claim.slot >= slots.count)
                    return [];
                const block = slotBlock(cluster, slots, claim.slot);
                const last = (0,ipv4/* formatIpv4 */.Re)((0,ipv4/* parseIpv4 */.ni)(block.first) + block.size - 1);
                return [{ cluster: cluster.name, first: block.first, last, vip: block.first }];
            });
        const how = claim.identity ? 'recorded' : 'by the spec: the claim has no record';
        return networks.flatMap((net) => [
            {
                first: net.first,
                last: net.last,
                what: `in the ${net.cluster} block ${net.first}-${net.last} of ${owner}, ${how}`,
            },
            { first: net.vip, last: net.vip, what: `the ${net.cluster} VIP of ${owner}, ${how}` },
        ]);
    });
}
/** The static addresses (ipconfig0..N) of every VM the token can see that is not this twin's own. */
async function vmAddresses(client, plan, view) {
    const mine = new Set(plan.vms.filter((vm) => vm.action !== 'create').map((vm) => vm.vmid));
    const others = view.vms.filter((vm) => !mine.has(vm.vmid) && !vm.template);
    const configs = await Promise.all(others.map(async (vm) => {
        try {
            return {
                vm,
                config: await client.get(`/nodes/${vm.node}/qemu/${vm.vmid}/config`),
            };
        }
        catch (error) {
            // Gone since it was listed, or a create still in flight that only the pool will let us read.
            if (isDoesNotExist(error) || isPermissionFailure(error))
                return { vm, config: {} };
            throw error;
        }
    }));
    return configs.flatMap(({ vm, config }) => Object.entries(config)
        .filter(([key]) => /^ipconfig\d+$/.test(key))
        .flatMap(([key, value]) => {
        const ip = /(?:^|,)ip=(\d+\.\d+\.\d+\.\d+)\/\d+(?:,|$)/.exec(String(value))?.[1];
        const what = `${key} of VM ${vm.vmid} "${vm.name}" on ${vm.node}${vm.pool ? ` (pool ${vm.pool})` : ''}`;
        return ip ? [{ first: ip, last: ip, what }] : [];
    }));
}

// EXTERNAL MODULE: ./src/twin/lost-state.ts
var lost_state = __webpack_require__(66002);
// EXTERNAL MODULE: ./src/twin/outcome.ts
var twin_outcome = __webpack_require__(51646);
;// CONCATENATED MODULE: ./src/twin/admission.ts







/**
 * The checks `up` runs on its plan before it claims a slot or changes anything, in its order: the slot's
 * recorded layout, VMIDs held by others, state the store lost, identity changes Cilium cannot take, addresses
 * held by others, then the new VMs against the free capacity that other twins' reservations leave. Read-only,
 * so `plan` runs the same to tell whether `up` would go ahead. Returns what the new VMs take, for the claim.
 */
async function refuseInadmissible(ctx, plan, view) {
    refuseLayoutDrift(plan, view.claims);
    refuseConflicts(plan);
    await (0,lost_state/* refuseLostState */.y)(ctx.store, plan);
    refuseIdentityChanges(plan, await (0,twin_outcome/* readTwinRecord */.Ak)(ctx.store, plan.twin));
    await refuseAddressOverlap(ctx.client, ctx.twin, plan, view);
    const demands = creationDemands(plan);
    const others = view.claims.filter((claim) => claim.twin !== plan.twin);
    admitBeside(ctx, plan, demands, view, others);
    return demands;
}
/**
 * `up`'s verdict on the plan without its claim: the reason `up` would refuse the twin with (its quota first,
 * then refuseInadmissible), word for word, or undefined when `up` would go ahead.
 */
async function admissionRefusal(ctx, plan, view) {
    try {
        refuseOverQuota(ctx.twin);
        await refuseInadmissible(ctx, plan, view);
        return undefined;
    }
    catch (error) {
        if ((0,errors/* isConfigurationError */.p0)(error))
            return error.message;
        throw error;
    }
}
/** Admission against the free capacity that the reservations of `claims` leave. */
function admitBeside(ctx, plan, demands, view, claims) {
    const building = claims.filter((claim) => claim.reserves);
    admit(plan.twin, demands, capacity_afterReservations(view.nodes, building.flatMap((claim) => claim.reserves ?? [])), ctx.twin.spec.proxmox.storage.disks, building.map((claim) => claim.twin ?? claim.poolId));
}
/**
 * A running cluster keeps its Cilium cluster id and pod CIDR: Cilium fixes both at install (identities and
 * the mesh are derived from the id; every pod address from the CIDR), so a spec that changes them for an
 * existing cluster is refused before anything changes, rather than half-applied.
 */
function refuseIdentityChanges(plan, record) {
    if (!record)
        return;
    const changes = plan.clusters.flatMap((cluster) => {
        const before = record.clusters.find((known) => known.name === cluster.name);
        if (!before)
            return [];
        return [
            ...(before.id !== cluster.id ? [`cluster ${cluster.name}: id ${before.id} -> ${cluster.id}`] : []),
            ...(before.pods !== cluster.pods
                ? [`cluster ${cluster.name}: pods ${before.pods} -> ${cluster.pods}`]
                : []),
        ];
    });
    if (changes.length === 0)
        return;
    throw new errors/* ConfigurationError */.j1(`twin ${plan.twin} cannot take these changes in place, nothing was changed:\n  ${changes.join('\n  ')}\n` +
        "Cilium fixes a cluster's id and pod CIDR at install: restore them in the spec, or destroy the twin " +
        '(operation destroy) and apply it again');
}
/**
 * A held slot keeps its pool and what its claim recorded: a spec that now puts the twin's slot in another
 * pool (environments.production.poolPrefix set or changed: its VMs are members of the pool they were created
 * in), or gives it another project, VMID range, or another address block or VIP for a cluster it already has
 * is refused, since destroy and every other twin go by the record. Clusters the record does not know yet are
 * new and take their place from the slot.
 */
function refuseLayoutDrift(plan, claims) {
    const held = claims.find((claim) => claim.twin === plan.twin && claim.slot === plan.slot);
    if (!held)
        return;
    const drift = [
        ...(held.poolId === plan.pool ? [] : [`pool ${held.poolId} -> ${plan.pool}`]),
        ...(held.identity ? identityDrift(held.identity, plan.identity) : []),
    ];
    if (drift.length === 0)
        return;
    throw new errors/* ConfigurationError */.j1(`twin ${plan.twin} holds slot ${plan.slot} (pool ${held.poolId}) as recorded when it was claimed, and the spec ` +
        `now places it elsewhere; nothing was changed:\n  ${drift.join('\n  ')}\n` +
        'restore project, proxmox.slots, environments.production.poolPrefix and clusters[].network.addressPool / ' +
        'vip in the spec, or destroy the twin and apply it again');
}
function identityDrift(recorded, now) {
    const shown = (n) => `${n.first}-${n.last} (VIP ${n.vip})`;
    return [
        ...(recorded.project !== now.project ? [`project ${recorded.project} -> ${now.project}`] : []),
        ...(recorded.vmids.first !== now.vmids.first || recorded.vmids.last !== now.vmids.last
            ? [`VMIDs ${recorded.vmids.first}-${recorded.vmids.last} -> ${now.vmids.first}-${now.vmids.last}`]
            : []),
        ...recorded.networks.flatMap((before) => {
            const after = now.networks.find((n) => n.cluster === before.cluster);
            return after && shown(after) !== shown(before)
                ? [`cluster ${before.cluster}: addresses ${shown(before)} -> ${shown(after)}`]
                : [];
        }),
    ];
}
function refuseConflicts(plan) {
    const conflicts = plan.vms.filter((vm) => vm.action === 'conflict');
    if (conflicts.length === 0)
        return;
    throw new errors/* ConfigurationError */.j1(`twin ${plan.twin} cannot be applied, nothing was changed:\n  ${conflicts.flatMap((vm) => vm.reasons).join('\n  ')}\n` +
        'remove those VMs or move this twin to another slot');
}

// EXTERNAL MODULE: external "node:fs/promises"
var promises_ = __webpack_require__(51455);
;// CONCATENATED MODULE: ./src/mesh/ca.ts


/**
 * The twin's Cilium CA. Every cluster of a twin gets the same one as `tls.ca` (CONTRACTS C.2-C.3): each
 * cluster's clustermesh certificates are signed by it, so every peer trusts them and no secret is ever
 * copied between clusters. Two CAs in one twin means a mesh that never connects.
 */
const MESH_CA_COMMON_NAME = 'Cilium CA';
/** Ten years: replacing the CA means reinstalling Cilium on every cluster of the twin. */
const MESH_CA_DAYS = 3650;
function meshCaKey(twin) {
    return { twin, name: 'mesh-ca.json' };
}
/** The x509 library (and its dependency injection container) loads only when a CA is made: it is slow to load. */
async function createMeshCa() {
    const { createCertificateAuthority } = await Promise.all(/* import() */[__webpack_require__.e(631), __webpack_require__.e(726)]).then(__webpack_require__.bind(__webpack_require__, 32726));
    return createCertificateAuthority(MESH_CA_COMMON_NAME, MESH_CA_DAYS);
}
/**
 * What `twin render` puts in the Cilium values it writes: a CA made for that render alone, so the values work
 * as they stand with helm (the chart's buildCustomCert refuses a placeholder). Never a twin's CA, never stored;
 * its name and short life say so to anyone who finds it in a cluster.
 */
const THROWAWAY_CA_COMMON_NAME = 'throw-away Cilium CA made by twin render - not a twin mesh CA';
const THROWAWAY_CA_DAYS = 30;
async function createThrowawayCa() {
    const { createCertificateAuthority } = await Promise.all(/* import() */[__webpack_require__.e(631), __webpack_require__.e(726)]).then(__webpack_require__.bind(__webpack_require__, 32726));
    return createCertificateAuthority(THROWAWAY_CA_COMMON_NAME, THROWAWAY_CA_DAYS);
}
/**
 * The twin's CA from the store, created and stored on first use. Call it once per twin before its clusters
 * are provisioned in parallel: two first uses at once would each create a CA.
 */
async function ensureMeshCa(store, twin, now = new Date()) {
    const key = meshCaKey(twin);
    const stored = await store.read(key);
    if (stored !== undefined)
        return parseMeshCa(stored, store.pathOf(key), now);
    const ca = await createMeshCa();
    await store.write(key, JSON.stringify(ca));
    return ca;
}
/**
 * Checks a stored CA before it goes into every cluster: a CA certificate, the key that belongs to it, and
 * not expired. Messages name the file, never its content.
 */
function parseMeshCa(text, source, now = new Date()) {
    const unusable = (why) => new errors/* ConfigurationError */.j1(`the mesh CA in ${source} ${why}: restore the file from a backup, or delete it to create a new CA ` +
        '(then Cilium must be reinstalled on every cluster of the twin)');
    let parsed;
    try {
        parsed = JSON.parse(text);
    }
    catch {
        throw unusable('is not JSON');
    }
    const { certPem, keyPem } = (parsed ?? {});
    if (typeof certPem !== 'string' || typeof keyPem !== 'string')
        throw unusable('lacks certPem or keyPem');
    let cert;
    try {
        cert = new external_node_crypto_.X509Certificate(certPem);
    }
    catch {
        throw unusable('holds no readable certificate');
    }
    if (!cert.ca)
        throw unusable('is not a CA certificate');
    let keyMatches;
    try {
        keyMatches = cert.checkPrivateKey((0,external_node_crypto_.createPrivateKey)(keyPem));
    }
    catch {
        throw unusable('holds no readable private key');
    }
    if (!keyMatches)
        throw unusable("holds a key that does not belong to the CA's certificate");
    if (new Date(cert.validTo).getTime() <= now.getTime())
        throw unusable(`expired on ${cert.validTo}`);
    return { certPem, keyPem };
}

// EXTERNAL MODULE: ./src/util/work-dir.ts
var work_dir = __webpack_require__(97);
// EXTERNAL MODULE: external "node:path"
var external_node_path_ = __webpack_require__(76760);
// EXTERNAL MODULE: ./src/kube/helm.ts
var kube_helm = __webpack_require__(78781);
// EXTERNAL MODULE: ./src/mesh/clustermesh.ts
var clustermesh = __webpack_require__(99542);
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
            throw new errors/* ConfigurationError */.j1(`${field('timeServers')} is empty: list a server, or leave it out for ${DEFAULT_TIME_SERVER}`);
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
        throw new errors/* ConfigurationError */.j1(`${field('prefixLength')} ${node.prefixLength} is not a prefix length: use 1-32`);
    }
    if (node.dns.length === 0) {
        throw new errors/* ConfigurationError */.j1(`${field('dns')} is empty: list at least one resolver`);
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
            throw new errors/* ConfigurationError */.j1(`${field('vip')} is missing: a control plane carries the cluster VIP`);
        }
        requireIpv4(node.vip, field('vip'));
        eth0.vip = { ip: node.vip };
    }
    else if (node.vip !== undefined) {
        throw new errors/* ConfigurationError */.j1(`${field('vip')} is set on a worker: Talos accepts a VIP on control planes only`);
    }
    return toYaml({ machine: { network: { hostname: node.name, nameservers: node.dns, interfaces: [eth0] } } });
}
function toYaml(patch) {
    return (0,dist/* stringify */.As)(patch, { lineWidth: 0 });
}
function requireText(value, field) {
    if (value.trim() === '')
        throw new errors/* ConfigurationError */.j1(`${field} is empty: give a value`);
}
function requireIpv4(value, field) {
    if (!(0,ipv4/* isIpv4 */.eH)(value)) {
        throw new errors/* ConfigurationError */.j1(`${field} ${(0,echo/* echoed */.Dt)(value)} is not an IPv4 address: write e.g. 192.168.15.10`);
    }
}
function requireHttpUrl(value, field) {
    const url = URL.canParse(value) ? new URL(value) : undefined;
    if (!url || (url.protocol !== 'https:' && url.protocol !== 'http:')) {
        throw new errors/* ConfigurationError */.j1(`${field} ${(0,echo/* echoed */.Dt)(value)} is not an http(s) URL: write e.g. https://cache.lab:5000`);
    }
}
function requireCidr(value, field) {
    if (!ipv4/* CIDR_REGEX */.HM.test(value)) {
        throw new errors/* ConfigurationError */.j1(`${field} ${(0,echo/* echoed */.Dt)(value)} is not an IPv4 CIDR: write e.g. 10.244.0.0/16`);
    }
}
function requireCount(value, field) {
    if (!Number.isInteger(value) || value < 0) {
        throw new errors/* ConfigurationError */.j1(`${field} ${value} is not a count: use 0 or more`);
    }
}

;// CONCATENATED MODULE: ./src/mesh/cilium-values.ts



/** The chart's validate.yaml pattern for cluster.name (CONTRACTS C.2). */
const CLUSTER_NAME = /^([a-z0-9][-a-z0-9]*)?[a-z0-9]$/;
const CLUSTER_NAME_MAX = 32;
/** With the default clustermesh.maxConnectedClusters (255), ids run 1-255; the chart itself does not check. */
const CLUSTER_ID_MAX = 255;
/**
 * Cilium as the cluster's CNI and kube-proxy replacement on Talos, with its mesh identity from the start
 * (name, id and the shared CA are fixed at install: changing them later means restarting every workload).
 * From the Talos guide (C.1): pod CIDRs from Kubernetes (ipam kubernetes, so each cluster's Talos
 * podSubnets apply and never overlap), no SYS_MODULE (Talos refuses module loading), Talos's own cgroup
 * mount, and the API server through KubePrism on localhost since no kube-proxy exists. bpf.masquerade stays
 * at its default (off): on, it would also need Talos hostDNS forwardKubeDNSToHost off (talos/config.ts).
 */
function ciliumValues(input) {
    requireClusterName(input.clusterName);
    requireClusterId(input.clusterId);
    if (!Number.isInteger(input.nodeCount) || input.nodeCount < 1) {
        throw new errors/* ConfigurationError */.j1(`cluster ${input.clusterName}: nodeCount ${input.nodeCount} must be 1 or more`);
    }
    return {
        ipam: { mode: 'kubernetes' },
        kubeProxyReplacement: true,
        securityContext: {
            capabilities: {
                ciliumAgent: [
                    'CHOWN',
                    'KILL',
                    'NET_ADMIN',
                    'NET_RAW',
                    'IPC_LOCK',
                    'SYS_ADMIN',
                    'SYS_RESOURCE',
                    'DAC_OVERRIDE',
                    'FOWNER',
                    'SETGID',
                    'SETUID',
                ],
                cleanCiliumState: ['NET_ADMIN', 'SYS_ADMIN', 'SYS_RESOURCE'],
            },
        },
        cgroup: { autoMount: { enabled: false }, hostRoot: '/sys/fs/cgroup' },
        k8sServiceHost: 'localhost',
        k8sServicePort: KUBEPRISM_PORT,
        // The chart's two replicas must sit on different nodes: on a one-node cluster the second never schedules.
        operator: { replicas: Math.min(2, input.nodeCount) },
        cluster: { name: input.clusterName, id: input.clusterId },
        tls: { ca: { cert: base64(input.ca.certPem), key: base64(input.ca.keyPem) } },
        hubble: { relay: { enabled: true }, ui: { enabled: true } },
    };
}
/** The values file for `helm --values`. It holds the CA key: store it 0600 (state store), never log it. */
function valuesYaml(values) {
    return (0,dist/* stringify */.As)(values, { lineWidth: 0 });
}
function requireClusterName(name) {
    if (name.length > CLUSTER_NAME_MAX || !CLUSTER_NAME.test(name)) {
        throw new errors/* ConfigurationError */.j1(`Cilium cluster.name "${name}" is not valid: use at most ${CLUSTER_NAME_MAX} lower-case letters, digits ` +
            'and "-", starting and ending with a letter or digit');
    }
    if (name === 'default') {
        throw new errors/* ConfigurationError */.j1('Cilium cluster.name "default" is refused with a cluster id: pick another name');
    }
}
function requireClusterId(id) {
    if (!Number.isInteger(id) || id < 1 || id > CLUSTER_ID_MAX) {
        throw new errors/* ConfigurationError */.j1(`Cilium cluster.id ${id} is out of range: give each cluster of the twin its own id from 1 to ${CLUSTER_ID_MAX}`);
    }
}
function base64(pem) {
    return Buffer.from(pem, 'utf8').toString('base64');
}

// EXTERNAL MODULE: ./src/kube/readiness.ts
var readiness = __webpack_require__(15153);
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

;// CONCATENATED MODULE: ./src/twin/layers/kubernetes.ts



async function observeKubernetes(deps, cluster) {
    try {
        const nodes = await deps.kubectl.nodes();
        const apiServer = (await deps.kubectl.apiServerVersion()).replace(/^v/, '');
        const kubelets = nodes.flatMap((node) => node.kubeletVersion ? [{ node: node.name, version: node.kubeletVersion.replace(/^v/, '') }] : []);
        return { cluster, apiServer, kubelets };
    }
    catch (error) {
        return { cluster, kubelets: [], unobserved: `the Kubernetes API did not answer: ${(0,errors/* errorMessage */.gJ)(error)}` };
    }
}
/** The lowest version running anywhere: where `upgrade-k8s` starts from (it detects the lowest, F.2). */
function lowest(observation) {
    const versions = [
        ...(observation.apiServer ? [observation.apiServer] : []),
        ...observation.kubelets.map((k) => k.version),
    ];
    return versions.sort(compareVersions)[0];
}
/**
 * The `upgrade-k8s` runs from the lowest running version to the wanted one, stopping before the first run
 * some node's planned Talos cannot take (`plannedTalos`: node name -> release once the Talos layer is done).
 */
function diffKubernetes(observation, wanted, plannedTalos) {
    const { cluster } = observation;
    const from = lowest(observation);
    const base = {
        layer: 'kubernetes',
        cluster,
        running: describeRunning(observation),
        wanted: `Kubernetes ${wanted.version}`,
    };
    if (!from)
        return {
            ...base,
            changes: [],
            refused: [],
            unobserved: observation.unobserved ?? 'no Kubernetes version seen',
        };
    const refuse = (reason) => ({
        layer: 'kubernetes',
        cluster,
        target: cluster,
        asked: `Kubernetes ${from} -> ${wanted.version}`,
        reason,
    });
    const path = pathFor(observation, from, wanted.version);
    if ('refused' in path)
        return { ...base, changes: [], refused: [refuse(path.refused)] };
    const changes = [];
    let previous = from;
    for (const hop of path.hops) {
        const blocked = talosBlocking(hop, observation, plannedTalos, wanted);
        if (blocked)
            return { ...base, changes, refused: [refuse(blocked)] };
        changes.push({
            layer: 'kubernetes',
            cluster,
            target: cluster,
            kind: 'kubernetes-upgrade',
            from: previous,
            to: hop,
            detail: 'talosctl upgrade-k8s: control-plane components one node at a time, then each kubelet in place (no drain, no reboot)',
            disruptive: false,
        });
        previous = hop;
    }
    return { ...base, changes, refused: [] };
}
/**
 * From the lowest running version, checked from the highest too (nothing goes back a minor); a cluster
 * whose lowest is already the wanted one but with parts on another patch gets one N->N run.
 */
function pathFor(observation, from, to) {
    const running = [
        ...(observation.apiServer ? [observation.apiServer] : []),
        ...observation.kubelets.map((k) => k.version),
    ];
    if (running.every((version) => version === to))
        return { hops: [] };
    const highest = [...running].sort(compareVersions).at(-1) ?? from;
    const back = kubernetesUpgradePath(highest, to);
    if ('refused' in back)
        return back;
    const path = kubernetesUpgradePath(from, to);
    return 'hops' in path && path.hops.length === 0 ? { hops: [to] } : path;
}
/** Why some node's planned Talos cannot run `hop` (F.2 `VerifyVersionCompatibility`), with the step first. */
function talosBlocking(hop, observation, plannedTalos, wanted) {
    const needed = oldestTalosFor(hop);
    const head = `Kubernetes ${kubernetesMinor(hop)} needs Talos ${needed?.series ?? '(none supports it)'} on every node`;
    for (const { node } of observation.kubelets) {
        const release = plannedTalos.get(node);
        if (!release)
            return `${head}: the Talos release of ${node} is not known`;
        if (talosSupportsKubernetes(release, hop))
            continue;
        if (!needed)
            return `no supported Talos runs Kubernetes ${kubernetesMinor(hop)}`;
        if (talosSupportsKubernetes(wanted.talosVersion, hop)) {
            return `${head}: ${node} stays on ${release} (its Talos upgrade is refused, see the talos layer)`;
        }
        return `${head}: set talos.version to ${needed.series}.x first`;
    }
    return undefined;
}
function describeRunning(observation) {
    if (!observation.apiServer)
        return 'Kubernetes: not observed';
    const kubelets = new Set(observation.kubelets.map((k) => k.version));
    const others = [...kubelets].filter((version) => version !== observation.apiServer);
    const suffix = others.length > 0 ? ` (kubelets also on ${others.sort(compareVersions).join(', ')})` : '';
    return `Kubernetes ${observation.apiServer}${suffix}`;
}
function compareVersions(a, b) {
    const pa = a.split('.').map(Number);
    const pb = b.split('.').map(Number);
    for (let i = 0; i < 3; i += 1) {
        const difference = (pa[i] ?? 0) - (pb[i] ?? 0);
        if (difference !== 0)
            return difference;
    }
    return 0;
}
/**
 * One step per `upgrade-k8s` run: not disruptive (kubelets restart in place, F.2). Each waits until the API
 * server and every kubelet report the hop's version, bounded by the pace.
 */
function kubernetesSteps(deps, cluster, diff) {
    return diff.changes.map((change) => ({
        change,
        run: async () => {
            deps.log(`${cluster.cluster}: talosctl upgrade-k8s --to ${change.to} through ${cluster.controlPlane}`);
            await deps.talosctl.upgradeK8s(cluster.talosconfig, cluster.controlPlane, change.to);
            await awaitVersion(deps, cluster.cluster, change.to);
        },
    }));
}
async function awaitVersion(deps, cluster, version) {
    const timeoutMs = deps.pace.nodesReadyTimeoutMs;
    try {
        await (0,readiness/* waitUntil */.a)(async () => {
            const observation = await observeKubernetes(deps, cluster);
            if (observation.unobserved)
                return { ready: false, detail: observation.unobserved };
            const behind = observation.kubelets
                .filter((k) => k.version !== version)
                .map((k) => `${k.node} ${k.version}`);
            if (observation.apiServer !== version)
                behind.unshift(`API server ${observation.apiServer ?? '?'}`);
            return {
                ready: behind.length === 0,
                detail: behind.length === 0 ? 'all on it' : `behind: ${behind.join(', ')}`,
            };
        }, {
            timeoutMs,
            intervalMs: deps.pace.pollMs,
            describe: `every node of ${cluster} on Kubernetes ${version}`,
            ...(deps.now ? { now: deps.now } : {}),
            ...(deps.sleep ? { sleep: deps.sleep } : {}),
        });
    }
    catch (error) {
        if (!(error instanceof readiness/* WaitTimeoutError */.D))
            throw error;
        throw new Error(`${cluster} did not reach Kubernetes ${version} within ${Math.round(timeoutMs / 1000)} s after upgrade-k8s: ` +
            `the rollout stops here (${error.lastObservation})`, { cause: error });
    }
}
/** Observe, diff and steps in one call. */
async function planKubernetesLayer(deps, cluster, wanted, plannedTalos) {
    const observation = await observeKubernetes(deps, cluster.cluster);
    const diff = diffKubernetes(observation, wanted, plannedTalos);
    return { observation, diff, steps: kubernetesSteps(deps, cluster, diff) };
}

// EXTERNAL MODULE: external "node:util"
var external_node_util_ = __webpack_require__(57975);
;// CONCATENATED MODULE: ./src/twin/layers/release.ts


const CILIUM_RELEASE = 'cilium';
const CILIUM_PREFLIGHT_RELEASE = 'cilium-preflight';
/** The pre-flight chart's DaemonSet and Deployment (I.1). */
const CILIUM_PREFLIGHT_CHECK = 'cilium-pre-flight-check';
const ROOK_OPERATOR = 'rook-ceph';
const ROOK_CLUSTER = 'rook-ceph-cluster';
async function observeReleases(helm, wanted) {
    return Promise.all(wanted.map(async (release) => {
        const status = await helm.status(release.release, release.namespace);
        const values = status ? await helm.userValues(release.release, release.namespace) : undefined;
        return { wanted: release, ...(status ? { status } : {}), ...(values ? { values } : {}) };
    }));
}
/** `1.19.6` -> `1.19`. */
function release_minorOf(version) {
    const match = /^v?(\d+)\.(\d+)/.exec(version);
    if (!match)
        throw new RangeError(`"${version}" is not a chart version like 1.19.6`);
    return `${match[1]}.${match[2]}`;
}
const minorNumber = (version) => Number(release_minorOf(version).split('.')[1]);
function isCilium(release) {
    return release.wanted.release === CILIUM_RELEASE && release.wanted.chart === 'cilium';
}
/** A Cilium upgrade into a newer minor (I.1: pre-flight first, upgradeCompatibility). */
function crossesCiliumMinor(release) {
    const running = release.status?.chartVersion;
    return (isCilium(release) && running !== undefined && minorNumber(release.wanted.version) > minorNumber(running));
}
/**
 * The values to install: the wanted ones plus, for Cilium, `upgradeCompatibility`: kept once set (it names
 * the minor first installed, I.1), else set to the running minor at the first upgrade across a minor. For
 * 1.19 -> 1.20 this keeps Envoy's legacy `split` xDS mode: unset, the 1.20 chart switches it to `ads`
 * (facts-13 section 4, chart 1.20.1 `_helpers.tpl` l.186-197 `envoyXdsMode`).
 */
function effectiveValues(release) {
    if (!isCilium(release))
        return release.wanted.values;
    const kept = release.values?.upgradeCompatibility;
    if (typeof kept === 'string' && kept !== '')
        return { ...release.wanted.values, upgradeCompatibility: kept };
    if (crossesCiliumMinor(release))
        return { ...release.wanted.values, upgradeCompatibility: release_minorOf(release.status.chartVersion) };
    return release.wanted.values;
}
/** Dotted paths where two values trees differ: names only, never the values (keys may be secrets). */
function differingPaths(a, b, prefix = '') {
    const isTree = (value) => typeof value === 'object' && value !== null && !Array.isArray(value);
    if (!isTree(a) || !isTree(b))
        return (0,external_node_util_.isDeepStrictEqual)(a, b) ? [] : [prefix || '(all)'];
    const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])].sort();
    return keys.flatMap((key) => differingPaths(a[key], b[key], prefix ? `${prefix}.${key}` : key));
}
/** Why a release's version change is refused, if it is (I.1: consecutive minors only, no downgrade across one). */
function refusal(release) {
    const running = release.status?.chartVersion;
    if (!isCilium(release) || running === undefined)
        return undefined;
    const step = minorNumber(release.wanted.version) - minorNumber(running);
    if (step > 1)
        return `Cilium upgrades only between consecutive minors (I.1): upgrade to the latest ${nextMinor(running)} patch first`;
    if (step < 0)
        return `Cilium does not go back a minor by upgrade: use helm rollback cilium <revision> (I.1)`;
    return undefined;
}
function nextMinor(version) {
    const [major] = release_minorOf(version).split('.');
    return `${major}.${minorNumber(version) + 1}`;
}
/** What changes for one release, in words; undefined when nothing does. */
function changeOf(cluster, release) {
    const { wanted, status } = release;
    const base = { layer: 'release', cluster, target: wanted.release, disruptive: false };
    if (!status)
        return { ...base, kind: 'helm-install', from: 'not installed', to: `chart ${wanted.version}` };
    const from = `chart ${status.chartVersion ?? '?'}`;
    const to = `chart ${wanted.version}`;
    const paths = differingPaths(release.values ?? {}, effectiveValues(release));
    const reasons = [
        ...(status.status !== 'deployed' ? [`release is ${status.status}`] : []),
        ...(paths.length > 0 ? [`values differ at ${paths.join(', ')}`] : []),
        ...(crossesCiliumMinor(release)
            ? [
                `across a minor: pre-flight image pull first, upgradeCompatibility ${String(effectiveValues(release).upgradeCompatibility)}`,
            ]
            : []),
    ];
    if (status.chartVersion === wanted.version && reasons.length === 0)
        return undefined;
    return {
        ...base,
        kind: status.chartVersion === wanted.version ? 'helm-values' : 'helm-upgrade',
        from,
        to,
        ...(reasons.length > 0 ? { detail: reasons.join('; ') } : {}),
    };
}
function diffReleases(cluster, observed) {
    const changes = [];
    const refused = [];
    for (const release of orderReleases(observed)) {
        const reason = refusal(release);
        if (reason) {
            refused.push({
                layer: 'release',
                cluster,
                target: release.wanted.release,
                asked: `${release.wanted.release} chart ${release.status?.chartVersion} -> ${release.wanted.version}`,
                reason,
            });
            continue;
        }
        const change = changeOf(cluster, release);
        if (change)
            changes.push(change);
    }
    const line = (describe) => observed.map(describe).join(', ') || 'no releases';
    return {
        layer: 'release',
        cluster,
        running: line((r) => `${r.wanted.release} ${r.status?.chartVersion ?? 'absent'}`),
        wanted: line((r) => `${r.wanted.release} ${r.wanted.version}`),
        changes,
        refused,
    };
}
/** Rook's operator chart before its cluster chart (H.3); otherwise in the order given. */
function orderReleases(observed) {
    const rank = (release) => (release.wanted.release === ROOK_CLUSTER ? 1 : 0);
    return [...observed].sort((a, b) => rank(a) - rank(b));
}
/** The workloads whose rollout proves a release's upgrade took, by release name. */
const AWAITED = {
    [CILIUM_RELEASE]: [
        ['daemonset', 'cilium'],
        ['deployment', 'cilium-operator'],
    ],
    [ROOK_OPERATOR]: [['deployment', 'rook-ceph-operator']],
};
/**
 * The steps of one cluster's release changes: Cilium's pre-flight before an upgrade across a minor, Rook's
 * cluster chart after its operator chart; refused releases get none (the plan says why).
 */
function releaseSteps(deps, observed, needs = []) {
    const steps = [];
    const id = (name) => `release:${deps.cluster}:${name}`;
    for (const release of orderReleases(observed)) {
        const change = refusal(release) ? undefined : changeOf(deps.cluster, release);
        if (!change)
            continue;
        const name = release.wanted.release;
        let after = [...needs];
        if (name === ROOK_CLUSTER && steps.some((step) => step.id === id(ROOK_OPERATOR)))
            after.push(id(ROOK_OPERATOR));
        if (crossesCiliumMinor(release)) {
            steps.push({
                id: id(CILIUM_PREFLIGHT_RELEASE),
                title: `${deps.cluster}: Cilium ${release.wanted.version} pre-flight (pulls the new images on every node)`,
                doing: `pulling Cilium ${release.wanted.version}'s images on every node of ${deps.cluster} (pre-flight)`,
                stage: 'release',
                needs: after,
                run: () => ciliumPreflight(deps, release.wanted),
            });
            after = [id(CILIUM_PREFLIGHT_RELEASE)];
        }
        steps.push({
            id: id(name),
            title: `${deps.cluster}: ${name} ${change.from} -> ${change.to}`,
            doing: `upgrading ${name} on ${deps.cluster} to ${change.to}`,
            stage: 'release',
            needs: after,
            run: () => upgradeRelease(deps, release),
        });
    }
    return steps;
}
/** helm upgrade with the full values file (the wrapper never passes --reuse-values, I.1), then the rollout. */
async function upgradeRelease(deps, release) {
    const { wanted } = release;
    const valuesFile = await deps.writeValues(`${wanted.release}-values.yaml`, effectiveValues(release));
    await deps.helm.upgradeInstall({
        release: wanted.release,
        chart: wanted.chart,
        repo: wanted.repo,
        version: wanted.version,
        namespace: wanted.namespace,
        valuesFile,
        ...(wanted.createNamespace ? { createNamespace: true } : {}),
    });
    for (const [kind, name] of AWAITED[wanted.release] ?? [])
        await deps.kube.rolloutStatus(kind, name, wanted.namespace, deps.rolloutTimeoutSec);
}
/**
 * I.1's pre-flight: the new version's agent image pulled on every node by a DaemonSet that does nothing
 * else, with the API server reached the way the product's Cilium reaches it (KubePrism on Talos). Done when
 * its DaemonSet is as ready as Cilium's and its Deployment is 1/1; then removed. The procedure is the same
 * for 1.20 (facts-13 section 4: only `preflight.tofqdnsPreCache` went). `upgrade --install`, so a
 * run killed half-way installs it again instead of failing on a name in use.
 */
async function ciliumPreflight(deps, wanted) {
    const set = [
        ['preflight.enabled', 'true'],
        ['agent', 'false'],
        ['operator.enabled', 'false'],
    ];
    for (const key of ['k8sServiceHost', 'k8sServicePort']) {
        const value = wanted.values[key];
        if (value !== undefined)
            set.push([key, String(value)]);
    }
    await deps.helm.upgradeInstall({
        release: CILIUM_PREFLIGHT_RELEASE,
        chart: wanted.chart,
        repo: wanted.repo,
        version: wanted.version,
        namespace: wanted.namespace,
        set,
    });
    await (0,readiness/* waitUntil */.a)(() => preflightReady(deps.kube, wanted.namespace), {
        timeoutMs: deps.rolloutTimeoutSec * 1000,
        intervalMs: deps.pollMs,
        describe: `${deps.cluster}: Cilium ${wanted.version} pre-flight check ready on every node`,
        ...(deps.now ? { now: deps.now } : {}),
        ...(deps.sleep ? { sleep: deps.sleep } : {}),
    });
    await deps.helm.uninstall(CILIUM_PREFLIGHT_RELEASE, wanted.namespace);
}
async function preflightReady(kube, namespace) {
    const count = (object, key) => Number(object?.status?.[key] ?? 0);
    const [check, agent, deployment] = await Promise.all([
        kube.getObject('daemonset', CILIUM_PREFLIGHT_CHECK, namespace),
        kube.getObject('daemonset', 'cilium', namespace),
        kube.getObject('deployment', CILIUM_PREFLIGHT_CHECK, namespace),
    ]);
    const ready = count(check, 'numberReady');
    const wantedReady = count(agent, 'numberReady');
    const deploymentReady = count(deployment, 'readyReplicas');
    return {
        ready: check !== undefined && ready > 0 && ready === wantedReady && deploymentReady === 1,
        detail: `pre-flight DaemonSet ${ready}/${wantedReady} ready, Deployment ${deploymentReady}/1`,
    };
}

// EXTERNAL MODULE: ./src/kube/kubectl.ts
var kube_kubectl = __webpack_require__(49283);
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

;// CONCATENATED MODULE: ./src/twin/layers/steps.ts


/** The deps from an operation's context and the cluster's kubeconfig. */
function clusterLayerDeps(ctx, kubeconfig) {
    return {
        talosctl: new Talosctl(ctx.runner, { path: ctx.tools.talosctl }),
        kubectl: new kube_kubectl/* Kubectl */.b(ctx.runner, { kubeconfig, path: ctx.tools.kubectl }),
        pace: ctx.pace,
        workDir: ctx.workDir,
        log: (line) => ctx.log(line),
    };
}

;// CONCATENATED MODULE: ./src/talos/machine-configs.ts





/**
 * The version contract of every config the product generates, whatever the release: v1.11. From the v1.12
 * contract on, `gen config` adds a HostnameConfig document with `auto: stable` (TALOS v1.13.9
 * `pkg/machinery/config/generate/network.go` l.39-44, `MultidocNetworkConfigSupported` = contract > 1.11,
 * `contract.go` l.183), which Talos refuses beside the `machine.network.hostname` our node patch sets
 * ("static hostname is already set in v1alpha1 config", `types/network/hostname.go` l.151-157). Newer Talos
 * still decodes the v1.11 contract's fields (deprecated, "still supported for backwards compatibility",
 * LIFECYCLE F.9; facts-13 §2 for v1.13), and a config that keeps its contract does not drift when the node
 * is upgraded. Moving to the multi-document network config is a change of its own.
 */
const CONFIG_CONTRACT = 'v1.11';
/** The contract a config for `release` is generated with: its own minor, capped at CONFIG_CONTRACT. */
function configContract(release) {
    const own = talosContract(release);
    const minor = (contract) => Number(contract.split('.')[1]);
    return minor(own) < minor(CONFIG_CONTRACT) ? own : CONFIG_CONTRACT;
}
/** The full cluster input for one pair of releases. */
function clusterInputFor(base, releases) {
    return {
        ...base,
        talosVersion: releases.talosVersion,
        versionContract: configContract(releases.talosVersion),
        kubernetesVersion: releases.kubernetesVersion.replace(/^v/, ''),
        installImage: installerImage({ schematic: releases.schematic, version: releases.talosVersion }),
    };
}
/**
 * Writes the cluster's patches into `dir` (private, created if missing) and runs `gen config` there: the
 * control-plane and worker configs and a talosconfig, overwritten.
 */
async function generateClusterConfigs(talosctl, request) {
    const { cluster, dir } = request;
    await (0,promises_.mkdir)(dir, { recursive: true, mode: 0o700 });
    const patch = async (name, content) => {
        const path = (0,external_node_path_.join)(dir, name);
        await (0,promises_.writeFile)(path, content, { mode: 0o600 });
        return path;
    };
    return talosctl.genConfig({
        cluster,
        secretsFile: request.secretsFile,
        patches: {
            common: await patch('common.patch.yaml', commonPatch(cluster)),
            controlPlane: await patch('controlplane.patch.yaml', controlPlanePatch(cluster)),
            worker: await patch('worker.patch.yaml', workerPatch(cluster)),
        },
        outputDir: dir,
    });
}
/** One node's config: its role's config with its node patch laid over; written to `<dir>/<name>.yaml`. */
async function generateNodeConfig(talosctl, request) {
    const { node, dir } = request;
    const patchFile = (0,external_node_path_.join)(dir, `${node.name}.patch.yaml`);
    await (0,promises_.writeFile)(patchFile, nodePatch(node), { mode: 0o600 });
    const outputFile = (0,external_node_path_.join)(dir, `${node.name}.yaml`);
    await talosctl.patchMachineConfig({
        baseFile: node.role === 'controlplane' ? request.configs.controlPlane : request.configs.worker,
        patchFile,
        outputFile,
    });
    return outputFile;
}

;// CONCATENATED MODULE: ./src/twin/layers/talos-answers.ts

/**
 * Each node's `talosctl version`, waiting (bounded by the boot timeout) for nodes whose VM runs but whose
 * Talos does not answer yet: a node rebooting into an upgrade a killed run started (F.1 `--wait=false`)
 * answers again within a boot. A node whose VM is stopped is not waited for, so `plan` of a stopped twin
 * answers at once. Nodes still silent at the deadline are returned unknown, with how long they were awaited.
 */
async function versionsOnceAnswering(deps, talosconfig, nodes, running) {
    const now = deps.now ?? Date.now;
    const answers = new Map();
    const record = (versions) => versions.forEach((answer) => answers.set(answer.node, answer));
    record(await deps.talosctl.versions(talosconfig, nodes.map((node) => node.address)));
    const silent = () => nodes.filter((node) => running.has(node.name) && 'unknown' in (answers.get(node.address) ?? { unknown: '' }));
    const awaited = silent();
    if (awaited.length === 0)
        return nodes.map((node) => answers.get(node.address));
    const timeoutMs = deps.pace.bootTimeoutMs;
    const started = now();
    deps.log(`${awaited.map((node) => node.name).join(', ')}: the VM runs but Talos does not answer yet ` +
        `(rebooting?); waiting up to ${Math.round(timeoutMs / 1000)} s`);
    try {
        await (0,readiness/* waitUntil */.a)(async () => {
            const waiting = silent();
            if (waiting.length > 0)
                record(await deps.talosctl.versions(talosconfig, waiting.map((node) => node.address)));
            return silent().length === 0;
        }, {
            timeoutMs,
            intervalMs: deps.pace.pollMs,
            describe: 'silent nodes to answer Talos',
            ...(deps.now ? { now: deps.now } : {}),
            ...(deps.sleep ? { sleep: deps.sleep } : {}),
        });
    }
    catch (error) {
        if (!(error instanceof readiness/* WaitTimeoutError */.D))
            throw error; // still silent: reported below as unknown
    }
    const seconds = Math.round((now() - started) / 1000);
    return nodes.map((node) => {
        const answer = answers.get(node.address);
        if (!('unknown' in answer) || !running.has(node.name))
            return answer;
        return { node: node.address, unknown: `${answer.unknown} (its VM runs; awaited ${seconds} s)` };
    });
}

// EXTERNAL MODULE: ./src/util/sleep.ts + 1 modules
var util_sleep = __webpack_require__(62701);
;// CONCATENATED MODULE: ./src/twin/layers/talos-actions.ts




/**
 * What the Talos layer does to one node: upgrade it one hop (LIFECYCLE F.1: Talos cordons and drains it
 * itself, so the rollout does not), or apply its config, with a reboot (drained first: the Reboot sequence
 * does not drain, F.5) or without. Each waits for the node to be back before it returns: the rollout's
 * health gates come after.
 */
/** The node came back on a new boot with its old release: the upgrade it accepted did not take. */
class UpgradeNotTakenError extends Error {
    name = 'UpgradeNotTakenError';
}
/**
 * Whether talosctl 1.13 upgrades a node running `release` through the LifecycleService: nodes in
 * `>1.13.0-alpha.2 <2.0.0` (facts-13 §2, upgrade.go l.86), the others through the legacy API.
 */
function usesLifecycleApi(release) {
    const match = /^v?(\d+)\.(\d+)\./.exec(release);
    return match !== null && Number(match[1]) === 1 && Number(match[2]) >= 13;
}
/** Upgrades `node` to `hop`: `talosctl upgrade --wait=false`, then waits for the new release and Ready. */
function talosUpgradeAction(deps, cluster, node, hop) {
    const image = installerImage({ schematic: cluster.schematic, version: hop.to });
    const lifecycleApi = usesLifecycleApi(hop.from);
    return {
        cluster: cluster.cluster,
        node: node.name,
        role: node.role,
        describe: `Talos ${hop.from} -> ${hop.to}`,
        // Legacy upgrades drain in the node (F.1); LifecycleService ones do not, and we keep talosctl's off.
        drain: lifecycleApi,
        run: async () => {
            // A boot on the old release may be another reboot that came first (a VM restart, say) and dropped the
            // accepted upgrade: asked once more; an upgrade that really does not take fails the same way again.
            for (let attempt = 1;; attempt++) {
                const bootBefore = await deps.talosctl.bootId(cluster.talosconfig, node.address);
                await requestUpgrade(deps, cluster, node, image, lifecycleApi);
                deps.log(`${node.name}: upgrade to ${hop.to} accepted (${image})`);
                try {
                    return await awaitBack(deps, cluster, node, {
                        what: `the upgrade to ${hop.to}`,
                        release: hop.to,
                        bootBefore,
                    });
                }
                catch (error) {
                    if (!(error instanceof UpgradeNotTakenError) || attempt >= 2)
                        throw error;
                    deps.log(`${node.name}: booted again on ${hop.from} before the upgrade took; asking once more`);
                }
            }
        },
    };
}
/** Applies a config that needs a reboot (F.3): drained first, mode reboot, then back and Ready. */
function configRebootAction(deps, cluster, node, config) {
    return {
        cluster: cluster.cluster,
        node: node.name,
        role: node.role,
        describe: `config with a reboot (${config.keys.join(', ') || 'changed'})`,
        drain: true,
        run: async () => {
            const bootBefore = await deps.talosctl.bootId(cluster.talosconfig, node.address);
            await deps.talosctl.applyConfig(cluster.talosconfig, node.address, config.file, 'reboot');
            await awaitBack(deps, cluster, node, { what: 'the reboot for its new config', bootBefore });
        },
    };
}
/** Applies a config that needs no reboot (F.3 `no-reboot`: the node refuses it if it would need one). */
async function applyConfigNoReboot(deps, cluster, node, file) {
    const details = await deps.talosctl.applyConfig(cluster.talosconfig, node.address, file, 'no-reboot');
    deps.log(`${node.name}: ${details || 'config applied without a reboot'}`);
}
/**
 * Asks until the node accepts: a refusal that can pass (the etcd upgrade lock, a member not healthy yet)
 * is asked again until the API timeout; any other stops the rollout with the node's words.
 */
async function requestUpgrade(deps, cluster, node, image, lifecycleApi) {
    const now = deps.now ?? Date.now;
    const sleep = deps.sleep ?? util_sleep/* sleep */.y;
    const deadline = now() + deps.pace.apiTimeoutMs;
    for (;;) {
        try {
            return await deps.talosctl.upgrade(cluster.talosconfig, node.address, image, lifecycleApi ? { clientDrain: false } : {});
        }
        catch (error) {
            if (!(error instanceof UpgradeRefusedError))
                throw error;
            if (!error.retryable || now() >= deadline) {
                throw new Error(`${node.name} refused the upgrade: ${error.reason}: the rollout stops here`, {
                    cause: error,
                });
            }
            deps.log(`${node.name}: upgrade refused for now (${error.reason}); asking again`);
            await sleep(deps.pace.pollMs);
        }
    }
}
/**
 * Waits until the node answers Talos on a new boot (a changed boot id; where none was read before, the node
 * must have been seen down once, or run the new release, which it can only do after booting it), with
 * `release` when given, and its Kubernetes Node is Ready. A node back on a new boot with the old release
 * did not take the upgrade (the installer's pre-flight or a boot fallback, F.1): that fails at once.
 */
async function awaitBack(deps, cluster, node, expect) {
    const timeoutMs = deps.pace.bootTimeoutMs + deps.pace.nodesReadyTimeoutMs;
    let seenDown = false;
    let failed;
    const probe = async () => {
        const [answer] = await deps.talosctl.versions(cluster.talosconfig, [node.address]);
        const boot = answer && 'release' in answer
            ? await deps.talosctl.bootId(cluster.talosconfig, node.address)
            : undefined;
        if (!answer || 'unknown' in answer || !boot) {
            seenDown = true;
            return {
                ready: false,
                detail: `Talos does not answer${answer && 'unknown' in answer ? `: ${answer.unknown}` : ''}`,
            };
        }
        const newBoot = expect.bootBefore !== undefined ? boot !== expect.bootBefore : seenDown;
        if (expect.release && answer.release !== expect.release) {
            if (newBoot)
                failed = `${node.name} booted again still on ${answer.release}: ${expect.what} did not take`;
            return { ready: newBoot, detail: `Talos still runs ${answer.release}` };
        }
        if (!newBoot && !expect.release)
            return { ready: false, detail: 'the node has not rebooted yet' };
        const kube = (await deps.kubectl.nodes()).find((candidate) => candidate.name === node.name);
        if (!kube?.ready)
            return { ready: false, detail: `Talos ${answer.release} runs; the Node is not Ready` };
        return { ready: true, detail: `Talos ${answer.release}, Ready` };
    };
    try {
        await (0,readiness/* waitUntil */.a)(probe, {
            timeoutMs,
            intervalMs: deps.pace.pollMs,
            describe: `${node.name} back from ${expect.what}`,
            ...(deps.now ? { now: deps.now } : {}),
            ...(deps.sleep ? { sleep: deps.sleep } : {}),
        });
    }
    catch (error) {
        if (!(error instanceof readiness/* WaitTimeoutError */.D))
            throw error;
        throw new Error(`node ${node.name} did not come back from ${expect.what} within ${Math.round(timeoutMs / 1000)} s: ` +
            `the rollout stops here (last seen: ${error.lastObservation})`, { cause: error });
    }
    if (failed)
        throw new UpgradeNotTakenError(`${failed} (see talosctl dmesg and events on it): the rollout stops here`);
    deps.log(`${node.name}: back from ${expect.what}${expect.release ? ` (Talos ${expect.release})` : ''}, Ready`);
}

;// CONCATENATED MODULE: ./src/twin/layers/talos.ts







/** Kubernetes component images: the Kubernetes layer changes them (upgrade-k8s patches them in, F.2). */
const KUBERNETES_IMAGE = /^\s*(?:- )?image:\s*(?:registry\.k8s\.io\/kube-(?:apiserver|controller-manager|scheduler|proxy)|ghcr\.io\/siderolabs\/kubelet):/;
function isKubernetesImageLine(line) {
    return KUBERNETES_IMAGE.test(line);
}
/**
 * Observes every node. Configs are generated for the release each node runs and its kubelet's Kubernetes
 * version, so the node validates the config against its own schema and the Kubernetes images match.
 */
async function observeTalos(deps, cluster) {
    const versions = await versionsOnceAnswering(deps, cluster.talosconfig, cluster.nodes, cluster.running ?? new Set());
    const kubelets = await kubeletVersions(deps);
    const generated = new Map();
    // Every node's dry run at once: each is a config patch and an apply-config call, and a twin has a dozen.
    const nodes = await Promise.all(cluster.nodes.map(async (node) => {
        const answer = versions.find((version) => version.node === node.address);
        if (!answer || 'unknown' in answer) {
            return {
                node,
                unobserved: `Talos did not answer: ${answer && 'unknown' in answer ? answer.unknown : 'no answer'}`,
            };
        }
        const kubelet = kubelets.byNode.get(node.name) ?? kubelets.apiServer;
        const observed = { node, release: answer.release, ...(kubelet ? { kubelet } : {}) };
        if (!kubelet)
            return { ...observed, unobserved: `config not compared: ${kubelets.why}` };
        try {
            const drift = await configDrift(deps, cluster, node, { release: answer.release, kubernetes: kubelet }, generated);
            return { ...observed, ...(drift ? { drift } : {}) };
        }
        catch (error) {
            return { ...observed, unobserved: `config not compared: ${(0,errors/* errorMessage */.gJ)(error)}` };
        }
    }));
    return { cluster: cluster.cluster, nodes };
}
async function kubeletVersions(deps) {
    const byNode = new Map();
    try {
        for (const node of await deps.kubectl.nodes()) {
            if (node.kubeletVersion)
                byNode.set(node.name, node.kubeletVersion.replace(/^v/, ''));
        }
        const apiServer = (await deps.kubectl.apiServerVersion()).replace(/^v/, '');
        return { byNode, apiServer, why: '' };
    }
    catch (error) {
        return { byNode, why: `the Kubernetes API did not tell its versions: ${(0,errors/* errorMessage */.gJ)(error)}` };
    }
}
async function configDrift(deps, cluster, node, releases, generated) {
    const key = `${releases.release}-${releases.kubernetes}`;
    const dir = (0,external_node_path_.join)(deps.workDir, 'talos-layer', cluster.cluster, key);
    let configs = generated.get(key);
    if (!configs) {
        const input = clusterInputFor(cluster.base, {
            talosVersion: releases.release,
            kubernetesVersion: releases.kubernetes,
            schematic: cluster.schematic,
        });
        configs = generateClusterConfigs(deps.talosctl, {
            cluster: input,
            secretsFile: cluster.secretsFile,
            dir,
        });
        generated.set(key, configs);
    }
    const file = await generateNodeConfig(deps.talosctl, { configs: await configs, node, dir });
    const dryRun = await deps.talosctl.applyConfigDryRun(cluster.talosconfig, node.address, file);
    if (!dryRun.changed)
        return undefined;
    if (!hasOtherChanges(dryRun.diff))
        return undefined;
    return { reboot: dryRun.reboot, keys: changedKeys(dryRun.diff, isKubernetesImageLine), file };
}
/** Whether a diff changes any line besides Kubernetes images (a change with no key found still counts). */
function hasOtherChanges(diff) {
    return diff
        .split('\n')
        .filter((line) => /^[+-]/.test(line) && !/^(?:--- a|\+\+\+ b)\s*$/.test(line))
        .some((line) => !isKubernetesImageLine(line.slice(1)));
}
/** The release each node will run once the layer's path is done (its current one where refused). */
function plannedTalosReleases(observation, diff) {
    const planned = new Map();
    for (const observed of observation.nodes) {
        if (observed.release)
            planned.set(observed.node.name, observed.release);
    }
    for (const change of diff.changes) {
        if (change.kind === 'talos-upgrade')
            planned.set(change.target, change.to);
    }
    return planned;
}
/** Running vs wanted and the ordered changes: config applies first (on the running release), then the hops. */
function diffTalos(observation, wanted) {
    const { cluster } = observation;
    const configs = [];
    const hops = [];
    const refused = [];
    const kubernetes = new Set(observation.nodes.flatMap((node) => (node.kubelet ? [node.kubelet] : [])));
    observation.nodes.forEach((observed, index) => {
        const { node, release, drift } = observed;
        if (!release)
            return;
        if (drift)
            configs.push(configChange(cluster, node.name, drift));
        const path = talosUpgradePath(release, wanted.version);
        if ('refused' in path) {
            refused.push({
                layer: 'talos',
                cluster,
                target: node.name,
                asked: `Talos ${release} -> ${wanted.version}`,
                reason: path.refused,
            });
            return;
        }
        const unsupported = path.hops
            .map((hop) => kubernetesRefusal(hop, kubernetes, wanted.kubernetesVersion))
            .find(Boolean);
        if (unsupported) {
            refused.push({
                layer: 'talos',
                cluster,
                target: node.name,
                asked: `Talos ${release} -> ${wanted.version}`,
                reason: unsupported,
            });
            return;
        }
        let from = release;
        for (const hop of path.hops) {
            const change = {
                layer: 'talos',
                cluster,
                target: node.name,
                kind: 'talos-upgrade',
                from,
                to: hop,
                detail: usesLifecycleApi(from)
                    ? 'reboots; drained first (the 1.13 upgrade API does not drain in the node)'
                    : 'reboots; Talos cordons and drains the node itself',
                disruptive: true,
            };
            hops.push({ change, order: [...versionOrder(hop), node.role === 'controlplane' ? 0 : 1, index] });
            from = hop;
        }
    });
    configs.sort((a, b) => Number(a.disruptive) - Number(b.disruptive));
    hops.sort((a, b) => compareOrder(a.order, b.order));
    return {
        layer: 'talos',
        cluster,
        running: describeReleases(observation.nodes.flatMap((node) => (node.release ? [node.release] : []))),
        wanted: `Talos ${wanted.version} on ${observation.nodes.length} nodes`,
        changes: [...configs, ...hops.map((hop) => hop.change)],
        refused,
        ...unobservedOf(observation),
    };
}
function configChange(cluster, node, drift) {
    const keys = drift.keys.length > 0 ? drift.keys.join(', ') : 'the config';
    return {
        layer: 'talos',
        cluster,
        target: node,
        kind: 'config-apply',
        from: 'running config',
        to: 'generated config',
        detail: drift.reboot ? `needs a reboot: ${keys} changed` : `no reboot: ${keys} changed`,
        disruptive: drift.reboot,
    };
}
/** Why Talos `hop` cannot run the cluster's Kubernetes (F.2 matrix), with the step needed first. */
function kubernetesRefusal(hop, running, wanted) {
    const series = talosSeriesOf(hop);
    if (!series)
        return undefined;
    const movesUpInTime = (version) => wanted !== undefined &&
        talos_minorNumber(version) < talos_minorNumber(series.kubernetesMin) &&
        talosSupportsKubernetes(hop, wanted);
    for (const version of running) {
        if (talosSupportsKubernetes(hop, version) || movesUpInTime(version))
            continue;
        const range = `Talos ${series.series} runs Kubernetes ${series.kubernetesMin} to ${series.kubernetesMax}, and the cluster runs ${version}`;
        return talos_minorNumber(version) < talos_minorNumber(series.kubernetesMin)
            ? `${range}: upgrade Kubernetes to ${series.kubernetesMin} first`
            : `${range}: choose a Talos release that runs Kubernetes ${kubernetesMinor(version)}`;
    }
    return undefined;
}
/** `1.34.1` or `1.34` -> 34. */
function talos_minorNumber(version) {
    return Number(version.replace(/^v/, '').split('.')[1]);
}
function versionOrder(version) {
    return version
        .replace(/^v/, '')
        .split('.')
        .map((part) => Number(part));
}
function compareOrder(a, b) {
    for (let i = 0; i < Math.max(a.length, b.length); i += 1) {
        const difference = (a[i] ?? 0) - (b[i] ?? 0);
        if (difference !== 0)
            return difference;
    }
    return 0;
}
/** `Talos v1.11.6 on 4 nodes, v1.12.11 on 2`. */
function describeReleases(releases) {
    if (releases.length === 0)
        return 'Talos: no node answered';
    const counts = new Map();
    for (const release of releases)
        counts.set(release, (counts.get(release) ?? 0) + 1);
    const parts = [...counts].map(([release, count]) => `${release} on ${count} node${count === 1 ? '' : 's'}`);
    return `Talos ${parts.join(', ')}`;
}
function unobservedOf(observation) {
    const notes = observation.nodes.flatMap((node) => node.unobserved ? [`${node.node.name}: ${node.unobserved}`] : []);
    return notes.length > 0 ? { unobserved: notes.join('; ') } : {};
}
/**
 * The layer's steps in the diff's order: each hop a NodeAction (no drain where Talos drains itself, F.1;
 * drained from 1.13 on, whose upgrade API does not, facts-13 §2), each
 * config with a reboot a drained NodeAction, each config without one a plain run (mode no-reboot).
 */
function talosSteps(deps, cluster, observation, diff) {
    const actionCluster = {
        cluster: cluster.cluster,
        talosconfig: cluster.talosconfig,
        schematic: cluster.schematic,
    };
    return diff.changes.map((change) => {
        const observed = observation.nodes.find((node) => node.node.name === change.target);
        if (!observed)
            throw new Error(`talos layer: no observed node ${change.target}`);
        const { node, drift } = observed;
        if (change.kind === 'talos-upgrade') {
            return {
                change,
                action: talosUpgradeAction(deps, actionCluster, node, { from: change.from, to: change.to }),
            };
        }
        if (!drift)
            throw new Error(`talos layer: no config drift observed on ${node.name}`);
        if (change.disruptive)
            return { change, action: configRebootAction(deps, actionCluster, node, drift) };
        return { change, run: () => applyConfigNoReboot(deps, actionCluster, node, drift.file) };
    });
}
/** Observe, diff and steps in one call, for `plan` (diff) and `up` (steps). */
async function planTalosLayer(deps, cluster, wanted) {
    const observation = await observeTalos(deps, cluster);
    const diff = diffTalos(observation, wanted);
    return { observation, diff, steps: talosSteps(deps, cluster, observation, diff) };
}
/**
 * After upgrade hops: each node's config as the product would generate it for the release it now runs.
 * `talosctl upgrade` leaves the machine config alone, so `.machine.install.image` still names the old
 * installer; it applies without a reboot (F.3: "only applied during install/upgrade"). Whatever would need a
 * reboot is left for the next observation, which plans it as a rollout. Returns the nodes it applied to.
 */
async function refreshConfigs(deps, cluster) {
    const observation = await observeTalos(deps, cluster);
    const actionCluster = {
        cluster: cluster.cluster,
        talosconfig: cluster.talosconfig,
        schematic: cluster.schematic,
    };
    const applied = [];
    for (const { node, drift } of observation.nodes) {
        if (!drift || drift.reboot)
            continue;
        await applyConfigNoReboot(deps, actionCluster, node, drift.file);
        applied.push(node.name);
    }
    return applied;
}

;// CONCATENATED MODULE: ./src/twin/layers/talos-inputs.ts
/**
 * The Talos inputs of a planned cluster, as apply.ts builds them for creating nodes (its talos-config step
 * and nodeConfig()), so a node is compared with exactly the config it would be created with.
 */
/** The wanted VMs of one cluster (not destroyed, not conflicting, with a definition). */
function wantedMembers(plan, cluster) {
    return plan.vms.filter((vm) => vm.cluster === cluster && vm.definition && vm.action !== 'conflict' && vm.action !== 'destroy');
}
/** The cluster's config input apart from the releases. */
function clusterBaseOf(spec, plan, cluster) {
    const planned = plan.clusters.find((candidate) => candidate.name === cluster);
    if (!planned)
        throw new RangeError(`the plan has no cluster ${cluster}`);
    const members = wantedMembers(plan, cluster);
    return {
        name: planned.name,
        vip: planned.vip,
        pods: planned.pods,
        services: planned.services,
        workers: members.filter((vm) => vm.role !== 'controlplane').length,
        timeServers: spec.talos.timeServers,
        registryMirrors: spec.talos.registryMirrors,
    };
}
/** One node's patch input (hostname, static address, the VIP on control planes). */
function talosNodeOf(vm, vip) {
    const node = vm.definition;
    if (!node)
        throw new RangeError(`VM ${vm.name} has no definition: it is not wanted`);
    const role = vm.role === 'controlplane' ? 'controlplane' : 'worker';
    return {
        name: node.name,
        role,
        address: node.address,
        prefixLength: node.prefixLength,
        gateway: node.gateway,
        dns: node.dns,
        ...(role === 'controlplane' ? { vip } : {}),
    };
}

;// CONCATENATED MODULE: ./src/proxmox/upid.ts

// PVE's own decode pattern, unchanged: pstart may have 9 hex digits after 497 days of uptime.
const UPID_PATTERN = /^UPID:([a-zA-Z0-9]([a-zA-Z0-9-]*[a-zA-Z0-9])?):([0-9A-Fa-f]{8}):([0-9A-Fa-f]{8,9}):([0-9A-Fa-f]{8}):([^:\s/]+):([^:\s/]*):([^:\s/]+):$/;
function isUpid(text) {
    return UPID_PATTERN.test(text);
}
function parseUpid(text) {
    const match = UPID_PATTERN.exec(text);
    if (!match) {
        throw new PveProtocolError(`'${text}' is not a PVE task id: expected UPID:<node>:<pid>:<pstart>:<starttime>:<type>:<id>:<user>:`);
    }
    const [, node = '', , pid = '', pstart = '', starttime = '', type = '', id = '', user = ''] = match;
    return {
        node,
        pid: parseInt(pid, 16),
        pstart: parseInt(pstart, 16),
        starttime: parseInt(starttime, 16),
        type,
        id,
        user,
    };
}
/** Encodes as PVE does (`%08X` numbers, trailing ':'); refuses values PVE could not decode. */
function formatUpid(upid) {
    const hex = (n) => n.toString(16).toUpperCase().padStart(8, '0');
    const text = `UPID:${upid.node}:${hex(upid.pid)}:${hex(upid.pstart)}:${hex(upid.starttime)}:${upid.type}:${upid.id}:${upid.user}:`;
    if (!isUpid(text) || ![upid.pid, upid.pstart, upid.starttime].every(Number.isSafeInteger)) {
        throw new RangeError(`cannot encode a PVE task id from ${JSON.stringify(upid)}`);
    }
    return text;
}

;// CONCATENATED MODULE: ./src/proxmox/tasks.ts



const DEFAULTS = { timeoutMs: 15 * 60_000, initialDelayMs: 1_000, maxDelayMs: 5_000 };
const BACKOFF_FACTOR = 1.6;
const WARNINGS = /^WARNINGS: (\d+)$/;
const LOG_PAGE = 500;
const LOG_MAX_PAGES = 20;
const LOG_LINES_KEPT_ON_ERROR = 50;
/**
 * Polls the task's status on the node named in its UPID until it stops. `OK` and `WARNINGS: N` are
 * success; anything else throws PveTaskError with the end of the task log.
 */
async function waitForTask(client, upid, opts = {}) {
    const { timeoutMs, initialDelayMs, maxDelayMs } = { ...DEFAULTS, ...opts };
    const { node } = parseUpid(upid);
    const deadline = client.clock.now() + timeoutMs;
    let delayMs = initialDelayMs;
    let next = opts.thenEveryMs ?? initialDelayMs * BACKOFF_FACTOR;
    for (let look = 1;; look++) {
        await client.clock.sleep(Math.min(delayMs, Math.max(0, deadline - client.clock.now())));
        const status = await client.get(`/nodes/${node}/tasks/${upid}/status`);
        if (status.status === 'stopped')
            return finish(client, node, upid, status, opts.onLog);
        if (client.clock.now() >= deadline)
            throw new PveTaskTimeoutError(upid, timeoutMs);
        delayMs = Math.min(next, maxDelayMs);
        next = look === 1 && opts.laterEveryMs !== undefined ? opts.laterEveryMs : delayMs * BACKOFF_FACTOR;
    }
}
/**
 * Calls a task-starting endpoint and waits for the task. `data: null` means PVE finished the work within
 * the call (config POST with background_delay, storage content DELETE with delay) and counts as done.
 */
async function runTask(client, method, path, params = {}, opts = {}) {
    const sentAtMs = client.clock.now();
    const data = await startTask(client, method, path, params);
    if (data === null)
        return { exitstatus: 'OK', warnings: 0 };
    if (typeof data !== 'string') {
        throw new PveProtocolError(`PVE ${method} ${path} returned ${JSON.stringify(data)} instead of a task id`);
    }
    opts.onStarted?.({ upid: data, sentAtMs });
    return waitForTask(client, data, opts);
}
function startTask(client, method, path, params) {
    switch (method) {
        case 'POST':
            return client.post(path, params);
        case 'PUT':
            return client.put(path, params);
        case 'DELETE':
            return client.delete(path, params);
    }
}
async function finish(client, node, upid, status, onLog) {
    const exitstatus = status.exitstatus ?? 'unexpected status';
    const succeeded = exitstatus === 'OK' || WARNINGS.test(exitstatus);
    if (succeeded && !onLog)
        return toResult(exitstatus);
    // A lock timeout says all in its status (nothing was changed, the caller tries again): no log to read.
    if (!succeeded && !onLog && isLockTimeoutText(exitstatus))
        throw new PveTaskError(upid, exitstatus, []);
    const log = await readTaskLog(client, node, upid);
    onLog?.(log);
    if (succeeded)
        return toResult(exitstatus);
    throw new PveTaskError(upid, exitstatus, log.slice(-LOG_LINES_KEPT_ON_ERROR));
}
function toResult(exitstatus) {
    return { exitstatus, warnings: Number(WARNINGS.exec(exitstatus)?.[1] ?? 0) };
}
/** The whole task log, page by page; a log that cannot be read must not hide the task's own outcome. */
async function readTaskLog(client, node, upid) {
    const lines = [];
    try {
        for (let page = 0; page < LOG_MAX_PAGES; page++) {
            const entries = await client.get(`/nodes/${node}/tasks/${upid}/log`, {
                start: lines.length,
                limit: LOG_PAGE,
            });
            lines.push(...entries.map((entry) => entry.t));
            if (entries.length < LOG_PAGE)
                break;
        }
    }
    catch (err) {
        lines.push(`(task log could not be read: ${(0,errors/* errorMessage */.gJ)(err)})`);
    }
    return lines;
}
/**
 * Running `qmcreate` tasks for any of `vmids` on `pveNodes`. A create left in flight by a killed run is
 * invisible in /cluster/resources to a token whose rights come from the pool (the VM joins its pool only
 * when the task ends, P.7), but the task list shows it: the token owns its tasks, and Sys.Audit on the
 * node shows everyone's.
 */
async function createsInFlight(client, pveNodes, vmids) {
    return vmTasksInFlight(client, pveNodes, (task) => vmids.has(task.vmid), 'qmcreate');
}
/** Tasks that change whether, or what, a guest runs: a killed run's reboot (say) may still be under way. */
const POWER_TASKS = new Set([
    'qmstart',
    'qmstop',
    'qmshutdown',
    'qmreboot',
    'qmsuspend',
    'qmresume',
]);
/** The running tasks on `pveNodes` that `wanted` picks: one listing per node (`typefilter` narrows it). */
async function vmTasksInFlight(client, pveNodes, wanted, typefilter) {
    const lists = await Promise.all(pveNodes.map(async (pveNode) => {
        const tasks = await client.get(`/nodes/${pveNode}/tasks`, {
            source: 'active',
            ...(typefilter ? { typefilter } : {}),
        });
        return tasks.map((task) => ({ pveNode, vmid: Number(task.id), upid: task.upid, type: task.type }));
    }));
    return lists.flat().filter(wanted);
}

;// CONCATENATED MODULE: ./src/util/retry.ts

/**
 * Runs `fn` until it succeeds, the error is not retryable, or the attempts are used up; the last error is
 * rethrown as is. Delays use "full jitter" (uniform in 0..min(max, base * 2^(n-1))) so that runners
 * that failed together do not retry together.
 */
async function retry(fn, opts) {
    if (!Number.isInteger(opts.attempts) || opts.attempts < 1) {
        throw new RangeError(`retry attempts must be a whole number >= 1, got ${opts.attempts}`);
    }
    const wait = opts.sleep ?? util_sleep/* sleep */.y;
    for (let attempt = 1;; attempt++) {
        try {
            return await fn(attempt);
        }
        catch (err) {
            if (attempt >= opts.attempts || !opts.isRetryable(err))
                throw err;
            const delayMs = backoffDelay(attempt, opts);
            opts.onRetry?.(err, attempt, delayMs);
            await wait(delayMs);
        }
    }
}
/** Full-jitter delay before attempt `failedAttempt + 1`. */
function backoffDelay(failedAttempt, opts) {
    const ceiling = Math.min(opts.maxDelayMs, opts.baseDelayMs * 2 ** (failedAttempt - 1));
    return Math.round((opts.random ?? Math.random)() * ceiling);
}

;// CONCATENATED MODULE: ./src/proxmox/vm-config.ts
/** Talos needs x86-64-v2; the PVE backend default is kvm64 (CONTRACTS A.3), so say it. */
const CPU_TYPE = 'x86-64-v2-AES';
function diskOptions() {
    return 'discard=on,ssd=1';
}
/**
 * The create call for a Talos node (CONTRACTS A.6): boot disk imported from the nocloud image, a
 * cloud-init drive carrying the static address so Talos has it before any config is applied, extra
 * disks for Ceph on workers, and the twin's pool. No tags: qemu-server 9.2 checks tag rights on
 * /vms/<vmid> inside the create task, before the VM joins its pool, so a pool-scoped token would fail
 * there (PVE-PERMISSIONS.md P.6.1, P.9); the tags follow once the VM is a pool member (vmTagParams).
 */
function vmCreateParams(node, vm) {
    const params = {
        vmid: String(node.vmid),
        name: node.name,
        description: node.description,
        memory: String(node.memoryMiB),
        balloon: '0', // Talos does not support memory hot plug; ballooning only confuses capacity.
        cores: String(node.cores),
        cpu: CPU_TYPE,
        ostype: 'l26',
        scsihw: 'virtio-scsi-pci',
        scsi0: `${vm.diskStorage}:0,import-from=${vm.imageVolume},${diskOptions()}`,
        ide2: `${vm.diskStorage}:cloudinit`,
        citype: 'nocloud',
        ipconfig0: `ip=${node.address}/${node.prefixLength},gw=${node.gateway}`,
        nameserver: node.dns.join(' '),
        net0: `virtio,bridge=${vm.bridge},tag=${node.vlan}`,
        agent: 'enabled=1',
        serial0: 'socket',
        boot: 'order=scsi0',
        onboot: '1',
        pool: vm.pool,
    };
    node.extraDisksGiB.forEach((sizeGiB, i) => {
        params[`scsi${i + 1}`] = `${vm.diskStorage}:${sizeGiB},${diskOptions()}`;
    });
    return params;
}
function vmPath(node, vm) {
    return `/nodes/${vm.pveNode}/qemu/${node.vmid}`;
}
/** The ownership tags, set by a config update once the VM is in its pool (VM.Config.Options from the pool). */
function vmTagParams(node) {
    return { tags: node.tags.join(';') };
}
/** Create, tag, grow the imported boot disk to the spec's size (the image is only ~1.2 GiB), then start. */
function vmCreateCalls(node, vm) {
    return [
        { method: 'POST', path: `/nodes/${vm.pveNode}/qemu`, params: vmCreateParams(node, vm) },
        { method: 'PUT', path: `${vmPath(node, vm)}/config`, params: vmTagParams(node) },
        {
            method: 'PUT',
            path: `${vmPath(node, vm)}/resize`,
            params: { disk: 'scsi0', size: `${node.diskGiB}G` },
        },
        { method: 'POST', path: `${vmPath(node, vm)}/status/start`, params: {} },
    ];
}

;// CONCATENATED MODULE: ./src/util/durations.ts
/**
 * How long things of each kind take, for waits that look only when a thing is due: a first guess per kind,
 * replaced by the shortest one seen in this run (a thing that waited for a lock took longer than the next
 * one needs to).
 */
class LearnedDurations {
    guessMs;
    seen = new Map();
    constructor(guessMs) {
        this.guessMs = guessMs;
    }
    estimateMs(kind) {
        return this.seen.get(kind) ?? this.guessMs(kind);
    }
    observe(kind, ms) {
        this.seen.set(kind, Math.min(ms, this.seen.get(kind) ?? ms));
    }
}

;// CONCATENATED MODULE: ./src/proxmox/storage-turn.ts

/**
 * The moment the lock is due to be free after every running create, granted first come first served from
 * its last release on; a create that would wait longer than the timeout fails at its timeout and holds
 * nothing. -Infinity when nothing runs or was released.
 */
function lockFreeAt(running, releasedAtMs, timeoutMs) {
    let free = releasedAtMs;
    for (const create of [...running].sort((a, b) => a.startMs - b.startMs)) {
        const grantedAt = Math.max(create.startMs, free);
        if (grantedAt - create.startMs > timeoutMs)
            continue;
        free = grantedAt + create.holdMs;
    }
    return free;
}
/** Running creates come first in the list, then the newest finished ones: the last release is among them. */
const LIST_LIMIT = 30;
/** No more looks than this before sending the create anyway (a create queue of hours is not ours to wait out). */
const MAX_LOOKS = 60;
/** A task's start time is whole seconds: the turn is sent this much earlier than the timeout allows. */
const START_RESOLUTION_MS = 1_000;
/** How wrong a holder's duration may be (a share of the lock timeout). */
const HOLD_SLACK = 0.1;
/**
 * A create with extra disks is sent this share of the window before the lock is due to be free: late, so a
 * waiting create without extra disks (tried again at each verdict) is likely ahead of it in the lock's queue.
 */
const LEAD_SHARE = 0.4;
/** The wakes of creates waiting for the same turn spread over this share of the window. */
const WAKE_SPREAD = 0.15;
/** Our creates' tasks and how long each holds its storage's lock, and the offset of PVE's clock from ours. */
class StorageTurns {
    client;
    opts;
    /** Our creates by UPID: whether each holds the lock through its copy. */
    ours = new Map();
    clockOffsetMs = 0;
    random;
    constructor(client, opts) {
        this.client = client;
        this.opts = opts;
        this.random = opts.random ?? Math.random;
    }
    /**
     * Records one of our creates as PVE accepted it; its UPID's start time (whole seconds on PVE's clock)
     * against when we sent it gives the offset of PVE's clock from ours.
     */
    started(upid, sentAtMs, acceptedAtMs, holdsThroughCopy) {
        this.ours.set(upid, holdsThroughCopy);
        const startedPve = parseUpid(upid).starttime * 1000 + START_RESOLUTION_MS / 2;
        this.clockOffsetMs = startedPve - (sentAtMs + acceptedAtMs) / 2;
    }
    /** How far before the lock is free a create may be sent and still get it. */
    windowMs() {
        return Math.max(0, this.opts.lockTimeoutMs * (1 - HOLD_SLACK) - START_RESOLUTION_MS);
    }
    /**
     * Waits until the running creates on the node are due to leave the lock within a create's timeout. Our
     * own creates alone are no reason to wait: the run sends them in an order the lock can take.
     */
    async waitForTurn(pveNode) {
        const { clock } = this.client;
        for (let look = 0; look < MAX_LOOKS; look++) {
            const { running, releasedAtMs } = await this.nodeCreates(pveNode);
            if (running.every((create) => create.own))
                return;
            const free = lockFreeAt(running, releasedAtMs, this.opts.lockTimeoutMs);
            const waitMs = free - this.windowMs() * LEAD_SHARE - clock.now();
            if (waitMs <= 0)
                return;
            await clock.sleep(waitMs + this.random() * this.windowMs() * WAKE_SPREAD);
        }
    }
    /**
     * One look at the node's creates, running and finished: a create waiting behind one that has ended since
     * was granted when that ended, which its start alone does not say.
     */
    async nodeCreates(pveNode) {
        const tasks = await this.client.get(`/nodes/${pveNode}/tasks`, {
            source: 'all',
            typefilter: 'qmcreate',
            limit: LIST_LIMIT,
        });
        const onOurClock = (seconds) => seconds * 1000 + START_RESOLUTION_MS / 2 - this.clockOffsetMs;
        const running = tasks
            .filter((task) => task.endtime === undefined)
            .map((task) => {
            const short = this.ours.get(task.upid) === false;
            return {
                startMs: onOurClock(task.starttime ?? parseUpid(task.upid).starttime),
                holdMs: short ? this.opts.shortHoldMs : this.opts.longHoldMs,
                own: this.ours.has(task.upid),
            };
        });
        // Our creates without extra disks released the lock long before they ended.
        const released = tasks.filter((task) => task.endtime !== undefined && task.status === 'OK' && this.ours.get(task.upid) !== false);
        return {
            running,
            releasedAtMs: Math.max(-Infinity, ...released.map((task) => onOurClock(task.endtime))),
        };
    }
}

;// CONCATENATED MODULE: ./src/proxmox/vm-lifecycle.ts








/**
 * What a task of each kind takes on a PVE node (seconds): downloading a ~1.2 GiB Talos image at ~20 MiB/s
 * (~62 s, after ~2 s of connecting) and PVE's sha256 check of it (~3 s at ~400 MiB/s), a create that copies
 * it into the VM's disk at ~50 MiB/s, a start, a resize, a stop, a guest shutdown, a destroy. First guesses
 * only: a run learns each kind's shortest duration as it goes.
 */
const EXPECTED_TASK_SECONDS = {
    download: 68,
    qmcreate: 30,
    qmstart: 3,
    qmresize: 1,
    qmstop: 1,
    qmshutdown: 6,
    qmdestroy: 2,
};
const UNKNOWN_TASK_SECONDS = 1;
/**
 * A download's length depends on the link more than on anything we know, and there is one per node
 * storage, not one per VM: once it is due, it is looked at twice as often as other tasks.
 */
const LATE_LOOK_SHARE = { download: 0.125 };
/**
 * Each kind's expected duration (scaled to the run's pace), replaced by the shortest one seen: a task that
 * waited for a lock takes longer than the next one needs to.
 */
function learnedTaskTiming(paceScale = 1) {
    return new LearnedDurations((kind) => (EXPECTED_TASK_SECONDS[kind] ?? UNKNOWN_TASK_SECONDS) * 1000 * paceScale);
}
/**
 * Creates wait out other runners' creates on the same storage: a create with extra disks holds PVE's
 * storage lock through its image copy (~30 s), and ten twins applied at once queue about forty creates per
 * node, ~11 minutes of lock time. A create with extra disks is sent when the running creates are due to be
 * done (StorageTurns); one without takes its chance at once, learns at the lock's 10 s verdict whether it got
 * it, and tries again soon after. Either is tried up to 40 times, each waiting PVE's lock timeout at most.
 */
const CREATE_ATTEMPTS = 40;
/** PVE::Tools::lock_file's default timeout, which vdisk_alloc's storage lock uses. */
const STORAGE_LOCK_TIMEOUT_MS = 10_000;
/** A create without extra disks holds the storage lock while allocating two volumes. */
const SHORT_CREATE_HOLD_MS = 4_000;
/** The look at a create that may have lost the lock comes this long after its verdict is due. */
const VERDICT_GRACE_MS = 500;
/** No closer looks than this (real milliseconds, scaled to the run's pace). */
const MIN_POLL_MS = 250;
/** Looks at a task that runs long are this far apart at most, or its expected duration if longer. */
const MAX_POLL_MS = 5_000;
const CREATE_RETRY_BASE_MS = 1_000;
const CREATE_RETRY_MAX_MS = 2_000;
class VmLifecycle {
    client;
    timing;
    paceScale;
    turns;
    constructor(client, opts = {}) {
        this.client = client;
        this.paceScale = opts.paceScale ?? 1;
        this.timing = opts.timing ?? learnedTaskTiming(this.paceScale);
        this.turns = new StorageTurns(client, {
            lockTimeoutMs: STORAGE_LOCK_TIMEOUT_MS * this.paceScale,
            // The first guess, not the learned one: looks see a task end up to a look late, and a create that
            // waited for the lock ran longer than it holds it.
            longHoldMs: EXPECTED_TASK_SECONDS.qmcreate * 1000 * this.paceScale,
            shortHoldMs: SHORT_CREATE_HOLD_MS * this.paceScale,
        });
    }
    async task(kind, method, path, params = {}, opts = {}) {
        const started = this.client.clock.now();
        // The first look when the task is due, then looks a quarter of that apart (a download's an eighth), growing.
        const expectedMs = Math.max(MIN_POLL_MS * this.paceScale, this.timing.estimateMs(kind));
        const result = await runTask(this.client, method, path, params, {
            initialDelayMs: expectedMs,
            thenEveryMs: Math.max(MIN_POLL_MS * this.paceScale, expectedMs * (LATE_LOOK_SHARE[kind] ?? 0.25)),
            maxDelayMs: Math.max(MAX_POLL_MS * this.paceScale, expectedMs),
            ...opts,
        });
        this.timing.observe(kind, this.client.clock.now() - started);
        return result;
    }
    /**
     * The Talos image, once per node storage. Without a digest, listing first makes repeats a no-op
     * (download-url without a checksum refuses to overwrite a file) and a racing runner's finished download
     * counts as ours. With one, download-url always runs with it: PVE checks the download, or the file
     * already there ("got correct file already"), and fails the task on a mismatch.
     */
    async ensureImage(pveNode, storage, fileName, url, sha256) {
        const present = await this.hasImportFile(pveNode, storage, fileName);
        if (present && sha256 === undefined)
            return 'present';
        try {
            await this.task('download', 'POST', `/nodes/${pveNode}/storage/${storage}/download-url`, {
                content: 'import',
                filename: fileName,
                url,
                ...(sha256 === undefined ? {} : { checksum: sha256, 'checksum-algorithm': 'sha256' }),
            });
            return present ? 'present' : 'downloaded';
        }
        catch (error) {
            if (sha256 === undefined && (await this.hasImportFile(pveNode, storage, fileName)))
                return 'present';
            throw error;
        }
    }
    async hasImportFile(pveNode, storage, fileName) {
        const content = await this.client.get(`/nodes/${pveNode}/storage/${storage}/content`, {
            content: 'import',
        });
        return content.some((item) => item.volid === `${storage}:import/${fileName}`);
    }
    /**
     * The VM's config, or undefined when it does not exist. Only for VMs the token may see: a pool-scoped
     * token gets 403 for a VMID that is no pool member yet (P.9), so new VMIDs are never probed this way.
     */
    async config(pveNode, vmid) {
        try {
            return await this.client.get(`/nodes/${pveNode}/qemu/${vmid}/config`);
        }
        catch (error) {
            if (isDoesNotExist(error))
                return undefined;
            throw error;
        }
    }
    /**
     * Creates the VM. Other runners allocating on the same storage can hold PVE's storage lock past its
     * timeout; the task then fails before anything exists, so it is tried again (bounded, with jitter).
     * `onStarted` hears when PVE accepted a create task (again for each retry).
     */
    async create(vm, settings, onStarted) {
        const scaled = (ms) => Math.max(10, Math.round(ms * this.paceScale));
        const holdsThroughCopy = vm.extraDisksGiB.length > 0;
        // A create without extra disks is looked at when the lock's verdict is due, then when it is due to end.
        const verdictMs = scaled(STORAGE_LOCK_TIMEOUT_MS + VERDICT_GRACE_MS);
        const expectedMs = this.timing.estimateMs('qmcreate');
        const looks = holdsThroughCopy || expectedMs <= verdictMs
            ? {}
            : { initialDelayMs: verdictMs, thenEveryMs: expectedMs - verdictMs, laterEveryMs: expectedMs / 4 };
        await retry(async () => {
            if (holdsThroughCopy)
                await this.turns.waitForTurn(settings.pveNode);
            await this.task('qmcreate', 'POST', `/nodes/${settings.pveNode}/qemu`, vmCreateParams(vm, settings), {
                ...looks,
                onStarted: ({ upid, sentAtMs }) => {
                    this.turns.started(upid, sentAtMs, this.client.clock.now(), holdsThroughCopy);
                    onStarted?.();
                },
            });
        }, {
            attempts: CREATE_ATTEMPTS,
            baseDelayMs: scaled(CREATE_RETRY_BASE_MS),
            maxDelayMs: scaled(CREATE_RETRY_MAX_MS),
            isRetryable: (error) => isLockTimeout(error),
            sleep: (ms) => this.client.clock.sleep(ms),
        });
    }
    /**
     * The ownership tags, once the VM is a member of its pool (a synchronous PUT: PVE checks VM.Config.Options
     * on /vms/<vmid>, which the pool grants by then). Idempotent: tags already there are not sent again.
     */
    async ensureTags(pveNode, vm, config) {
        const current = parseTags(String((config ?? (await this.config(pveNode, vm.vmid)))?.tags ?? ''));
        if (vm.tags.every((tag) => current.includes(tag)))
            return;
        await this.client.put(`/nodes/${pveNode}/qemu/${vm.vmid}/config`, vmTagParams(vm));
    }
    /** Grows the imported boot disk to its size; never shrinks (PVE refuses), so a re-run is a no-op. */
    async growBootDisk(pveNode, vm, config) {
        const current = diskSizeGiB(String(config.scsi0 ?? ''));
        if (current !== undefined && current >= vm.diskGiB)
            return;
        await this.task('qmresize', 'PUT', `/nodes/${pveNode}/qemu/${vm.vmid}/resize`, {
            disk: 'scsi0',
            size: `${vm.diskGiB}G`,
        });
    }
    async status(pveNode, vmid) {
        const current = await this.client.get(`/nodes/${pveNode}/qemu/${vmid}/status/current`);
        return current.status;
    }
    /** Starts the VM unless it runs; `createdStopped`: this run just created it, so it is stopped (no look). */
    async start(pveNode, vmid, opts = {}) {
        if (!opts.createdStopped && (await this.status(pveNode, vmid)) === 'running')
            return;
        await this.task('qmstart', 'POST', `/nodes/${pveNode}/qemu/${vmid}/status/start`);
    }
    /** Pulls the plug and starts the VM again: for a guest that hung (it would not react to a shutdown). */
    async powerCycle(pveNode, vmid) {
        if ((await this.status(pveNode, vmid)) === 'running') {
            await this.task('qmstop', 'POST', `/nodes/${pveNode}/qemu/${vmid}/status/stop`, {});
        }
        await this.task('qmstart', 'POST', `/nodes/${pveNode}/qemu/${vmid}/status/start`);
    }
    /**
     * Removes one VM of a twin, after checking that the VMID still holds that VM (a stale teardown must
     * never delete another twin's VM): graceful shutdown for a bounded time, then a hard stop, then delete
     * with purge and unreferenced disks. A VM that is already gone counts as removed.
     */
    async destroy(pveNode, vmid, expect, shutdownSeconds = 30) {
        const config = await this.visibleConfig(pveNode, vmid);
        if (!config)
            return 'absent';
        const tags = parseTags(String(config.tags ?? ''));
        if (config.name !== expect.name || !expect.tags.every((tag) => tags.includes(tag))) {
            throw new errors/* ConfigurationError */.j1(`VMID ${vmid} on ${pveNode} is "${String(config.name)}" with tags ${tags.join(';') || '(none)'}, not ${expect.name} ` +
                `with ${expect.tags.join(';')}: refusing to delete it; remove it by hand if it is really this twin's`);
        }
        if ((await this.status(pveNode, vmid)) === 'running')
            await this.stop(pveNode, vmid, shutdownSeconds);
        try {
            await this.task('qmdestroy', 'DELETE', `/nodes/${pveNode}/qemu/${vmid}`, {
                purge: 1,
                'destroy-unreferenced-disks': 1,
            });
        }
        catch (error) {
            if (isDoesNotExist(error))
                return 'absent';
            throw error;
        }
        return 'destroyed';
    }
    /**
     * The config of a VM this token should see. A pool-scoped token gets 403, not "does not exist", for a
     * VMID that left its pool, i.e. was destroyed meanwhile (P.9); when the VMID is also gone from the
     * visible inventory there is nothing of ours to remove. Listed yet refused is a missing right: thrown.
     */
    async visibleConfig(pveNode, vmid) {
        try {
            return await this.config(pveNode, vmid);
        }
        catch (error) {
            if (!isPermissionFailure(error))
                throw error;
            if ((await listVms(this.client)).some((vm) => vm.vmid === vmid))
                throw error;
            return undefined;
        }
    }
    async stop(pveNode, vmid, shutdownSeconds) {
        try {
            await this.task('qmshutdown', 'POST', `/nodes/${pveNode}/qemu/${vmid}/status/shutdown`, {
                timeout: shutdownSeconds,
            });
        }
        catch (error) {
            if (!(error instanceof Error) || error instanceof PveApiError)
                throw error;
            // The guest did not power off in time (a task error, not an API refusal): pull the plug.
            await this.task('qmstop', 'POST', `/nodes/${pveNode}/qemu/${vmid}/status/stop`, {});
        }
    }
}
/** Size of a disk property string such as `local-lvm:vm-101-disk-0,size=32G`, in GiB. */
function diskSizeGiB(disk) {
    const match = /(?:^|,)size=(\d+(?:\.\d+)?)([KMGT]?)(?:,|$)/.exec(disk);
    if (!match)
        return undefined;
    const factor = { '': 1 / 1024 ** 3, K: 1 / 1024 ** 2, M: 1 / 1024, G: 1, T: 1024 }[match[2]];
    return Number(match[1]) * factor;
}

;// CONCATENATED MODULE: ./src/twin/layers/vm.ts



/** The VMs of a plan that exist and stay: what the VM layer compares. */
function wantedVmsOf(plan) {
    return plan.vms
        .filter((vm) => (vm.action === 'keep' || vm.action === 'change') && vm.definition)
        .map((vm) => ({
        cluster: vm.cluster,
        name: vm.name,
        role: vm.role === 'controlplane' ? 'controlplane' : 'worker',
        pveNode: vm.pveNode,
        vmid: vm.vmid,
        cores: vm.cores,
        memoryMiB: vm.memoryMiB,
        diskGiB: vm.definition.diskGiB,
        extraDisksGiB: vm.definition.extraDisksGiB,
    }));
}
/** `memory` is the property string `[current=]<MiB>` (PVE 9); older releases send a plain number. */
function parseMemoryMiB(value) {
    const match = /(?:^|,)(?:current=)?(\d+)(?:,|$)/.exec(String(value ?? ''));
    return match ? Number(match[1]) : undefined;
}
function asNumber(value) {
    return value === undefined || value === null || value === '' ? undefined : Number(value);
}
/** Current and pending config (one call per VM) and whether it runs. */
async function observeVm(client, wanted) {
    const base = `/nodes/${wanted.pveNode}/qemu/${wanted.vmid}`;
    const [items, status] = await Promise.all([
        client.get(`${base}/pending`),
        client.get(`${base}/status/current`),
    ]);
    const item = (key) => items.find((entry) => entry.key === key);
    const disksGiB = {};
    for (const entry of items) {
        if (!/^scsi\d+$/.test(entry.key))
            continue;
        const size = diskSizeGiB(String(entry.value ?? ''));
        if (size !== undefined)
            disksGiB[entry.key] = size;
    }
    const pendingCores = asNumber(item('cores')?.pending);
    const pendingMemoryMiB = parseMemoryMiB(item('memory')?.pending);
    return {
        wanted,
        running: status.status === 'running',
        // PVE's defaults when the key is not set: 1 core, 512 MiB.
        cores: asNumber(item('cores')?.value) ?? 1,
        memoryMiB: parseMemoryMiB(item('memory')?.value) ?? 512,
        ...(pendingCores !== undefined ? { pendingCores } : {}),
        ...(pendingMemoryMiB !== undefined ? { pendingMemoryMiB } : {}),
        disksGiB,
    };
}
async function observeVms(client, wanted) {
    return Promise.all(wanted.map((vm) => observeVm(client, vm)));
}
const size = (cores, memoryMiB) => `${cores} cores / ${memoryMiB} MiB`;
/** Whether cores or memory differ from the spec in the running config (pending values are not applied yet). */
function needsResize(vm) {
    return vm.cores !== vm.wanted.cores || vm.memoryMiB !== vm.wanted.memoryMiB;
}
function wantedDisks(vm) {
    return [vm.diskGiB, ...vm.extraDisksGiB].map((gib, index) => [`scsi${index}`, gib]);
}
/** Disks to grow, and what PVE or the layer refuses (shrinking, adding or removing a disk). */
function diskChanges(vm) {
    const grow = [];
    const refused = [];
    for (const [disk, toGiB] of wantedDisks(vm.wanted)) {
        const fromGiB = vm.disksGiB[disk];
        if (fromGiB === undefined) {
            refused.push([
                `add ${disk} (${toGiB} GiB)`,
                'the VM layer only resizes existing disks: add the disk by hand or recreate the node',
            ]);
        }
        else if (toGiB > fromGiB)
            grow.push({ disk, fromGiB, toGiB });
        else if (toGiB < fromGiB) {
            refused.push([
                `${disk} ${fromGiB} GiB -> ${toGiB} GiB`,
                `PVE does not shrink disks ("shrinking disks is not supported"): keep ${fromGiB} GiB or recreate the node`,
            ]);
        }
    }
    const wantedKeys = new Set(wantedDisks(vm.wanted).map(([disk]) => disk));
    for (const disk of Object.keys(vm.disksGiB).filter((key) => !wantedKeys.has(key))) {
        refused.push([
            `remove ${disk}`,
            'the VM layer never removes a disk (it may hold a Ceph OSD): remove it by hand once Ceph no longer uses it',
        ]);
    }
    return { grow, refused };
}
/** The layer's plan for one cluster: cores/memory changes (disruptive) first, then the online disk growth. */
function diffVms(cluster, observed) {
    const ours = observed.filter((vm) => vm.wanted.cluster === cluster);
    const changes = [];
    const refused = [];
    for (const vm of ours) {
        if (needsResize(vm)) {
            const pending = (vm.cores === vm.wanted.cores || vm.pendingCores === vm.wanted.cores) &&
                (vm.memoryMiB === vm.wanted.memoryMiB || vm.pendingMemoryMiB === vm.wanted.memoryMiB);
            changes.push({
                layer: 'vm',
                cluster,
                target: vm.wanted.name,
                kind: 'vm-resize',
                from: size(vm.cores, vm.memoryMiB),
                to: size(vm.wanted.cores, vm.wanted.memoryMiB),
                detail: `${pending ? 'already pending in PVE; ' : ''}needs a reboot through PVE (no CPU/memory hotplug): drained first`,
                disruptive: true,
            });
        }
    }
    for (const vm of ours) {
        const disks = diskChanges(vm);
        for (const growth of disks.grow) {
            changes.push({
                layer: 'vm',
                cluster,
                target: vm.wanted.name,
                kind: 'disk-grow',
                from: `${growth.disk} ${growth.fromGiB} GiB`,
                to: `${growth.disk} ${growth.toGiB} GiB`,
                detail: 'online resize, no reboot',
                disruptive: false,
            });
        }
        for (const [asked, reason] of disks.refused)
            refused.push({ layer: 'vm', cluster, target: vm.wanted.name, asked: asked, reason: reason });
    }
    return {
        layer: 'vm',
        cluster,
        running: summary(ours, (vm) => size(vm.cores, vm.memoryMiB)),
        wanted: summary(ours, (vm) => size(vm.wanted.cores, vm.wanted.memoryMiB)),
        changes,
        refused,
    };
}
function summary(vms, describe) {
    const counts = new Map();
    for (const vm of vms)
        counts.set(describe(vm), (counts.get(describe(vm)) ?? 0) + 1);
    return [...counts].map(([text, count]) => `${count} × ${text}`).join(', ') || 'no VMs';
}
/** Disk growth of one cluster as steps (non-disruptive, each VM on its own). */
function diskGrowthSteps(client, cluster, observed, needs = []) {
    return observed
        .filter((vm) => vm.wanted.cluster === cluster)
        .flatMap((vm) => {
        const { grow } = diskChanges(vm);
        if (grow.length === 0)
            return [];
        return [
            {
                id: `vm-disks:${cluster}:${vm.wanted.name}`,
                title: `${cluster}: ${vm.wanted.name}: ${grow.map((g) => `${g.disk} ${g.fromGiB} -> ${g.toGiB} GiB`).join(', ')} (online)`,
                doing: `growing ${grow.map((g) => g.disk).join(', ')} of ${vm.wanted.name} online`,
                stage: 'vm',
                needs,
                run: async () => {
                    for (const growth of grow)
                        await growDisk(client, vm.wanted, growth);
                },
            },
        ];
    });
}
/** PUT resize to an absolute size: a repeat after a killed run asks for the size it already has. */
async function growDisk(client, vm, growth) {
    await runTask(client, 'PUT', `/nodes/${vm.pveNode}/qemu/${vm.vmid}/resize`, {
        disk: growth.disk,
        size: `${growth.toGiB}G`,
    });
}
/** One disruptive action per VM whose cores or memory differ: set them, reboot through PVE, await the kubelet. */
function vmResizeActions(deps, observed) {
    return observed.filter(needsResize).map((vm) => resizeAction(deps, vm));
}
function resizeAction(deps, vm) {
    const { wanted } = vm;
    const base = `/nodes/${wanted.pveNode}/qemu/${wanted.vmid}`;
    let memoryBefore;
    return {
        cluster: wanted.cluster,
        node: wanted.name,
        role: wanted.role,
        describe: `VM ${size(vm.cores, vm.memoryMiB)} -> ${size(wanted.cores, wanted.memoryMiB)} (PVE reboot)`,
        drain: true,
        async run() {
            memoryBefore = memoryCapacityMiB(await nodeOf(deps, wanted.name));
            // Synchronous PUT: on a running VM both keys go pending (PVE-PERMISSIONS P.6.2: VM.Config.CPU, VM.Config.Memory).
            await deps.client.put(`${base}/config`, { cores: wanted.cores, memory: String(wanted.memoryMiB) });
            const { status } = await deps.client.get(`${base}/status/current`);
            // A reboot applies pending changes when qmeventd starts the VM again; a stopped VM just starts with them.
            const action = status === 'running' ? 'reboot' : 'start';
            await runTask(deps.client, 'POST', `${base}/status/${action}`, {}, { timeoutMs: deps.taskTimeoutMs });
        },
        async settled() {
            const node = await nodeOf(deps, wanted.name);
            const cpu = node?.capacity.cpu;
            if (cpu === undefined || cpuMilli(cpu) !== wanted.cores * 1000)
                return `the kubelet reports ${cpu ?? 'no'} CPUs, want ${wanted.cores}`;
            const memory = memoryCapacityMiB(node);
            const direction = Math.sign(wanted.memoryMiB - vm.memoryMiB);
            // Capacity is the VM's RAM less what the kernel keeps, so only its move tells the new size took.
            if (memory !== undefined &&
                memoryBefore !== undefined &&
                Math.sign(memory - memoryBefore) !== direction)
                return `the kubelet reports ${memory} MiB memory capacity, as before the reboot`;
            return true;
        },
    };
}
async function nodeOf(deps, name) {
    return (await deps.nodes()).find((node) => node.name === name);
}
function memoryCapacityMiB(node) {
    const memory = node?.capacity.memory;
    return memory === undefined ? undefined : memoryMiB(memory);
}

// EXTERNAL MODULE: ./src/twin/curl-check.ts
var curl_check = __webpack_require__(60487);
;// CONCATENATED MODULE: ./src/twin/probe.ts





const STARWARS_TARGET = {
    namespace: starwars/* STARWARS_NAMESPACE */.wI,
    client: `deploy/${starwars/* X_WING */.zG}`,
    container: starwars/* X_WING_CONTAINER */.$s,
    host: starwars/* REBEL_BASE */.xu,
};
function targetsOf(cluster, opts) {
    const names = opts.clusters.map((c) => c.name);
    return [
        ...(opts.starwars ? [STARWARS_TARGET] : []),
        ...(opts.mesh
            ? names
                .filter((name) => name !== cluster)
                .map((name) => ({
                namespace: mesh_check/* MESH_CHECK_NAMESPACE */.lv,
                client: `deploy/${mesh_check/* MESH_PROBE_NAME */.Jk}`,
                container: 'probe',
                host: (0,mesh_check/* echoServiceName */.uK)(name),
            }))
            : []),
    ];
}
class AvailabilityProbe {
    opts;
    figures = new Map();
    loops = [];
    stopped = false;
    wake = () => { };
    stopSignal;
    constructor(opts) {
        this.opts = opts;
        for (const cluster of opts.clusters)
            this.figures.set(cluster.name, { cluster: cluster.name, sent: 0, answered: 0, failed: 0, errors: 0 });
        this.stopSignal = new Promise((resolve) => (this.wake = resolve));
    }
    /** Starts one sampling loop per cluster; a second call does nothing. */
    start() {
        if (this.loops.length > 0 || this.stopped)
            return;
        this.loops = this.opts.clusters.map((cluster) => this.loop(cluster));
    }
    /** Stops sampling, lets each cluster's exec in flight finish, and returns the figures. */
    async stop() {
        this.stopped = true;
        this.wake();
        await Promise.all(this.loops);
        return this.snapshot();
    }
    /** The figures so far, in the clusters' order. */
    snapshot() {
        return this.opts.clusters.map((cluster) => ({ ...this.figures.get(cluster.name) }));
    }
    async loop(cluster) {
        const targets = targetsOf(cluster.name, this.opts);
        if (targets.length === 0)
            return;
        const sleep = this.opts.sleep ?? util_sleep/* sleep */.y;
        for (let round = 0; !this.stopped; round++) {
            await this.sample(cluster, targets[round % targets.length]);
            if (this.stopped)
                break;
            await Promise.race([sleep(this.opts.intervalMs), this.stopSignal]);
        }
    }
    async sample(cluster, target) {
        const figures = this.figures.get(cluster.name);
        const requests = this.opts.requestsPerSample ?? 5;
        figures.sent += requests;
        try {
            const sample = await (0,curl_check/* sampleService */.T)({ kubectl: cluster.kubectl, requests, ...target });
            figures.answered += sample.answered;
            figures.failed += requests - sample.answered;
        }
        catch (error) {
            figures.failed += requests;
            figures.errors += 1;
            figures.lastError = (0,errors/* errorMessage */.gJ)(error);
        }
    }
}
/** One line per cluster, for the run's output and the job summary: `east: 420 sent, 418 answered, 2 failed`. */
function formatProbeFigures(figures) {
    return figures.map((f) => `${f.cluster}: ${f.sent} sent, ${f.answered} answered, ${f.failed} failed` +
        (f.errors > 0 ? ` (${f.errors} samples could not run: ${f.lastError ?? 'unknown error'})` : ''));
}

// EXTERNAL MODULE: ./src/twin/ceph-wait.ts
var ceph_wait = __webpack_require__(27428);
;// CONCATENATED MODULE: ./src/twin/layers/gates.ts


/**
 * etcd holds when every control plane's own etcd answers `etcd members` (its local client: the member runs)
 * and they all list the same members, one per control plane (a split cluster shows as differing lists, F.4).
 * The member list is a linearizable read in etcd 3.5+, so an answer also means the cluster has quorum.
 */
function etcdGate(opts) {
    return {
        name: 'etcd',
        timeoutMs: opts.timeoutMs,
        async check() {
            const views = [];
            for (const cp of opts.controlPlanes) {
                const answer = await opts.talosctl.etcdMembers({ talosconfig: opts.talosconfig, node: cp.address });
                if ('unknown' in answer)
                    return `etcd on ${cp.name} does not answer: ${answer.unknown}`;
                views.push({
                    node: cp.name,
                    ids: answer.members.map((member) => member.id).sort(),
                    hostnames: answer.members.map((member) => member.hostname),
                });
            }
            for (const view of views) {
                const missing = opts.controlPlanes.filter((cp) => !view.hostnames.includes(cp.name));
                if (missing.length > 0)
                    return `${view.node} sees no etcd member for ${missing.map((cp) => cp.name).join(', ')}`;
                if (view.ids.length !== opts.controlPlanes.length)
                    return `${view.node} sees ${view.ids.length} etcd members, expected ${opts.controlPlanes.length}`;
            }
            const [first, ...others] = views;
            const differing = others.find((view) => view.ids.join() !== first?.ids.join());
            if (first && differing)
                return `${first.node} and ${differing.node} see different etcd members (split?)`;
            return true;
        },
    };
}
/**
 * Ceph holds when Rook's CephCluster reports HEALTH_OK with phase Ready, or when there is no CephCluster yet. Ceph raises PG_DEGRADED or
 * PG_AVAILABILITY while placement groups are not active+clean, so HEALTH_OK also means every PG is clean
 * (H.3 "Health"); the CR carries no PG states of its own.
 *
 * Policy for H.4: HEALTH_WARN whose only check is RECENT_CRASH is accepted (and said in the detail), not
 * archived: archiving needs `ceph crash archive-all` in a pod with the admin key, and would hide the crash
 * from whoever looks next. Node kills during a rollout often leave such a crash behind.
 *
 * Rook refreshes the CR's health about once a minute, so after a node was down the gate waits for a
 * `lastChecked` other than the one seen before it went down: an old HEALTH_OK proves nothing.
 *
 * noout: Rook runs `ceph osd set-group noout <host>` itself on the failure domain of a draining node
 * and unsets it when the drain ends or after osdMaintenanceTimeout (H.2, chart default
 * managePodBudgets: true), so the rollout does not set it.
 */
function cephGate(opts) {
    let before;
    const read = () => opts.kubectl.getObject('cephclusters.ceph.rook.io', 'rook-ceph', addons_rook/* ROOK_NAMESPACE */.MN);
    return {
        name: 'Ceph',
        timeoutMs: opts.timeoutMs,
        async mark() {
            before = lastChecked(await read());
        },
        async check() {
            const object = await read();
            if (!object)
                return true; // no Ceph deployed yet (a run killed before storage): nothing to protect
            const checked = lastChecked(object);
            if (before !== undefined && checked === before)
                return `Ceph health not checked again since ${before}`;
            const status = (0,ceph_wait/* cephStatus */.l7)(opts.cluster, object);
            if (status.phase !== 'Ready')
                return `CephCluster phase ${status.phase}`;
            if (status.health === 'HEALTH_OK')
                return true;
            const codes = status.details.map((detail) => detail.split(':')[0]);
            if (status.health === 'HEALTH_WARN' &&
                codes.length > 0 &&
                codes.every((code) => code === 'RECENT_CRASH'))
                return true;
            return `${status.health}${status.details.length > 0 ? `: ${status.details.join('; ')}` : ''}`;
        },
    };
}
function lastChecked(object) {
    const status = object?.status;
    const value = status?.ceph?.lastChecked;
    return typeof value === 'string' ? value : undefined;
}

;// CONCATENATED MODULE: ./src/twin/layers/wiring.ts









/**
 * The layers' dependencies built from what `twin up` has at hand (the run's context and a cluster's
 * outcome), so wiring a layer into the plan is one call. Timeouts follow the run's pace.
 */
/** kubectl drain --timeout: Talos' own drain gives up after 5 minutes (F.1, facts nodedrain.go), so do we. */
const DRAIN_TIMEOUT_SEC = 300;
function rolloutDepsFor(ctx, cluster, opts) {
    const kubectl = new kube_kubectl/* Kubectl */.b(ctx.runner, { kubeconfig: cluster.kubeconfig, path: ctx.tools.kubectl });
    const talosctl = new Talosctl(ctx.runner, { path: ctx.tools.talosctl });
    const controlPlanes = cluster.nodes
        .filter((node) => node.role === 'controlplane')
        .map((node) => ({ name: node.name, address: node.address }));
    return {
        cluster: cluster.name,
        kube: kubectl,
        gates: [
            etcdGate({
                talosctl,
                talosconfig: cluster.talosconfig,
                controlPlanes,
                timeoutMs: ctx.pace.apiTimeoutMs,
            }),
            ...(opts.ceph ? [cephGate({ cluster: cluster.name, kubectl, timeoutMs: ctx.pace.cephTimeoutMs })] : []),
        ],
        drainTimeoutSec: Math.max(5, Math.round(DRAIN_TIMEOUT_SEC * ctx.pace.scale)),
        nodeBackTimeoutMs: ctx.pace.bootTimeoutMs,
        pollMs: ctx.pace.pollMs,
        log: (line) => ctx.log(line),
    };
}
function releaseDepsFor(ctx, cluster) {
    return {
        cluster: cluster.name,
        helm: new kube_helm/* Helm */.f(ctx.runner, { kubeconfig: cluster.kubeconfig, path: ctx.tools.helm }),
        kube: new kube_kubectl/* Kubectl */.b(ctx.runner, { kubeconfig: cluster.kubeconfig, path: ctx.tools.kubectl }),
        writeValues: async (name, values) => {
            const file = (0,external_node_path_.join)(ctx.workDir, `${cluster.name}-${name}`);
            await (0,promises_.writeFile)(file, (0,dist/* stringify */.As)(values, { lineWidth: 0 }), { mode: 0o600 });
            return file;
        },
        rolloutTimeoutSec: ctx.pace.rolloutTimeoutSec,
        pollMs: ctx.pace.pollMs,
    };
}
function vmActionDepsFor(ctx, client, cluster) {
    const kubectl = new kube_kubectl/* Kubectl */.b(ctx.runner, { kubeconfig: cluster.kubeconfig, path: ctx.tools.kubectl });
    return { client, nodes: () => kubectl.nodes(), taskTimeoutMs: ctx.pace.bootTimeoutMs };
}
/** The availability probe over every cluster of the twin, at the run's pace. */
function probeFor(ctx, clusters, opts) {
    return new AvailabilityProbe({
        clusters: clusters.map((cluster) => ({
            name: cluster.name,
            kubectl: new kube_kubectl/* Kubectl */.b(ctx.runner, { kubeconfig: cluster.kubeconfig, path: ctx.tools.kubectl }),
        })),
        starwars: opts.starwars,
        mesh: opts.mesh && clusters.length > 1,
        intervalMs: ctx.pace.pollMs,
    });
}
/** Rook's two releases as day2 installs them (same values), for the release layer to compare; none when Rook is off. */
function wantedRookReleases(ctx, cluster) {
    const { rook } = ctx.twin.spec.addons;
    if (!rook.enabled)
        return [];
    const spec = ctx.twin.clusters.find((candidate) => candidate.name === cluster.name);
    if (!spec)
        return [];
    const workerVm = { cores: spec.workers.cores, memoryMiB: spec.workers.memoryMiB };
    const workers = cluster.nodes
        .filter((node) => node.role === 'worker')
        .map((node) => ({ name: node.name, extraDisks: node.extraDisks }));
    const release = (name, values) => ({
        release: name,
        chart: name,
        repo: addons_rook/* ROOK_REPO */.jn,
        version: rook.version,
        namespace: addons_rook/* ROOK_NAMESPACE */.MN,
        values,
    });
    return [
        release('rook-ceph', (0,addons_rook/* rookOperatorValues */.YC)(workerVm)),
        release('rook-ceph-cluster', (0,addons_rook/* rookClusterValues */.AX)({ cluster: cluster.name, workers, workerVm })),
    ];
}

;// CONCATENATED MODULE: ./src/twin/layers/cluster-layers.ts











async function observeClusterLayers(ctx, plan, clusters, cluster, ca, scope) {
    const { spec } = ctx.twin;
    const deps = clusterLayerDeps({ ...ctx, workDir: (0,external_node_path_.join)(ctx.workDir, `layers-${cluster.name}`) }, cluster.kubeconfig);
    const vms = await observeVms(ctx.client, wantedVmsOf(plan).filter((vm) => vm.cluster === cluster.name));
    const planned = plan.clusters.find((candidate) => candidate.name === cluster.name);
    const talosCluster = {
        cluster: cluster.name,
        base: clusterBaseOf(spec, plan, cluster.name),
        nodes: wantedMembers(plan, cluster.name).map((vm) => talosNodeOf(vm, planned.vip)),
        schematic: spec.talos.schematic,
        talosconfig: cluster.talosconfig,
        secretsFile: ctx.store.pathOf({ twin: plan.twin, cluster: cluster.name, name: 'secrets.yaml' }),
        running: new Set(vms.filter((vm) => vm.running).map((vm) => vm.wanted.name)),
    };
    const talos = await planTalosLayer(deps, talosCluster, {
        version: spec.talos.version,
        kubernetesVersion: spec.talos.kubernetesVersion,
    });
    const controlPlane = cluster.nodes.find((node) => node.role === 'controlplane');
    const kubernetes = await planKubernetesLayer(deps, { cluster: cluster.name, talosconfig: cluster.talosconfig, controlPlane: controlPlane.address }, { version: spec.talos.kubernetesVersion, talosVersion: spec.talos.version }, plannedTalosReleases(talos.observation, talos.diff));
    const helm = new kube_helm/* Helm */.f(ctx.runner, { kubeconfig: cluster.kubeconfig, path: ctx.tools.helm });
    const wanted = [
        wantedCilium(ctx, clusters, cluster, ca),
        ...(scope.rook ? wantedRookReleases(ctx, cluster) : []),
    ];
    const releases = await observeReleases(helm, wanted);
    return {
        cluster,
        diffs: [diffVms(cluster.name, vms), talos.diff, kubernetes.diff, diffReleases(cluster.name, releases)],
        vms,
        talos: { ...talos, refresh: () => refreshConfigs(deps, talosCluster) },
        kubernetes,
        releases,
    };
}
/**
 * Cilium as the spec wants it on this cluster: the provision values and, for a twin of two or more clusters,
 * the mesh values (installed with them, see twinCiliumValues).
 */
function wantedCilium(ctx, clusters, cluster, ca) {
    const own = ciliumValues({
        clusterName: cluster.name,
        clusterId: cluster.id,
        ca,
        nodeCount: cluster.nodes.length,
    });
    const peers = clusters.map((peer) => ({
        name: peer.name,
        id: peer.id,
        addresses: peer.nodes.map((node) => node.address),
    }));
    return {
        release: CILIUM_RELEASE,
        chart: 'cilium',
        repo: 'https://helm.cilium.io',
        version: ctx.twin.spec.cilium.version,
        namespace: 'kube-system',
        values: (0,clustermesh/* twinCiliumValues */.W4)(own, peers),
    };
}

;// CONCATENATED MODULE: ./src/twin/layers/describe.ts
/** The order layers change in: hardware and the OS first, then Kubernetes, then what runs on it. */
const LAYER_ORDER = ['vm', 'talos', 'kubernetes', 'release', 'mesh'];
/** Rows of the running-vs-wanted table: one per layer and cluster, in layer order. */
function layerRows(diffs) {
    return sortedDiffs(diffs).map((diff) => [
        diff.layer,
        diff.cluster,
        diff.unobserved ? `not observed: ${diff.unobserved}` : diff.running,
        diff.wanted,
        diff.refused.length > 0
            ? 'REFUSED'
            : diff.changes.length > 0
                ? `${diff.changes.length} to change`
                : 'in sync',
    ]);
}
/** One line per change, e.g. `east talos east-w-1: v1.11.6 -> v1.12.11 (reboot, drained)`. */
function changeLine(change) {
    const cost = change.disruptive ? 'node goes down, one at a time' : 'in place';
    const detail = change.detail ? `; ${change.detail}` : '';
    return `${change.cluster} ${change.layer} ${change.target}: ${change.kind} ${change.from} -> ${change.to} (${cost}${detail})`;
}
function refusedLine(refused) {
    return `${refused.cluster} ${refused.layer} ${refused.target}: ${refused.asked} is refused: ${refused.reason}`;
}
/** Every change in the order converge runs them (layer order, then the layer's own order). */
function orderedChanges(diffs) {
    return sortedDiffs(diffs).flatMap((diff) => diff.changes);
}
function refusals(diffs) {
    return sortedDiffs(diffs).flatMap((diff) => diff.refused);
}
/** What `plan` prints under the VM table; empty when there is nothing to show. */
function describeLayers(diffs, table) {
    if (diffs.length === 0)
        return [];
    const changes = orderedChanges(diffs);
    const refused = refusals(diffs);
    return [
        'layers (running -> wanted):',
        indent(table(['LAYER', 'CLUSTER', 'RUNNING', 'WANTED', 'STATE'], layerRows(diffs))),
        ...(changes.length > 0
            ? [
                '',
                // Grouped by layer; up interleaves them per cluster (layers/sequence.ts).
                'path, layer by layer (up runs each cluster in this order but interleaved: each Kubernetes minor once every',
                'node runs a Talos that takes it, Cilium before the first minor its running release is not tested with):',
                ...changes.map((change, i) => `  ${i + 1}. ${changeLine(change)}`),
            ]
            : []),
        ...(refused.length > 0
            ? ['', 'refused (up stops before changing anything):', ...refused.map((r) => `  ${refusedLine(r)}`)]
            : []),
        '',
        `${changes.length} layer change(s) pending` + (refused.length > 0 ? `, ${refused.length} refused` : ''),
    ];
}
/** For `up`: what is still pending after a run, or undefined when every layer is in sync. */
function pendingSummary(diffs) {
    const unobserved = diffs.filter((diff) => diff.unobserved);
    const changes = orderedChanges(diffs);
    const refused = refusals(diffs);
    const parts = [
        ...unobserved.map((diff) => `${diff.cluster} ${diff.layer}: not observed (${diff.unobserved})`),
        ...changes.map(changeLine),
        ...refused.map(refusedLine),
    ];
    if (parts.length === 0)
        return undefined;
    return `${parts.length} thing(s) still differ from the spec: ${parts.join('; ')}`;
}
function sortedDiffs(diffs) {
    return [...diffs].sort((a, b) => LAYER_ORDER.indexOf(a.layer) - LAYER_ORDER.indexOf(b.layer) || a.cluster.localeCompare(b.cluster));
}
function indent(text) {
    return text
        .split('\n')
        .map((line) => `  ${line}`)
        .join('\n');
}

;// CONCATENATED MODULE: ./src/twin/layers/rollout.ts




/**
 * A cluster's disruptive node actions, one node at a time, control planes first (LIFECYCLE H.2: Rook's
 * PDBs only slow a parallel drain down; H.3: wait for Ceph health between nodes; F.4: etcd keeps quorum
 * only with one control plane down). Each node: gates hold, drain (when asked), the action, the node back
 * Ready with a new boot, uncordon, gates again.
 */
/** Marks a node this rollout cordoned, so a killed run's successor knows to uncordon it (and no other). */
const CORDONED_BY_ANNOTATION = 'aggrik8s.io/cordoned-by';
const CORDONED_BY_US = 'twin-rollout';
/** The rollout stopped: which node, and why. */
class RolloutStoppedError extends Error {
    cluster;
    node;
    name = 'RolloutStoppedError';
    constructor(cluster, node, reason) {
        super(`${cluster}: rollout stopped at ${node}: ${reason}`);
        this.cluster = cluster;
        this.node = node;
    }
}
/** Control planes first; otherwise in the order given (several actions on one node stay in their order). */
function orderActions(actions) {
    const rank = (action) => (action.role === 'controlplane' ? 0 : 1);
    return actions
        .map((action, index) => ({ action, index }))
        .sort((a, b) => rank(a.action) - rank(b.action) || a.index - b.index)
        .map(({ action }) => action);
}
/**
 * The rollout as steps of one graph, each needing the one before: first a step that uncordons nodes a
 * killed run left cordoned (emitted even without actions, so a re-run always cleans up), then one step per
 * node action, titled by what it does (`east: east-cp-1: Talos v1.11.6 -> v1.12.11`).
 */
function rolloutSteps(deps, actions, needs = []) {
    const prefix = `rollout:${deps.cluster}`;
    const firstId = `${prefix}:prepare`;
    const steps = [
        {
            id: firstId,
            title: `${deps.cluster}: rollout: nodes an earlier run cordoned uncordoned`,
            doing: `uncordoning the nodes of ${deps.cluster} an earlier run left cordoned`,
            stage: 'rollout',
            needs,
            run: async () => void (await uncordonOurs(deps)),
        },
    ];
    orderActions(actions).forEach((action, index) => {
        steps.push({
            id: `${prefix}:${index + 1}:${action.node}`,
            title: `${deps.cluster}: ${action.node}: ${action.describe}`,
            doing: rollingOut(action),
            stage: 'rollout',
            needs: [steps[steps.length - 1].id],
            run: () => rollOutNode(deps, action),
        });
    });
    return { steps, firstId, lastId: steps[steps.length - 1].id };
}
/** A node action as it runs, for the live view: "rolling out Talos v1.11.6 -> v1.12.11 on pr-7-east-cp-1". */
function rollingOut(action) {
    return `rolling out ${action.describe} on ${action.node}`;
}
/** The same rollout on its own, for callers without a step graph: throws the first failure. */
async function rollOutCluster(deps, actions) {
    const { failed } = await runGraph(rolloutSteps(deps, actions).steps);
    if (failed[0])
        throw failed[0].error;
}
/** Nodes carrying our mark were cordoned by a run that did not finish: give them back to the scheduler. */
async function uncordonOurs(deps) {
    const ours = (await deps.kube.nodes()).filter((node) => node.annotations[CORDONED_BY_ANNOTATION] === CORDONED_BY_US);
    for (const node of ours) {
        await deps.kube.uncordon(node.name);
        await deps.kube.annotateNode(node.name, { [CORDONED_BY_ANNOTATION]: null });
        deps.log(`${deps.cluster}: ${node.name} uncordoned (an earlier run had cordoned it)`);
    }
    return ours.map((node) => node.name);
}
/** One node: gates, drain, action, back Ready, settled, uncordon, gates. */
async function rollOutNode(deps, action) {
    const stop = (reason) => new RolloutStoppedError(deps.cluster, action.node, reason);
    await awaitGates(deps, (gate, detail) => stop(`before it went down, ${gate} does not hold: ${detail}`));
    const before = (await deps.kube.nodes()).find((node) => node.name === action.node);
    if (!before)
        throw stop('the node is not in the cluster');
    for (const gate of deps.gates)
        await gate.mark?.();
    // A node someone else cordoned is drained too, but left cordoned: only our own cordon is lifted.
    const cordoned = action.drain ? await drain(deps, action, !before.unschedulable, stop) : false;
    deps.log(`${deps.cluster}: ${action.node}: ${action.describe}`);
    try {
        await action.run();
    }
    catch (error) {
        if (cordoned)
            await release(deps, action.node).catch(() => undefined); // the next run's prepare retries
        throw stop(`${action.describe} failed: ${(0,errors/* errorMessage */.gJ)(error)}`);
    }
    await rollout_awaitBack(deps, action, before, stop);
    if (cordoned)
        await release(deps, action.node);
    await awaitGates(deps, (gate, detail) => stop(`after it came back, ${gate} does not hold: ${detail}`));
}
/** Drains (cordoning first, with our mark when the cordon is ours); a refused drain gives our cordon back and stops. Returns whether the cordon is ours. */
async function drain(deps, action, ours, stop) {
    if (ours)
        await deps.kube.annotateNode(action.node, { [CORDONED_BY_ANNOTATION]: CORDONED_BY_US });
    try {
        await deps.kube.drain(action.node, deps.drainTimeoutSec);
        return ours;
    }
    catch (error) {
        const reason = await drainFailure(deps, error);
        if (!ours)
            throw stop(reason);
        await release(deps, action.node).catch((undo) => deps.log(`${deps.cluster}: ${action.node}: could not uncordon after the failed drain: ${(0,errors/* errorMessage */.gJ)(undo)}`));
        throw stop(reason);
    }
}
const PDB_REFUSAL = /violate the pod's disruption budget/;
/** Why the drain failed; for a PDB refusal (HTTP 429 until kubectl's timeout, G.2) the budgets allowing none. */
async function drainFailure(deps, error) {
    const text = error instanceof runner/* CommandError */.Qd ? error.stderrTail : (0,errors/* errorMessage */.gJ)(error);
    if (!PDB_REFUSAL.test(text))
        return `drain failed: ${(0,errors/* errorMessage */.gJ)(error)}`;
    const blocking = (await deps.kube.disruptionBudgets().catch(() => []))
        .filter((pdb) => pdb.disruptionsAllowed === 0)
        .map((pdb) => `${pdb.namespace}/${pdb.name}`);
    const pods = [...text.matchAll(/evicting pods\/"([^"]+)" -n "([^"]+)"/g)].map((m) => `${m[2]}/${m[1]}`);
    return (`drain blocked for ${deps.drainTimeoutSec}s by a PodDisruptionBudget` +
        (blocking.length > 0 ? ` (${blocking.join(', ')} allow no disruption)` : '') +
        (pods.length > 0 ? `; pods not evicted: ${[...new Set(pods)].join(', ')}` : ''));
}
async function release(deps, node) {
    await deps.kube.uncordon(node);
    await deps.kube.annotateNode(node, { [CORDONED_BY_ANNOTATION]: null });
}
/**
 * Back means Ready after a new boot: the boot id changed, or (when the kubelet reports none) the Ready
 * condition changed since before. A node still Ready from before its reboot (G.4: NotReady only after the
 * grace period) is not back yet.
 */
async function rollout_awaitBack(deps, action, before, stop) {
    const waitOpts = {
        timeoutMs: deps.nodeBackTimeoutMs,
        intervalMs: deps.pollMs,
        ...(deps.now ? { now: deps.now } : {}),
        ...(deps.sleep ? { sleep: deps.sleep } : {}),
    };
    try {
        await (0,readiness/* waitUntil */.a)(async () => {
            const node = (await deps.kube.nodes()).find((candidate) => candidate.name === action.node);
            if (!node)
                return { ready: false, detail: 'not in the cluster' };
            const rebooted = node.bootId !== undefined && before.bootId !== undefined
                ? node.bootId !== before.bootId
                : node.readySince !== before.readySince;
            const detail = !node.ready ? 'NotReady' : rebooted ? 'Ready' : 'Ready, not rebooted yet';
            return { ready: node.ready && rebooted, detail };
        }, { ...waitOpts, describe: `${action.node} back Ready` });
        if (action.settled) {
            const settled = action.settled.bind(action);
            await (0,readiness/* waitUntil */.a)(async () => {
                const answer = await settled();
                return { ready: answer === true, detail: answer === true ? 'settled' : answer };
            }, { ...waitOpts, describe: `${action.node} settled` });
        }
    }
    catch (error) {
        if (!(error instanceof readiness/* WaitTimeoutError */.D))
            throw error;
        throw stop(`did not come back after ${action.describe}: ${error.message}`);
    }
}
async function awaitGates(deps, fail) {
    for (const gate of deps.gates) {
        try {
            await (0,readiness/* waitUntil */.a)(async () => {
                const answer = await gate.check();
                return { ready: answer === true, detail: answer === true ? 'holds' : answer };
            }, {
                timeoutMs: gate.timeoutMs,
                intervalMs: deps.pollMs,
                describe: `${deps.cluster}: ${gate.name}`,
                ...(deps.now ? { now: deps.now } : {}),
                ...(deps.sleep ? { sleep: deps.sleep } : {}),
            });
        }
        catch (error) {
            if (!(error instanceof readiness/* WaitTimeoutError */.D))
                throw error;
            throw fail(gate.name, error.lastObservation);
        }
    }
}

;// CONCATENATED MODULE: ./src/twin/layers/sequence.ts


function sequenceClusterWork(work) {
    const items = [];
    const node = (action) => ({
        key: action.node,
        title: `${work.cluster}: ${action.node}: ${action.describe}`,
        doing: rollingOut(action),
        stage: 'rollout',
        run: () => work.rollOut(action),
    });
    const fromStep = (step) => ({
        key: step.id,
        title: step.title,
        doing: step.doing,
        stage: step.stage,
        run: step.run,
    });
    const isCilium = (step) => /:cilium(-preflight)?$/.test(step.id);
    items.push(...work.disks.map(fromStep));
    for (const step of work.talos) {
        if (!('action' in step))
            items.push({
                key: step.change.target,
                title: titleOf(work.cluster, step),
                doing: doingOf(work.cluster, step),
                stage: 'talos',
                run: step.run,
            });
    }
    const rebootConfigs = work.talos.flatMap((s) => 'action' in s && s.change.kind !== 'talos-upgrade' ? [s.action] : []);
    items.push(...controlPlanesFirst([...work.vmActions, ...rebootConfigs]).map(node));
    const releases = new Map(work.talosNow);
    const kubernetes = [...work.kubernetes];
    let cilium = work.releases.filter(isCilium);
    const placeKubernetes = () => {
        while (kubernetes[0] && everyNodeTakes(releases, kubernetes[0].change.to)) {
            const hop = kubernetes.shift();
            if (cilium.length > 0 &&
                work.ciliumNow &&
                ciliumSupportsKubernetes(work.ciliumNow, hop.change.to) === false) {
                items.push(...cilium.map(fromStep));
                cilium = [];
            }
            if (!('action' in hop))
                items.push({
                    key: 'kubernetes',
                    title: titleOf(work.cluster, hop),
                    doing: doingOf(work.cluster, hop),
                    stage: 'kubernetes',
                    run: hop.run,
                });
        }
    };
    placeKubernetes();
    const hops = talosHops(work.talos);
    hops.forEach((group, index) => {
        items.push(...controlPlanesFirst(group.actions).map(node));
        for (const action of group.actions)
            releases.set(action.node, group.to);
        if (index === hops.length - 1 && work.refreshConfigs) {
            const refresh = work.refreshConfigs;
            items.push({
                key: 'configs',
                title: `${work.cluster}: node configs for ${group.to} (installer image; no reboot)`,
                doing: `applying the node configs for ${group.to} on ${work.cluster} (no reboot)`,
                stage: 'talos',
                run: async () => void (await refresh()),
            });
        }
        placeKubernetes();
    });
    items.push(...cilium.map(fromStep), ...work.releases.filter((step) => !isCilium(step)).map(fromStep));
    return chain(work, items);
}
function titleOf(cluster, step) {
    const { change } = step;
    return `${cluster}: ${change.target === cluster ? '' : `${change.target}: `}${change.kind} ${change.from} -> ${change.to}`;
}
/** A change that takes no node down, as it runs: "applying kubernetes-upgrade v1.33.4 -> v1.34.1 on east". */
function doingOf(cluster, step) {
    const { change } = step;
    return `applying ${change.kind} ${change.from} -> ${change.to} on ${change.target === cluster ? cluster : `${change.target} (${cluster})`}`;
}
function everyNodeTakes(releases, kubernetes) {
    return [...releases.values()].every((release) => talosSupportsKubernetes(release, kubernetes));
}
/** Talos upgrade actions grouped by the release they go to, in the layer's order. */
function talosHops(steps) {
    const groups = [];
    for (const step of steps) {
        if (!('action' in step) || step.change.kind !== 'talos-upgrade')
            continue;
        const group = groups.find((candidate) => candidate.to === step.change.to);
        if (group)
            group.actions.push(step.action);
        else
            groups.push({ to: step.change.to, actions: [step.action] });
    }
    return groups;
}
function controlPlanesFirst(actions) {
    return [
        ...actions.filter((action) => action.role === 'controlplane'),
        ...actions.filter((action) => action.role !== 'controlplane'),
    ];
}
/** One chain: each step needs the one before, the prepare step first. */
function chain(work, items) {
    const steps = [work.prepare];
    items.forEach((item, index) => {
        steps.push({
            id: `converge:${work.cluster}:${index + 1}:${item.key}`,
            title: item.title,
            doing: item.doing,
            stage: item.stage,
            needs: [steps[steps.length - 1].id],
            run: item.run,
        });
    });
    return steps;
}

// EXTERNAL MODULE: ./src/twin/platform.ts
var twin_platform = __webpack_require__(89215);
;// CONCATENATED MODULE: ./src/twin/converge.ts















/** Observes every layer of every running cluster (see cluster-layers.ts). */
async function observeTwinLayers(ctx, plan, clusters, ca, scope) {
    return Promise.all(clusters.map((cluster) => observeClusterLayers(ctx, plan, clusters, cluster, ca, scope)));
}
/**
 * Converges the layers of a twin whose clusters are up: observe, refuse what the real systems refuse before
 * anything changes, run each cluster's ordered chain (clusters side by side, nodes one at a time inside a
 * cluster, health gates between nodes), probe availability meanwhile, then observe again: the run is done
 * only when no layer differs from the spec any more.
 */
async function convergeLayers(ctx, plan, clusters, ca, scope) {
    const layers = await observeTwinLayers(ctx, plan, clusters, ca, scope);
    refuseRefusals(plan.twin, layers.flatMap((cluster) => cluster.diffs));
    const steps = layers.flatMap((cluster) => clusterWork(ctx, cluster, scope));
    const disruptive = steps.some((step) => !step.id.endsWith(':prepare'));
    const probe = disruptive ? await availabilityProbe(ctx, clusters) : undefined;
    probe?.start();
    const { records } = await (0,executor/* runGraph */.C3)(steps, ctx.events);
    const availability = await probe?.stop();
    const failed = records.filter((record) => record.state === 'failed');
    const after = (await observeTwinLayers(ctx, plan, clusters, ca, scope)).flatMap((cluster) => cluster.diffs);
    const failure = failed.length > 0
        ? failed
            .map((record) => `${record.title}: ${String(record.error?.message ?? record.error)}`)
            .join('\n')
        : pendingSummary(after);
    return { records, after, ...(availability ? { availability } : {}), ...(failure ? { failure } : {}) };
}
/** Observes a running twin and refuses, before any change, what the real systems would refuse. */
async function refuseLayerChanges(ctx, plan, clusters, ca) {
    const ready = clusters.filter((cluster) => (0,external_node_fs_.existsSync)(cluster.kubeconfig) && (0,external_node_fs_.existsSync)(cluster.talosconfig));
    if (ready.length === 0)
        return; // a run killed before any cluster answered: nothing runs to compare
    const layers = await Promise.all(ready.map((cluster) => observeIfAnswering(ctx, plan, ready, cluster, ca)));
    refuseRefusals(plan.twin, layers.flatMap((cluster) => cluster?.diffs ?? []));
}
/**
 * A cluster a killed run left half-built may not answer yet (its VIP comes with etcd, after the boots this
 * run's build steps wait for): it cannot be compared now, and the converge after the build steps observes
 * it again and refuses there, before any layer change.
 */
async function observeIfAnswering(ctx, plan, clusters, cluster, ca) {
    try {
        return await observeClusterLayers(ctx, plan, clusters, cluster, ca, { rook: false });
    }
    catch (error) {
        ctx.log(`${cluster.name}: its layers cannot be read yet (${(0,errors/* errorMessage */.gJ)(error)}); ` +
            'they are compared once the build steps have it up');
        return undefined;
    }
}
/** The provision outcome with the converge steps, availability and what still differs. */
function withConverge(built, report) {
    return {
        ...built,
        records: [...built.records, ...report.records],
        ok: report.failure === undefined,
        ...(report.availability ? { availability: report.availability } : {}),
        ...(report.failure ? { failure: report.failure } : {}),
    };
}
function refuseRefusals(twin, diffs) {
    const refused = refusals(diffs);
    if (refused.length === 0)
        return;
    throw new errors/* ConfigurationError */.j1(`twin ${twin}: the spec asks for changes the real systems refuse; nothing was changed:\n  ` +
        refused.map(refusedLine).join('\n  '));
}
function clusterWork(ctx, layers, scope) {
    const { cluster } = layers;
    // Between nodes Ceph must be healthy again wherever it runs, whether or not this run converges its releases.
    const rollout = rolloutDepsFor(ctx, cluster, { ceph: ctx.twin.spec.addons.rook.enabled });
    const releases = layers.releases.filter((release) => scope.rook || !release.wanted.release.startsWith('rook'));
    const cilium = layers.releases.find((release) => release.wanted.release === 'cilium');
    return sequenceClusterWork({
        cluster: cluster.name,
        prepare: {
            id: `converge:${cluster.name}:prepare`,
            title: `${cluster.name}: nodes an earlier run cordoned uncordoned`,
            doing: `uncordoning the nodes of ${cluster.name} an earlier run left cordoned`,
            stage: 'rollout',
            needs: [],
            run: async () => void (await uncordonOurs(rollout)),
        },
        disks: diskGrowthSteps(ctx.client, cluster.name, layers.vms),
        talos: layers.talos.steps,
        kubernetes: layers.kubernetes.steps,
        vmActions: vmResizeActions(vmActionDepsFor(ctx, ctx.client, cluster), layers.vms),
        releases: releaseSteps(releaseDepsFor(ctx, cluster), releases),
        talosNow: new Map(layers.talos.observation.nodes.flatMap((node) => node.release ? [[node.node.name, node.release]] : [])),
        ...(cilium?.status?.chartVersion ? { ciliumNow: cilium.status.chartVersion } : {}),
        rollOut: (action) => rollOutNode(rollout, action),
        refreshConfigs: () => layers.talos.refresh(),
    });
}
/** The demo's global service and the mesh check, probed from every cluster, when an earlier run deployed them. */
async function availabilityProbe(ctx, clusters) {
    const report = await (0,twin_platform/* loadPlatformReport */.Os)(ctx.store, ctx.twin.twin);
    const starwars = ctx.twin.spec.addons.starwars.enabled && report.checks.some((check) => check.id.startsWith('starwars'));
    const mesh = report.mesh.length > 0;
    if (!starwars && !mesh)
        return undefined;
    return probeFor(ctx, clusters, { starwars, mesh });
}
/**
 * Every layer of a twin that runs, compared with the spec (for `plan` and `up`'s last check), or undefined
 * when nothing of it runs yet (a new twin is created at the spec's releases). Changes nothing; generated
 * configs live in the operation's private scratch folder and are removed.
 */
async function observeRunningTwin(ctx, plan, scope = { rook: ctx.twin.spec.addons.rook.enabled }) {
    if (plan.slotState !== 'held' || !plan.vms.some((vm) => vm.action === 'keep' || vm.action === 'change'))
        return undefined;
    const record = await (0,twin_outcome/* readTwinRecord */.Ak)(ctx.store, plan.twin);
    const caText = await ctx.store.read(meshCaKey(plan.twin));
    if (!record || caText === undefined)
        return undefined;
    const ca = parseMeshCa(caText, ctx.store.pathOf(meshCaKey(plan.twin)));
    const clusters = (await (0,twin_outcome/* loadTwinRecord */.oo)(ctx.store, plan.twin)).filter((cluster) => (0,external_node_fs_.existsSync)(cluster.kubeconfig) && (0,external_node_fs_.existsSync)(cluster.talosconfig));
    if (clusters.length === 0)
        return undefined;
    await (0,work_dir/* freshWorkDir */.X)(ctx.workDir);
    try {
        const layers = await observeTwinLayers(ctx, plan, clusters, ca, scope);
        return layers.flatMap((cluster) => cluster.diffs);
    }
    finally {
        await (0,promises_.rm)(ctx.workDir, { recursive: true, force: true });
    }
}

;// CONCATENATED MODULE: ./src/actions/summary.ts




const MAX_FAILURE_CHARS = 4000;
function header(...cells) {
    return cells.map((data) => ({ data, header: true }));
}
/**
 * The job summary of an apply: the twin's share of the lab and its expiry, nodes and addresses, per-stage
 * timings, and what failed.
 */
async function writeApplySummary(outcome, scale, lab = {}) {
    const summary = core/* summary */.z.addHeading(`Twin ${outcome.twin}: ${outcome.ok ? 'ready' : 'not ready'}`, 2);
    const expiry = lab.expiry && expiryInWords(lab.expiry);
    summary.addRaw([
        `Environment ${outcome.environment}, slot ${outcome.slot} (pool \`${outcome.pool}\`).`,
        ...(lab.share ? [shareInWords(lab.share)] : []),
        ...(expiry ? [expiry] : []),
    ].join(' '), true);
    summary.addTable([
        header('Cluster', 'Node', 'Role', 'Address', 'PVE node', 'VMID'),
        ...outcome.clusters.flatMap((cluster) => cluster.nodes.map((node) => [
            cluster.name,
            node.name,
            node.role,
            node.address,
            node.pveNode,
            String(node.vmid),
        ])),
    ]);
    if (outcome.availability) {
        summary.addHeading('Availability while nodes changed (demo and mesh services, from each cluster)', 3);
        summary.addTable([
            header('Cluster', 'Requests sent', 'Answered', 'Failed'),
            ...outcome.availability.map((f) => [f.cluster, String(f.sent), String(f.answered), String(f.failed)]),
        ]);
    }
    const timings = (0,twin_outcome/* stageTimingTable */.TP)(outcome.records, scale);
    summary.addHeading(scale < 1 ? 'Stage timings (on the simulated lab)' : 'Stage timings', 3);
    summary.addTable([header(...timings.header), ...timings.rows]);
    if (outcome.failure) {
        summary
            .addHeading('What failed', 3)
            .addRaw(`\n${redactedBlock(outcome.failure, MAX_FAILURE_CHARS)}\n`, true);
    }
    await summary.write();
}
/** Running vs wanted per layer, the ordered path, and what the real systems refuse. */
function addLayers(layers) {
    const changes = orderedChanges(layers);
    const refused = refusals(layers);
    core/* summary */.z
        .addHeading('Layers: running and wanted', 3)
        .addTable([header('Layer', 'Cluster', 'Running', 'Wanted', 'State'), ...layerRows(layers)]);
    if (changes.length > 0)
        core/* summary */.z.addList(changes.map(changeLine), true);
    if (refused.length > 0)
        core/* summary */.z.addCodeBlock(refused.map(refusedLine).join('\n'));
}
/**
 * The plan's VMs, then what the twin requests on the fullest node of each role against its allocatable;
 * first the reason an apply would refuse the twin with, when it would.
 */
async function writePlanSummary(plan, loads, layers, refusal) {
    if (refusal) {
        core/* summary */.z
            .addHeading('An apply would refuse this twin, before claiming or changing anything', 3)
            .addRaw(`\n${redactedBlock(refusal, MAX_FAILURE_CHARS)}\n`, true);
    }
    if (layers)
        addLayers(layers);
    const share = (part, whole) => (whole > 0 ? `${Math.round((100 * part) / whole)}%` : '-');
    await core/* summary */.z
        .addHeading(`Plan of twin ${plan.twin}`, 2)
        .addTable([
        header('Action', 'VM', 'Cluster', 'PVE node', 'VMID', 'Address', 'Why'),
        ...plan.vms.map((vm) => [
            vm.action,
            vm.name,
            vm.cluster,
            vm.pveNode,
            String(vm.vmid),
            vm.address ?? '-',
            vm.reasons.join('; '),
        ]),
    ])
        .addHeading('Requests on the fullest node of each role (extras and Tetragon not counted)', 3)
        .addTable([
        header('Cluster', 'Role', 'VM', 'CPU requested / allocatable', 'Memory requested / allocatable'),
        ...loads.map((load) => [
            load.cluster,
            load.role,
            `${load.vm.cores} vCPU, ${load.vm.memoryMiB} MiB`,
            `${load.requested.cpuMilli}m / ${load.allocatable.cpuMilli}m (${share(load.requested.cpuMilli, load.allocatable.cpuMilli)})`,
            `${load.requested.memoryMiB}Mi / ${load.allocatable.memoryMiB}Mi (${share(load.requested.memoryMiB, load.allocatable.memoryMiB)})`,
        ]),
    ])
        .write();
}
async function writeDestroySummary(outcome) {
    const summary = core/* summary */.z.addHeading(outcome.existed ? `Twin ${outcome.twin} destroyed` : `Twin ${outcome.twin} does not exist`, 2);
    summary.addRaw(outcome.existed
        ? `${outcome.vms.length} VM(s) and pool(s) ${outcome.pools.join(', ') || 'none'} removed; nothing of the twin is left.`
        : 'No slot pool and no VM of this twin: nothing to destroy.', true);
    if (outcome.foreign.length > 0) {
        summary
            .addHeading("Left alone: VMs that look like the twin's but are not", 3)
            .addTable([
            header('VMID', 'Name', 'PVE node', 'Pool', 'Why'),
            ...outcome.foreign.map((vm) => [String(vm.vmid), vm.name, vm.pveNode, vm.pool ?? '', vm.why]),
        ]);
    }
    await summary.write();
}
async function writeReapSummary(decisions, dryRun, sweep, failures, leftAlone = []) {
    const summary = core/* summary */.z
        .addHeading(dryRun ? 'Reaper (dry run): twins it would destroy' : 'Reaper: twins destroyed', 2)
        .addTable([header('Twin', 'Slot', 'Why'), ...decisions.map((d) => [d.twin, String(d.slot), d.detail])]);
    if (failures.length > 0) {
        const text = redactedBlock(failures.join('\n'), MAX_FAILURE_CHARS);
        summary.addHeading('Not reaped', 3).addRaw(`\n${text}\n`, true);
    }
    if (leftAlone.length > 0) {
        summary.addHeading("Left alone: VMs that look like a reaped twin's but are not", 3).addList(leftAlone);
    }
    if (sweep.removed.length > 0) {
        summary
            .addHeading(dryRun ? 'State it would remove (the twin is gone)' : 'State removed (the twin is gone)', 3)
            .addList(sweep.removed);
    }
    if (sweep.kept.length > 0) {
        summary.addHeading('State kept although no slot or VM is visible', 3).addList(sweep.kept);
    }
    if (sweep.skipped.length > 0) {
        const text = redactedBlock(sweep.skipped.join('\n'), MAX_FAILURE_CHARS);
        summary
            .addHeading('State kept this time: another operation holds the twin', 3)
            .addRaw(`\n${text}\n`, true);
    }
    await summary.write();
}

;// CONCATENATED MODULE: ./src/actions/plan-operation.ts








/**
 * operation plan: what an apply would do, changing nothing. The admission an apply runs before it claims a
 * slot runs here too, so a twin that would be refused (it does not fit, its addresses are held, ...) is
 * told with the apply's reason; like a layer path the real systems refuse, it is a warning, not a failure.
 */
async function planOperation(ctx) {
    const view = await observeProxmox(ctx.client, ctx.twin.spec);
    const plan = planTwin(ctx.twin, view);
    core/* setOutput */.uH(action_io/* Outputs */.tY.Plan, JSON.stringify(plan.vms.map(({ definition: _d, ...vm }) => vm)));
    core/* setOutput */.uH(action_io/* Outputs */.tY.Slot, String(plan.slot));
    const refusal = await admissionRefusal(ctx, plan, view);
    if (refusal)
        core/* warning */.$e(`apply would refuse this twin, before claiming or changing anything: ${refusal}`);
    const layers = await observeRunningTwin(ctx, plan);
    for (const refused of layers ? refusals(layers) : [])
        core/* warning */.$e(refusedLine(refused));
    await writePlanSummary(plan, twinNodeLoads(ctx.twin), layers, refusal);
}

;// CONCATENATED MODULE: ./src/util/limit.ts
/** Runs at most `max` async jobs at once; the rest wait their turn by priority, then in arrival order. */
class Limiter {
    max;
    running = 0;
    waiting = [];
    constructor(max) {
        this.max = max;
        assertLimit(max);
    }
    /** True when nothing runs and nothing waits. */
    get idle() {
        return this.running === 0 && this.waiting.length === 0;
    }
    async run(fn) {
        return this.hold((release) => fn().finally(release));
    }
    /**
     * Runs `fn` holding a slot that `fn` may give back before it ends (with `release`, which is idempotent):
     * for a job that needs the slot only for its first part. The slot is given back at the end at the latest.
     * A lower `priority` goes before waiting jobs of a higher one.
     */
    async hold(fn, priority = 0) {
        await this.acquire(priority);
        let held = true;
        const release = () => {
            if (!held)
                return;
            held = false;
            this.release();
        };
        try {
            return await fn(release);
        }
        finally {
            release();
        }
    }
    acquire(priority) {
        if (this.running < this.max) {
            this.running++;
            return Promise.resolve();
        }
        // The slot is handed over directly by release(), so `running` never drops below the queue's needs.
        return new Promise((start) => {
            const behind = this.waiting.findIndex((job) => job.priority > priority);
            this.waiting.splice(behind === -1 ? this.waiting.length : behind, 0, { priority, start });
        });
    }
    release() {
        const next = this.waiting.shift();
        if (next)
            next.start();
        else
            this.running--;
    }
}
/** One Limiter per key (e.g. per Proxmox node), created on first use and dropped when idle. */
class KeyedLimiter {
    maxPerKey;
    limiters = new Map();
    constructor(maxPerKey) {
        this.maxPerKey = maxPerKey;
        assertLimit(maxPerKey);
    }
    async run(key, fn) {
        return this.hold(key, (release) => fn().finally(release));
    }
    /** As Limiter.hold, for the key's limiter. */
    async hold(key, fn, priority = 0) {
        let limiter = this.limiters.get(key);
        if (!limiter) {
            limiter = new Limiter(this.maxPerKey);
            this.limiters.set(key, limiter);
        }
        try {
            return await limiter.hold(fn, priority);
        }
        finally {
            if (limiter.idle)
                this.limiters.delete(key);
        }
    }
}
function assertLimit(max) {
    if (!Number.isInteger(max) || max < 1) {
        throw new RangeError(`concurrency limit must be a whole number >= 1, got ${max}`);
    }
}

// EXTERNAL MODULE: external "node:https"
var external_node_https_ = __webpack_require__(44708);
var external_node_https_default = /*#__PURE__*/__webpack_require__.n(external_node_https_);
// EXTERNAL MODULE: external "node:tls"
var external_node_tls_ = __webpack_require__(41692);
var external_node_tls_default = /*#__PURE__*/__webpack_require__.n(external_node_tls_);
;// CONCATENATED MODULE: ./src/proxmox/transport.ts




// PVE closes idle keep-alive connections on its own schedule; dropping ours sooner keeps a request from
// being written into a socket the server is closing (a write could not then be retried safely).
const IDLE_SOCKET_MS = 2_000;
/**
 * TLS-checking HTTPS to one PVE API endpoint with keep-alive connections. It speaks HTTP only: the
 * `{data}` envelope and PVE errors are the client's business.
 */
class PveTransport {
    conn;
    agent;
    authorization;
    constructor(conn, logger, connectTimeoutMs) {
        this.conn = conn;
        this.agent = createAgent(conn.tls, connectTimeoutMs);
        this.authorization = `PVEAPIToken=${conn.tokenId}=${conn.tokenSecret}`;
        if (conn.tls.mode === 'insecure') {
            logger.warning(`TLS certificate checks are OFF for ${conn.endpoint.origin} (insecure: true): anyone on the network path ` +
                `can read the API token. Use caFile or fingerprint outside throw-away test labs.`);
        }
    }
    request(req) {
        const hasBody = req.method === 'POST' || req.method === 'PUT';
        const form = encodeParams(req.params ?? {});
        const path = this.conn.endpoint.pathname + encodePath(req.path) + (!hasBody && form ? `?${form}` : '');
        const headers = {
            Authorization: this.authorization,
            Accept: 'application/json',
        };
        if (hasBody) {
            headers['Content-Type'] = 'application/x-www-form-urlencoded';
            headers['Content-Length'] = Buffer.byteLength(form);
        }
        const target = {
            hostname: this.conn.endpoint.hostname.replace(/^\[(.*)\]$/, '$1'), // IPv6 literals come bracketed
            port: this.conn.endpoint.port || 443,
            path,
            method: req.method,
            headers,
            agent: this.agent,
        };
        return new Promise((resolve, reject) => {
            let written = false;
            let responded = false;
            const fail = (err) => {
                clearTimeout(timer);
                reject(this.describeFailure(err, req, { written, responded, reusedSocket: request.reusedSocket }));
            };
            const request = external_node_https_default().request(target, (res) => {
                responded = true;
                const chunks = [];
                res.on('data', (chunk) => chunks.push(chunk));
                res.on('error', fail);
                res.on('end', () => {
                    clearTimeout(timer);
                    resolve({
                        status: res.statusCode ?? 0,
                        reason: res.statusMessage ?? '',
                        body: Buffer.concat(chunks).toString('utf8'),
                    });
                });
            });
            const timer = setTimeout(() => request.destroy(new RequestTimeout(req.timeoutMs)), req.timeoutMs);
            request.on('finish', () => (written = true)); // the whole request has been handed to the socket
            request.on('error', fail);
            request.end(hasBody ? form : undefined);
        });
    }
    /** Closes every connection; for when the client is done (requests still in flight fail). */
    close() {
        this.agent.destroy();
    }
    describeFailure(err, req, progress) {
        if (err instanceof errors/* ConfigurationError */.j1)
            return err; // wrong fingerprint
        const code = err.code ?? (err instanceof RequestTimeout ? 'ETIMEDOUT' : 'EUNKNOWN');
        if (UNTRUSTED_CERTIFICATE_CODES.has(code)) {
            return new errors/* ConfigurationError */.j1(`the certificate of ${this.conn.endpoint.origin} is not trusted by the configured CA (${err.message}, ${code}): ` +
                `check that the CA given is the cluster CA (/etc/pve/pve-root-ca.pem) and that the endpoint's host name ` +
                `is one the certificate names`);
        }
        // A reused keep-alive socket that the server had already closed never delivered the request.
        const staleSocket = progress.reusedSocket && !progress.responded && code === 'ECONNRESET';
        const host = this.conn.endpoint.host;
        return new PveNetworkError({
            code,
            detail: err.message.includes(host) ? err.message : `${err.message} (${host})`,
            requestMayHaveArrived: progress.written && !staleSocket,
            method: req.method,
            path: req.path,
            ...(UNREACHABLE_CODES.has(code)
                ? {
                    hint: `check the endpoint ${this.conn.endpoint.origin} (host, and port 8006 unless PVE was moved) ` +
                        'and that this runner can reach it (firewall, VPN, runner network)',
                }
                : {}),
        });
    }
}
class RequestTimeout extends Error {
    code = 'ETIMEDOUT';
    constructor(timeoutMs) {
        super(`no complete response within ${timeoutMs} ms`);
    }
}
/** Connection failures no retry mends: nothing listens there, no route, no such host. */
const UNREACHABLE_CODES = new Set(['ECONNREFUSED', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN']);
const UNTRUSTED_CERTIFICATE_CODES = new Set([
    'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
    'UNABLE_TO_GET_ISSUER_CERT',
    'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
    'SELF_SIGNED_CERT_IN_CHAIN',
    'DEPTH_ZERO_SELF_SIGNED_CERT',
    'CERT_SIGNATURE_FAILURE',
    'CERT_HAS_EXPIRED',
    'CERT_NOT_YET_VALID',
    'ERR_TLS_CERT_ALTNAME_INVALID',
]);
function createAgent(trust, connectTimeoutMs) {
    const common = { keepAlive: true, timeout: IDLE_SOCKET_MS };
    switch (trust.mode) {
        case 'ca':
            return new (external_node_https_default()).Agent({ ...common, ca: trust.caPem });
        case 'fingerprint':
            return new FingerprintPinningAgent(trust.sha256, connectTimeoutMs, common);
        case 'insecure':
            return new (external_node_https_default()).Agent({ ...common, rejectUnauthorized: false });
    }
}
/**
 * Trusts exactly one server certificate, by SHA-256. The socket reaches the HTTP layer only after the
 * handshake and the comparison, so with a wrong certificate not one byte of the request (the token
 * header included) is sent.
 */
class FingerprintPinningAgent extends (external_node_https_default()).Agent {
    pinnedSha256;
    connectTimeoutMs;
    constructor(pinnedSha256, connectTimeoutMs, options) {
        super({ ...options, rejectUnauthorized: false });
        this.pinnedSha256 = pinnedSha256;
        this.connectTimeoutMs = connectTimeoutMs;
    }
    createConnection(options, callback) {
        const socket = external_node_tls_default().connect({ ...options, rejectUnauthorized: false });
        let settled = false;
        const settle = (err) => {
            if (settled)
                return;
            settled = true;
            socket.setTimeout(0);
            if (err)
                socket.destroy();
            callback?.(err, socket);
        };
        socket.setTimeout(this.connectTimeoutMs, () => settle(new RequestTimeout(this.connectTimeoutMs)));
        socket.once('error', settle);
        socket.once('secureConnect', () => {
            const presented = socket.getPeerCertificate().fingerprint256;
            if (presented === this.pinnedSha256)
                return settle(null);
            settle(new errors/* ConfigurationError */.j1(`the PVE server at ${options.hostname ?? options.host}:${options.port} presented a certificate with ` +
                `SHA-256 fingerprint ${presented ?? '(none)'}, but fingerprint is set to ${this.pinnedSha256}: ` +
                `check the endpoint, or copy the fingerprint from Node > System > Certificates`));
        });
        return undefined;
    }
}
/** RFC 3986 unreserved characters stay, everything else is percent-encoded (UPIDs carry ':' '@' '!'). */
function encodeStrictly(text) {
    return encodeURIComponent(text).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}
/**
 * Encodes each '/'-separated segment of a path. A volume id such as `local:import/talos.qcow2` keeps its
 * '/', which PVE accepts: the storage content handler takes the rest of the path as the volume.
 */
function encodePath(path) {
    return path.split('/').map(encodeStrictly).join('/');
}
function encodeParams(params) {
    const pairs = [];
    for (const [name, value] of Object.entries(params)) {
        if (value === undefined)
            continue;
        pairs.push(`${encodeStrictly(name)}=${encodeStrictly(wireValue(name, value))}`);
    }
    return pairs.join('&');
}
function wireValue(name, value) {
    if (typeof value === 'boolean')
        return value ? '1' : '0';
    if (typeof value === 'number' && !Number.isFinite(value)) {
        throw new TypeError(`PVE parameter ${name} must be a finite number, got ${value}`);
    }
    return String(value);
}

;// CONCATENATED MODULE: ./src/proxmox/client.ts






const DEFAULT_RETRY = { attempts: 5, baseDelayMs: 1_000, maxDelayMs: 15_000 };
const DEFAULT_CONCURRENCY = 4;
const DEFAULT_TIMEOUT_MS = 60_000;
const TASK_STATUS_PATH = /^\/nodes\/[^/]+\/tasks\/[^/]+\/status$/;
const NODE_PATH = /^\/nodes\/([^/]+)\//;
const defaultLogger = { debug: () => { }, warning: (message) => console.warn(message) };
/**
 * The PVE REST client: `{data}` in, typed data out, PveApiError on error statuses.
 *
 * Retries are bounded and jittered. Reads are repeated on transient failures and lock timeouts. Writes
 * are repeated only when they provably did not take effect (isWriteNotApplied): a lock timeout or
 * `VM is locked` refusal, a 502/503/595, or a connection that failed before the request got through.
 * A plain 500 is never retried for a write such as POST create: it is the handler's own `die`, a definite
 * answer that a repeat cannot change, and it may come after the handler already did part of the work (a
 * create can have reserved the VMID's config), so a repeat could act twice or bury the real error under
 * "VM 101 already exists".
 */
class PveClient {
    clock;
    transport;
    limiter;
    logger;
    retryPolicy;
    random;
    requestTimeoutMs;
    counts = { requests: 0, taskPolls: 0 };
    constructor(conn, opts = {}) {
        this.logger = opts.logger ?? defaultLogger;
        this.clock = { sleep: opts.sleep ?? util_sleep/* sleep */.y, now: opts.now ?? Date.now };
        this.random = opts.random ?? Math.random;
        this.retryPolicy = { ...DEFAULT_RETRY, ...opts.retry };
        this.requestTimeoutMs = opts.requestTimeoutMs ?? DEFAULT_TIMEOUT_MS;
        this.limiter = new KeyedLimiter(opts.perNodeConcurrency ?? DEFAULT_CONCURRENCY);
        this.transport = new PveTransport(conn, this.logger, this.requestTimeoutMs);
    }
    get(path, params) {
        return this.call('GET', path, params);
    }
    post(path, params) {
        return this.call('POST', path, params);
    }
    put(path, params) {
        return this.call('PUT', path, params);
    }
    delete(path, params) {
        return this.call('DELETE', path, params);
    }
    stats() {
        return { ...this.counts };
    }
    /** Closes the keep-alive connections when done. Optional: idle ones do not keep the process alive. */
    close() {
        this.transport.close();
    }
    async call(method, path, params) {
        if (!path.startsWith('/'))
            throw new TypeError(`PVE paths start with '/' (below /api2/json), got '${path}'`);
        const { attempts } = this.retryPolicy;
        return retry(() => this.limiter.run(limiterKey(path), () => this.send(method, path, params)), {
            ...this.retryPolicy,
            isRetryable: method === 'GET' ? (err) => isTransient(err) || isLockTimeout(err) : isWriteNotApplied,
            onRetry: (err, attempt, delayMs) => this.logger.warning(`${(0,errors/* errorMessage */.gJ)(err)}; trying again in ${(delayMs / 1000).toFixed(1)} s (attempt ${attempt + 1} of ${attempts})`),
            sleep: this.clock.sleep,
            random: this.random,
        });
    }
    async send(method, path, params) {
        this.counts.requests++;
        if (method === 'GET' && TASK_STATUS_PATH.test(path))
            this.counts.taskPolls++;
        const started = this.clock.now();
        const response = await this.transport.request({ method, path, params, timeoutMs: this.requestTimeoutMs });
        this.logger.debug(`PVE ${method} ${path} -> ${response.status} in ${this.clock.now() - started} ms`);
        return unwrapEnvelope(response, method, path);
    }
}
/** Requests for one node share a limit; everything not under /nodes/{node}/ shares the 'cluster' one. */
function limiterKey(path) {
    return NODE_PATH.exec(path)?.[1] ?? 'cluster';
}
function unwrapEnvelope(response, method, path) {
    const envelope = parseBody(response.body);
    if (response.status >= 200 && response.status < 300) {
        if (!envelope || !('data' in envelope)) {
            throw new PveProtocolError(`PVE ${method} ${path} answered ${response.status} without a JSON {data} envelope`);
        }
        return envelope.data;
    }
    throw new PveApiError({
        status: response.status,
        reason: response.reason,
        serverMessage: typeof envelope?.message === 'string' ? envelope.message : undefined,
        errors: parameterErrors(envelope?.errors),
        method,
        path,
    });
}
function parseBody(body) {
    try {
        const parsed = JSON.parse(body);
        return typeof parsed === 'object' && parsed !== null ? parsed : undefined;
    }
    catch {
        return undefined; // error replies from proxies in front of PVE need not be JSON
    }
}
function parameterErrors(errors) {
    if (typeof errors !== 'object' || errors === null)
        return undefined;
    const entries = Object.entries(errors).map(([name, msg]) => [name, String(msg)]);
    return entries.length > 0 ? Object.fromEntries(entries) : undefined;
}

;// CONCATENATED MODULE: ./src/proxmox/preflight-rights.ts


const ROLES = {
    pool: 'TwinGuests',
    images: 'TwinImages',
    disks: 'TwinDisks',
    nodes: 'TwinNodes',
    network: 'TwinNetwork',
};
const LIST_POOLS = 'list the slot pools (GET /pools)';
const READ_VMS = 'find and read the VMs (GET /cluster/resources, config, status)';
// P.10's table, narrowed to what the product sends (src/proxmox/vm-config.ts and vm-lifecycle.ts).
const RULES = [
    { scope: 'pool', privilege: 'Pool.Audit', uses: { apply: LIST_POOLS, destroy: LIST_POOLS } },
    {
        scope: 'pool',
        privilege: 'Pool.Allocate',
        uses: {
            apply: "claim a slot (create its pool, update its comment); take the twin's lock (pool <prefix>-lock-<twin>)",
            destroy: "release the slot (delete its pool); take the twin's lock (pool <prefix>-lock-<twin>)",
        },
    },
    {
        scope: 'pool',
        privilege: 'VM.Allocate',
        uses: { apply: 'create VMs in the slot pool, delete VMs the spec dropped', destroy: 'delete the VMs' },
    },
    { scope: 'pool', privilege: 'VM.Audit', uses: { apply: READ_VMS, destroy: READ_VMS } },
    {
        scope: 'pool',
        privilege: 'VM.PowerMgmt',
        uses: {
            apply: 'start VMs, power-cycle a hung one, reboot a resized one',
            destroy: 'shut down and stop the VMs',
        },
    },
    {
        scope: 'pool',
        privilege: 'VM.Config.CPU',
        uses: { apply: 'create VMs (cores, cpu), change their cores' },
    },
    {
        scope: 'pool',
        privilege: 'VM.Config.Memory',
        uses: { apply: 'create VMs (memory, balloon), change their memory' },
    },
    { scope: 'pool', privilege: 'VM.Config.Disk', uses: { apply: 'create VMs (boot), grow their disks' } },
    { scope: 'pool', privilege: 'VM.Config.Network', uses: { apply: 'create VMs (net0)' } },
    { scope: 'pool', privilege: 'VM.Config.HWType', uses: { apply: 'create VMs (scsihw, serial0)' } },
    {
        scope: 'pool',
        privilege: 'VM.Config.Cloudinit',
        uses: { apply: 'create VMs (ipconfig0, nameserver, citype)' },
    },
    {
        scope: 'pool',
        privilege: 'VM.Config.Options',
        uses: { apply: 'create VMs (name, ostype, agent, onboot, description), set their tags' },
    },
    {
        scope: 'pool',
        privilege: (release) => (release === 8 ? 'VM.Monitor' : 'VM.GuestAgent.Audit'),
        uses: { apply: "read a node's addresses from the guest agent" },
    },
    {
        scope: 'images',
        privilege: 'Datastore.AllocateTemplate',
        uses: { apply: 'download the Talos image (download-url, content import)' },
    },
    {
        scope: 'images',
        privilege: 'Datastore.Audit',
        uses: { apply: 'list the Talos image, import-from it at create, read its content types' },
    },
    {
        scope: 'disks',
        privilege: 'Datastore.AllocateSpace',
        uses: { apply: 'allocate the VM disks at create, grow them' },
    },
    {
        scope: 'disks',
        privilege: 'Datastore.Audit',
        uses: { apply: 'read its free space and content types (GET /cluster/resources)' },
    },
    {
        scope: 'nodes',
        privilege: 'Sys.AccessNetwork',
        uses: { apply: 'download the Talos image on this node (download-url)' },
    },
    {
        scope: 'nodes',
        privilege: 'Sys.Audit',
        uses: {
            apply: "read node memory for placement (GET /nodes) and other runners' creates in flight (task list)",
            destroy: "wait for other runners' creates in flight in the twin's VMIDs (task list)",
        },
    },
    { scope: 'network', privilege: 'SDN.Use', uses: { apply: 'attach the VMs of cluster {cluster} (net0)' } },
];
/** The ACL path that must grant the VM and pool rights, inherited by every pool of the prefix below it. */
function slotPoolAclPath(poolPrefix) {
    const parent = parentPoolOf(poolPrefix);
    return parent === undefined ? '/pool' : `/pool/${parent}`;
}
/** The distinct pool prefixes the twins of `environments` create their slot and lock pools under. */
function poolPrefixesFor(spec, environments) {
    return [...new Set(environments.map((environment) => poolPrefixOf(spec, environment)))];
}
/** Every slot pool's own ACL path under `poolPrefix`, slot 0 first. */
function slotPoolPaths(spec, poolPrefix) {
    const { count } = spec.proxmox.slots;
    return Array.from({ length: count }, (_, slot) => `/pool/${(0,identity/* slotPoolId */.OH)(poolPrefix, slot)}`);
}
/** The paths of one scope, each with the words that fill the rule's `{cluster}`. */
function scopePaths(spec, scope, environments) {
    const { proxmox } = spec;
    switch (scope) {
        case 'pool':
            return poolPrefixesFor(spec, environments).map((prefix) => ({ path: slotPoolAclPath(prefix) }));
        case 'images':
            return [{ path: `/storage/${proxmox.storage.images}` }];
        case 'disks':
            return [{ path: `/storage/${proxmox.storage.disks}` }];
        case 'nodes':
            return proxmox.nodes.map((node) => ({ path: `/nodes/${node}` }));
        case 'network':
            // check_vnet_access checks the NIC's VLAN path (P.6.1 item 9).
            return spec.clusters.map((cluster) => ({
                path: `/sdn/zones/localnetwork/${proxmox.network.bridge}/${cluster.network.vlan}`,
                cluster: cluster.name,
            }));
    }
}
/**
 * The rights the operation needs, one per privilege and path, sorted by path then privilege. Where two
 * rules meet on one path (images and disks on the same storage, clusters sharing a VLAN) their uses join.
 */
function requiredRights(spec, what, release = 9) {
    const byKey = new Map();
    for (const rule of RULES) {
        const use = rule.uses[what.operation];
        if (use === undefined)
            continue;
        const privilege = typeof rule.privilege === 'string' ? rule.privilege : rule.privilege(release);
        for (const { path, cluster } of scopePaths(spec, rule.scope, what.environments)) {
            const neededFor = use.replace('{cluster}', cluster ?? '');
            const key = `${path} ${privilege}`;
            const known = byKey.get(key);
            if (known && !known.neededFor.includes(neededFor))
                known.neededFor += `; ${neededFor}`;
            if (!known) {
                byKey.set(key, {
                    privilege,
                    path,
                    neededFor,
                    role: ROLES[rule.scope],
                    propagate: rule.scope === 'pool',
                });
            }
        }
    }
    return [...byKey.values()].sort(byPathThenPrivilege);
}
function byPathThenPrivilege(a, b) {
    return compareText(a.path, b.path) || compareText(a.privilege, b.privilege);
}
/** Code-point order: the same on every machine, whatever its locale. */
function compareText(a, b) {
    return a < b ? -1 : a > b ? 1 : 0;
}

;// CONCATENATED MODULE: ./src/proxmox/preflight.ts





/** Few at once: a spec with many slots asks for dozens of paths, and the API serves other runners too. */
const PERMISSION_QUERIES_AT_ONCE = 4;
async function checkRights(client, spec, what, tokenId) {
    const required = requiredRights(spec, what, await pveRelease(client));
    const prefixes = poolPrefixesFor(spec, what.environments);
    const slotPaths = prefixes.flatMap((prefix) => slotPoolPaths(spec, prefix));
    const granted = await readPermissions(client, [...new Set([...required.map((r) => r.path), ...slotPaths])]);
    const results = [
        checkPaths(required, granted, tokenId),
        ...prefixes.map((prefix) => checkSlotPools(required, spec, prefix, granted, tokenId)),
        // Both create pools in the parent: apply its slot pool, both the twin's lock pool.
        ...(await Promise.all(prefixes.map((prefix) => checkParentPool(client, prefix)))),
        ...(what.operation === 'apply' ? [await checkStorages(client, spec, granted)] : []),
    ];
    return {
        tokenId,
        operation: what.operation,
        environments: [...what.environments],
        passed: results.flatMap((result) => result.passed),
        findings: results.flatMap((result) => result.findings).sort(byPathThenMissing),
    };
}
/**
 * The gate in front of an operation: logs what passed and throws, naming every finding on its own line,
 * when something is missing, so nothing is changed.
 */
async function requireRights(client, spec, what, tokenId, log) {
    const { operation } = what;
    const report = await checkRights(client, spec, what, tokenId).catch((error) => {
        // Named like a failed stage of apply, so a PVE that could not answer reads as such, not as a bug.
        throw new Error(`stage preflight, reading the token's rights: ${(0,errors/* errorMessage */.gJ)(error)}`, { cause: error });
    });
    for (const line of report.passed)
        log(`ok: ${line}`);
    if (report.findings.length === 0)
        return;
    throw new errors/* ConfigurationError */.j1(`the Proxmox token ${tokenId} lacks what ${operation} needs, so nothing was changed; ` +
        `fix these (then \`twin doctor\` checks again):\n${report.findings.map(findingLine).join('\n')}`);
}
/** One line per finding: what is missing, where, what needs it, and the fix. */
function findingLine(finding) {
    return `missing ${finding.missing} on ${finding.path}: needed to ${finding.neededFor}; fix: ${finding.fix}`;
}
/** The report as lines: `ok:` per passed check, one line per finding, then the verdict. */
function reportLines(report) {
    return [
        ...report.passed.map((line) => `ok: ${line}`),
        ...report.findings.map(findingLine),
        verdict(report),
    ];
}
function verdict(report) {
    return report.findings.length === 0
        ? `${report.tokenId} has every right ${report.operation} needs`
        : `${report.tokenId} lacks ${report.findings.length} thing(s) ${report.operation} needs`;
}
async function pveRelease(client) {
    const { version } = await client.get('/version');
    return version.startsWith('8.') ? 8 : 9;
}
async function readPermissions(client, paths) {
    const limiter = new Limiter(PERMISSION_QUERIES_AT_ONCE);
    const answers = await Promise.all(paths.map((path) => limiter.run(() => client.get('/access/permissions', { path }))));
    return new Map(paths.map((path, i) => [path, answers[i]?.[path] ?? {}]));
}
/** A right holds when the privilege is there and, where it must reach below, was granted with propagate. */
function holds(requirement, granted, path = requirement.path) {
    const flag = granted.get(path)?.[requirement.privilege];
    if (flag === undefined)
        return false;
    // Only the ACL above the slot pools must pass the right down; a slot pool's own answer just needs it.
    return !requirement.propagate || path !== requirement.path || Number(flag) === 1;
}
function checkPaths(required, granted, tokenId) {
    const result = { passed: [], findings: [] };
    for (const path of [...new Set(required.map((r) => r.path))]) {
        const here = required.filter((r) => r.path === path);
        const missing = here.filter((r) => !holds(r, granted));
        if (missing.length === 0)
            result.passed.push(`${path}: ${here.map((r) => r.privilege).join(' ')}`);
        result.findings.push(...missing.map((r) => privilegeFinding(r, granted.get(path) ?? {}, tokenId)));
    }
    return result;
}
function privilegeFinding(requirement, here, tokenId) {
    const { privilege, path, role, neededFor } = requirement;
    const acl = aclCommand(path, role, tokenId);
    if (here[privilege] !== undefined) {
        // Granted, but only on this path: the slot pools and their VMs below it do not inherit it.
        return { missing: `${privilege} (with propagate)`, path, neededFor, fix: `${acl} --propagate 1` };
    }
    const fix = Object.keys(here).length > 0
        ? `pveum role modify ${role} --append 1 --privs ${privilege} (if ${role} is the role granted there), else ${acl}`
        : acl;
    return { missing: privilege, path, neededFor, fix };
}
/**
 * A privilege-separated token gets only what both it and its user have (P.4), so the ACL names both;
 * the role is the one runner-setup/README.md creates.
 */
function aclCommand(path, role, tokenId) {
    return `pveum acl modify ${path} ${userAndToken(tokenId)} --roles ${role}`;
}
function userAndToken(tokenId) {
    return `--users ${tokenId.slice(0, tokenId.indexOf('!'))} --tokens '${tokenId}'`;
}
/**
 * Each slot pool of `poolPrefix` must get the pool rights from the ACL above it. Where that ACL holds, a
 * slot that lacks one has an ACL of its own replacing it (deeper paths replace, P.3); where it does not,
 * checkPaths already names the right once for all slots.
 */
function checkSlotPools(required, spec, poolPrefix, granted, tokenId) {
    const slotPaths = slotPoolPaths(spec, poolPrefix);
    const parentPath = slotPoolAclPath(poolPrefix);
    const inherited = required.filter((r) => r.path === parentPath && holds(r, granted));
    const findings = slotPaths.flatMap((slotPath, slot) => inherited
        .filter((r) => !holds(r, granted, slotPath))
        .map((r) => ({
        missing: r.privilege,
        path: slotPath,
        neededFor: `${r.neededFor} in slot ${slot}`,
        fix: `an ACL on ${slotPath} replaces the one on ${parentPath}: find it with pveum acl list and remove it ` +
            `(pveum acl delete ${slotPath} ${userAndToken(tokenId)} --roles <its role>)`,
    })));
    const [first, last] = [slotPaths[0], slotPaths[slotPaths.length - 1]];
    const passed = findings.length === 0 && inherited.length > 0
        ? [`slot pools ${first} .. ${last} inherit the rights on ${parentPath}`]
        : [];
    return { passed, findings };
}
/** PVE creates a nested pool only inside an existing parent (P.6.4); a flat prefix has none to check. */
async function checkParentPool(client, poolPrefix) {
    const parent = parentPoolOf(poolPrefix);
    if (parent === undefined)
        return { passed: [], findings: [] };
    try {
        // Answers with or without Pool.Audit (P.7), so it tells "missing" apart from "not allowed to see".
        await client.get('/pools', { poolid: parent });
        return {
            passed: [`pool ${parent} exists (the parent of the slot pools ${poolPrefix}-<k>)`],
            findings: [],
        };
    }
    catch (error) {
        if (!(error instanceof PveApiError && /does not exist/.test(error.serverMessage)))
            throw error;
        const finding = {
            missing: `pool ${parent}`,
            path: `/pool/${parent}`,
            neededFor: `hold the slot pools ${poolPrefix}-<k> and the twin locks ${poolPrefix}-lock-<twin> (PVE creates a nested pool only inside an existing one)`,
            fix: `pveum pool add ${parent} --comment "aggrik8s-twin slots (parent pool)"`,
        };
        return { passed: [], findings: [finding] };
    }
}
/** The image storage must take `import` volumes (download-url, import-from), the disk storage VM disks. */
async function checkStorages(client, spec, granted) {
    const resources = await client.get('/cluster/resources', { type: 'storage' });
    const { images, disks } = spec.proxmox.storage;
    const results = [
        checkStorage(resources, spec.proxmox.nodes, granted, {
            storage: images,
            content: 'import',
            neededFor: 'download the Talos image into it and import-from it',
        }),
        checkStorage(resources, spec.proxmox.nodes, granted, {
            storage: disks,
            content: 'images',
            neededFor: 'hold the VM disks',
        }),
    ];
    return {
        passed: results.flatMap((result) => result.passed),
        findings: results.flatMap((result) => result.findings),
    };
}
function checkStorage(resources, nodes, granted, want) {
    const path = `/storage/${want.storage}`;
    // The listing shows a storage only with Datastore.Audit on it (P.7); that right's own finding says so.
    if (granted.get(path)?.['Datastore.Audit'] === undefined)
        return { passed: [], findings: [] };
    const entries = resources.filter((r) => r.type === 'storage' && r.storage === want.storage);
    const absent = nodes.filter((node) => !entries.some((entry) => entry.node === node));
    const findings = [];
    if (absent.length > 0) {
        findings.push({
            missing: `storage ${want.storage} on ${absent.join(', ')}`,
            path,
            neededFor: want.neededFor,
            fix: `enable ${want.storage} on ${absent.join(', ')} (pvesm set ${want.storage} --nodes <every node that has it>) or drop them from proxmox.nodes`,
        });
    }
    const types = (entries[0]?.content ?? '').split(',').filter(Boolean);
    if (entries.length > 0 && !types.includes(want.content)) {
        // pvesm --content replaces the list, so the fix repeats what the storage holds now.
        const fix = `pvesm set ${want.storage} --content ${[...types, want.content].join(',')}`;
        findings.push({ missing: `content ${want.content}`, path, neededFor: want.neededFor, fix });
    }
    const passed = findings.length === 0
        ? [`storage ${want.storage} holds content ${want.content} on ${nodes.join(', ')}`]
        : [];
    return { passed, findings };
}
function byPathThenMissing(a, b) {
    return byPathThenPrivilege({ path: a.path, privilege: a.missing }, { path: b.path, privilege: b.missing });
}

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

// EXTERNAL MODULE: ./src/spec/files.ts
var files = __webpack_require__(5432);
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
            spec: parseSpec((0,files/* readSpecFile */.MB)(layoutFile, "the production branch's twin spec", workspace), layoutFile).spec,
            file: layoutFile,
        };
    const loaded = parseSpec((0,files/* readSpecFile */.MB)(file, 'the twin spec', workspace), file, layout);
    (0,files/* checkSpecFiles */.HI)(loaded.spec, (0,files/* specFolder */.os)(file, workspace));
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

;// CONCATENATED MODULE: ./src/twin/in-flight.ts


/**
 * Waits, bounded like a boot and paced by ctx.pace, until no create task runs for a VMID of `vmids` on
 * `pveNodes`: one a killed or cancelled run left in flight. PVE writes such a VM's config with `lock:
 * create` and adds it to its pool only when the task ends, so a pool-scoped token sees neither the VM nor
 * its lock until then (PVE-PERMISSIONS.md P.7, P.9); only the task list shows it. Returns the tasks it
 * waited for (none: it did not wait). `then` is what to do when one never ends.
 */
async function waitForCreatesInFlight(ctx, pveNodes, vmids, then) {
    return waitForVmTasks(ctx, () => createsInFlight(ctx.client, pveNodes, vmids), then);
}
/**
 * Waits, bounded like a boot, until `find` reports no task: e.g. a killed run's PVE reboot of a VM it
 * resized (pending cores or memory apply only through a reboot), which would otherwise reboot the node
 * under this run's rollout. Returns the tasks it waited for.
 */
async function waitForVmTasks(ctx, find, then) {
    const running = await find();
    if (running.length === 0)
        return [];
    const listed = running.map((task) => task.vmid).join(', ');
    const kinds = [...new Set(running.map((task) => (task.type === 'qmcreate' ? 'create' : task.type)))];
    ctx.log(`VMID(s) ${listed} held by a ${kinds.join(' or ')} task in flight; waiting for it to end`);
    await (0,readiness/* waitUntil */.a)(async () => (await find()).length === 0, {
        timeoutMs: ctx.pace.bootTimeoutMs,
        intervalMs: ctx.pace.pollMs,
        describe: `the ${kinds.join(' or ')} task(s) of VMID(s) ${listed} to end (if one stays, look at it in the PVE GUI, then ${then})`,
    });
    return running;
}

;// CONCATENATED MODULE: ./src/twin/claim.ts









/**
 * Plans against Proxmox, refuses what admission refuses (src/twin/admission.ts: conflicts, lost state,
 * addresses held by others, what does not fit), then claims the slot atomically with a reservation of the
 * capacity its new VMs take. Twins claimed at the same moment each saw the same free
 * space, so after claiming, a twin checks again against the reservations of twins claimed before it and
 * gives its slot back if it no longer fits: the earliest claim wins, nothing is half-built. A preview over
 * its quota is refused first, before any request.
 */
async function claimAndPlan(ctx) {
    const { spec } = ctx.twin;
    refuseOverQuota(ctx.twin);
    for (let attempt = 0; attempt < spec.proxmox.slots.count + 1; attempt++) {
        const view = await observeProxmox(ctx.client, spec);
        const plan = planTwin(ctx.twin, view);
        if (await waitForTasksInFlight(ctx, plan))
            continue; // plan again once they ended
        const demands = await refuseInadmissible(ctx, plan, view);
        if (plan.slotState === 'held') {
            const activeAt = await markActive(ctx, plan, view.claims);
            return { plan, ...unreleasedReservation(view.claims, plan, activeAt) };
        }
        const claimedAt = new Date();
        const reserves = reservationsOf(demands);
        try {
            await ctx.client.post('/pools', {
                poolid: plan.pool,
                comment: slotComment(plan.twin, claimedAt, reserves, plan.identity),
            });
        }
        catch (error) {
            // Another runner took this slot a moment ago: plan again against what it did.
            const claims = await listSlotClaims(ctx.client, slotPoolPrefixes(spec));
            const holder = claims.find((claim) => claim.slot === plan.slot);
            if (holder?.twin === plan.twin)
                return { plan: { ...plan, slotState: 'held' } };
            if (!holder)
                throw error;
            ctx.log(`slot ${plan.slot} was just taken by ${holder.twin ?? 'another twin'}; choosing again`);
            continue;
        }
        ctx.log(`claimed slot ${plan.slot} (pool ${plan.pool})`);
        await admitAgainstEarlierClaims(ctx, plan, demands);
        return { plan: { ...plan, slotState: 'held' }, reservation: { claimedAt } };
    }
    throw new errors/* ConfigurationError */.j1(`could not claim a slot for twin ${ctx.twin.twin}: every attempt lost a race; try again`);
}
/**
 * Tasks a killed or failed run left in flight on the twin's VMIDs: a create of a VMID the plan would create
 * (PVE writes the config with `lock: create` first and adds the VM to its pool only when the task ends, so
 * a pool-scoped token sees neither the VM nor its lock, P.7), or a power task (a reboot that applies a
 * resize, say) on a VM the twin has. Waits for them to end, bounded like a boot, with one task listing per
 * PVE node each time; returns whether it waited.
 */
async function waitForTasksInFlight(ctx, plan) {
    const free = new Set(plan.vms
        .filter((vm) => vm.action === 'create' || (vm.action === 'conflict' && vm.lock))
        .map((vm) => vm.vmid));
    const existing = new Set(plan.vms
        .filter((vm) => vm.action === 'keep' || vm.action === 'change' || vm.action === 'destroy')
        .map((vm) => vm.vmid));
    if (free.size === 0 && existing.size === 0)
        return false;
    const ours = (task) => (task.type === 'qmcreate' && free.has(task.vmid)) ||
        (POWER_TASKS.has(task.type) && existing.has(task.vmid));
    const waited = await waitForVmTasks(ctx, () => vmTasksInFlight(ctx.client, ctx.twin.spec.proxmox.nodes, ours), 'apply again');
    return waited.length > 0;
}
/** The check after claiming; on refusal the slot is given back before the error, so nothing is left. */
async function admitAgainstEarlierClaims(ctx, plan, demands) {
    const { spec } = ctx.twin;
    const view = await observeProxmox(ctx.client, spec);
    const mine = view.claims.find((claim) => claim.slot === plan.slot && claim.twin === plan.twin);
    const earlier = view.claims.filter((claim) => claim.twin !== plan.twin && (!mine || claimedBefore(claim, mine)));
    try {
        admitBeside(ctx, plan, demands, view, earlier);
    }
    catch (error) {
        await ctx.client.delete('/pools', { poolid: plan.pool });
        ctx.log(`gave slot ${plan.slot} back: twins claimed just before took the capacity`);
        throw error;
    }
}
/** A reservation an earlier run of this twin made and never dropped (it was killed): this run drops it. */
function unreleasedReservation(claims, plan, activeAt) {
    const mine = claims.find((claim) => claim.slot === plan.slot && claim.twin === plan.twin);
    const claimedAt = Date.parse(mine?.claimedAt ?? '');
    if (!mine?.reserves || Number.isNaN(claimedAt))
        return {};
    return { reservation: { claimedAt: new Date(claimedAt), ...(activeAt ? { activeAt } : {}) } };
}
/**
 * An apply of a twin that exists is activity: its claim records when (`active`), and the reaper's TTL
 * counts from there, so a pull request that keeps pushing keeps its preview. Returns the time recorded;
 * a failed write is logged only (the TTL then counts from the previous mark, the safe side for cost).
 */
async function markActive(ctx, plan, claims) {
    const mine = claims.find((claim) => claim.slot === plan.slot && claim.twin === plan.twin);
    const claimedAt = Date.parse(mine?.claimedAt ?? '');
    if (!mine || Number.isNaN(claimedAt))
        return undefined;
    const activeAt = new Date();
    const comment = slotComment(plan.twin, new Date(claimedAt), mine.reserves ?? [], mine.identity, activeAt);
    try {
        await ctx.client.put('/pools', { poolid: plan.pool, comment });
        return activeAt;
    }
    catch (error) {
        ctx.log(`slot ${plan.slot}: could not record this apply in pool ${plan.pool} (${(0,errors/* errorMessage */.gJ)(error)})`);
        return undefined;
    }
}
/** Once the twin's VMs exist they hold their capacity themselves: the claim keeps only its name and age. */
async function releaseReservation(ctx, plan, reservation) {
    try {
        // The identity stays recorded (on a claim older than the record, it is recorded now, with the VMs).
        const comment = slotComment(plan.twin, reservation.claimedAt, [], plan.identity, reservation.activeAt);
        await ctx.client.put('/pools', { poolid: plan.pool, comment });
    }
    catch (error) {
        // Only admission of other twins reads it, and a stale reservation errs on the safe side.
        ctx.log(`slot ${plan.slot}: the capacity reservation stays in pool ${plan.pool} (${(0,errors/* errorMessage */.gJ)(error)}); ` +
            'the next apply or the destroy of this twin drops it');
    }
}

// EXTERNAL MODULE: ./src/util/values.ts
var util_values = __webpack_require__(7656);
;// CONCATENATED MODULE: ./src/twin/cluster-files.ts



async function ensureSecrets(ctx, talosctl, key, work, cluster) {
    if ((await ctx.store.read(key)) !== undefined)
        return ctx.store.pathOf(key); // generated once per cluster, ever
    const temp = (0,external_node_path_.join)(work, `${cluster}.secrets.yaml`);
    await talosctl.genSecrets({ outputFile: temp, talosVersion: ctx.twin.spec.talos.version });
    return storeFile(ctx, key, temp);
}
async function nodeConfig(ctx, talosctl, work, vm, files, vip) {
    const node = vm.definition;
    const patchFile = (0,external_node_path_.join)(work, vm.cluster, `${vm.name}.patch.yaml`);
    await (0,promises_.writeFile)(patchFile, nodePatch({
        name: node.name,
        role: vm.role === 'controlplane' ? 'controlplane' : 'worker',
        address: node.address,
        prefixLength: node.prefixLength,
        gateway: node.gateway,
        dns: node.dns,
        ...(vm.role === 'controlplane' ? { vip } : {}),
    }), { mode: 0o600 });
    const output = (0,external_node_path_.join)(work, vm.cluster, `${vm.name}.yaml`);
    await talosctl.patchMachineConfig({
        baseFile: vm.role === 'controlplane' ? files.controlPlane : files.worker,
        patchFile,
        outputFile: output,
    });
    return storeFile(ctx, { twin: ctx.twin.twin, cluster: vm.cluster, name: `${vm.name}.yaml` }, output);
}
/** Moves a file a tool wrote into the state store (0600) and returns the stored copy's path. */
async function storeFile(ctx, key, path) {
    const stored = await ctx.store.write(key, await (0,promises_.readFile)(path, 'utf8'));
    await (0,promises_.rm)(path, { force: true });
    return stored;
}
async function mkdirPrivate(dir) {
    await (0,promises_.mkdir)(dir, { recursive: true, mode: 0o700 });
}

;// CONCATENATED MODULE: ./src/twin/build-waits.ts


/**
 * What they typically take, in seconds: a Talos VM from its start to the maintenance API, apply-config in
 * maintenance mode until the node answers with its config (install, reboot), etcd's bootstrap until the
 * Kubernetes API answers (static pods pulled and started). First guesses only: a run learns the shortest
 * one it sees.
 */
const TYPICAL_SECONDS = {
    'talos-boot': 25,
    'talos-config': 40,
    'kubernetes-api': 75,
};
/** Looks start at this share of the soonest duration known: a faster one than seen before loses little. */
const QUIET_SHARE = 0.75;
/** The build's waits at this pace, each learning its shortest duration over the run. */
function buildWaits(pace) {
    return new LearnedDurations((kind) => (TYPICAL_SECONDS[kind] ?? 0) * 1000 * pace.scale);
}
/**
 * waitUntil for one of the build's waits: a first look at once (the work may be done already), then none
 * before three quarters of the shortest such wait so far, then every half interval. Each look is a tool call.
 * A wait that found the work undone teaches its duration.
 */
async function buildWait(waits, kind, probe, opts) {
    const now = opts.now ?? Date.now;
    const started = now();
    let looks = 0;
    const counted = () => {
        looks++;
        return probe();
    };
    await (0,readiness/* waitUntil */.a)(counted, {
        ...opts,
        // Near the due time, twice the usual pace: the quiet period saved far more looks than this spends.
        intervalMs: Math.max(1, Math.round(opts.intervalMs / 2)),
        notBeforeMs: Math.round(waits.estimateMs(kind) * QUIET_SHARE),
    });
    if (looks > 1)
        waits.observe(kind, now() - started);
}

;// CONCATENATED MODULE: ./src/twin/etcd-bootstrap.ts



/**
 * A cluster's etcd is bootstrapped exactly once, on one node (LIFECYCLE F.4: "Every new cluster must be
 * bootstrapped only once"; a bootstrap on a control plane whose data directory is empty starts a second,
 * independent etcd). So: a recorded bootstrap is never repeated; members found on any other control
 * plane mean a running etcd (recorded, then left alone); otherwise the chosen node is bootstrapped,
 * retried while it is not ready yet, and AlreadyExists from it counts as done. A control plane created
 * again joins the running etcd by itself: nothing here touches it.
 */
/** The state item that says the cluster's etcd was bootstrapped (no secret in it). */
const BOOTSTRAP_RECORD = 'etcd-bootstrap.json';
async function ensureEtcdBootstrapped(deps, target) {
    const [first, ...others] = target.controlPlanes;
    if (!first)
        throw new RangeError(`cluster ${target.cluster.name} has no control plane to bootstrap`);
    const key = { twin: target.twin, cluster: target.cluster.name, name: BOOTSTRAP_RECORD };
    const recorded = await deps.store.read(key);
    if (recorded !== undefined) {
        deps.log(`${target.cluster.name}: etcd was bootstrapped before (${describeRecord(recorded)}): not again`);
        return 'recorded-before';
    }
    const running = target.allCreatedThisRun ? undefined : await membersOnAny(deps, target.talosconfig, others);
    if (running) {
        deps.log(`${target.cluster.name}: ${running.node.name} lists etcd members (${running.members.map((m) => m.hostname).join(', ')}): etcd runs, no bootstrap`);
        await record(deps, key, running.node, 'members-found');
        return 'members-found';
    }
    const outcome = await bootstrapWhenReady(deps, target, first);
    deps.log(`${target.cluster.name}: ${outcome === 'bootstrapped' ? 'bootstrapped etcd' : 'etcd was bootstrapped before'} on ${first.name}`);
    await record(deps, key, first, outcome);
    return outcome;
}
/**
 * The first of `nodes` whose etcd lists members; none when no etcd runs on them (or none answers). Asked
 * at once: a node without etcd answers only after its etcd client gives up.
 */
async function membersOnAny(deps, talosconfig, nodes) {
    const answers = await Promise.all(nodes.map((node) => deps.talosctl.etcdMembers({ talosconfig, node: node.address })));
    for (const [index, answer] of answers.entries()) {
        if ('members' in answer && answer.members.length > 0)
            return { node: nodes[index], members: answer.members };
    }
    return undefined;
}
/**
 * Bootstraps the chosen node, retrying (full jitter) while it answers "not available yet" or "time is not in
 * sync yet", for as long as a boot may take; then fails saying why.
 */
async function bootstrapWhenReady(deps, target, node) {
    const now = deps.now ?? Date.now;
    const deadline = now() + deps.pace.bootTimeoutMs;
    try {
        return await retry(() => deps.talosctl.bootstrap({ talosconfig: target.talosconfig, node: node.address }), {
            attempts: Number.MAX_SAFE_INTEGER,
            baseDelayMs: deps.pace.pollMs,
            maxDelayMs: deps.pace.pollMs * 8,
            isRetryable: (error) => error instanceof BootstrapNotReadyError && now() < deadline,
            onRetry: (error, attempt) => {
                if (attempt === 1 && error instanceof BootstrapNotReadyError)
                    deps.log(`${target.cluster.name}: ${node.name} is not ready for the etcd bootstrap yet (${error.reason}): retrying`);
            },
            ...(deps.sleep ? { sleep: deps.sleep } : {}),
            ...(deps.random ? { random: deps.random } : {}),
        });
    }
    catch (error) {
        if (error instanceof BootstrapNotReadyError)
            throw notReadyInTime(error, target, node, deps.pace.bootTimeoutMs);
        throw error;
    }
}
function notReadyInTime(error, target, first, boundMs) {
    const cluster = target.cluster.name;
    const waited = `${Math.round(boundMs / 1000)} s`;
    if (error.reason === 'time-not-in-sync') {
        return new Error(`${cluster}: ${first.name} (${first.address}) refused the etcd bootstrap for ${waited}: time is not in sync yet. ` +
            `Its time servers (${timeServersOf(target.cluster).join(', ')}) are not reachable, and Talos starts neither etcd nor the ` +
            'kubelet before time is in sync, so no node can get Ready. Set talos.timeServers in twin.yaml to servers the ' +
            'nodes reach (on Proxmox the VM clock /dev/ptp0 needs no network), then run apply again', { cause: error });
    }
    return new Error(`${cluster}: ${first.name} (${first.address}) refused the etcd bootstrap for ${waited}: bootstrap is not ` +
        `available yet (its container runtime has not started). Look at the node: talosctl -n ${first.address} services`, { cause: error });
}
async function record(deps, key, node, how) {
    const now = deps.now ?? Date.now;
    const entry = {
        node: node.name,
        address: node.address,
        at: new Date(now()).toISOString(),
        how,
    };
    await deps.store.write(key, `${JSON.stringify(entry, null, 2)}\n`);
}
/** Any content means bootstrapped; a record we cannot read still forbids a second bootstrap. */
function describeRecord(text) {
    try {
        const entry = JSON.parse(text);
        return `${entry.node ?? 'a control plane'} at ${entry.at ?? 'an unknown time'}`;
    }
    catch {
        return `${BOOTSTRAP_RECORD} is in the state store`;
    }
}

;// CONCATENATED MODULE: ./src/twin/talos-node.ts


/**
 * Brings a started VM to run its Talos config: maintenance mode, the config sent, the node answering over
 * mTLS with the cluster's credentials. Safe to repeat from anywhere on that path (a killed run leaves nodes
 * anywhere on it). A VM that answers nothing within the boot timeout hung in its boot and is power-cycled,
 * once; an apply whose answer the node's reboot cut off counts as sent, and the wait for the config decides.
 */
async function bringUpTalosNode(deps, node) {
    const { talosctl, pace } = deps;
    const configured = () => talosctl.configuredReady({ talosconfig: node.talosconfig, node: node.address });
    if (await configured())
        return;
    // One probe per poll; the mTLS check only once the node turns out to run a config (a killed run sent it).
    let probe = 'no-answer';
    let runsConfig = false;
    const answers = async () => {
        probe = await talosctl.maintenanceProbe(node.address);
        if (probe === 'runs-config')
            runsConfig = await configured();
        return probe === 'maintenance' || runsConfig;
    };
    const booted = () => buildWait(deps.waits, 'talos-boot', answers, {
        timeoutMs: pace.bootTimeoutMs,
        intervalMs: pace.pollMs,
        describe: `${node.name} to answer in maintenance mode at ${node.address}:50000`,
    });
    try {
        await booted();
    }
    catch (error) {
        // Only silence is a hung boot; a node that answers with some other config is not ours to power-cycle.
        if (!(error instanceof readiness/* WaitTimeoutError */.D) || probe !== 'no-answer')
            throw error;
        deps.log(`warning: ${node.name}: nothing answered at ${node.address}:50000 within ` +
            `${Math.round(pace.bootTimeoutMs / 1000)} s of its start, as when a boot hangs: power-cycling the VM once`);
        await deps.vms.powerCycle(node.pveNode, node.vmid);
        await booted();
    }
    if (runsConfig)
        return; // a run that was killed had sent it
    if ((await talosctl.applyInsecure(node.address, node.configFile)) === 'answer-lost') {
        deps.log(`${node.name}: the node's reboot cut off apply-config's answer: waiting for it to run the config`);
    }
    await buildWait(deps.waits, 'talos-config', configured, {
        timeoutMs: pace.bootTimeoutMs,
        intervalMs: pace.pollMs,
        describe: `${node.name} to run its Talos config (mTLS at ${node.address}:50000)`,
    });
}

;// CONCATENATED MODULE: ./src/twin/vm-steps.ts




/** The Talos image on every PVE node that gets a VM, fetched once per node storage. */
function imageSteps(ctx, plan, vms, wanted) {
    const { spec } = ctx.twin;
    return [...new Set(wanted.map((vm) => vm.pveNode))].map((pveNode) => ({
        id: `image:${pveNode}`,
        title: `${pveNode}: Talos image`,
        doing: `fetching the Talos image onto ${pveNode}`,
        stage: 'image',
        needs: [],
        run: async () => {
            const { fileName, url, sha256 } = plan.image;
            const result = await vms
                .ensureImage(pveNode, spec.proxmox.storage.images, fileName, url, sha256)
                .catch((error) => {
                throw imageDigestError(error, pveNode, plan.image) ?? error;
            });
            const verified = sha256 === undefined ? ' (no talos.imageSha256: not verified)' : ', sha256 verified by PVE';
            ctx.log(`${pveNode}: Talos image ${fileName} ${result}${verified}`);
        },
    }));
}
/** PVE's checksum mismatch of the image, as an error naming the spec field and the fix. */
function imageDigestError(error, pveNode, image) {
    if (!(error instanceof PveTaskError))
        return undefined;
    const mismatch = /^checksum mismatch: got '([0-9a-f]+)' != expect '([0-9a-f]+)'/.exec(error.exitstatus);
    if (!mismatch)
        return undefined;
    return new errors/* ConfigurationError */.j1(`talos.imageSha256: ${pveNode} downloaded ${image.url} (or holds ${image.fileName}) with sha256 ${mismatch[1]}, ` +
        `not the pinned ${mismatch[2]}; nothing was imported. If talos.version, schematic or arch changed, set ` +
        "talos.imageSha256 to the new image's sha256, computed from an image you checked (curl -fsSL URL | sha256sum); " +
        'otherwise find out what served or changed the file.', { cause: error });
}
/**
 * One VM: created, tagged and its boot disk grown, started. PVE allocates a storage's volumes under one lock
 * that a waiting request gets within 10 s or never, so creates on one node storage take turns
 * (`storageQueue`). A create without extra disks needs the lock only to allocate its two volumes (the import
 * is copied without it), so the next create is sent once PVE accepted it; one with extra disks allocates them
 * after the copy, so it keeps its turn to the end. Short creates go first: those are the control planes,
 * whose boots lead to everything else. Growing a disk takes the VM's config lock (the lab's contract), not
 * the storage's turn.
 */
function vmSteps(ctx, plan, vms, storageQueue, vm) {
    const { spec } = ctx.twin;
    const definition = vm.definition;
    const settings = {
        pveNode: vm.pveNode,
        pool: plan.pool,
        bridge: spec.proxmox.network.bridge,
        diskStorage: spec.proxmox.storage.disks,
        imageVolume: importVolumeId(spec.proxmox.storage.images, plan.image),
    };
    const storage = `${vm.pveNode}/${settings.diskStorage}`;
    const long = holdsStorageAfterCopy(vm);
    return [
        {
            id: `vm-create:${vm.name}`,
            title: `${vm.name}: VM ${vm.vmid} on ${vm.pveNode}`,
            doing: `creating VM ${vm.name} (${vm.vmid}) on ${vm.pveNode}`,
            stage: 'vm',
            needs: [`image:${vm.pveNode}`],
            run: async () => {
                // The plan saw every VM the token may see: a VMID it did not see is free (or held by a create in
                // flight, which claimAndPlan waited for). Probing it would be a 403 for a pool-scoped token (P.9).
                if (vm.action !== 'create')
                    return;
                await storageQueue.hold(storage, (release) => vms.create(definition, settings, long ? undefined : release), long ? 1 : 0);
            },
        },
        {
            id: `vm-grow:${vm.name}`,
            title: `${vm.name}: tagged, boot disk grown`,
            doing: `tagging ${vm.name} and growing its boot disk`,
            stage: 'vm',
            needs: [`vm-create:${vm.name}`],
            run: async () => {
                const config = await vms.config(vm.pveNode, vm.vmid);
                if (!config)
                    throw new Error(`VM ${vm.vmid} vanished after it was created`);
                await vms.ensureTags(vm.pveNode, definition, config);
                await vms.growBootDisk(vm.pveNode, definition, config);
            },
        },
        {
            id: `vm-start:${vm.name}`,
            title: `${vm.name}: started`,
            doing: `starting ${vm.name}`,
            stage: 'vm',
            needs: [`vm-grow:${vm.name}`],
            // A VM this run created is stopped (PVE creates it so): no need to ask before starting it.
            run: () => vms.start(vm.pveNode, vm.vmid, { createdStopped: vm.action === 'create' }),
        },
    ];
}
/** Whether the VM's create allocates volumes after its image copy (extra disks: the OSD hosts). */
function holdsStorageAfterCopy(vm) {
    return (vm.definition?.extraDisksGiB.length ?? 0) > 0;
}
/** Workers the spec dropped: drain and delete the node while the cluster is up, then remove the VM. */
function removalSteps(ctx, plan, vms, cluster, filesOf) {
    return plan.vms
        .filter((vm) => vm.action === 'destroy' && vm.cluster === cluster)
        .map((vm) => ({
        id: `remove:${vm.name}`,
        title: `${vm.name}: drained and removed`,
        doing: `draining ${vm.name} and removing its VM`,
        stage: 'scale',
        needs: [`api:${cluster}`],
        run: async () => {
            const kubectl = new kube_kubectl/* Kubectl */.b(ctx.runner, {
                kubeconfig: filesOf().kubeconfig,
                path: ctx.tools.kubectl,
            });
            await kubectl.drain(vm.name, ctx.pace.rolloutTimeoutSec);
            await kubectl.deleteNode(vm.name);
            await vms.destroy(vm.pveNode, vm.vmid, { name: vm.name, tags: vm.tags });
        },
    }));
}

;// CONCATENATED MODULE: ./src/twin/cluster-steps.ts
















const CILIUM_CHART = { chart: 'cilium', repo: 'https://helm.cilium.io' };
/** One cluster: machine configs, each node configured, etcd bootstrapped once, API, Cilium, all nodes Ready. */
function clusterSteps(run, cluster, members) {
    const controlPlanes = members.filter((vm) => vm.role === 'controlplane');
    const input = clusterInput(run.ctx, cluster, members.length - controlPlanes.length);
    const first = controlPlanes[0];
    return [
        talosConfigStep(run, input, controlPlanes),
        ...members.map((vm) => talosNodeStep(run, vm, input.vip)),
        ...(first
            ? [
                bootstrapStep(run, input, controlPlanes),
                apiStep(run, cluster, first),
                ciliumStep(run, cluster, members.length),
                readyStep(run, cluster.name, members),
            ]
            : []),
        ...removalSteps(run.ctx, run.plan, run.vms, cluster.name, () => run.files.get(cluster.name)),
    ];
}
function clusterInput(ctx, cluster, workers) {
    const { spec } = ctx.twin;
    return {
        name: cluster.name,
        vip: cluster.vip,
        pods: cluster.pods,
        services: cluster.services,
        installImage: installerImage(spec.talos),
        kubernetesVersion: spec.talos.kubernetesVersion,
        talosVersion: spec.talos.version,
        versionContract: configContract(spec.talos.version), // the configs the Talos layer compares with
        workers,
        timeServers: spec.talos.timeServers,
        registryMirrors: spec.talos.registryMirrors,
    };
}
function stateKey(run, cluster) {
    return (name) => ({ twin: run.plan.twin, cluster, name });
}
function talosConfigStep(run, input, controlPlanes) {
    const { ctx, talosctl, work } = run;
    const key = stateKey(run, input.name);
    return {
        id: `talos-config:${input.name}`,
        title: `${input.name}: Talos secrets and machine configs`,
        doing: `generating the Talos secrets and machine configs of ${input.name}`,
        stage: 'talos',
        needs: [],
        run: async () => {
            const secrets = await ensureSecrets(ctx, talosctl, key('secrets.yaml'), work, input.name);
            const dir = (0,external_node_path_.join)(work, input.name);
            const patch = async (name, content) => {
                const path = (0,external_node_path_.join)(dir, name);
                await (0,promises_.writeFile)(path, content, { mode: 0o600 });
                return path;
            };
            await mkdirPrivate(dir);
            const generated = await talosctl.genConfig({
                cluster: input,
                secretsFile: secrets,
                patches: {
                    common: await patch('common.patch.yaml', commonPatch(input)),
                    controlPlane: await patch('controlplane.patch.yaml', controlPlanePatch(input)),
                    worker: await patch('worker.patch.yaml', workerPatch(input)),
                },
                outputDir: dir,
            });
            // never the VIP (CONTRACTS B.2)
            await talosctl.setEndpoints(generated.talosconfig, controlPlanes.map((vm) => vm.address));
            run.files.set(input.name, {
                controlPlane: await storeFile(ctx, key('controlplane.yaml'), generated.controlPlane),
                worker: await storeFile(ctx, key('worker.yaml'), generated.worker),
                talosconfig: await storeFile(ctx, key('talosconfig'), generated.talosconfig),
                kubeconfig: ctx.store.pathOf(key('kubeconfig')),
            });
        },
    };
}
function talosNodeStep(run, vm, vip) {
    const { ctx, talosctl, vms } = run;
    return {
        id: `talos:${vm.name}`,
        title: `${vm.name}: Talos config applied`,
        doing: `booting ${vm.name} into Talos and applying its config`,
        stage: 'talos',
        needs: [`talos-config:${vm.cluster}`, `vm-start:${vm.name}`],
        run: async () => {
            const files = run.files.get(vm.cluster);
            const configFile = await nodeConfig(ctx, talosctl, run.work, vm, files, vip);
            await bringUpTalosNode({ talosctl, vms, pace: ctx.pace, waits: run.waits, log: ctx.log }, {
                name: vm.name,
                pveNode: vm.pveNode,
                vmid: vm.vmid,
                address: vm.definition.address,
                configFile,
                talosconfig: files.talosconfig,
            });
        },
    };
}
function bootstrapStep(run, input, controlPlanes) {
    return {
        id: `bootstrap:${input.name}`,
        title: `${input.name}: etcd bootstrap`,
        doing: `waiting for etcd on ${controlPlanes[0].name} to bootstrap`,
        stage: 'kubernetes',
        needs: [`talos:${controlPlanes[0].name}`],
        run: async () => void (await ensureEtcdBootstrapped({ ...run.ctx, talosctl: run.talosctl }, {
            twin: run.plan.twin,
            cluster: input,
            talosconfig: run.files.get(input.name).talosconfig,
            controlPlanes: controlPlanes.map((vm) => ({ name: vm.name, address: vm.address })),
            allCreatedThisRun: controlPlanes.every((vm) => vm.action === 'create'),
        })),
    };
}
function apiStep(run, cluster, first) {
    const { ctx } = run;
    return {
        id: `api:${cluster.name}`,
        title: `${cluster.name}: Kubernetes API ready`,
        doing: `waiting for the Kubernetes API of ${cluster.name} at ${cluster.vip}`,
        stage: 'kubernetes',
        needs: [`bootstrap:${cluster.name}`],
        run: async () => {
            const files = run.files.get(cluster.name);
            const temp = (0,external_node_path_.join)(run.work, `${cluster.name}.kubeconfig`);
            await run.talosctl.kubeconfig({
                talosconfig: files.talosconfig,
                node: first.address,
                outputFile: temp,
            });
            files.kubeconfig = await storeFile(ctx, stateKey(run, cluster.name)('kubeconfig'), temp);
            const kubectl = new kube_kubectl/* Kubectl */.b(ctx.runner, { kubeconfig: files.kubeconfig, path: ctx.tools.kubectl });
            await buildWait(run.waits, 'kubernetes-api', () => kubectl.apiReady(), {
                timeoutMs: ctx.pace.apiTimeoutMs,
                intervalMs: ctx.pace.pollMs,
                describe: `the Kubernetes API of ${cluster.name} at https://${cluster.vip}:6443`,
            });
        },
    };
}
function ciliumStep(run, cluster, nodeCount) {
    const { ctx } = run;
    const { spec } = ctx.twin;
    return {
        id: `cilium:${cluster.name}`,
        title: `${cluster.name}: Cilium (CNI, mesh identity)`,
        doing: `installing Cilium on ${cluster.name} and waiting for its agents`,
        stage: 'cilium',
        needs: [`api:${cluster.name}`],
        run: async () => {
            const kubeconfig = run.files.get(cluster.name).kubeconfig;
            const own = ciliumValues({ clusterName: cluster.name, clusterId: cluster.id, ca: run.ca, nodeCount });
            const values = (0,clustermesh/* twinCiliumValues */.W4)(own, meshPeers(run.plan));
            const helm = new kube_helm/* Helm */.f(ctx.runner, { kubeconfig, path: ctx.tools.helm });
            // Keep the upgradeCompatibility the release layer set at a minor upgrade (I.1: kept once set), and
            // leave an unchanged release alone.
            const deployed = await helm.userValues('cilium', 'kube-system');
            const wanted = {
                ...values,
                ...(deployed?.upgradeCompatibility ? { upgradeCompatibility: deployed.upgradeCompatibility } : {}),
            };
            const status = deployed && (await helm.status('cilium', 'kube-system'));
            const current = status && status.status === 'deployed' && status.chartVersion === spec.cilium.version;
            if (status && status.status === 'deployed' && !current) {
                // Another chart version is the release layer's (converge.ts): pre-flight first across a minor (I.1),
                // and only once the nodes run what the new version supports.
                ctx.log(`${cluster.name}: Cilium ${status.chartVersion} runs; ${spec.cilium.version} follows in the release layer`);
            }
            else if (!current || (0,util_values/* canonicalJson */.d)(wanted) !== (0,util_values/* canonicalJson */.d)(deployed)) {
                const valuesFile = await ctx.store.write(stateKey(run, cluster.name)('cilium-values.yaml'), valuesYaml(wanted));
                await helm.upgradeInstall({
                    release: 'cilium',
                    ...CILIUM_CHART,
                    version: spec.cilium.version,
                    namespace: 'kube-system',
                    valuesFile,
                });
            }
            const kubectl = new kube_kubectl/* Kubectl */.b(ctx.runner, { kubeconfig, path: ctx.tools.kubectl });
            await kubectl.rolloutStatus('daemonset', 'cilium', 'kube-system', ctx.pace.rolloutTimeoutSec);
        },
    };
}
/** Every cluster of the twin with the addresses of the nodes it keeps or gains: the mesh's peers. */
function meshPeers(plan) {
    return plan.clusters.map((cluster) => ({
        name: cluster.name,
        id: cluster.id,
        addresses: plan.vms
            .filter((vm) => vm.cluster === cluster.name && vm.action !== 'destroy')
            .map((vm) => vm.address),
    }));
}
function readyStep(run, cluster, members) {
    const { ctx } = run;
    return {
        id: `ready:${cluster}`,
        title: `${cluster}: all ${members.length} nodes Ready`,
        doing: `waiting for the ${members.length} nodes of ${cluster} to be Ready`,
        stage: 'cilium',
        needs: [`cilium:${cluster}`, ...members.map((vm) => `talos:${vm.name}`)],
        run: async () => {
            const kubectl = new kube_kubectl/* Kubectl */.b(ctx.runner, {
                kubeconfig: run.files.get(cluster).kubeconfig,
                path: ctx.tools.kubectl,
            });
            // The operator's replicas want distinct nodes: a late node (a slow boot) holds its rollout up.
            await kubectl.rolloutStatus('deployment', 'cilium-operator', 'kube-system', ctx.pace.rolloutTimeoutSec);
            const names = new Set(members.map((vm) => vm.name));
            // Once every node is registered, kubectl watches them turn Ready (a slice at a time) instead of polling.
            const sliceSec = Math.max(1, Math.round(ctx.pace.nodesReadyTimeoutMs / 10_000));
            await (0,readiness/* waitUntil */.a)(async () => {
                const nodes = (await kubectl.nodes()).filter((node) => names.has(node.name));
                const ready = nodes.filter((node) => node.ready).length;
                const detail = `${ready}/${names.size} Ready`;
                if (ready === names.size)
                    return { ready: true, detail };
                if (nodes.length < names.size)
                    return { ready: false, detail };
                return { ready: await kubectl.waitNodesReady([...names], sliceSec), detail };
            }, {
                timeoutMs: ctx.pace.nodesReadyTimeoutMs,
                intervalMs: ctx.pace.pollMs,
                describe: `every node of ${cluster} Ready`,
            });
        },
    };
}

// EXTERNAL MODULE: ./src/twin/platform-steps.ts
var platform_steps = __webpack_require__(87817);
;// CONCATENATED MODULE: ./src/twin/apply.ts
















/**
 * Converges a twin: a missing twin is created, an existing one keeps every healthy node, gains or loses
 * workers, and is never bootstrapped twice. Every step checks what exists first, so a run that was killed
 * midway is finished by the next one. It holds the twin's lock throughout (destroy and the reaper take the
 * same), so no destroy or reap of the twin runs meanwhile. With `platform`, the mesh and day 2 too.
 */
async function applyTwin(ctx, platform) {
    return withTwinLock(ctx, 'apply', () => applyHeld(ctx, platform));
}
async function applyHeld(ctx, platform) {
    const { plan, reservation } = await claimAndPlan(ctx).catch((error) => {
        if ((0,errors/* isConfigurationError */.p0)(error))
            throw error;
        throw new Error(`stage plan, ${ctx.twin.twin}: reading Proxmox and claiming the slot: ${(0,errors/* errorMessage */.gJ)(error)}`, {
            cause: error,
        });
    });
    const ca = await ensureMeshCa(ctx.store, ctx.twin.twin); // before clusters run in parallel: one CA per twin
    const work = ctx.workDir;
    await (0,work_dir/* freshWorkDir */.X)(work);
    try {
        const running = runsAlready(plan);
        const clusters = outcome(ctx, plan, []).clusters;
        // What the real systems refuse is refused before anything changes (converge refuses the same again).
        if (running)
            await refuseLayerChanges(ctx, plan, clusters, ca);
        const build = buildSteps(ctx, plan, ca, work);
        const release = reservation ? [reservationStep(ctx, plan, reservation, build)] : [];
        // A new twin: the platform's steps start as soon as what they need is up, in the same graph.
        const joined = platform && !running ? platform(clusters, buildGates(build)) : undefined;
        const { records } = await (0,executor/* runGraph */.C3)([...build, ...release, ...(joined?.steps ?? [])], ctx.events);
        if (reservation && records.find((r) => r.id === RELEASE_STEP)?.state !== 'done')
            await releaseReservation(ctx, plan, reservation);
        const built = outcome(ctx, plan, recordsOf(records, build));
        if (joined)
            return { ...built, platform: (0,platform_steps/* platformOutcome */.wc)(recordsOf(records, joined.steps), joined) };
        if (!running || !built.ok)
            return built;
        // Nodes that ran already: each layer brought to the spec in place (day 2's Rook releases are day 2's).
        const converged = withConverge(built, await convergeLayers(ctx, plan, built.clusters, ca, { rook: false }));
        if (!platform || !converged.ok)
            return converged;
        const after = platform(converged.clusters, { ...platform_steps/* AFTER_BUILD */.IQ, meshRequirementsStep: true });
        const { records: platformRecords } = await (0,executor/* runGraph */.C3)(after.steps, ctx.events);
        return { ...converged, platform: (0,platform_steps/* platformOutcome */.wc)(platformRecords, after) };
    }
    finally {
        await (0,promises_.rm)(work, { recursive: true, force: true });
    }
}
const RELEASE_STEP = 'capacity-reservation';
/** The slot's capacity reservation is dropped once every VM exists: from then on PVE counts them itself. */
function reservationStep(ctx, plan, reservation, build) {
    return {
        id: RELEASE_STEP,
        title: 'capacity reservation released',
        doing: 'releasing the capacity reservation of the new VMs',
        stage: 'vm',
        needs: build.filter((step) => step.id.startsWith('vm-create:')).map((step) => step.id),
        run: () => releaseReservation(ctx, plan, reservation),
    };
}
/** The build steps a platform step joined to them waits for (none where the cluster has no such step). */
function buildGates(build) {
    const ids = new Set(build.map((step) => step.id));
    const gate = (id) => (ids.has(id) ? [id] : []);
    return {
        meshRequirementsStep: true,
        api: (cluster) => gate(`api:${cluster}`),
        ready: (cluster) => gate(`ready:${cluster}`),
        meshed: [],
    };
}
function recordsOf(records, steps) {
    const ids = new Set(steps.map((step) => step.id));
    return records.filter((record) => ids.has(record.id));
}
function buildSteps(ctx, plan, ca, work) {
    const vms = new VmLifecycle(ctx.client, { paceScale: ctx.pace.scale });
    // PVE serialises allocations on a storage behind one lock with a 10 s timeout; importing a Talos image
    // takes longer, so parallel creates on one node's storage only queue on that lock and time out. Queue here.
    const storageQueue = new KeyedLimiter(1);
    const talosctl = new Talosctl(ctx.runner, { path: ctx.tools.talosctl });
    const run = { ctx, plan, vms, talosctl, ca, work, files: new Map(), waits: buildWaits(ctx.pace) };
    const wanted = plan.vms.filter((vm) => vm.definition && vm.action !== 'conflict');
    return [
        ...imageSteps(ctx, plan, vms, wanted),
        ...wanted.flatMap((vm) => vmSteps(ctx, plan, vms, storageQueue, vm)),
        ...plan.clusters.flatMap((cluster) => clusterSteps(run, cluster, wanted.filter((vm) => vm.cluster === cluster.name))),
    ];
}
function outcome(ctx, plan, records) {
    const clusters = plan.clusters.map((cluster) => ({
        name: cluster.name,
        id: cluster.id,
        endpoint: `https://${cluster.vip}:6443`,
        vip: cluster.vip,
        pods: cluster.pods,
        nodes: plan.vms
            .filter((vm) => vm.cluster === cluster.name && vm.action !== 'destroy')
            .map((vm) => ({
            name: vm.name,
            role: vm.role,
            address: vm.address,
            vmid: vm.vmid,
            pveNode: vm.pveNode,
            extraDisks: vm.definition?.extraDisksGiB.length ?? 0,
        })),
        ...(0,twin_outcome/* clusterKeys */.BM)(ctx.store, plan.twin, cluster.name),
    }));
    const failed = records.filter((record) => record.state === 'failed');
    return {
        twin: plan.twin,
        environment: plan.environment,
        slot: plan.slot,
        pool: plan.pool,
        clusters,
        records,
        ok: failed.length === 0 && records.every((record) => record.state === 'done'),
        ...(failed.length > 0 ? { failure: (0,twin_outcome/* describeFailures */.ng)(records) } : {}),
    };
}
/** Whether some VM of the twin ran before this run: only then can a layer differ from the spec. */
function runsAlready(plan) {
    return plan.vms.some((vm) => vm.action === 'keep' || vm.action === 'change');
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

;// CONCATENATED MODULE: ./src/twin/ownership.ts





/**
 * The twin's slot pools with what their claims recorded, and the VMs that are provably its own by them.
 * A claim made before the record existed is read with the spec of the moment, and the log says so.
 */
async function observeOwnership(ctx) {
    const twin = ctx.twin.twin;
    const claims = (await listSlotClaims(ctx.client, slotPoolPrefixes(ctx.twin.spec))).filter((claim) => claim.twin === twin);
    const holdings = claims.map((claim) => {
        if (claim.identity)
            return { twin, pool: claim.poolId, identity: claim.identity };
        ctx.log(`pool ${claim.poolId} has no identity record (claimed before records): using the spec's layout`);
        return { twin, pool: claim.poolId, identity: slotIdentity(ctx.twin, layoutTwin(ctx.twin, claim.slot)) };
    });
    const { owned, foreign } = sortByOwnership(await listVms(ctx.client), twin, holdings);
    return { claims, holdings, owned, foreign };
}

;// CONCATENATED MODULE: ./src/twin/destroy.ts











/**
 * Removes a twin without a trace, holding the twin's lock (apply and the reaper take the same): first waits
 * for creates still in flight in the VMIDs its claims recorded (a killed apply leaves them running on PVE,
 * untagged and outside the pool until they end), then the VMs that are provably its own (members of its
 * slot pool, inside the recorded VMID range, named and tagged as its VMs; see sortByOwnership), each checked
 * again by name and tags at its VMID before it is deleted, then its slot pool and its state-store entries.
 * VMs that match only in part are never touched and are reported. "Does not exist" counts as done, so a
 * destroy that was interrupted can simply run again. It ends by proving that nothing of the twin is left.
 */
async function destroyTwin(ctx) {
    return withTwinLock(ctx, 'destroy', () => destroyHeld(ctx));
}
async function destroyHeld(ctx) {
    const twin = ctx.twin.twin;
    const pveNodes = await pveNodesOf(ctx);
    const seen = await observeOwnership(ctx);
    // Before anything is deleted: a create that ends later would join the pool after it is gone, tagged and
    // found by nobody. Once it ended, its VM is in the pool and is the twin's like the others.
    const running = await waitForCreatesInFlight(ctx, pveNodes, recordedVmids(seen.holdings), 'run destroy again');
    const { holdings, owned, foreign } = running.length > 0 ? await observeOwnership({ ...ctx, log: () => { } }) : seen;
    refuseForeignMembers(twin, holdings, foreign);
    for (const vm of foreign)
        ctx.log(`left alone, not this twin's: ${describeForeign(vm)}`);
    const vms = await destroyVms(ctx, owned);
    const pools = [];
    for (const claim of await listSlotClaims(ctx.client, slotPoolPrefixes(ctx.twin.spec))) {
        if (claim.twin !== twin)
            continue;
        await ctx.client.delete('/pools', { poolid: claim.poolId });
        pools.push(claim.poolId);
        ctx.log(`released slot ${claim.slot} (pool ${claim.poolId})`);
    }
    const stateEntries = (await ctx.store.list(twin)).length;
    await ctx.store.removeTwin(twin);
    await proveGone(ctx, { holdings, foreign, pveNodes });
    const waitedFor = running.map((task) => task.vmid);
    return { twin, existed: holdings.length > 0, vms, foreign, waitedFor, pools, stateEntries };
}
/** Every node of the PVE cluster: a create may run on a node the spec of the moment no longer names. */
async function pveNodesOf(ctx) {
    return listNodeNames(ctx.client);
}
/** The VMIDs the twin's claims recorded. */
function recordedVmids(holdings) {
    return {
        has: (vmid) => holdings.some((h) => vmid >= h.identity.vmids.first && vmid <= h.identity.vmids.last),
    };
}
/**
 * PVE deletes no pool that still has members, so a VM in the twin's slot pool that is not provably the
 * twin's would stop destroy half-way. It is refused before anything changes, naming the VMs and the fix.
 */
function refuseForeignMembers(twin, holdings, foreign) {
    const members = foreign.filter((vm) => holdings.some((h) => h.pool === vm.pool));
    if (members.length === 0)
        return;
    throw new errors/* ConfigurationError */.j1(`twin ${twin} cannot be destroyed, nothing was changed: its slot pool holds VMs that are not provably ` +
        `its own, and PVE deletes no pool with members:\n  ${members.map(describeForeign).join('\n  ')}\n` +
        "look at them; if they are not the twin's, move them out of the pool (pvesh set /pools --poolid " +
        `${members[0].pool} --vms ${members.map((vm) => vm.vmid).join(',')} --delete 1), else remove them by ` +
        'hand; then run destroy again');
}
async function destroyVms(ctx, owned) {
    const { project } = ctx.twin.spec;
    const twin = ctx.twin.twin;
    const lifecycle = new VmLifecycle(ctx.client, { paceScale: ctx.pace.scale });
    const vms = [];
    const steps = owned.map((vm) => ({
        id: `destroy:${vm.vmid}`,
        title: `${vm.name}: VM ${vm.vmid} on ${vm.node} removed`,
        doing: `stopping and removing VM ${vm.name} (${vm.vmid}) on ${vm.node}`,
        stage: 'destroy',
        needs: [],
        run: async () => {
            const result = await lifecycle.destroy(vm.node, vm.vmid, {
                name: vm.name,
                tags: ownerTags(vm, project, twin),
            });
            vms.push({ name: vm.name, vmid: vm.vmid, pveNode: vm.node, result });
            ctx.log(`${vm.name} (VM ${vm.vmid} on ${vm.node}): ${result}`);
        },
    }));
    const { failed } = await (0,executor/* runGraph */.C3)(steps, ctx.events);
    if (failed.length > 0) {
        throw new errors/* ConfigurationError */.j1(`destroy of twin ${twin} left VMs behind; run it again:\n  ${failed.map((r) => `${r.title}: ${(0,errors/* errorMessage */.gJ)(r.error)}`).join('\n  ')}`);
    }
    return vms;
}
/** The ownership tags a VM must still carry for destroy to touch it (none on a VM never tagged). */
function ownerTags(vm, project, twin) {
    return [project, `twin-${twin}`].filter((tag) => vm.tags.includes(tag));
}
/**
 * Nothing of the twin is left: no VM of its own by the holdings it had, no VM the token can see in their
 * VMIDs but the foreign ones reported and left alone, no create task running for those VMIDs, no slot pool,
 * no state entry.
 */
async function proveGone(ctx, had) {
    const twin = ctx.twin.twin;
    const vmids = recordedVmids(had.holdings);
    const leftAlone = new Set(had.foreign.map((vm) => `${vm.vmid} ${vm.name}`));
    const vms = await listVms(ctx.client);
    const owned = new Set(sortByOwnership(vms, twin, had.holdings).owned.map((vm) => vm.vmid));
    const leftovers = [
        ...vms
            .filter((vm) => owned.has(vm.vmid) || (vmids.has(vm.vmid) && !leftAlone.has(`${vm.vmid} ${vm.name}`)))
            .map((vm) => `VM ${vm.vmid} ${vm.name}`),
        ...(await createsInFlight(ctx.client, had.pveNodes, vmids)).map((task) => `a create task of VMID ${task.vmid} on ${task.pveNode} (${task.upid})`),
        ...(await listSlotClaims(ctx.client, slotPoolPrefixes(ctx.twin.spec)))
            .filter((c) => c.twin === twin)
            .map((c) => `pool ${c.poolId}`),
        ...(await ctx.store.list(twin)).map((key) => `state ${[key.cluster, key.name].filter(Boolean).join('/')}`),
    ];
    if (leftovers.length > 0) {
        throw new errors/* ConfigurationError */.j1(`twin ${twin} is not entirely gone: ${leftovers.join(', ')}; run destroy again`);
    }
}

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

// EXTERNAL MODULE: ./src/twin/mesh.ts
var mesh = __webpack_require__(18377);
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
        source: `kubectl -n ${addons_rook/* ROOK_NAMESPACE */.MN} get cephclusters.ceph.rook.io rook-ceph -o json`,
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
        object = await kubectl.getObject('cephclusters.ceph.rook.io', 'rook-ceph', addons_rook/* ROOK_NAMESPACE */.MN);
        if (!object)
            return `no CephCluster rook-ceph in namespace ${addons_rook/* ROOK_NAMESPACE */.MN}\n`;
        return `${JSON.stringify(object.status ?? {}, null, 2)}\n`;
    });
    if (!object)
        return [statusItem, skipped(detail, 'no CephCluster status to read (see ceph-status.json)')];
    const found = object;
    return [statusItem, await collect(detail, probe.timeoutMs, async () => cephHealthDetail(found))];
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
    const { header, rows } = (0,twin_outcome/* stageTimingTable */.TP)(records, scale);
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
var external_node_zlib_ = __webpack_require__(38522);
;// CONCATENATED MODULE: ./src/diagnostics/tar.ts

const BLOCK = 512;
const FILE_MODE = 0o600;
function tarGzip(entries, mtime) {
    const blocks = [];
    for (const entry of entries) {
        const content = typeof entry.content === 'string' ? Buffer.from(entry.content, 'utf8') : entry.content;
        blocks.push(tar_header(entry.name, content.length, mtime), content, Buffer.alloc(padding(content.length)));
    }
    blocks.push(Buffer.alloc(2 * BLOCK));
    return (0,external_node_zlib_.gzipSync)(Buffer.concat(blocks));
}
function padding(size) {
    return (BLOCK - (size % BLOCK)) % BLOCK;
}
function tar_header(path, size, mtime) {
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
    const record = await (0,twin_outcome/* readTwinRecord */.Ak)(store, twin);
    return (record?.clusters ?? []).map((cluster) => ({
        ...cluster,
        ...(0,twin_outcome/* clusterKeys */.BM)(store, twin, cluster.name),
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

;// CONCATENATED MODULE: ./src/github/platform-words.ts
/** Every pair that either side reports, once, in the order the report names them. */
function platform_words_meshPairs(mesh) {
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
function platform_words_pairConnected(pair) {
    return pair.firstSeesSecond === 'connected' && pair.secondSeesFirst === 'connected';
}
/** `connected` when both sides say so, else what each side sees (`east sees west: not ready`). */
function platform_words_pairStates(pair) {
    if (platform_words_pairConnected(pair))
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
function platform_words_countsInWords(counts) {
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
function platform_words_cephInWords(status) {
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
    const pairs = platform_words_meshPairs(report.mesh).filter((pair) => ids.has(pair.first) && ids.has(pair.second));
    for (const pair of pairs) {
        lines.push(`  ${ids.get(pair.first)} <-->|${label(platform_words_pairStates(pair))}| ${ids.get(pair.second)}`);
    }
    // Edges are numbered in the order they are drawn; only mesh edges are drawn.
    const broken = pairs.flatMap((pair, index) => (platform_words_pairConnected(pair) ? [] : [index]));
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
                platform_words_countsInWords(check.counts) || '-',
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

;// CONCATENATED MODULE: ./src/actions/provision-platform.ts





/**
 * The mesh and day 2 as steps of provision's graph (input `platform: true`); loaded only then, so a provision
 * step without them evaluates none of their code.
 */
async function platformForApply(ctx, specFile) {
    const { twinPlatform } = await __webpack_require__.e(/* import() */ 54).then(__webpack_require__.bind(__webpack_require__, 99054));
    return twinPlatform(ctx, (0,files/* specFolder */.os)(specFile, (0,step_context/* workspaceRoot */.oS)()));
}
/**
 * After an apply that brought the platform up too: the report kept for later steps, the outputs action-mesh
 * and action-day2 set, a summary of it, and a note that this job's mesh and day-2 steps have nothing left to
 * do. Returns the platform's failure, if any.
 */
async function finishPlatform(ctx, outcome) {
    const platform = outcome.platform;
    if (!platform)
        return undefined;
    const report = await (0,twin_platform/* savePlatformReport */.PL)(ctx.store, outcome.twin, platform.report, await (0,twin_platform/* loadPlatformReport */.Os)(ctx.store, outcome.twin));
    setPlatformOutputs(report);
    const job = currentJob();
    if (platform.ok && job)
        await (0,twin_platform/* markPlatformRun */.A3)(ctx.store, outcome.twin, job);
    await writePlatformSummary(`Twin ${outcome.twin}: mesh and day 2 ${platform.ok ? 'done' : 'failed'}`, outcome.clusters.map((cluster) => ({ name: cluster.name, id: cluster.id, nodes: cluster.nodes })), report, platform.failure);
    return platform.ok ? undefined : (platform.failure ?? 'the mesh or day 2 failed');
}

;// CONCATENATED MODULE: ./src/actions/provision-run.ts

































function loadCheckedSpec(settings) {
    const { spec, warnings } = loadSpec(settings.specFile, (0,step_context/* workspaceRoot */.oS)(), settings.layoutSpecFile);
    for (const warning of warnings)
        core/* warning */.$e(formatIssue(warning));
    return spec;
}
async function twinContext(settings, spec, name) {
    const twin = resolveTwin(spec, name); // the name is validated before any path is built from it
    const workDir = stepWorkDir(twin.twin, 'work');
    core/* saveState */.LZ(action_io/* State */.Uw.TemporaryFiles, JSON.stringify([workDir]));
    return {
        twin,
        client: new PveClient(settings.connection, { logger: { debug: core/* debug */.Yz, warning: core/* warning */.$e } }),
        store: settings.store,
        runner: runner/* execRunner */.M6,
        tools: settings.operation === 'apply'
            ? await (0,step_context/* toolPaths */.D1)(settings.tools)
            : { talosctl: 'talosctl', kubectl: 'kubectl', helm: 'helm' },
        workDir,
        pace: paceFor(undefined),
        log: action_io/* logLine */.BP,
        events: step_context/* stepLogEvents */.AE,
    };
}
/**
 * The scheduled reaper: preview twins whose pull request is closed or whose TTL has passed, found from the
 * slot pools in Proxmox (not from a list someone keeps), destroyed one by one, each in its own try so one
 * stuck twin does not keep the others; then the state of preview twins that no longer exist anywhere. With
 * dry-run it only lists. It fails at the end, naming every twin it could not reap.
 */
async function reap(settings, spec) {
    if (!settings.githubToken) {
        throw new errors/* ConfigurationError */.j1('operation reap needs input github-token (e.g. ${{ github.token }}) to read pull request states');
    }
    const status = await twinStatusFor(settings.githubToken, settings.store);
    const { githubClient, repoFromEnv } = await Promise.all(/* import() */[__webpack_require__.e(413), __webpack_require__.e(702)]).then(__webpack_require__.bind(__webpack_require__, 6702));
    const client = new PveClient(settings.connection, { logger: { debug: core/* debug */.Yz, warning: core/* warning */.$e } });
    const decisions = await reapCandidates({
        claims: await listSlotClaims(client, slotPoolPrefixes(spec)),
        now: new Date(),
        policy: expiry_reapPolicyOf(spec),
        pullRequest: pullRequestLookup(githubClient(settings.githubToken), repoFromEnv()),
    });
    if (settings.dryRun)
        for (const d of decisions)
            core/* info */.pq(`would destroy ${d.twin}: ${d.detail}`);
    const { skipped, failures, leftAlone } = await reapEach(settings.dryRun ? [] : decisions, async (decision) => {
        core/* info */.pq(`destroying ${decision.twin}: ${decision.detail}`);
        const ctx = await twinContext(settings, spec, decision.twin);
        const result = await (0,action_io/* withGroup */.I1)(`Destroy twin ${decision.twin}`, () => destroyTwin(ctx));
        await status?.destroyed(decision.twin);
        return result;
    }, { warning: core/* warning */.$e, error: core/* error */.z3 });
    const sweep = await (0,action_io/* withGroup */.I1)('State of twins that no longer exist', () => removeOrphanedState(client, spec, settings.store, {
        dryRun: settings.dryRun,
        pace: paceFor(undefined),
        log: action_io/* logLine */.BP,
    }));
    core/* setOutput */.uH(action_io/* Outputs */.tY.Reaped, JSON.stringify(decisions));
    await writeReapSummary(decisions, settings.dryRun, sweep, [...failures, ...skipped], leftAlone);
    if (failures.length > 0) {
        throw new errors/* ConfigurationError */.j1(`the reaper could not reap ${failures.length} of ${decisions.length} twin(s); the others were reaped or skipped:\n  ` +
            failures.join('\n  '));
    }
}
/** The step's work once its inputs are read: apply, destroy, plan or reap. */
async function provision(settings) {
    const spec = loadCheckedSpec(settings);
    if (settings.operation === 'reap')
        return reap(settings, spec);
    const name = settings.twinInput ?? (0,identity/* twinNameFromContext */.n2)(readGitHubContext(), spec.environments.production.branch);
    if (settings.operation === 'destroy')
        refuseUnguardedDestroy(name, settings.allowProductionDestroy);
    const ctx = await twinContext(settings, spec, name);
    const status = settings.operation === 'plan' ? undefined : await twinStatusFor(settings.githubToken, ctx.store);
    core/* setOutput */.uH(action_io/* Outputs */.tY.Twin, ctx.twin.twin);
    core/* setOutput */.uH(action_io/* Outputs */.tY.Environment, ctx.twin.environment);
    core/* setOutput */.uH(action_io/* Outputs */.tY.StateDir, settings.stateDir);
    if (settings.operation === 'plan')
        return planOperation(ctx);
    // Before the slot is claimed or anything else changes: a missing right stops the step here, named.
    const operation = settings.operation === 'destroy' ? 'destroy' : 'apply'; // plan and reap returned above
    await (0,action_io/* withGroup */.I1)('Preflight: Proxmox rights', () => requireRights(ctx.client, spec, { operation, environments: [ctx.twin.environment] }, settings.connection.tokenId, core/* info */.pq));
    if (settings.operation === 'destroy') {
        const result = await (0,action_io/* withGroup */.I1)(`Destroy twin ${ctx.twin.twin}`, () => destroyTwin(ctx));
        if (!result.existed)
            core/* info */.pq(`twin ${result.twin} does not exist: nothing to destroy`);
        for (const vm of result.foreign)
            core/* warning */.$e(`left alone, not twin ${result.twin}'s: ${describeForeign(vm)}`);
        await status?.destroyed(ctx.twin.twin);
        await writeDestroySummary(result);
        return;
    }
    await status?.begin(ctx.twin.twin, 'provision');
    // The TTL counts from this apply: it marks the twin's claim active (or claims it) first thing.
    const appliedAt = new Date();
    // The Proxmox token is scanned for too: the plan read through it goes into the bundle.
    const diagnose = (clusters, run) => diagnoseFailedStep('provision', ctx, clusters, { ...run, plan: proxmoxPlan(ctx.client, ctx.twin) }, [
        settings.connection.tokenSecret,
    ]);
    const platform = settings.platform ? await platformForApply(ctx, settings.specFile) : undefined;
    const outcome = await (0,action_io/* withGroup */.I1)(`Converge twin ${ctx.twin.twin}`, () => applyTwin(ctx, platform)).catch(async (error) => {
        await status?.fail(ctx.twin.twin, ctx.twin.environment, (0,errors/* errorMessage */.gJ)(error), 'provision failed');
        // A refusal changed nothing and names its cause; any other error leaves a bundle to look at.
        if (!(0,errors/* isConfigurationError */.p0)(error))
            await diagnose(await recordedClusters(ctx.store, ctx.twin.twin), { failure: (0,errors/* errorMessage */.gJ)(error) });
        throw error;
    });
    core/* setOutput */.uH(action_io/* Outputs */.tY.Slot, String(outcome.slot));
    core/* setOutput */.uH(action_io/* Outputs */.tY.Clusters, JSON.stringify(outcome.clusters.map(({ name, id, vip, endpoint, nodes }) => ({
        name,
        id,
        vip,
        endpoint,
        nodes: nodes.map(({ name: node, role, address }) => ({ name: node, role, address })),
    }))));
    core/* setOutput */.uH(action_io/* Outputs */.tY.Kubeconfigs, JSON.stringify(Object.fromEntries(outcome.clusters.map((c) => [c.name, c.kubeconfig]))));
    core/* setOutput */.uH(action_io/* Outputs */.tY.Talosconfigs, JSON.stringify(Object.fromEntries(outcome.clusters.map((c) => [c.name, c.talosconfig]))));
    if (outcome.ok)
        await (0,twin_outcome/* saveTwinRecord */.P2)(ctx.store, outcome, appliedAt); // what action-mesh and action-day2 start from
    const lab = await shareAndExpiry(ctx);
    await status?.finish(twinReportFromOutcome(outcome, { updatedAt: new Date(), releases: releasesOf(ctx.twin.spec), ...lab }), statusLine(outcome));
    await writeApplySummary(outcome, ctx.pace.scale, lab);
    const failure = outcome.ok ? await finishPlatform(ctx, outcome) : outcome.failure;
    if (failure === undefined)
        return;
    const records = [...outcome.records, ...(outcome.platform?.records ?? [])];
    await diagnose(outcome.clusters, { records, failure });
    throw new Error(`twin ${outcome.twin} is not ready:\n${failure}`);
}
/** The deployment status line after an apply (at most 140 characters). */
function statusLine(outcome) {
    if (!outcome.ok)
        return 'provision failed; the job log says where';
    if (!outcome.platform)
        return 'clusters ready; mesh and day-2 next';
    return outcome.platform.ok
        ? 'clusters, mesh and day 2 ready'
        : 'mesh or day 2 failed; the job log says where';
}
/** The twin's share of the lab and its expiry after the apply; a failed read costs those lines only. */
async function shareAndExpiry(ctx) {
    try {
        return await twinShareAndExpiry(ctx.client, ctx.twin.spec, ctx.twin.twin);
    }
    catch (error) {
        core/* warning */.$e(`the twin's share of the lab could not be read: ${(0,errors/* errorMessage */.gJ)(error)}`);
        return {};
    }
}
/**
 * Production is destroyed only on purpose: the step must say so with input allow-production-destroy, which
 * the example workflow sets only when the person who dispatched it typed the twin's name. Checked before
 * anything is read or changed.
 */
function refuseUnguardedDestroy(name, allowed) {
    if (allowed || environmentOf((0,identity/* validateTwinName */.Y6)(name)) !== 'production')
        return;
    throw new errors/* ConfigurationError */.j1(`operation destroy of the production twin "${name}" is refused, nothing was changed: set input ` +
        `${action_io/* Inputs */.G0.AllowProductionDestroy}: true to destroy it (the example workflow sets it only when the dispatch ` +
        `input confirm is typed as the twin's name)`);
}


/***/ }),

/***/ 74513:
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
var errors = __webpack_require__(83916);
// EXTERNAL MODULE: ./node_modules/yaml/dist/index.js
var dist = __webpack_require__(38815);
// EXTERNAL MODULE: ./src/sizing/allocatable.ts
var allocatable = __webpack_require__(24018);
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

/***/ 47564:
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
/* harmony import */ var _workloads_js__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(64397);

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

/***/ 64397:
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
var errors = __webpack_require__(83916);
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

/***/ 92228:
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
var external_node_child_process_ = __webpack_require__(31421);
// EXTERNAL MODULE: ./node_modules/@actions/exec/lib/exec.js + 2 modules
var exec = __webpack_require__(75260);
// EXTERNAL MODULE: ./src/errors.ts
var errors = __webpack_require__(83916);
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

/***/ 78781:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   f: () => (/* binding */ Helm)
/* harmony export */ });
/* harmony import */ var zod__WEBPACK_IMPORTED_MODULE_1__ = __webpack_require__(38816);
/* harmony import */ var _exec_output_js__WEBPACK_IMPORTED_MODULE_2__ = __webpack_require__(92228);
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

/***/ 49283:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   b: () => (/* binding */ Kubectl)
/* harmony export */ });
/* harmony import */ var zod__WEBPACK_IMPORTED_MODULE_1__ = __webpack_require__(38816);
/* harmony import */ var _exec_output_js__WEBPACK_IMPORTED_MODULE_2__ = __webpack_require__(92228);
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

/***/ 49509:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   G: () => (/* binding */ manifestsYaml)
/* harmony export */ });
/* harmony import */ var yaml__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(38815);

/** One multi-document YAML stream for `kubectl apply -f`, in the order given (namespaces first). */
function manifestsYaml(objects) {
    return objects.map((object) => (0,yaml__WEBPACK_IMPORTED_MODULE_0__/* .stringify */ .As)(object, { lineWidth: 0 })).join('---\n');
}


/***/ }),

/***/ 15153:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   D: () => (/* binding */ WaitTimeoutError),
/* harmony export */   a: () => (/* binding */ waitUntil)
/* harmony export */ });
/* harmony import */ var _errors_js__WEBPACK_IMPORTED_MODULE_1__ = __webpack_require__(83916);
/* harmony import */ var _util_sleep_js__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(62701);


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

/***/ 99542:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   W4: () => (/* binding */ twinCiliumValues),
/* harmony export */   cm: () => (/* binding */ meshPrerequisiteProblems),
/* harmony export */   eF: () => (/* binding */ clustermeshValues)
/* harmony export */ });
/* unused harmony exports CLUSTERMESH_NODE_PORT, MAX_CONNECTED_CLUSTERS */
/* harmony import */ var node_crypto__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(77598);
/* harmony import */ var node_crypto__WEBPACK_IMPORTED_MODULE_0___default = /*#__PURE__*/__webpack_require__.n(node_crypto__WEBPACK_IMPORTED_MODULE_0__);
/* harmony import */ var _errors_js__WEBPACK_IMPORTED_MODULE_2__ = __webpack_require__(83916);
/* harmony import */ var _util_ipv4_js__WEBPACK_IMPORTED_MODULE_1__ = __webpack_require__(27881);
/* harmony import */ var _util_values_js__WEBPACK_IMPORTED_MODULE_3__ = __webpack_require__(7656);




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
        throw new _errors_js__WEBPACK_IMPORTED_MODULE_2__/* .ConfigurationError */ .j1(`a cluster mesh needs at least 2 clusters, the twin has ${peers.length}: declare another cluster in twin.yaml (clusters)`);
    }
    const byName = new Map();
    const byId = new Map();
    for (const peer of peers) {
        const sameName = byName.get(peer.name);
        if (sameName) {
            throw new _errors_js__WEBPACK_IMPORTED_MODULE_2__/* .ConfigurationError */ .j1(`cluster name "${peer.name}" appears twice in the mesh: give each cluster its own name in twin.yaml (clusters[].name)`);
        }
        const sameId = byId.get(peer.id);
        if (sameId) {
            throw new _errors_js__WEBPACK_IMPORTED_MODULE_2__/* .ConfigurationError */ .j1(`cluster ${peer.name}: cluster.id ${peer.id} is also used by ${sameId.name}: give each cluster its own id in twin.yaml (clusters[].id)`);
        }
        byName.set(peer.name, peer);
        byId.set(peer.id, peer);
        requirePeerId(peer);
        requirePeerAddresses(peer);
    }
}
function requirePeerId(peer) {
    if (!Number.isInteger(peer.id) || peer.id < 1 || peer.id > CLUSTER_ID_MAX) {
        throw new _errors_js__WEBPACK_IMPORTED_MODULE_2__/* .ConfigurationError */ .j1(`cluster ${peer.name}: cluster.id ${peer.id} is out of range: give each cluster its own id from 1 to ${CLUSTER_ID_MAX} in twin.yaml (clusters[].id)`);
    }
}
function requirePeerAddresses(peer) {
    if (peer.addresses.length === 0) {
        throw new _errors_js__WEBPACK_IMPORTED_MODULE_2__/* .ConfigurationError */ .j1(`cluster ${peer.name} has no node addresses for the mesh: provision the cluster first (action-provision) so its nodes have addresses`);
    }
    const bad = peer.addresses.find((address) => !(0,_util_ipv4_js__WEBPACK_IMPORTED_MODULE_1__/* .isIpv4 */ .eH)(address));
    if (bad !== undefined) {
        throw new _errors_js__WEBPACK_IMPORTED_MODULE_2__/* .ConfigurationError */ .j1(`cluster ${peer.name}: node address "${bad}" is not an IPv4 address: pass the nodes' IPv4 addresses, e.g. 192.168.15.21`);
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
            cidr = (0,_util_ipv4_js__WEBPACK_IMPORTED_MODULE_1__/* .parseCidr */ .GN)(member.podCidr);
        }
        catch {
            problems.push(`cluster ${member.cluster}: pod CIDR "${member.podCidr}" is not an IPv4 CIDR: write it as address/prefix in twin.yaml (clusters[].pods), e.g. 10.244.0.0/16`);
            continue;
        }
        const overlapped = parsed.find((earlier) => (0,_util_ipv4_js__WEBPACK_IMPORTED_MODULE_1__/* .rangesOverlap */ .g6)(earlier.cidr, cidr));
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
        fingerprints.push({ cluster, fingerprint: (0,node_crypto__WEBPACK_IMPORTED_MODULE_0__.createHash)('sha256').update(pem).digest('hex') });
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
    return (0,_util_values_js__WEBPACK_IMPORTED_MODULE_3__/* .mergeValues */ .D)(own, clustermeshValues(peers));
}


/***/ }),

/***/ 57229:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   Jk: () => (/* binding */ MESH_PROBE_NAME),
/* harmony export */   lv: () => (/* binding */ MESH_CHECK_NAMESPACE),
/* harmony export */   s4: () => (/* binding */ meshCheckManifests),
/* harmony export */   uK: () => (/* binding */ echoServiceName)
/* harmony export */ });
/* unused harmony export echoMessage */
/* harmony import */ var _addons_workloads_js__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(64397);
/* harmony import */ var _errors_js__WEBPACK_IMPORTED_MODULE_1__ = __webpack_require__(83916);


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

/***/ 32987:
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

/***/ 24018:
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
/* harmony import */ var node_fs__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(73024);
/* harmony import */ var node_fs__WEBPACK_IMPORTED_MODULE_0___default = /*#__PURE__*/__webpack_require__.n(node_fs__WEBPACK_IMPORTED_MODULE_0__);
/* harmony import */ var node_path__WEBPACK_IMPORTED_MODULE_1__ = __webpack_require__(76760);
/* harmony import */ var node_path__WEBPACK_IMPORTED_MODULE_1___default = /*#__PURE__*/__webpack_require__.n(node_path__WEBPACK_IMPORTED_MODULE_1__);
/* harmony import */ var _util_regular_file_js__WEBPACK_IMPORTED_MODULE_2__ = __webpack_require__(61215);



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

/***/ 27428:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   Fp: () => (/* binding */ waitForCeph),
/* harmony export */   l7: () => (/* binding */ cephStatus)
/* harmony export */ });
/* unused harmony export CEPH_CLUSTER */
/* harmony import */ var _addons_rook_js__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(74513);
/* harmony import */ var _util_sleep_js__WEBPACK_IMPORTED_MODULE_1__ = __webpack_require__(62701);


/** The CephCluster the rook-ceph-cluster chart makes. */
const CEPH_CLUSTER = {
    kind: 'cephclusters.ceph.rook.io',
    name: 'rook-ceph',
    namespace: _addons_rook_js__WEBPACK_IMPORTED_MODULE_0__/* .ROOK_NAMESPACE */ .MN,
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
            await (0,_util_sleep_js__WEBPACK_IMPORTED_MODULE_1__/* .sleep */ .y)(Math.min(pace.pollMs, remainingSec * 1000));
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


/***/ }),

/***/ 60487:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   T: () => (/* binding */ sampleService),
/* harmony export */   k: () => (/* binding */ runCheck)
/* harmony export */ });
/* harmony import */ var _addons_starwars_js__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(47564);
/* harmony import */ var _kube_readiness_js__WEBPACK_IMPORTED_MODULE_1__ = __webpack_require__(15153);


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

/***/ 66002:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   K: () => (/* binding */ missingStateError),
/* harmony export */   y: () => (/* binding */ refuseLostState)
/* harmony export */ });
/* harmony import */ var _errors_js__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(83916);

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
    throw new _errors_js__WEBPACK_IMPORTED_MODULE_0__/* .ConfigurationError */ .j1(`twin ${plan.twin} exists on Proxmox (slot ${plan.slot}, pool ${plan.pool}, ${existing.length} VM(s)) but ` +
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
    return new _errors_js__WEBPACK_IMPORTED_MODULE_0__/* .ConfigurationError */ .j1(`${store.describe()} holds no state of twin ${twin}: nothing was changed. Either action-provision has not ` +
        `applied this twin yet (run it first, with the same state-store and state-dir), or the twin runs and ` +
        `its state is elsewhere or lost. ${WAYS_OUT}`);
}


/***/ }),

/***/ 18377:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   O: () => (/* binding */ remoteClusters),
/* harmony export */   pz: () => (/* binding */ meshSteps)
/* harmony export */ });
/* unused harmony exports meshTwin, unsyncedFlags */
/* harmony import */ var node_path__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(76760);
/* harmony import */ var node_path__WEBPACK_IMPORTED_MODULE_0___default = /*#__PURE__*/__webpack_require__.n(node_path__WEBPACK_IMPORTED_MODULE_0__);
/* harmony import */ var node_fs_promises__WEBPACK_IMPORTED_MODULE_1__ = __webpack_require__(51455);
/* harmony import */ var node_fs_promises__WEBPACK_IMPORTED_MODULE_1___default = /*#__PURE__*/__webpack_require__.n(node_fs_promises__WEBPACK_IMPORTED_MODULE_1__);
/* harmony import */ var yaml__WEBPACK_IMPORTED_MODULE_2__ = __webpack_require__(38815);
/* harmony import */ var _errors_js__WEBPACK_IMPORTED_MODULE_13__ = __webpack_require__(83916);
/* harmony import */ var _kube_helm_js__WEBPACK_IMPORTED_MODULE_3__ = __webpack_require__(78781);
/* harmony import */ var _kube_kubectl_js__WEBPACK_IMPORTED_MODULE_4__ = __webpack_require__(49283);
/* harmony import */ var _kube_objects_js__WEBPACK_IMPORTED_MODULE_5__ = __webpack_require__(49509);
/* harmony import */ var _kube_readiness_js__WEBPACK_IMPORTED_MODULE_6__ = __webpack_require__(15153);
/* harmony import */ var _mesh_clustermesh_js__WEBPACK_IMPORTED_MODULE_7__ = __webpack_require__(99542);
/* harmony import */ var _mesh_mesh_check_js__WEBPACK_IMPORTED_MODULE_8__ = __webpack_require__(57229);
/* harmony import */ var _util_values_js__WEBPACK_IMPORTED_MODULE_11__ = __webpack_require__(7656);
/* harmony import */ var _curl_check_js__WEBPACK_IMPORTED_MODULE_9__ = __webpack_require__(60487);
/* harmony import */ var _platform_js__WEBPACK_IMPORTED_MODULE_12__ = __webpack_require__(89215);
/* harmony import */ var _platform_steps_js__WEBPACK_IMPORTED_MODULE_10__ = __webpack_require__(87817);















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
        helm: new _kube_helm_js__WEBPACK_IMPORTED_MODULE_3__/* .Helm */ .f(ctx.runner, { kubeconfig: cluster.kubeconfig, path: ctx.tools.helm }),
        kubectl: new _kube_kubectl_js__WEBPACK_IMPORTED_MODULE_4__/* .Kubectl */ .b(ctx.runner, { kubeconfig: cluster.kubeconfig, path: ctx.tools.kubectl }),
    });
    const mesh = (0,_mesh_clustermesh_js__WEBPACK_IMPORTED_MODULE_7__/* .clustermeshValues */ .eF)(clusters.map((cluster) => ({
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
                    const wanted = (0,_util_values_js__WEBPACK_IMPORTED_MODULE_11__/* .mergeValues */ .D)(current ?? {}, mesh);
                    if ((0,_util_values_js__WEBPACK_IMPORTED_MODULE_11__/* .canonicalJson */ .d)(wanted) === (0,_util_values_js__WEBPACK_IMPORTED_MODULE_11__/* .canonicalJson */ .d)(current)) {
                        ctx.log(`${cluster.name}: Cilium already meshed with the same peers; unchanged`);
                    }
                    else {
                        const valuesFile = await ctx.store.write({ twin: ctx.twin.twin, cluster: cluster.name, name: 'cilium-values.yaml' }, (0,yaml__WEBPACK_IMPORTED_MODULE_2__/* .stringify */ .As)(wanted, { lineWidth: 0 }));
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
                        await (0,_kube_readiness_js__WEBPACK_IMPORTED_MODULE_6__/* .waitUntil */ .a)(async () => {
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
                    const file = (0,node_path__WEBPACK_IMPORTED_MODULE_0__.join)(ctx.workDir, `${cluster.name}-mesh-check.yaml`);
                    await (0,node_fs_promises__WEBPACK_IMPORTED_MODULE_1__.writeFile)(file, (0,_kube_objects_js__WEBPACK_IMPORTED_MODULE_5__/* .manifestsYaml */ .G)((0,_mesh_mesh_check_js__WEBPACK_IMPORTED_MODULE_8__/* .meshCheckManifests */ .s4)(cluster.name, names)), { mode: 0o600 });
                    await kubectl.apply(file);
                    const timeoutSec = ctx.pace.rolloutTimeoutSec;
                    await kubectl.rolloutStatus('deployment', _mesh_mesh_check_js__WEBPACK_IMPORTED_MODULE_8__/* .MESH_PROBE_NAME */ .Jk, _mesh_mesh_check_js__WEBPACK_IMPORTED_MODULE_8__/* .MESH_CHECK_NAMESPACE */ .lv, timeoutSec);
                    await kubectl.rolloutStatus('deployment', (0,_mesh_mesh_check_js__WEBPACK_IMPORTED_MODULE_8__/* .echoServiceName */ .uK)(cluster.name), _mesh_mesh_check_js__WEBPACK_IMPORTED_MODULE_8__/* .MESH_CHECK_NAMESPACE */ .lv, timeoutSec);
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
                        const outcome = await (0,_curl_check_js__WEBPACK_IMPORTED_MODULE_9__/* .runCheck */ .k)(ctx, {
                            id: `mesh-reach:${cluster.name}->${remote}`,
                            title: `from ${cluster.name}, ${(0,_mesh_mesh_check_js__WEBPACK_IMPORTED_MODULE_8__/* .echoServiceName */ .uK)(remote)} (backends only in ${remote}) answers through the mesh`,
                            cluster: cluster.name,
                            take: () => (0,_curl_check_js__WEBPACK_IMPORTED_MODULE_9__/* .sampleService */ .T)({
                                kubectl,
                                namespace: _mesh_mesh_check_js__WEBPACK_IMPORTED_MODULE_8__/* .MESH_CHECK_NAMESPACE */ .lv,
                                client: `deploy/${_mesh_mesh_check_js__WEBPACK_IMPORTED_MODULE_8__/* .MESH_PROBE_NAME */ .Jk}`,
                                container: 'probe',
                                host: (0,_mesh_mesh_check_js__WEBPACK_IMPORTED_MODULE_8__/* .echoServiceName */ .uK)(remote),
                                requests: CHECK_REQUESTS,
                            }),
                            judge: (sample) => sample.byCluster[remote] === sample.requests
                                ? undefined
                                : `expected all ${sample.requests} answers from ${remote}`,
                        });
                        checks.push(outcome);
                        const failure = (0,_platform_js__WEBPACK_IMPORTED_MODULE_12__/* .describeFailedChecks */ .u0)([outcome]);
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
        throw new _errors_js__WEBPACK_IMPORTED_MODULE_13__/* .ConfigurationError */ .j1(`twin ${ctx.twin.twin} has ${clusters.length} cluster(s): a mesh needs at least two (add a cluster to twin.yaml)`);
    }
    const current = await Promise.all(clusters.map((cluster) => releaseValues(new _kube_helm_js__WEBPACK_IMPORTED_MODULE_3__/* .Helm */ .f(ctx.runner, { kubeconfig: cluster.kubeconfig, path: ctx.tools.helm }))));
    const members = clusters.map((cluster, index) => ({
        cluster: cluster.name,
        podCidr: cluster.pods,
        ciliumDeployed: current[index]?.deployed ?? false,
        ...(current[index]?.values ? { values: current[index].values } : {}),
    }));
    const problems = (0,_mesh_clustermesh_js__WEBPACK_IMPORTED_MODULE_7__/* .meshPrerequisiteProblems */ .cm)(members);
    if (problems.length > 0) {
        throw new _errors_js__WEBPACK_IMPORTED_MODULE_13__/* .ConfigurationError */ .j1(`the mesh cannot be built; nothing was changed:\n  ${problems.join('\n  ')}`);
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

/***/ 51646:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   Ak: () => (/* binding */ readTwinRecord),
/* harmony export */   BM: () => (/* binding */ clusterKeys),
/* harmony export */   P2: () => (/* binding */ saveTwinRecord),
/* harmony export */   TP: () => (/* binding */ stageTimingTable),
/* harmony export */   ng: () => (/* binding */ describeFailures),
/* harmony export */   oo: () => (/* binding */ loadTwinRecord)
/* harmony export */ });
/* harmony import */ var _errors_js__WEBPACK_IMPORTED_MODULE_1__ = __webpack_require__(83916);
/* harmony import */ var _plan_executor_js__WEBPACK_IMPORTED_MODULE_2__ = __webpack_require__(32987);
/* harmony import */ var _lost_state_js__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(66002);



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
            throw (0,_lost_state_js__WEBPACK_IMPORTED_MODULE_0__/* .missingStateError */ .K)(store, twin);
        throw new _errors_js__WEBPACK_IMPORTED_MODULE_1__/* .ConfigurationError */ .j1(`twin ${twin} has no record in the state store (${store.describe()}): ` +
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
        ...failed.map((record) => `stage ${record.stage}, ${record.title}: ${(0,_errors_js__WEBPACK_IMPORTED_MODULE_1__/* .errorMessage */ .gJ)(record.error)}`),
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
        rows: (0,_plan_executor_js__WEBPACK_IMPORTED_MODULE_2__/* .stageTimings */ .sV)(records).map((stage) => {
            const wall = stage.endedAt - stage.startedAt;
            return simulated
                ? [stage.stage, seconds(wall), seconds(wall / scale), String(stage.steps)]
                : [stage.stage, seconds(wall), String(stage.steps)];
        }),
    };
}


/***/ }),

/***/ 87817:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   IQ: () => (/* binding */ AFTER_BUILD),
/* harmony export */   wc: () => (/* binding */ platformOutcome)
/* harmony export */ });
/* unused harmony export runPlatformSteps */
/* harmony import */ var node_fs_promises__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(51455);
/* harmony import */ var node_fs_promises__WEBPACK_IMPORTED_MODULE_0___default = /*#__PURE__*/__webpack_require__.n(node_fs_promises__WEBPACK_IMPORTED_MODULE_0__);
/* harmony import */ var _util_work_dir_js__WEBPACK_IMPORTED_MODULE_1__ = __webpack_require__(97);
/* harmony import */ var _outcome_js__WEBPACK_IMPORTED_MODULE_2__ = __webpack_require__(51646);




/** The platform run after the build (action-mesh, action-day2): every cluster is up already. */
const AFTER_BUILD = {
    meshRequirementsStep: false,
    api: () => [],
    ready: () => [],
    meshed: [],
};
/** Runs steps in a private scratch folder that is removed afterwards, as applyTwin does. */
async function runPlatformSteps(ctx, steps) {
    await freshWorkDir(ctx.workDir);
    try {
        const { records } = await runGraph(steps, ctx.events);
        return stepsOutcome(records);
    }
    finally {
        await rm(ctx.workDir, { recursive: true, force: true });
    }
}
function stepsOutcome(records) {
    const failed = records.some((record) => record.state === 'failed');
    return {
        records,
        ok: !failed && records.every((record) => record.state === 'done'),
        ...(failed ? { failure: (0,_outcome_js__WEBPACK_IMPORTED_MODULE_2__/* .describeFailures */ .ng)(records) } : {}),
    };
}
/** A platform part's outcome from the records of its steps (run in a graph with others or alone). */
function platformOutcome(records, part) {
    return { ...stepsOutcome(records), report: part.report() };
}


/***/ }),

/***/ 89215:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   A3: () => (/* binding */ markPlatformRun),
/* harmony export */   Os: () => (/* binding */ loadPlatformReport),
/* harmony export */   PL: () => (/* binding */ savePlatformReport),
/* harmony export */   u0: () => (/* binding */ describeFailedChecks)
/* harmony export */ });
/* unused harmony exports platformRanIn, emptyPlatformReport */
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

/***/ 27881:
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
/* harmony import */ var _errors_js__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(83916);
/* harmony import */ var _echo_js__WEBPACK_IMPORTED_MODULE_1__ = __webpack_require__(57355);


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

/***/ 7656:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   D: () => (/* binding */ mergeValues),
/* harmony export */   d: () => (/* binding */ canonicalJson)
/* harmony export */ });
function isPlainObject(value) {
    return typeof value === 'object' && value !== null && !Array.isArray(value);
}
/** Helm's way of layering values: maps merge key by key, anything else (lists too) is replaced. */
function mergeValues(base, over) {
    const merged = { ...base };
    for (const [key, value] of Object.entries(over)) {
        const below = merged[key];
        merged[key] = isPlainObject(below) && isPlainObject(value) ? mergeValues(below, value) : value;
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


/***/ }),

/***/ 97:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   X: () => (/* binding */ freshWorkDir)
/* harmony export */ });
/* harmony import */ var node_fs_promises__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(51455);
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

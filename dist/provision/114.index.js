export const id = 114;
export const ids = [114];
export const modules = {

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

/***/ 89114:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {


// EXPORTS
__webpack_require__.d(__webpack_exports__, {
  ensureTools: () => (/* binding */ ensureTools)
});

// EXTERNAL MODULE: external "node:fs/promises"
var promises_ = __webpack_require__(51455);
// EXTERNAL MODULE: external "node:path"
var external_node_path_ = __webpack_require__(76760);
// EXTERNAL MODULE: ./node_modules/@actions/core/lib/core.js + 7 modules
var core = __webpack_require__(33838);
// EXTERNAL MODULE: ./node_modules/@actions/tool-cache/lib/tool-cache.js + 2 modules
var tool_cache = __webpack_require__(59805);
// EXTERNAL MODULE: ./src/errors.ts
var errors = __webpack_require__(83916);
// EXTERNAL MODULE: ./src/tools/checksum.ts
var checksum = __webpack_require__(19024);
// EXTERNAL MODULE: ./node_modules/@actions/cache/lib/cache.js + 340 modules
var cache = __webpack_require__(61691);
;// CONCATENATED MODULE: ./src/tools/download-cache.ts


/**
 * The GitHub Actions cache. It needs the runner's cache service (ACTIONS_CACHE_URL or
 * ACTIONS_RESULTS_URL); without it, as on a developer's machine, every call is a miss.
 */
const actionsDownloadCache = {
    async restore(key, file, warn) {
        if (!cache/* isFeatureAvailable */.w3())
            return false;
        try {
            return (await cache/* restoreCache */.P3([file], key)) !== undefined;
        }
        catch (error) {
            warn(`could not restore ${key} from the Actions cache: ${(0,errors/* errorMessage */.gJ)(error)}`);
            return false;
        }
    },
    async save(key, file, warn) {
        if (!cache/* isFeatureAvailable */.w3())
            return;
        try {
            await cache/* saveCache */.Io([file], key);
        }
        catch (error) {
            warn(`could not save ${key} to the Actions cache: ${(0,errors/* errorMessage */.gJ)(error)}`);
        }
    },
};

// EXTERNAL MODULE: ./src/tools/probe.ts
var probe = __webpack_require__(601);
// EXTERNAL MODULE: ./src/tools/table.ts + 1 modules
var table = __webpack_require__(28585);
// EXTERNAL MODULE: external "node:fs"
var external_node_fs_ = __webpack_require__(73024);
// EXTERNAL MODULE: ./src/exec/runner.ts + 1 modules
var runner = __webpack_require__(9544);
;// CONCATENATED MODULE: ./src/tools/binary-digest.ts





/**
 * What the sha256 of a tool's executable must be. For a plain binary (talosctl, kubectl) it is the
 * published sha256 of the release asset, pinned in the table. Helm publishes the sha256 of its archive
 * only, so the executable's digest is derived from the archive itself: the archive is checked against its
 * pin, and the digest is that of the file at `archivePath` inside it, computed on every use.
 */
/** The table's pin for a plain binary; undefined for an archive (its binary's digest needs the archive). */
function pinnedBinaryDigest(asset) {
    return asset.archivePath === undefined ? asset.sha256 : undefined;
}
/** The sha256 of `archivePath` inside the archive, which must be the pinned one; extracted under `tempRoot`. */
async function digestInVerifiedArchive(archive, asset, tempRoot) {
    const archiveSha256 = await (0,checksum/* sha256OfFile */.V)(archive);
    if (archiveSha256 !== asset.sha256)
        return { archiveSha256 };
    const into = await (0,promises_.mkdtemp)((0,external_node_path_.join)(tempRoot, 'verify-'));
    try {
        const binary = (0,external_node_path_.join)(await tool_cache/* extractTar */.nN(archive, into), asset.archivePath ?? '');
        const found = await (0,promises_.stat)(binary).catch(() => undefined);
        if (!found?.isFile()) {
            throw new errors/* ConfigurationError */.j1(`${archive} has no file ${asset.archivePath ?? ''}`);
        }
        return { archiveSha256, binarySha256: await (0,checksum/* sha256OfFile */.V)(binary) };
    }
    finally {
        await (0,promises_.rm)(into, { recursive: true, force: true });
    }
}
/**
 * The binary digest runner-setup/setup-runner.sh recorded (as root, in a folder the runner user cannot
 * write) when it installed `tool` from a verified asset: `<asset sha256> <binary sha256>` in
 * `<stampDir>/<tool>.sha256`. Only a stamp made from the pinned asset counts.
 */
async function stampedBinaryDigest(stampDir, tool, assetSha256) {
    const text = await (0,promises_.readFile)((0,external_node_path_.join)(stampDir, `${tool}.sha256`), 'utf8').catch(() => undefined);
    const [recordedAsset, recordedBinary] = (text ?? '').trim().split(/\s+/);
    if (recordedAsset !== assetSha256 || !/^[0-9a-f]{64}$/.test(recordedBinary ?? ''))
        return undefined;
    return recordedBinary;
}

;// CONCATENATED MODULE: ./src/tools/wanted.ts

/** Where runner-setup/setup-runner.sh records, as root, the digests of the tools it installed. */
const RUNNER_SETUP_STAMPS = '/var/lib/aggrik8s-twin-runner';
/** The tool cache's arch folder: `amd64` or `arm64`. */
function archOf(platform) {
    return platform.slice(platform.indexOf('-') + 1);
}
/** The release asset's file name, e.g. helm-v3.19.0-linux-amd64.tar.gz. */
function archiveName(tool) {
    return (0,external_node_path_.basename)(new URL(tool.asset.url).pathname);
}

;// CONCATENATED MODULE: ./src/tools/verified-use.ts










function tableField(tool) {
    return `${table/* PINNED_TABLE_FILE */.VX} ${tool.name}.assets.${tool.platform}.sha256`;
}
function refused(tool, file, actual, expected, fix) {
    return new errors/* ConfigurationError */.j1(`${tool.label} (${tool.platform}): ${file} has sha256 ${actual}, not ${expected.sha256} (${expected.source}); ` +
        `nothing was used. ${fix}`);
}
/**
 * The tool cache's copy, verified before use, or undefined when there is none (or an archived tool was
 * cached without its archive by an earlier version: it is installed again). A copy that differs is refused.
 */
async function verifiedCacheFolder(tool, ctx) {
    const folder = tool_cache/* find */.I6(tool.name, tool.pinned.version, archOf(tool.platform));
    if (!folder)
        return undefined;
    const fix = `Delete ${folder} and ${folder}.complete so the next run downloads and verifies it again, and find out ` +
        'what changed it.';
    const expected = await cachedDigest(tool, folder, fix);
    if (!expected) {
        ctx.log(`${tool.label}: the tool cache copy has no verified archive beside it; installing it again`);
        return undefined;
    }
    const binary = (0,external_node_path_.join)(folder, tool.name);
    const actual = await (0,checksum/* sha256OfFile */.V)(binary);
    if (actual !== expected.sha256)
        throw refused(tool, binary, actual, expected, fix);
    ctx.log(`${tool.label}: found in the tool cache, sha256 ${actual} verified`);
    return folder;
}
/** The pin of a plain binary; for an archived one, the digest inside the archive kept beside it. */
async function cachedDigest(tool, folder, fix) {
    const pinned = pinnedBinaryDigest(tool.asset);
    if (pinned)
        return { sha256: pinned, source: `pinned in ${tableField(tool)}` };
    const archive = (0,external_node_path_.join)(folder, archiveName(tool));
    if (!(0,external_node_fs_.existsSync)(archive))
        return undefined;
    const digests = await digestInVerifiedArchive(archive, tool.asset, process.env.RUNNER_TEMP ?? folder);
    const archivePin = { sha256: tool.asset.sha256, source: `pinned in ${tableField(tool)}` };
    if (!digests.binarySha256)
        throw refused(tool, archive, digests.archiveSha256, archivePin, fix);
    return {
        sha256: digests.binarySha256,
        source: `the ${tool.asset.archivePath ?? ''} inside ${archive}, whose sha256 is ${tableField(tool)}`,
    };
}
/**
 * Whether the tool found on PATH may be used: yes when its sha256 is the pinned one (for an archived tool:
 * runner-setup's stamp of the pinned archive, or the binary in the verified archive of the tool cache). One
 * at another version is left alone; one that reports the pinned version with another digest is refused.
 */
async function usableOnPath(tool, found, ctx, cacheFolder) {
    const actual = await (0,checksum/* sha256OfFile */.V)(found);
    const expected = await pathDigests(tool, ctx);
    if (!expected.some((digest) => digest.sha256 === actual) && tool.asset.archivePath) {
        const binary = (0,external_node_path_.join)(await cacheFolder(), tool.name);
        expected.push({ sha256: await (0,checksum/* sha256OfFile */.V)(binary), source: `${binary}, verified` });
    }
    const match = expected.find((digest) => digest.sha256 === actual);
    if (match) {
        ctx.log(`${tool.label}: using ${found}, already on PATH (sha256 ${actual}: ${match.source})`);
        return true;
    }
    const version = await (0,probe/* reportedVersion */.S)(runner/* execRunner */.M6, tool.name, found);
    if (version === tool.pinned.version) {
        throw refused(tool, found, actual, expected.at(-1) ?? { sha256: '(none)', source: 'nothing verified' }, `It reports the pinned version: replace it with the verified release (sudo runner-setup/setup-runner.sh ` +
            `--tools-only) or take it off PATH, and find out what changed it.`);
    }
    ctx.log(`${tool.name}: ${found} reports ${version ?? 'no readable version'}, not the pinned ${tool.pinned.version}`);
    return false;
}
async function pathDigests(tool, ctx) {
    const pinned = pinnedBinaryDigest(tool.asset);
    if (pinned)
        return [{ sha256: pinned, source: `pinned in ${tableField(tool)}` }];
    const stamped = await stampedBinaryDigest(ctx.stampDir, tool.name, tool.asset.sha256);
    const stampFile = (0,external_node_path_.join)(ctx.stampDir, `${tool.name}.sha256`);
    return stamped ? [{ sha256: stamped, source: `recorded by runner-setup in ${stampFile}` }] : [];
}

;// CONCATENATED MODULE: ./src/tools/install.ts











/**
 * Makes talosctl, kubectl and helm at their pinned versions available to the job, each executable's sha256
 * verified on every use: one on PATH is used when its digest is the pinned one; otherwise the copy in the
 * runner's tool cache (verified again), else the asset from the Actions cache or its release URL, checked
 * against the pinned sha256 before it is unpacked, cached or put on PATH. A tool that reports the pinned
 * version but has another digest is refused, naming the file.
 */
async function ensureTools(opts) {
    const ctx = {
        platform: (0,table/* resolvePlatform */.u4)(opts.platform),
        table: opts.table ?? (0,table/* pinnedToolTable */.p3)(),
        log: opts.log,
        warn: (line) => opts.log(`warning: ${line}`),
        cache: opts.cache ?? actionsDownloadCache,
        searchPath: opts.searchPath ?? process.env.PATH ?? '',
        stampDir: opts.stampDir ?? RUNNER_SETUP_STAMPS,
    };
    const paths = [];
    for (const name of table/* TOOL_NAMES */.K2)
        paths.push([name, await ensureTool(wantedTool(name, ctx), ctx)]);
    return Object.fromEntries(paths);
}
function wantedTool(name, ctx) {
    const pinned = ctx.table[name];
    const asset = pinned.assets[ctx.platform];
    return { name, pinned, asset, platform: ctx.platform, label: `${name} ${pinned.version}` };
}
async function ensureTool(tool, ctx) {
    let folder;
    const cacheFolder = async () => (folder ??= await verifiedOrInstalled(tool, ctx));
    const found = (0,probe/* findOnPath */.a)(tool.name, ctx.searchPath);
    if (found && (await usableOnPath(tool, found, ctx, cacheFolder)))
        return found;
    const toolFolder = await cacheFolder();
    core/* addPath */.fM(toolFolder);
    ctx.log(`${tool.label}: ${toolFolder} added to PATH`);
    return (0,external_node_path_.join)(toolFolder, tool.name);
}
/** The tool cache's folder of the tool: its verified copy, else a verified download installed there. */
async function verifiedOrInstalled(tool, ctx) {
    requireRunnerFolders();
    return (await verifiedCacheFolder(tool, ctx)) ?? (await installVerified(tool, ctx));
}
/** @actions/tool-cache keeps its files in these; they are set in every Actions job. */
function requireRunnerFolders() {
    for (const name of ['RUNNER_TOOL_CACHE', 'RUNNER_TEMP']) {
        if (!process.env[name]) {
            throw new errors/* ConfigurationError */.j1(`${name} is not set: install the pinned tools from a GitHub Actions job, or set ${name} to a writable folder`);
        }
    }
}
/** Fetches the asset (Actions cache or release URL), verifies it, and installs it into the tool cache. */
async function installVerified(tool, ctx) {
    const key = `aggrik8s-twin-${tool.name}-${tool.pinned.version}-${tool.platform}`;
    // RUNNER_TEMP is the same path on every runner built from one image, so the cache entry fits them all.
    const staging = (0,external_node_path_.join)(process.env.RUNNER_TEMP ?? '', key);
    const file = (0,external_node_path_.join)(staging, archiveName(tool));
    await (0,promises_.rm)(staging, { recursive: true, force: true });
    try {
        const restored = await ctx.cache.restore(key, file, ctx.warn);
        if (restored)
            ctx.log(`${tool.label}: restored from the Actions cache (${key})`);
        else
            await download(tool, file, ctx);
        await verifyChecksum(tool, file, restored ? fromActionsCache(key) : fromRelease(tool), ctx);
        if (!restored)
            await ctx.cache.save(key, file, ctx.warn);
        if (!tool.asset.archivePath) {
            await (0,promises_.chmod)(file, 0o755);
            return await tool_cache/* cacheFile */.NJ(file, tool.name, tool.name, tool.pinned.version, archOf(tool.platform));
        }
        return await cacheWithArchive(tool, file, staging);
    }
    finally {
        await (0,promises_.rm)(staging, { recursive: true, force: true });
    }
}
/**
 * An archived tool (helm) goes into the tool cache with its verified archive beside it: the archive is what
 * every later use checks the executable against (binary-digest.ts), since only the archive's sha256 is published.
 */
async function cacheWithArchive(tool, archive, staging) {
    const folder = (0,external_node_path_.join)(staging, 'tool');
    await (0,promises_.mkdir)(folder);
    await (0,promises_.rename)(await unpack(tool, archive, (0,external_node_path_.join)(staging, 'unpacked')), (0,external_node_path_.join)(folder, tool.name));
    await (0,promises_.chmod)((0,external_node_path_.join)(folder, tool.name), 0o755);
    await (0,promises_.rename)(archive, (0,external_node_path_.join)(folder, archiveName(tool)));
    return await tool_cache/* cacheDir */.e8(folder, tool.name, tool.pinned.version, archOf(tool.platform));
}
async function download(tool, file, ctx) {
    ctx.log(`${tool.label}: downloading ${tool.asset.url}`);
    try {
        await tool_cache/* downloadTool */.bq(tool.asset.url, file);
    }
    catch (error) {
        const status = error instanceof tool_cache/* HTTPError */.Hl ? error.httpStatusCode : undefined;
        const message = `could not download ${tool.label} (${tool.platform}) from ${tool.asset.url}: ${(0,errors/* errorMessage */.gJ)(error)}`;
        // A 4xx will not heal on retry: the URL in the table is wrong.
        if (status !== undefined && status < 500) {
            throw new errors/* ConfigurationError */.j1(`${message}; check ${tool.name}.assets.${tool.platform}.url in ${table/* PINNED_TABLE_FILE */.VX}`);
        }
        throw new Error(message, { cause: error });
    }
}
function fromRelease(tool) {
    return {
        from: tool.asset.url,
        fix: 'A corrupted or tampered download: retry, and if it persists find out what serves it. A wrong pin: take the ' +
            `value from the checksum file published with the ${tool.pinned.version} release and correct the table.`,
    };
}
function fromActionsCache(key) {
    return {
        from: `the Actions cache entry ${key}`,
        fix: `Delete that entry (gh cache delete ${key}) so the next run downloads and verifies the release again.`,
    };
}
async function verifyChecksum(tool, file, origin, ctx) {
    const actual = await (0,checksum/* sha256OfFile */.V)(file);
    if (actual === tool.asset.sha256) {
        ctx.log(`${tool.label}: sha256 ${actual} verified`);
        return;
    }
    await (0,promises_.rm)(file, { force: true });
    throw new errors/* ConfigurationError */.j1(`${tool.label} (${tool.platform}) from ${origin.from} has sha256 ${actual}, but ${table/* PINNED_TABLE_FILE */.VX} pins ` +
        `${tool.name}.assets.${tool.platform}.sha256 = ${tool.asset.sha256}; nothing was installed. ${origin.fix}`);
}
async function unpack(tool, archive, into) {
    const archivePath = tool.asset.archivePath ?? '';
    const binary = (0,external_node_path_.join)(await tool_cache/* extractTar */.nN(archive, into), archivePath);
    const found = await (0,promises_.stat)(binary).catch(() => undefined);
    if (!found?.isFile()) {
        throw new errors/* ConfigurationError */.j1(`${tool.label} (${tool.platform}): the verified archive has no file ${archivePath}; ` +
            `correct ${tool.name}.assets.${tool.platform}.archivePath in ${table/* PINNED_TABLE_FILE */.VX}`);
    }
    return binary;
}


/***/ })

};

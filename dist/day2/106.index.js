export const id = 106;
export const ids = [106];
export const modules = {

/***/ 1106:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {


// EXPORTS
__webpack_require__.d(__webpack_exports__, {
  ensureTools: () => (/* binding */ ensureTools)
});

// EXTERNAL MODULE: external "node:fs/promises"
var promises_ = __webpack_require__(1455);
// EXTERNAL MODULE: external "node:path"
var external_node_path_ = __webpack_require__(6760);
// EXTERNAL MODULE: ./node_modules/@actions/core/lib/core.js + 7 modules
var core = __webpack_require__(3838);
// EXTERNAL MODULE: ./node_modules/@actions/tool-cache/lib/tool-cache.js + 2 modules
var tool_cache = __webpack_require__(9805);
// EXTERNAL MODULE: ./src/errors.ts
var errors = __webpack_require__(3916);
// EXTERNAL MODULE: ./src/exec/runner.ts
var runner = __webpack_require__(7507);
// EXTERNAL MODULE: external "node:crypto"
var external_node_crypto_ = __webpack_require__(7598);
// EXTERNAL MODULE: external "node:fs"
var external_node_fs_ = __webpack_require__(3024);
;// CONCATENATED MODULE: ./src/tools/checksum.ts


/** The file's sha256 in lower-case hex, read in chunks so a large binary is never held in memory. */
async function sha256OfFile(file) {
    const hash = (0,external_node_crypto_.createHash)('sha256');
    for await (const chunk of (0,external_node_fs_.createReadStream)(file))
        hash.update(chunk);
    return hash.digest('hex');
}

// EXTERNAL MODULE: ./node_modules/@actions/cache/lib/cache.js + 340 modules
var cache = __webpack_require__(1691);
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
var table = __webpack_require__(8585);
;// CONCATENATED MODULE: ./src/tools/install.ts










/**
 * Makes talosctl, kubectl and helm at their pinned versions available to the job: a tool already on
 * PATH at the pinned version is used as it is; otherwise it comes from the runner's tool cache, else
 * from the Actions cache, else from its release URL. Whatever was fetched is checked against the
 * pinned sha256 before it is unpacked, cached or put on PATH.
 */
async function ensureTools(opts) {
    const ctx = {
        platform: (0,table/* resolvePlatform */.u4)(opts.platform),
        table: opts.table ?? (0,table/* pinnedToolTable */.p3)(),
        log: opts.log,
        warn: (line) => opts.log(`warning: ${line}`),
        cache: opts.cache ?? actionsDownloadCache,
        searchPath: opts.searchPath ?? process.env.PATH ?? '',
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
    const onPath = await pinnedVersionOnPath(tool, ctx);
    if (onPath) {
        ctx.log(`${tool.label}: using ${onPath}, already on PATH`);
        return onPath;
    }
    requireRunnerFolders();
    let folder = tool_cache/* find */.I6(tool.name, tool.pinned.version, archOf(tool.platform));
    if (folder)
        ctx.log(`${tool.label}: found in the tool cache`);
    else
        folder = await installVerified(tool, ctx);
    core/* addPath */.fM(folder);
    ctx.log(`${tool.label}: ${folder} added to PATH`);
    return (0,external_node_path_.join)(folder, tool.name);
}
async function pinnedVersionOnPath(tool, ctx) {
    const found = (0,probe/* findOnPath */.a)(tool.name, ctx.searchPath);
    if (!found)
        return undefined;
    const version = await (0,probe/* reportedVersion */.S)(runner/* execRunner */.M6, tool.name, found);
    if (version === tool.pinned.version)
        return found;
    ctx.log(`${tool.name}: ${found} reports ${version ?? 'no readable version'}, not the pinned ${tool.pinned.version}`);
    return undefined;
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
    const file = (0,external_node_path_.join)(staging, (0,external_node_path_.basename)(new URL(tool.asset.url).pathname));
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
        const binary = tool.asset.archivePath ? await unpack(tool, file, (0,external_node_path_.join)(staging, 'unpacked')) : file;
        await (0,promises_.chmod)(binary, 0o755);
        return await tool_cache/* cacheFile */.NJ(binary, tool.name, tool.name, tool.pinned.version, archOf(tool.platform));
    }
    finally {
        await (0,promises_.rm)(staging, { recursive: true, force: true });
    }
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
    const actual = await sha256OfFile(file);
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
/** The tool cache's arch folder: `amd64` or `arm64`. */
function archOf(platform) {
    return platform.slice(platform.indexOf('-') + 1);
}


/***/ })

};

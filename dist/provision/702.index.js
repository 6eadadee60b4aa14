export const id = 702;
export const ids = [702];
export const modules = {

/***/ 6702:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   githubClient: () => (/* binding */ githubClient),
/* harmony export */   repoFromEnv: () => (/* binding */ repoFromEnv)
/* harmony export */ });
/* harmony import */ var _actions_github__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(92413);
/* harmony import */ var _errors_js__WEBPACK_IMPORTED_MODULE_1__ = __webpack_require__(83916);
/* harmony import */ var _util_echo_js__WEBPACK_IMPORTED_MODULE_2__ = __webpack_require__(57355);



const DEFAULT_API_URL = 'https://api.github.com';
const REPOSITORY_REGEX = /^([A-Za-z0-9_.-]+)\/([A-Za-z0-9_.-]+)$/;
/**
 * An Octokit for `token` against `opts.baseUrl`, else GITHUB_API_URL (GitHub Enterprise Server sets it),
 * else api.github.com. The URL is read per call, so a test or a GHES runner can point it elsewhere.
 */
function githubClient(token, opts = {}, env = process.env) {
    if (token.trim() === '') {
        throw new _errors_js__WEBPACK_IMPORTED_MODULE_1__/* .ConfigurationError */ .j1('no GitHub token: pass the workflow token to the step, e.g. `github-token: ${{ github.token }}`');
    }
    return (0,_actions_github__WEBPACK_IMPORTED_MODULE_0__/* .getOctokit */ .Q)(token, { baseUrl: apiBaseUrl(opts.baseUrl, env) });
}
function apiBaseUrl(override, env) {
    const [source, value] = override !== undefined
        ? ['baseUrl', override]
        : env.GITHUB_API_URL
            ? ['GITHUB_API_URL', env.GITHUB_API_URL]
            : ['default', DEFAULT_API_URL];
    let url;
    try {
        url = new URL(value);
    }
    catch {
        throw new _errors_js__WEBPACK_IMPORTED_MODULE_1__/* .ConfigurationError */ .j1(`${source} ${(0,_util_echo_js__WEBPACK_IMPORTED_MODULE_2__/* .echoed */ .Dt)(value)} is not a URL: write the API root, e.g. ${DEFAULT_API_URL}`);
    }
    if (url.protocol !== 'https:' && url.protocol !== 'http:') {
        throw new _errors_js__WEBPACK_IMPORTED_MODULE_1__/* .ConfigurationError */ .j1(`${source} ${(0,_util_echo_js__WEBPACK_IMPORTED_MODULE_2__/* .echoed */ .Dt)(value)} must be an http(s) URL`);
    }
    return url.href.replace(/\/+$/, '');
}
/** owner and repo from GITHUB_REPOSITORY (`owner/repo`), which every workflow run sets. */
function repoFromEnv(env = process.env) {
    const value = env.GITHUB_REPOSITORY ?? '';
    const match = REPOSITORY_REGEX.exec(value);
    if (!match) {
        throw new _errors_js__WEBPACK_IMPORTED_MODULE_1__/* .ConfigurationError */ .j1(`GITHUB_REPOSITORY ${(0,_util_echo_js__WEBPACK_IMPORTED_MODULE_2__/* .echoed */ .Dt)(value)} is not "owner/repo": run inside GitHub Actions or set it, e.g. GITHUB_REPOSITORY=octo/lab`);
    }
    return { owner: match[1], repo: match[2] };
}


/***/ })

};

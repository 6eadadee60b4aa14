export const id = 594;
export const ids = [594];
export const modules = {

/***/ 81594:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   twinPlatform: () => (/* binding */ twinPlatform)
/* harmony export */ });
/* harmony import */ var _day2_js__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(17592);
/* harmony import */ var _mesh_js__WEBPACK_IMPORTED_MODULE_1__ = __webpack_require__(18377);


/**
 * The mesh (for two or more clusters) and day 2 as one part of a graph: each cluster's storage and demo
 * start beside its mesh, and the demo's cross-cluster checks wait until every cluster sees the others.
 */
function twinPlatform(ctx, folder) {
    return (clusters, gates) => {
        const mesh = clusters.length > 1 ? (0,_mesh_js__WEBPACK_IMPORTED_MODULE_1__/* .meshSteps */ .pz)(ctx, clusters, gates) : undefined;
        const meshed = mesh ? clusters.map((cluster) => `mesh-connected:${cluster.name}`) : [];
        const day2 = (0,_day2_js__WEBPACK_IMPORTED_MODULE_0__/* .day2Steps */ .K)(ctx, clusters, folder, { ...gates, meshed });
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

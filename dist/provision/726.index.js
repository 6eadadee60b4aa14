export const id = 726;
export const ids = [726];
export const modules = {

/***/ 32726:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   createCertificateAuthority: () => (/* binding */ createCertificateAuthority)
/* harmony export */ });
/* unused harmony exports issueCertificate, sha256Fingerprint */
/* harmony import */ var reflect_metadata__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(80477);
/* harmony import */ var reflect_metadata__WEBPACK_IMPORTED_MODULE_0___default = /*#__PURE__*/__webpack_require__.n(reflect_metadata__WEBPACK_IMPORTED_MODULE_0__);
/* harmony import */ var node_crypto__WEBPACK_IMPORTED_MODULE_1__ = __webpack_require__(77598);
/* harmony import */ var node_crypto__WEBPACK_IMPORTED_MODULE_1___default = /*#__PURE__*/__webpack_require__.n(node_crypto__WEBPACK_IMPORTED_MODULE_1__);
/* harmony import */ var _peculiar_x509__WEBPACK_IMPORTED_MODULE_2__ = __webpack_require__(8927);
 // @peculiar/x509 resolves its providers through tsyringe, which needs it



_peculiar_x509__WEBPACK_IMPORTED_MODULE_2__/* .cryptoProvider */ .Ve.set(node_crypto__WEBPACK_IMPORTED_MODULE_1__.webcrypto);
// ECDSA P-256: small, fast to generate, accepted by Node, Go (Talos, Cilium) and PVE clients alike.
const KEY_ALGORITHM = { name: 'ECDSA', namedCurve: 'P-256' };
const SIGNING_ALGORITHM = { name: 'ECDSA', hash: 'SHA-256' };
const DAY_MS = 86_400_000;
async function generateKeys() {
    return (await node_crypto__WEBPACK_IMPORTED_MODULE_1__.webcrypto.subtle.generateKey(KEY_ALGORITHM, true, ['sign', 'verify']));
}
async function exportKeyPem(key) {
    const der = await node_crypto__WEBPACK_IMPORTED_MODULE_1__.webcrypto.subtle.exportKey('pkcs8', key);
    return _peculiar_x509__WEBPACK_IMPORTED_MODULE_2__/* .PemConverter */ .v6.encode(der, 'PRIVATE KEY');
}
async function importKeyPem(pem) {
    const der = x509.PemConverter.decode(pem)[0];
    if (!der)
        throw new Error('no PEM block in private key');
    return webcrypto.subtle.importKey('pkcs8', der, KEY_ALGORITHM, true, ['sign']);
}
function serialNumber() {
    const bytes = node_crypto__WEBPACK_IMPORTED_MODULE_1__.webcrypto.getRandomValues(new Uint8Array(16));
    bytes[0] = (bytes[0] ?? 0) & 0x7f; // positive, as RFC 5280 requires
    return Buffer.from(bytes).toString('hex');
}
function validity(days) {
    const notBefore = new Date(Date.now() - 60_000); // tolerate small clock skew
    return { notBefore, notAfter: new Date(notBefore.getTime() + days * DAY_MS) };
}
/** A self-signed CA that can sign server and client certificates. */
async function createCertificateAuthority(commonName, days = 3650) {
    const keys = await generateKeys();
    const cert = await _peculiar_x509__WEBPACK_IMPORTED_MODULE_2__/* .X509CertificateGenerator */ .Jy.createSelfSigned({
        serialNumber: serialNumber(),
        name: `CN=${commonName}`,
        ...validity(days),
        keys,
        signingAlgorithm: SIGNING_ALGORITHM,
        extensions: [
            new _peculiar_x509__WEBPACK_IMPORTED_MODULE_2__/* .BasicConstraintsExtension */ .WA(true, undefined, true),
            new _peculiar_x509__WEBPACK_IMPORTED_MODULE_2__/* .KeyUsagesExtension */ .hy(_peculiar_x509__WEBPACK_IMPORTED_MODULE_2__/* .KeyUsageFlags */ .Ob.keyCertSign | _peculiar_x509__WEBPACK_IMPORTED_MODULE_2__/* .KeyUsageFlags */ .Ob.cRLSign, true),
            await _peculiar_x509__WEBPACK_IMPORTED_MODULE_2__/* .SubjectKeyIdentifierExtension */ .QE.create(keys.publicKey),
        ],
    });
    return { certPem: cert.toString('pem'), keyPem: await exportKeyPem(keys.privateKey) };
}
const EXTENDED_USAGES = {
    server: [_peculiar_x509__WEBPACK_IMPORTED_MODULE_2__/* .ExtendedKeyUsage */ .CD.serverAuth],
    client: [_peculiar_x509__WEBPACK_IMPORTED_MODULE_2__/* .ExtendedKeyUsage */ .CD.clientAuth],
    both: [_peculiar_x509__WEBPACK_IMPORTED_MODULE_2__/* .ExtendedKeyUsage */ .CD.serverAuth, _peculiar_x509__WEBPACK_IMPORTED_MODULE_2__/* .ExtendedKeyUsage */ .CD.clientAuth],
};
/** A leaf certificate signed by `ca`, with the given names as subject alternative names. */
async function issueCertificate(ca, opts) {
    const caCert = new x509.X509Certificate(ca.certPem);
    const caKey = await importKeyPem(ca.keyPem);
    const keys = await generateKeys();
    const names = [
        ...(opts.dnsNames ?? []).map((value) => ({ type: 'dns', value })),
        ...(opts.ipAddresses ?? []).map((value) => ({ type: 'ip', value })),
    ];
    const cert = await x509.X509CertificateGenerator.create({
        serialNumber: serialNumber(),
        subject: opts.organization ? `O=${opts.organization}, CN=${opts.commonName}` : `CN=${opts.commonName}`,
        issuer: caCert.subject,
        ...validity(opts.days ?? 825),
        publicKey: keys.publicKey,
        signingKey: caKey,
        signingAlgorithm: SIGNING_ALGORITHM,
        extensions: [
            new x509.BasicConstraintsExtension(false, undefined, true),
            new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyEncipherment, true),
            new x509.ExtendedKeyUsageExtension(EXTENDED_USAGES[opts.usage ?? 'server']),
            ...(names.length > 0 ? [new x509.SubjectAlternativeNameExtension(names)] : []),
            await x509.AuthorityKeyIdentifierExtension.create(caCert),
        ],
    });
    return { certPem: cert.toString('pem'), keyPem: await exportKeyPem(keys.privateKey) };
}
/** SHA-256 fingerprint as PVE shows it: upper-case hex pairs joined by ':'. */
function sha256Fingerprint(certPem) {
    return new NodeX509(certPem).fingerprint256;
}


/***/ })

};

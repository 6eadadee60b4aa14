/**
 * What a lab operator runs once on a PVE 9 node to give the toolkit its least-privilege token:
 * runner-setup/README.md shows exactly these lines (a test holds the two together), and the lab
 * starts every new DIR from them, so the product is always tried under the rights a real lab gives.
 */
export const OPERATOR_TOKEN_ID = 'twin@pve!gha';

export const PVE9_OPERATOR_SETUP = [
  `pveum pool add aggrik8s-production --comment "aggrik8s-twin production slot (parent pool)"`,
  `pveum pool add aggrik8s --comment "aggrik8s-twin preview slots (parent pool)"`,
  `pveum role add TwinGuests --privs "VM.Allocate VM.Audit VM.PowerMgmt VM.GuestAgent.Audit VM.Config.CPU VM.Config.Memory VM.Config.Disk VM.Config.Network VM.Config.Options VM.Config.Cloudinit VM.Config.HWType Pool.Allocate Pool.Audit"`,
  `pveum role add TwinImages --privs "Datastore.AllocateTemplate Datastore.Audit"`,
  `pveum role add TwinDisks --privs "Datastore.AllocateSpace Datastore.Audit"`,
  `pveum role add TwinNodes --privs "Sys.Audit Sys.AccessNetwork"`,
  `pveum role add TwinNetwork --privs "SDN.Use"`,
  `pveum user add twin@pve --comment "aggrik8s-twin GitHub Actions"`,
  `pveum user token add twin@pve gha --privsep 1 --comment "lab runner"`,
  `pveum acl modify /pool/aggrik8s-production --users twin@pve --roles TwinGuests`,
  `pveum acl modify /pool/aggrik8s-production --tokens 'twin@pve!gha' --roles TwinGuests`,
  `pveum acl modify /pool/aggrik8s --users twin@pve --roles TwinGuests`,
  `pveum acl modify /pool/aggrik8s --tokens 'twin@pve!gha' --roles TwinGuests`,
  `pveum acl modify /storage/local --users twin@pve --roles TwinImages`,
  `pveum acl modify /storage/local --tokens 'twin@pve!gha' --roles TwinImages`,
  `pveum acl modify /storage/local-lvm --users twin@pve --roles TwinDisks`,
  `pveum acl modify /storage/local-lvm --tokens 'twin@pve!gha' --roles TwinDisks`,
  `pveum acl modify /nodes --users twin@pve --roles TwinNodes`,
  `pveum acl modify /nodes --tokens 'twin@pve!gha' --roles TwinNodes`,
  `pveum acl modify /sdn/zones/localnetwork/vmbr0 --users twin@pve --roles TwinNetwork`,
  `pveum acl modify /sdn/zones/localnetwork/vmbr0 --tokens 'twin@pve!gha' --roles TwinNetwork`,
];

/**
 * The preview tier's token, made after the lines above (runner-setup/README.md "The preview token" shows
 * exactly these): the same roles, but on the previews' parent pool only. It has nothing on
 * aggrik8s-production, so it can neither see nor touch production's pools and VMs.
 */
export const PREVIEW_TOKEN_ID = 'twin@pve!preview';

export const PVE9_PREVIEW_TOKEN_SETUP = [
  `pveum user token add twin@pve preview --privsep 1 --comment "preview tier"`,
  `pveum acl modify /pool/aggrik8s --tokens 'twin@pve!preview' --roles TwinGuests`,
  `pveum acl modify /storage/local --tokens 'twin@pve!preview' --roles TwinImages`,
  `pveum acl modify /storage/local-lvm --tokens 'twin@pve!preview' --roles TwinDisks`,
  `pveum acl modify /nodes --tokens 'twin@pve!preview' --roles TwinNodes`,
  `pveum acl modify /sdn/zones/localnetwork/vmbr0 --tokens 'twin@pve!preview' --roles TwinNetwork`,
];

/** The lab's own admin token for tests that must act as root (never what the product is given). */
export const ROOT_TOKEN_SETUP = `pveum user token add root@pam lab --privsep 0 --comment "lab administration"`;
export const ROOT_TOKEN_ID = 'root@pam!lab';

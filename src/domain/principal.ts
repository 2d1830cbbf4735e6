/** Who is calling: a user (Dataporten, OIDC, static token) or a Kubernetes service account. */
export interface Principal {
  /** Stable id: a Dataporten/OIDC `sub`, a static token's user id, or system:serviceaccount:<ns>:<name>. */
  readonly id: string;
  readonly name?: string;
  /** When the identity provider gives one (OIDC `email` claim, Dataporten userinfo): a release's contact. */
  readonly email?: string;
  /** Group ids, e.g. fc:org:uninett.no, or Kubernetes groups for service accounts. */
  readonly groups: readonly string[];
  readonly kind: 'user' | 'serviceaccount';
  /** Which authenticator recognised the credentials (for audit records). */
  readonly source: string;
}

/** Tiller's status code names (hapi.release.Status.Code), as the API shows them. */
export const STATUS_NAMES = [
  'UNKNOWN',
  'DEPLOYED',
  'DELETED',
  'SUPERSEDED',
  'FAILED',
  'DELETING',
  'PENDING_INSTALL',
  'PENDING_UPGRADE',
  'PENDING_ROLLBACK',
] as const;

export function statusName(code: number | undefined): string {
  return STATUS_NAMES[code ?? 0] ?? 'UNKNOWN';
}

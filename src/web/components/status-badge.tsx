/** Tiller's status name as a coloured badge (the colour repeats the word; it never replaces it). */
const TONE: Record<string, string> = {
  DEPLOYED: 'ok',
  FAILED: 'bad',
  DELETED: 'muted',
  SUPERSEDED: 'muted',
  DELETING: 'busy',
  PENDING_INSTALL: 'busy',
  PENDING_UPGRADE: 'busy',
  PENDING_ROLLBACK: 'busy',
};

export function StatusBadge({ status, label }: { status: string; label?: string }) {
  return (
    <span className={`badge badge-${TONE[status] ?? 'muted'}`} aria-label={label} role={label ? 'status' : undefined}>
      {status || 'UNKNOWN'}
    </span>
  );
}

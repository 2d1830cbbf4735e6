/**
 * Before an upgrade or a rollback: what it would change (the store's dry run), as the values diff and the
 * rendered-manifest diff, with the button that does it. A native modal <dialog>: focus stays in it, Escape cancels.
 */
import { dump } from 'js-yaml';
import { useEffect, useRef } from 'react';
import type { ChangePreview } from '../api/types.js';
import { LineDiff } from '../components/line-diff.js';

/** Values as YAML with sorted keys, so that the diff shows what changed and not how it was ordered. */
export const valuesYaml = (values: Record<string, unknown>) => (Object.keys(values).length === 0 ? '' : dump(values, { sortKeys: true, lineWidth: -1 }));

export function ChangeDialog(props: {
  title: string;
  preview: ChangePreview;
  confirmLabel: string;
  busy: boolean;
  onCancel: () => void;
  onConfirm: () => void;
}) {
  const { title, preview, confirmLabel, busy, onCancel, onConfirm } = props;
  const ref = useRef<HTMLDialogElement>(null);
  useEffect(() => {
    ref.current?.showModal();
  }, []);
  const { current, proposed } = preview;
  return (
    <dialog ref={ref} aria-labelledby="change-title" aria-describedby="change-summary" onCancel={onCancel} className="dialog dialog-wide">
      <h2 id="change-title">{title}</h2>
      <p id="change-summary">
        Revision {current.revision} ({current.version}) → revision {proposed.revision} ({proposed.version}). Nothing has changed yet.
      </p>
      <LineDiff title="Values" before={valuesYaml(current.values)} after={valuesYaml(proposed.values)} />
      <LineDiff title="Rendered manifest" before={current.manifest} after={proposed.manifest} />
      <div className="actions">
        <button type="button" onClick={onCancel} autoFocus>
          Cancel
        </button>
        <button type="button" className="primary" disabled={busy} onClick={onConfirm}>
          {confirmLabel}
        </button>
      </div>
    </dialog>
  );
}

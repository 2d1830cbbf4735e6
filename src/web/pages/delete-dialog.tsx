/** A modal confirmation that names the release (a native <dialog>: focus trapped, Escape cancels). */
import { useEffect, useRef } from 'react';

export function DeleteDialog({ releaseId, onCancel, onConfirm }: { releaseId: string; onCancel: () => void; onConfirm: () => void }) {
  const ref = useRef<HTMLDialogElement>(null);
  useEffect(() => {
    ref.current?.showModal();
  }, []);
  return (
    <dialog ref={ref} aria-labelledby="delete-title" onCancel={onCancel} className="dialog">
      <h2 id="delete-title">Delete {releaseId}?</h2>
      <p>
        The application <strong>{releaseId}</strong> and all its Kubernetes objects will be removed. This cannot be undone.
      </p>
      <div className="actions">
        <button type="button" onClick={onCancel} autoFocus>
          Cancel
        </button>
        <button type="button" className="danger" onClick={onConfirm}>
          Delete {releaseId}
        </button>
      </div>
    </dialog>
  );
}

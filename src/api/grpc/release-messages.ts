/** Release domain objects → appstore.v1 messages. */
import type {
  Release as ReleaseMessage,
  ReleaseChangePreview as ReleaseChangePreviewMessage,
  RevisionContent as RevisionContentMessage,
  ReleaseStatus as ReleaseStatusMessage,
  Revision as RevisionMessage,
} from '../../../gen/appstore/v1/appstore.js';
import type { ChangePreview, Revision, RevisionContent } from '../../releases/release-service.js';
import type { ReleaseStatusView } from '../../releases/release-status.js';
import type { ReleaseRecord } from '../../releases/types.js';

/** The seed's release document: the accepted input plus id and owner. */
export function toReleaseMessage(record: ReleaseRecord): ReleaseMessage {
  return {
    id: record.id,
    owner: record.owner,
    application: record.application,
    version: record.version,
    namespace: record.namespace,
    adminGroups: [...record.adminGroups],
    development: record.development,
    values: { ...record.values },
  };
}

export function toReleaseStatusMessage(view: ReleaseStatusView): ReleaseStatusMessage {
  return {
    lastDeployed: view.lastDeployed,
    namespace: view.namespace,
    status: view.status,
    resources: view.resources.map((r) => ({ ...r })),
    notes: view.notes,
    dataporten: view.dataporten && { clientId: view.dataporten.clientId, state: view.dataporten.state },
  };
}

export function toRevisionMessage(revision: Revision): RevisionMessage {
  return { ...revision, values: { ...revision.values } };
}

function toRevisionContentMessage(content: RevisionContent): RevisionContentMessage {
  return { ...content, values: { ...content.values } };
}

export function toChangePreviewMessage(preview: ChangePreview): ReleaseChangePreviewMessage {
  return { current: toRevisionContentMessage(preview.current), proposed: toRevisionContentMessage(preview.proposed) };
}

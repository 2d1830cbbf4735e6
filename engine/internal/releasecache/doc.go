// Package releasecache holds Helm's release records (the Secrets its Secret
// driver writes: `sh.helm.release.v1.<name>.v<N>`, labels owner=helm, name,
// status, version) of every namespace in memory from a watch (client-go's
// shared informer: a resync, a restart after a watch error, a relist after
// 410 Gone), indexed by release name, so that reads of a release's stored
// revisions (status, content, history, and which namespace holds it) list
// no Secrets.
//
// The cache may lag the API server by the watch's delay, so a reader uses it
// only when it is settled for the release (Cache.Settled): the watch synced
// and not broken, some revision held, the newest at least the revision the
// caller knows exists, and not still pending (a watch delivers events in
// order, so once the last write of a change is in, its earlier writes are
// too). Otherwise the caller reads the API server as before. What a list of
// the API server answers never goes into the cache (a part of the Secrets,
// newer than the watch, would break that order); what the engine's own
// writes answer does (WriteThrough), and an older event never replaces a
// newer version.
package releasecache

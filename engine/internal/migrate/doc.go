// Package migrate moves releases from Tiller v2's storage to Helm's, the way
// helm-2to3 does it: each revision Tiller stored (a Secret or ConfigMap in
// Tiller's namespace, labels OWNER=TILLER, NAME, VERSION, STATUS) becomes the
// same revision of a Helm release stored by Helm's Secret driver in the
// release's namespace. The objects of the releases are not touched. Tiller's
// data is kept unless its deletion is asked for, and only after the release's
// whole history is in Helm's storage; a re-run writes only what is missing,
// and a Helm release that is not a copy of Tiller's is a conflict: nothing of
// that release is written.
package migrate

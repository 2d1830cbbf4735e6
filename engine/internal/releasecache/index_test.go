package releasecache

import (
	"strconv"
	"testing"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
)

func secret(ns, release string, rev int, status, rv string) *corev1.Secret {
	v := strconv.Itoa(rev)
	return &corev1.Secret{
		ObjectMeta: metav1.ObjectMeta{
			Namespace: ns, Name: "sh.helm.release.v1." + release + ".v" + v, ResourceVersion: rv,
			Labels: map[string]string{"owner": "helm", "name": release, "version": v, "status": status},
		},
	}
}

func TestAnOlderEventNeverReplacesANewerVersion(t *testing.T) {
	x := NewIndex()
	x.Put(secret("a", "web", 1, "superseded", "20"))
	x.Put(secret("a", "web", 1, "deployed", "10")) // an event still on its way when the write's answer came in
	if got := x.Revisions("web"); len(got) != 1 || got[0].Status != "superseded" {
		t.Fatalf("revisions = %+v", got)
	}
	x.Forget(secret("a", "web", 1, "deployed", "10")) // a delete older than what is held: made again since
	if len(x.Revisions("web")) != 1 {
		t.Fatal("an older delete removed a newer version")
	}
	x.Put(secret("a", "web", 1, "failed", "30"))
	if got := x.Revisions("web"); got[0].Status != "failed" {
		t.Fatalf("a newer event was not taken: %+v", got)
	}
}

func TestRevisionsAreNewestFirstAndOtherSecretsAreLeftOut(t *testing.T) {
	x := NewIndex()
	x.Put(secret("a", "web", 1, "superseded", "1"))
	x.Put(secret("a", "web", 3, "deployed", "3"))
	x.Put(secret("a", "web", 2, "superseded", "2"))
	x.Put(secret("a", "db", 1, "deployed", "4"))
	notHelm := secret("a", "web", 4, "deployed", "5")
	notHelm.Labels["owner"] = "someone"
	x.Put(notHelm)
	got := x.Revisions("web")
	if len(got) != 3 || got[0].Revision != 3 || got[2].Revision != 1 {
		t.Fatalf("revisions = %+v", got)
	}
	sel := labels.SelectorFromSet(labels.Set{"owner": "helm", "name": "web"})
	if n := len(x.List("a", sel)); n != 3 {
		t.Errorf("list in a = %d", n)
	}
	if n := len(x.List("b", sel)); n != 0 {
		t.Errorf("list in b = %d", n)
	}
	if n := len(x.List("a", labels.SelectorFromSet(labels.Set{"owner": "helm"}))); n != 4 {
		t.Errorf("list of every release in a = %d", n)
	}
}

func TestASecretTheEngineDeletedDoesNotComeBackWithAnOlderEvent(t *testing.T) {
	x := NewIndex()
	x.Put(secret("a", "web", 1, "superseded", "20"))
	x.Deleted("a", "sh.helm.release.v1.web.v1")
	x.Put(secret("a", "web", 1, "deployed", "10"))
	if got := x.Revisions("web"); len(got) != 0 {
		t.Fatalf("a deleted Secret came back: %+v", got)
	}
	x.Forget(secret("a", "web", 1, "superseded", "21"))   // the watch's delete event
	x.Put(secret("a", "web", 1, "pending-install", "40")) // made again
	if got := x.Revisions("web"); len(got) != 1 || got[0].Status != "pending-install" {
		t.Fatalf("revisions = %+v", got)
	}
}

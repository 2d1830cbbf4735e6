package migrate

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	"google.golang.org/protobuf/types/known/timestamppb"
	chartv2 "helm.sh/helm/v4/pkg/chart/v2"
	rcommon "helm.sh/helm/v4/pkg/release/common"
	release "helm.sh/helm/v4/pkg/release/v1"
	"helm.sh/helm/v4/pkg/storage"
	"helm.sh/helm/v4/pkg/storage/driver"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/client-go/kubernetes/fake"

	hapichart "appstore.local/engine/gen/hapi/chart"
	hapirelease "appstore.local/engine/gen/hapi/release"
)

const tillerNS = "kube-system"

var deployedAt = time.Date(2020, 5, 6, 7, 8, 9, 0, time.UTC)

var chartv2Chart = chartv2.Chart{Metadata: &chartv2.Metadata{Name: "hello", Version: "1.0.0", APIVersion: "v1"}}

func revision(name, ns string, v int32, code hapirelease.Status_Code) *hapirelease.Release {
	return &hapirelease.Release{
		Name: name, Namespace: ns, Version: v,
		Chart: &hapichart.Chart{
			Metadata:  &hapichart.Metadata{Name: "hello", Version: "1.0.0", ApiVersion: "v1"},
			Templates: []*hapichart.Template{{Name: "templates/cm.yaml", Data: []byte("kind: ConfigMap\n")}},
			Values:    &hapichart.Config{Raw: "message: hi\n"},
		},
		Config:   &hapichart.Config{Raw: "message: revision " + string(rune('0'+v)) + "\n"},
		Manifest: "kind: ConfigMap\nmetadata:\n  name: " + name + "\n",
		Info: &hapirelease.Info{
			Status:        &hapirelease.Status{Code: code},
			FirstDeployed: timestamppb.New(deployedAt),
			LastDeployed:  timestamppb.New(deployedAt.Add(time.Duration(v) * time.Hour)),
		},
	}
}

// tillerSecret is a revision as Tiller v2.17's Secret driver stores it.
func tillerSecret(t *testing.T, r *hapirelease.Release) *corev1.Secret {
	t.Helper()
	data, err := EncodeTillerRelease(r)
	if err != nil {
		t.Fatal(err)
	}
	name := r.Name + ".v" + string(rune('0'+r.Version))
	return &corev1.Secret{
		ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: tillerNS, Labels: map[string]string{
			"OWNER": "TILLER", "NAME": r.Name, "VERSION": string(rune('0' + r.Version)), "STATUS": r.Info.Status.Code.String(),
		}},
		Data: map[string][]byte{"release": data},
	}
}

func tillerConfigMap(t *testing.T, r *hapirelease.Release) *corev1.ConfigMap {
	s := tillerSecret(t, r)
	return &corev1.ConfigMap{ObjectMeta: s.ObjectMeta, Data: map[string]string{"release": string(s.Data["release"])}}
}

func namespace(name string) *corev1.Namespace {
	return &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: name}}
}

// history: hello-a has 3 revisions (the last deployed) in team-a, solo one in team-b.
func history(t *testing.T) []runtime.Object {
	return []runtime.Object{
		namespace("team-a"), namespace("team-b"),
		tillerSecret(t, revision("hello-a", "team-a", 1, hapirelease.Status_SUPERSEDED)),
		tillerSecret(t, revision("hello-a", "team-a", 2, hapirelease.Status_SUPERSEDED)),
		tillerSecret(t, revision("hello-a", "team-a", 3, hapirelease.Status_DEPLOYED)),
		tillerConfigMap(t, revision("solo", "team-b", 1, hapirelease.Status_DEPLOYED)),
	}
}

func helmSecrets(t *testing.T, c *fake.Clientset, ns string) map[string]map[string]string {
	t.Helper()
	list, err := c.CoreV1().Secrets(ns).List(context.Background(), metav1.ListOptions{LabelSelector: "owner=helm"})
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]map[string]string{}
	for _, s := range list.Items {
		if s.Type != "helm.sh/release.v1" {
			t.Errorf("%s has type %q", s.Name, s.Type)
		}
		out[s.Name] = s.Labels
	}
	return out
}

func TestDecodeTillerReleaseReadsGzipAndPlainProtobuf(t *testing.T) {
	r := revision("hello-a", "team-a", 2, hapirelease.Status_DEPLOYED)
	data, err := EncodeTillerRelease(r)
	if err != nil {
		t.Fatal(err)
	}
	back, err := DecodeTillerRelease(data)
	if err != nil || back.GetName() != "hello-a" || back.GetVersion() != 2 || back.GetManifest() != r.Manifest {
		t.Fatalf("decoded %v, %v", back, err)
	}
	for _, bad := range []string{"!!!", "aGVsbG8gd29ybGQ="} { // not base64; base64 of text that is no protobuf
		if _, err := DecodeTillerRelease([]byte(bad)); err == nil {
			t.Errorf("%q decoded", bad)
		}
	}
}

func TestDryRunListsEveryRevisionAndWritesNothing(t *testing.T) {
	c := fake.NewClientset(history(t)...)
	m := New(c.CoreV1(), tillerNS)
	plans, err := m.Plan(context.Background(), nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(plans) != 2 || plans[0].Release != "hello-a" || plans[1].Release != "solo" {
		t.Fatalf("plans = %+v", plans)
	}
	a := plans[0]
	if a.State != StateMigrate || a.Namespace != "team-a" || !equal(a.Create, []int{1, 2, 3}) || a.Status != "deployed" {
		t.Errorf("hello-a = %+v", a)
	}
	if plans[1].Tiller[0].Kind != "ConfigMap" || plans[1].Namespace != "team-b" {
		t.Errorf("solo = %+v", plans[1])
	}
	var out bytes.Buffer
	WriteReport(&out, plans, true, false)
	for _, want := range []string{
		"release hello-a (Tiller revisions 1, 2, 3) → namespace team-a: migrate",
		"would create sh.helm.release.v1.hello-a.v1, sh.helm.release.v1.hello-a.v2, sh.helm.release.v1.hello-a.v3",
		"dry run: 2 release(s) to migrate (4 revision(s)), 0 already migrated, 0 in conflict, 0 failed; nothing was written",
	} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("report lacks %q:\n%s", want, out.String())
		}
	}
	if got := helmSecrets(t, c, ""); len(got) != 0 {
		t.Errorf("a dry run wrote %v", got)
	}
}

func TestMigrationStoresTheHistoryAsHelmsSecretDriverDoes(t *testing.T) {
	c := fake.NewClientset(history(t)...)
	m := New(c.CoreV1(), tillerNS)
	plans, err := m.Plan(context.Background(), []string{"hello-a"})
	if err != nil {
		t.Fatal(err)
	}
	done := m.Apply(context.Background(), plans, false)
	if len(done) != 1 || done[0].State != StateMigrate || done[0].TillerDeleted {
		t.Fatalf("done = %+v", done)
	}
	secrets := helmSecrets(t, c, "team-a")
	for v, status := range map[string]string{"1": "superseded", "2": "superseded", "3": "deployed"} {
		labels := secrets["sh.helm.release.v1.hello-a.v"+v]
		if labels["name"] != "hello-a" || labels["owner"] != "helm" || labels["status"] != status || labels["version"] != v {
			t.Errorf("revision %s labels = %v", v, labels)
		}
	}
	if len(helmSecrets(t, c, "team-b")) != 0 {
		t.Error("solo was migrated though only hello-a was named")
	}
	hist, err := storage.Init(driver.NewSecrets(c.CoreV1().Secrets("team-a"))).History("hello-a")
	if err != nil || len(hist) != 3 {
		t.Fatalf("history = %v, %v", hist, err)
	}
	for _, h := range hist {
		r := h.(*release.Release)
		if r.Version == 3 && (r.Config["message"] != "revision 3" || r.Info.Status != rcommon.StatusDeployed || !r.Info.LastDeployed.Equal(deployedAt.Add(3*time.Hour))) {
			t.Errorf("revision 3 = %+v %+v", r.Config, r.Info)
		}
	}
	if _, err := c.CoreV1().Secrets(tillerNS).Get(context.Background(), "hello-a.v3", metav1.GetOptions{}); err != nil {
		t.Errorf("Tiller's data was not kept: %v", err)
	}
}

func TestARerunWritesNothingAndDeletesTillersDataOnlyWhenAsked(t *testing.T) {
	c := fake.NewClientset(history(t)...)
	m := New(c.CoreV1(), tillerNS)
	ctx := context.Background()
	first, _ := m.Plan(ctx, nil)
	m.Apply(ctx, first, false)

	again, err := m.Plan(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range again {
		if p.State != StateMigrated || len(p.Create) != 0 {
			t.Errorf("re-run plan = %+v", p)
		}
	}
	done := m.Apply(ctx, again, true)
	for _, p := range done {
		if p.State != StateMigrated || !p.TillerDeleted {
			t.Errorf("re-run = %+v", p)
		}
	}
	if left, _ := c.CoreV1().Secrets(tillerNS).List(ctx, metav1.ListOptions{LabelSelector: "OWNER=TILLER"}); len(left.Items) != 0 {
		t.Errorf("Tiller's Secrets left: %d", len(left.Items))
	}
	if left, _ := c.CoreV1().ConfigMaps(tillerNS).List(ctx, metav1.ListOptions{LabelSelector: "OWNER=TILLER"}); len(left.Items) != 0 {
		t.Errorf("Tiller's ConfigMaps left: %d", len(left.Items))
	}
	if n := len(helmSecrets(t, c, "")); n != 4 {
		t.Errorf("Helm's storage holds %d revisions, want 4", n)
	}
}

func TestAnInterruptedRunIsCompletedWithTheMissingRevisions(t *testing.T) {
	c := fake.NewClientset(history(t)...)
	m := New(c.CoreV1(), tillerNS)
	ctx := context.Background()
	plans, _ := m.Plan(ctx, []string{"hello-a"})
	plans[0].Create = []int{1} // as if the run stopped after revision 1
	m.Apply(ctx, plans, false)

	plans, _ = m.Plan(ctx, []string{"hello-a"})
	if p := plans[0]; p.State != StateMigrate || !equal(p.Create, []int{2, 3}) || !equal(p.Existing, []int{1}) {
		t.Fatalf("plan = %+v", p)
	}
	m.Apply(ctx, plans, false)
	if n := len(helmSecrets(t, c, "team-a")); n != 3 {
		t.Errorf("%d revisions stored, want 3", n)
	}
}

func TestConflictsAreReportedAndNothingOfThatReleaseIsWritten(t *testing.T) {
	ctx := context.Background()
	other := func(ns string, v int, manifest string) *release.Release {
		return &release.Release{Name: "hello-a", Namespace: ns, Version: v, Manifest: manifest,
			Chart: &chartv2Chart, Info: &release.Info{Status: rcommon.StatusDeployed, FirstDeployed: deployedAt, LastDeployed: deployedAt}}
	}
	for name, tc := range map[string]struct {
		helm []*release.Release
		drop string
		want string
	}{
		"a Helm release of the name elsewhere":  {helm: []*release.Release{other("team-b", 1, "x")}, want: "exists in namespace team-b; release names are global"},
		"another release in the same namespace": {helm: []*release.Release{other("team-a", 1, "x")}, want: "is not Tiller's revision 1 (another manifest)"},
		"unrelated revisions in the namespace":  {helm: []*release.Release{other("team-a", 7, "x")}, want: "with other revisions exists in namespace team-a"},
		"the release's namespace is gone":       {drop: "team-a", want: "namespace team-a does not exist"},
	} {
		t.Run(name, func(t *testing.T) {
			objs := history(t)
			if tc.drop != "" {
				objs = objs[1:]
			}
			c := fake.NewClientset(objs...)
			m := New(c.CoreV1(), tillerNS)
			for _, h := range tc.helm {
				if err := storage.Init(driver.NewSecrets(c.CoreV1().Secrets(h.Namespace))).Create(h); err != nil {
					t.Fatal(err)
				}
			}
			plans, err := m.Plan(ctx, []string{"hello-a"})
			if err != nil {
				t.Fatal(err)
			}
			done := m.Apply(ctx, plans, true)
			if p := done[0]; p.State != StateConflict || !strings.Contains(p.Reason, tc.want) || p.TillerDeleted {
				t.Errorf("plan = %+v, want a conflict with %q", p, tc.want)
			}
			if n := len(helmSecrets(t, c, "")); n != len(tc.helm) {
				t.Errorf("Helm's storage holds %d revisions, want %d", n, len(tc.helm))
			}
			if left, _ := c.CoreV1().Secrets(tillerNS).List(ctx, metav1.ListOptions{}); len(left.Items) != 3 {
				t.Errorf("Tiller's Secrets were deleted: %d left", len(left.Items))
			}
		})
	}
}

func TestAReleaseChangedAfterItsMigrationIsNotRewritten(t *testing.T) {
	c := fake.NewClientset(history(t)...)
	m := New(c.CoreV1(), tillerNS)
	ctx := context.Background()
	plans, _ := m.Plan(ctx, []string{"hello-a"})
	m.Apply(ctx, plans, false)
	store := storage.Init(driver.NewSecrets(c.CoreV1().Secrets("team-a")))
	// helm upgrade after the migration, with a history limit that pruned revision 1
	if _, err := store.Delete("hello-a", 1); err != nil {
		t.Fatal(err)
	}
	v4 := *plans[0].converted[3]
	v4.Version = 4
	if err := store.Create(&v4); err != nil {
		t.Fatal(err)
	}
	plans, _ = m.Plan(ctx, []string{"hello-a"})
	if p := plans[0]; p.State != StateMigrated || len(p.Create) != 0 || !strings.Contains(strings.Join(p.Notes, ";"), "later revisions (up to 4)") {
		t.Errorf("plan = %+v", p)
	}
}

func TestANamedReleaseTillerDoesNotHoldIsAConflict(t *testing.T) {
	m := New(fake.NewClientset(history(t)...).CoreV1(), tillerNS)
	plans, err := m.Plan(context.Background(), []string{"no-such"})
	if err != nil {
		t.Fatal(err)
	}
	if len(plans) != 1 || plans[0].State != StateConflict || !strings.Contains(plans[0].Reason, `Tiller holds no release "no-such" in namespace kube-system`) {
		t.Errorf("plans = %+v", plans)
	}
}

func TestAnUndecodableRevisionFailsItsReleaseOnly(t *testing.T) {
	objs := history(t)
	bad := objs[3].(*corev1.Secret) // hello-a.v2
	bad.Data["release"] = []byte("not base64!")
	c := fake.NewClientset(objs...)
	m := New(c.CoreV1(), tillerNS)
	plans, _ := m.Plan(context.Background(), nil)
	done := m.Apply(context.Background(), plans, true)
	if done[0].State != StateFailed || !strings.Contains(done[0].Reason, "Tiller's Secret kube-system/hello-a.v2: not base64") {
		t.Errorf("hello-a = %+v", done[0])
	}
	if done[1].State != StateMigrate || !done[1].TillerDeleted {
		t.Errorf("solo = %+v", done[1])
	}
	if n := len(helmSecrets(t, c, "team-a")); n != 0 {
		t.Errorf("%d revisions of the failed release were written", n)
	}
}

func equal(a, b []int) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func TestRunMigratesReleaseByReleaseAndReportsWithoutReleaseData(t *testing.T) {
	c := fake.NewClientset(history(t)...)
	m := New(c.CoreV1(), tillerNS)
	ctx := context.Background()
	dry, err := m.Run(ctx, nil, true, true)
	if err != nil {
		t.Fatal(err)
	}
	if len(dry) != 2 || dry[0].State != StateMigrate || dry[0].TillerDeleted || len(helmSecrets(t, c, "")) != 0 {
		t.Fatalf("dry run = %+v", dry)
	}
	done, err := m.Run(ctx, []string{"solo", "hello-a", "solo", "bad name!"}, false, true)
	if err != nil {
		t.Fatal(err)
	}
	if len(done) != 3 || done[0].Release != "bad name!" || done[0].State != StateConflict || !strings.Contains(done[0].Reason, "is not a release name") {
		t.Fatalf("done = %+v", done)
	}
	for _, p := range done[1:] {
		if p.State != StateMigrate || !p.TillerDeleted || p.converted != nil || p.Tiller[0].release != nil {
			t.Errorf("%s = %+v", p.Release, p)
		}
	}
	if n := len(helmSecrets(t, c, "")); n != 4 {
		t.Errorf("Helm's storage holds %d revisions, want 4", n)
	}
}
